"""Turns at a server's few training slots: every run in the room gets its fair share of the cores.

More trainings at once than cores only slow every one of them, so a server trains ``slots`` runs at a
time and the others wait in line. The line is a rotation (round-robin): a run trains for a slice of
about ``quantum`` seconds, then, if someone waits, steps aside and goes to the back of the line. So a
short run started behind two long ones finishes after about its lone time × the number of runs, not
after the long runs. A newcomer's first slice still jumps the line: it trains until its first curve
point, so a full room sees its curves within seconds. Every run gets all its batches (the queue only
orders them), so the room's total time stays that of the work.

One run per owner (a session): a new turn of the same owner replaces the owner's old one, which steps
aside at its next batch; the new one starts only then. (Streamlit's fast reruns start a session's new
script run in a new thread while the old one may still be mid-batch: two threads must never train one
model at once.)

    queue = TrainingQueue(slots=2)
    with queue.turn(on_wait=lambda place: print("number", place, "in line"), owner="session 1") as turn:
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
    owner: object = None
    fresh: bool = True  # has not shown its first curve point yet: served before the others
    back_of_line: int = 0  # when it last stepped aside (the rotation serves the longest-waiting first)
    replaced: bool = False  # its owner started another run: this one gives its place up


class TrainingQueue:
    """At most ``slots`` trainings compute at once; the others wait, newcomers' first slices first, then in
    rotation, each for a slice of about ``quantum`` seconds."""

    def __init__(self, slots: int, quantum: float = 1.0):
        self.slots, self.quantum = slots, quantum
        self._cond = threading.Condition()
        self._running: set[Ticket] = set()
        self._waiting: list[Ticket] = []
        self._clock = itertools.count()  # arrivals and steps aside, in one order
        self.slice_seconds = quantum  # a running mean of the slices' lengths: what a place in line costs

    def _line(self) -> list[Ticket]:
        return sorted(self._waiting, key=lambda t: (not t.fresh, t.back_of_line))

    def wait_estimate(self, place: int) -> float:
        """Seconds until the turn of number ``place`` in line: the slices ahead, ``slots`` at a time."""
        return math.ceil(place / self.slots) * self.slice_seconds

    def counts(self) -> tuple[int, int]:
        """(training now, waiting)."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def newcomer_waiting(self) -> bool:
        with self._cond:
            return any(t.fresh for t in self._waiting)

    def anyone_waiting(self) -> bool:
        with self._cond:
            return bool(self._waiting)

    def acquire(self, ticket: Ticket, on_wait: Callable[[int], None] | None = None, poll: float = 1.0,
                redraw_every: float = 0.5) -> bool:
        """Block until ``ticket`` may train (True), or until its owner replaced it (False). ``on_wait(place)``
        runs on entering the line, then when the place has moved (at most every ``redraw_every`` s) and
        every ``poll`` s, in the caller's thread, so a UI can redraw and a reload can interrupt. The limit
        matters in a full room: the line moves 30 times for 30 waiting sessions, and a redraw each time
        would cost 30² page updates."""
        with self._cond:
            self._waiting.append(ticket)
            shown, shown_at, entered = None, -math.inf, time.monotonic()
            try:
                while True:
                    if ticket.replaced:
                        self._waiting.remove(ticket)
                        self._cond.notify_all()
                        return False
                    line = self._line()
                    free = self.slots - len(self._running)
                    predecessor = self._owner_running(ticket)
                    if ticket in line[:max(free, 0)] and not predecessor:
                        self._waiting.remove(ticket)
                        self._running.add(ticket)
                        return True
                    if predecessor and time.monotonic() - entered < poll:
                        # Its own replaced run steps aside within a batch: no "waiting in line" for that.
                        self._cond.wait(poll - (time.monotonic() - entered))
                        continue
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

    def _owner_running(self, ticket: Ticket) -> bool:
        """Is another run of ``ticket``'s owner still training (replaced, about to step aside)?"""
        return ticket.owner is not None and any(t.owner == ticket.owner for t in self._running if t is not ticket)

    def release(self, ticket: Ticket, seconds: float | None = None) -> None:
        """Give the slot back; the ticket goes to the back of the line. ``seconds``: how long it trained."""
        with self._cond:
            if ticket in self._running:
                ticket.back_of_line = next(self._clock)
                if seconds is not None and not ticket.fresh:  # first slices are short: not what a place costs
                    self.slice_seconds = 0.8 * self.slice_seconds + 0.2 * seconds
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._cond.notify_all()

    def _replace(self, owner: object) -> None:
        """Every earlier ticket of ``owner`` steps aside: one run per session."""
        if owner is None:
            return
        with self._cond:
            for ticket in [*self._running, *self._waiting]:
                if ticket.owner == owner:
                    ticket.replaced = True
            self._cond.notify_all()

    @contextmanager
    def turn(self, on_wait: Callable[[int], None] | None = None, owner: object = None) -> Iterator[Turn]:
        """A :class:`Turn` for one training; whatever happens, its place is given back on exit. A turn of
        an ``owner`` that already has one replaces it."""
        self._replace(owner)
        arrival = next(self._clock)
        turn = Turn(self, Ticket(arrival, owner, back_of_line=arrival), on_wait)
        try:
            yield turn
        finally:
            self.release(turn.ticket)


class Turn:
    """One session's turns at the slots: trains a :class:`~explorer.mlp.training.Trainer` slice by slice."""

    def __init__(self, queue: TrainingQueue, ticket: Ticket, on_wait: Callable[[int], None] | None):
        self.queue, self.ticket, self.on_wait = queue, ticket, on_wait
        self.slices = 0
        self._shown = self._paused = False
        self._slice_start, self._asked = 0.0, 0
        self._should_stop: Callable[[], bool] | None = None

    @property
    def replaced(self) -> bool:
        """Its owner started another turn, which carries the training on."""
        return self.ticket.replaced

    def _pause(self) -> bool:
        """Asked by the trainer between batches: stop this slice?"""
        if (self._should_stop and self._should_stop()) or self.ticket.replaced:
            return True
        self._asked += 1
        if self._asked == 1:  # every slice trains at least one batch
            self._paused = False
        elif self.ticket.fresh:  # a newcomer steps back after its first point
            self._paused = self._shown
        else:  # the others at once for a newcomer, and after their slice for anyone waiting
            self._paused = self.queue.newcomer_waiting() or (
                time.perf_counter() - self._slice_start >= self.queue.quantum and self.queue.anyone_waiting())
        return self._paused

    def train(self, trainer, until_epoch: int | None = None, progress_every: float = 0.5,
              should_stop: Callable[[], bool] | None = None) -> Iterator[dict]:
        """The events of ``trainer.train(until_epoch)``, computed only while this turn holds a slot."""
        self._should_stop = should_stop
        while True:
            if not self.queue.acquire(self.ticket, self.on_wait):
                trainer.stop()
                return
            self._shown = self._paused = False
            self._slice_start, self._asked = time.perf_counter(), 0
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
                self.queue.release(self.ticket, time.perf_counter() - self._slice_start)
            self.ticket.fresh = False
            if not (self._paused and trainer.status == "stopped") or self.ticket.replaced:
                return
