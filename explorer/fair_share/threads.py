"""How many intra-op threads a training gets: every core when it runs alone, a fair share when
several run in one process (a server's sessions train in threads of one Python process).

Why per training: OpenMP threads that wait by spinning make a lone training fast, but two
trainings with two threads each on two cores spin against each other and each slows down
several-fold. Sharing the cores keeps the lone run fast and the crowd's total throughput up.

``torch.set_num_threads`` sets a process-wide default, MKL's thread count (process-wide) and
the calling thread's OpenMP team size (per OS thread). So every running training calls
:func:`use_my_share` between batches: they all apply the same share, so the three settings
agree, and a training that started alone shrinks as soon as another one starts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

_lock = threading.Lock()
_running = 0
_requested = CORES  # the thread count the process had when its first training started


def requested() -> int:
    """The thread count this process asked for (``torch.set_num_threads`` before training): every core by
    default; a benchmark that asks for one thread gets one in our trainings too."""
    return _requested


def running_trainings() -> int:
    return _running


def share() -> int:
    """Intra-op threads for each running training: the cores split evenly, at least one."""
    return max(1, _requested // max(_running, 1))


@contextmanager
def training_threads() -> Iterator[None]:
    """Count one more running training for the duration of the block."""
    global _running, _requested
    with _lock:
        if _running == 0:
            _requested = torch.get_num_threads()
        _running += 1
    try:
        use_my_share()
        yield
    finally:
        with _lock:
            _running -= 1
            last = _running == 0
        if last:  # hand the requested cores back to whatever runs next (new threads start from this value)
            torch.set_num_threads(_requested)


def use_my_share() -> None:
    """Size the calling thread's torch threads to the current share (cheap when unchanged)."""
    n = share()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
