"""explorer.fair_share.turns: a full room takes turns at the training slots; slicing never changes a run."""

from __future__ import annotations

import threading
import time

import pytest

from explorer.fair_share import threads
from explorer.mlp.training import TrainConfig, Trainer
from explorer.fair_share.turns import Ticket, TrainingQueue

SMALL = dict(hidden=32, epochs=2, batch_size=50, max_train=1000, max_test=500)


def test_a_run_trained_in_slices_equals_one_trained_straight(fashion):
    straight = Trainer(TrainConfig(**SMALL), fashion)
    list(straight.train())
    queue = TrainingQueue(slots=1)
    sliced = Trainer(TrainConfig(**SMALL), fashion)
    newcomers = iter([True, False] * 10)
    # A newcomer "waits" before every other batch, so the run is paused and resumed mid-epoch.
    queue.newcomer_waiting = lambda: next(newcomers, False)
    with queue.turn() as turn:
        events = list(turn.train(sliced))
    assert turn.slices > 5
    assert sliced.status == "finished" and [e["kind"] for e in events].count("epoch") == 2
    assert sliced.history[-1]["test_acc"] == straight.history[-1]["test_acc"]
    for a, b in zip(sliced.history, straight.history):
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}


class FakeTrainer:
    """A trainer's protocol with instant batches that wait for ``gate``: the order of the work is the test."""

    def __init__(self, name: str, batches: int, log: list[str], gate: threading.Event):
        self.name, self.left, self.log, self.gate = name, batches, log, gate
        self.status = "ready"

    def stop(self) -> None:
        self.status = "stopped"

    def train(self, until_epoch=None, should_stop=None, progress_every=0.25):
        self.status = "running"
        while self.left:
            if should_stop and should_stop():
                self.status = "stopped"
                return
            assert self.gate.wait(30)
            self.left -= 1
            self.log.append(self.name)
            yield {"kind": "progress", "epoch": 0.0}
        self.status = "finished"


def wait_until(condition, timeout: float = 30) -> None:
    """Wait for a condition of the queue (a thread has entered the line), failing after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def run_sessions(queue: TrainingQueue, trainers: list[FakeTrainer], owners=None) -> list[threading.Thread]:
    """Each trainer in its own thread (a session), entering the line in list order."""
    owners = owners or [t.name for t in trainers]
    started = []
    for trainer, owner in zip(trainers, owners):
        def session(trainer=trainer, owner=owner):
            with queue.turn(owner=owner) as turn:
                list(turn.train(trainer))
        started.append(threading.Thread(target=session, daemon=True))
        started[-1].start()
        # In the line (or training) before the next one enters.
        wait_until(lambda owner=owner: any(t.owner == owner and not t.replaced
                                           for t in [*queue._running, *queue._waiting]))
    return started


def release(gate: threading.Event, sessions: list[threading.Thread]) -> None:
    """Let the fake trainers step, and wait for every session to end."""
    gate.set()
    for s in sessions:
        s.join(30)


def test_waiting_runs_take_turns_slice_by_slice():
    queue, log, gate = TrainingQueue(slots=1, quantum=0), [], threading.Event()
    trainers = [FakeTrainer(name, 3, log, gate) for name in "ABC"]
    sessions = run_sessions(queue, trainers)
    release(gate, sessions)
    # Each newcomer's first point first, then a rotation: nobody trains twice while another waits.
    assert "".join(log) == "ABCABCABC"
    assert all(t.status == "finished" for t in trainers) and queue.counts() == (0, 0)


def test_a_short_run_behind_two_long_ones_finishes_in_its_fair_share():
    queue, log, gate = TrainingQueue(slots=1, quantum=0), [], threading.Event()
    long_a, long_b = FakeTrainer("A", 50, log, gate), FakeTrainer("B", 50, log, gate)
    short = FakeTrainer("c", 4, log, gate)
    sessions = run_sessions(queue, [long_a, long_b, short])
    release(gate, sessions)
    done = max(i for i, name in enumerate(log) if name == "c") + 1
    # 4 batches with 3 runs sharing one slot: done after 3 × 4 batches, not after the long runs' 100.
    assert done == 12 and len(log) == 104


class Lockstep:
    """A gate for two slots: one batch at a time, to the run that has waited at it longest, and only once
    every free slot is taken again. With an open gate the log records which thread the OS ran first, not
    which run the queue let train (a woken session can sit unscheduled while the others go on); this
    gate makes the concurrent batches equally long, so the order in the log is the queue's."""

    def __init__(self):
        self._lock, self._at_gate = threading.Lock(), []

    def wait(self, timeout: float) -> bool:
        turn = threading.Event()
        with self._lock:
            self._at_gate.append(turn)
        return turn.wait(timeout)

    def waiting(self) -> int:
        with self._lock:
            return len(self._at_gate)

    def step(self) -> None:
        with self._lock:
            self._at_gate.pop(0).set()


def test_two_slots_rotate_three_runs():
    queue, log, gate = TrainingQueue(slots=2, quantum=0), [], Lockstep()
    trainers = [FakeTrainer(name, 4, log, gate) for name in "ABC"]
    sessions = run_sessions(queue, trainers)
    for batch in range(12):
        # Settled: every run with batches left that can hold a slot holds one and waits at the gate.
        wait_until(lambda batch=batch: len(log) == batch and gate.waiting() == len(queue._running)
                   == min(queue.slots, sum(t.left > 0 for t in trainers)))
        gate.step()
    for s in sessions:
        s.join(30)
    assert queue.counts() == (0, 0) and all(t.status == "finished" for t in trainers)
    # Each run's first point, then a rotation through both slots: one batch per slice, nobody ahead.
    assert "".join(log) == "ABC" * 4


def test_a_second_run_of_the_same_session_replaces_the_first():
    queue, log, gate = TrainingQueue(slots=1, quantum=0), [], threading.Event()
    first, other = FakeTrainer("A", 10, log, gate), FakeTrainer("B", 2, log, gate)
    second = FakeTrainer("a", 2, log, gate)
    sessions = run_sessions(queue, [first, other, second], owners=["me", "you", "me"])
    assert queue.counts() == (1, 2) and queue._line()[-1].owner == "me"  # behind the others, while
    assert all(t.replaced for t in queue._running)  # its old run gives its slot up at the next batch
    release(gate, sessions)
    assert first.status == "stopped" and log.count("A") == 1  # its one batch under way, then it gave way
    assert second.status == "finished" and other.status == "finished" and queue.counts() == (0, 0)


def test_a_new_run_of_a_session_waits_for_its_old_one_to_step_aside_even_with_a_free_slot():
    # Streamlit's fast reruns: the session's new script thread starts while the old one is mid-batch.
    queue, log, gate = TrainingQueue(slots=2, quantum=0), [], threading.Event()
    old, new = FakeTrainer("A", 10, log, gate), FakeTrainer("a", 2, log, gate)
    sessions = run_sessions(queue, [old, new], owners=["me", "me"])
    assert queue.counts() == (1, 1)  # a slot is free, but the old run still holds the model
    release(gate, sessions)
    assert log == ["A", "a", "a"]  # the old run's batch under way, then only the new run's
    assert old.status == "stopped" and new.status == "finished" and queue.counts() == (0, 0)


def test_a_replaced_waiting_run_leaves_the_line():
    queue, log, gate = TrainingQueue(slots=1, quantum=0), [], threading.Event()
    holder, waiting = FakeTrainer("A", 2, log, gate), FakeTrainer("B", 5, log, gate)
    replacement = FakeTrainer("b", 1, log, gate)
    sessions = run_sessions(queue, [holder, waiting])
    sessions += run_sessions(queue, [replacement], owners=["B"])
    release(gate, sessions)
    assert "B" not in log and waiting.status == "stopped" and replacement.status == "finished"


def test_the_wait_estimate_counts_the_slices_ahead():
    queue = TrainingQueue(slots=2, quantum=1.0)
    assert [queue.wait_estimate(place) for place in (1, 2, 3, 5)] == [1.0, 1.0, 2.0, 3.0]
    ticket = Ticket(0, fresh=False)
    queue._running.add(ticket)
    queue.release(ticket, seconds=3.0)  # slices measured longer: the estimate follows
    assert queue.slice_seconds == pytest.approx(1.4) and queue.wait_estimate(3) == pytest.approx(2.8)


def test_an_interrupted_wait_gives_the_place_back(fashion):
    queue = TrainingQueue(slots=1)
    holder = Trainer(TrainConfig(**SMALL), fashion)
    with queue.turn() as first:
        events = first.train(holder)
        next(events)  # holds the only slot now

        def interrupted(place: int) -> None:
            raise KeyboardInterrupt  # what a reload does to a waiting Streamlit script

        with pytest.raises(KeyboardInterrupt):
            with queue.turn(on_wait=interrupted) as second:
                list(second.train(Trainer(TrainConfig(**SMALL), fashion)))
        assert queue.counts() == (1, 0)
        events.close()
    assert queue.counts() == (0, 0)


def test_closing_a_turn_mid_run_gives_back_its_slot_and_core_share(fashion):
    # What the training page does when a click interrupts a run (contextlib.closing around turn.train).
    queue = TrainingQueue(slots=1)
    trainer = Trainer(TrainConfig(**SMALL), fashion)
    with queue.turn() as turn:
        events = turn.train(trainer)
        next(events)
        assert queue.counts() == (1, 0) and threads.running_trainings() == 1
        events.close()
        assert queue.counts() == (0, 0) and threads.running_trainings() == 0
    assert trainer.epoch_progress > 0  # what was trained is kept; the next turn resumes from there
