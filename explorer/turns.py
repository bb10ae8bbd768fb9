"""Turns at a server's few training slots, so a full room sees its first curve points within seconds.

More trainings at once than cores only slow every one of them, so a server trains ``slots`` runs at a
time and the others wait in line. Plain first-come-first-served would make the 30th attendee of a
class wait for 29 whole runs before seeing anything. So a newcomer's first slice jumps the line: it
trains until its first curve point and steps back; runs that already showed a point train on in
arrival order, and step aside between two batches whenever a newcomer waits. Every run still gets
all its batches (the queue only orders them), so the room's total time stays that of the work.

    queue = TrainingQueue(slots=2)
    with queue.turn(on_wait=lambda place: print("number", place, "in line")) as turn:
        for event in turn.train(trainer):
            ...
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(eq=False)
class Ticket:
    arrival: int
    fresh: bool = True  # has not shown its first curve point yet: served before the others


class TrainingQueue:
    """At most ``slots`` trainings compute at once; the others wait, newcomers' first slices first."""

    def __init__(self, slots: int):
        self.slots = slots
        self._cond = threading.Condition()
        self._running: set[Ticket] = set()
        self._waiting: list[Ticket] = []
        self._arrivals = itertools.count()

    def _line(self) -> list[Ticket]:
        return sorted(self._waiting, key=lambda t: (not t.fresh, t.arrival))

    def place(self, ticket: Ticket) -> int:
        """1 = next to train; 0 = training now (or not queued)."""
        with self._cond:
            line = self._line()
            return line.index(ticket) + 1 if ticket in line else 0

    def counts(self) -> tuple[int, int]:
        """(training now, waiting)."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def newcomer_waiting(self) -> bool:
        with self._cond:
            return any(t.fresh for t in self._waiting)

    def acquire(self, ticket: Ticket, on_wait: Callable[[int], None] | None = None, poll: float = 1.0,
                redraw_every: float = 0.5) -> None:
        """Block until ``ticket`` may train. ``on_wait(place)`` runs on entering the line, then when the
        place has moved (at most every ``redraw_every`` s) and every ``poll`` s, in the caller's thread,
        so a UI can redraw and a reload can interrupt. The limit matters in a full room: the line moves
        30 times for 30 waiting sessions, and a redraw each time would cost 30² page updates."""
        with self._cond:
            self._waiting.append(ticket)
            shown, shown_at = None, -math.inf
            try:
                while True:
                    line = self._line()
                    free = self.slots - len(self._running)
                    if ticket in line[:max(free, 0)]:
                        self._waiting.remove(ticket)
                        self._running.add(ticket)
                        return
                    place = line.index(ticket) + 1
                    wait_more = shown_at + redraw_every - time.monotonic()
                    if on_wait and place != shown and wait_more <= 0:
                        shown, shown_at = place, time.monotonic()
                        self._cond.release()  # the callback may take its time; never hold the line for it
                        try:
                            on_wait(place)
                        finally:
                            self._cond.acquire()
                        continue
                    timeout = wait_more if on_wait and place != shown else poll
                    if not self._cond.wait(timeout) and timeout == poll:
                        shown = None  # a heartbeat redraw, so that a click or a reload can interrupt the wait
            except BaseException:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._cond.notify_all()
                raise

    def release(self, ticket: Ticket) -> None:
        with self._cond:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._cond.notify_all()

    @contextmanager
    def turn(self, on_wait: Callable[[int], None] | None = None) -> Iterator[Turn]:
        """A :class:`Turn` for one training; whatever happens, its place is given back on exit."""
        turn = Turn(self, Ticket(next(self._arrivals)), on_wait)
        try:
            yield turn
        finally:
            self.release(turn.ticket)


class Turn:
    """One session's turns at the slots: trains a :class:`~explorer.training.Trainer` slice by slice."""

    def __init__(self, queue: TrainingQueue, ticket: Ticket, on_wait: Callable[[int], None] | None):
        self.queue, self.ticket, self.on_wait = queue, ticket, on_wait
        self.slices = 0
        self._shown = self._paused = False
        self._should_stop: Callable[[], bool] | None = None

    def _pause(self) -> bool:
        """Asked by the trainer between batches: stop this slice?"""
        if self._should_stop and self._should_stop():
            return True
        # A newcomer steps back after its first point; the others when a newcomer waits.
        self._paused = self._shown if self.ticket.fresh else self.queue.newcomer_waiting()
        return self._paused

    def train(self, trainer, until_epoch: int | None = None, progress_every: float = 0.5,
              should_stop: Callable[[], bool] | None = None) -> Iterator[dict]:
        """The events of ``trainer.train(until_epoch)``, computed only while this turn holds a slot."""
        self._should_stop = should_stop
        while True:
            self.queue.acquire(self.ticket, self.on_wait)
            self._shown = self._paused = False
            # progress_every=0 on the first slice: its first batch already gives a curve point.
            events = trainer.train(until_epoch, should_stop=self._pause,
                                   progress_every=0 if self.ticket.fresh else progress_every)
            try:
                self.slices += 1
                for event in events:
                    self._shown = True
                    yield event
            finally:
                events.close()  # now, not whenever the garbage collector finds it: it holds a core share
                self.queue.release(self.ticket)
            self.ticket.fresh = False
            if not (self._paused and trainer.status == "stopped"):
                return
