"""explorer.turns: a full room takes turns at the training slots; slicing never changes a run."""

from __future__ import annotations

import threading
import time

import pytest

from explorer import threads
from explorer.training import TrainConfig, Trainer
from explorer.turns import TrainingQueue

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


def test_newcomers_see_a_first_point_before_earlier_runs_finish(fashion):
    queue, slots, sessions = TrainingQueue(slots=2), 2, 6
    lock = threading.Lock()
    log: list[tuple[float, int, str]] = []  # (time, session, what)
    places: dict[int, list[int]] = {}
    busy, peak = [0], [0]

    def session(i: int) -> None:
        trainer = Trainer(TrainConfig(**{**SMALL, "epochs": 3}), fashion)

        turns = []

        def on_wait(place: int) -> None:
            if not turns[0].slices:  # before its first point (later, newcomers may pass it on purpose)
                places.setdefault(i, []).append(place)

        with queue.turn(on_wait=on_wait) as turn:
            turns.append(turn)
            for event in turn.train(trainer):
                with lock:
                    busy[0] += 1
                    peak[0] = max(peak[0], queue.counts()[0])
                    log.append((time.perf_counter(), i, event["kind"]))
                    busy[0] -= 1
        with lock:
            log.append((time.perf_counter(), i, trainer.status))

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join(timeout=120)
    assert all(not t.is_alive() for t in threads)
    assert peak[0] <= slots and queue.counts() == (0, 0)
    finished = {i: t for t, i, what in log if what == "finished"}
    first_point = {i: min(t for t, j, what in log if j == i and what in ("progress", "epoch")) for i in range(sessions)}
    assert len(finished) == sessions
    # Every session's first point comes before the first run is done: nobody waits for whole runs.
    assert max(first_point.values()) < min(finished.values())
    # Those that waited for their first point were told their place, and it only moved forward.
    assert places and all(p == sorted(p, reverse=True) and p[-1] >= 1 for p in places.values())


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
