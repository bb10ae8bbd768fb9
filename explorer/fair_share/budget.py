"""A work budget per run, so one greedy run cannot hold a server's cores for many minutes.

The work of a run is counted in floating-point operations (FLOP) of its matrix multiplies, the part of
training that grows with the settings: an epoch trains on every training image (forward 2 FLOP per
weight; backward 2 for the weight gradient and 2 for the input gradient, except the first layer, which
needs no input gradient) and evaluates every test image (2 per weight). So the budget is epochs × images
× a cost of width and depth. ⏩ Continue spends the same budget: the epochs a run has trained count.

A server sets it with ``EXPLORER_RUN_BUDGET`` in TFLOP (10¹² FLOP); the default, 5 TFLOP, is about ten
runs of d2l's MLP (784-256-10, 10 epochs: 0.53 TFLOP), or a minute of one training alone on 2 cores.
"""

from __future__ import annotations

from explorer import settings


def sample_flops(sizes: list[int]) -> tuple[int, int]:
    """(training FLOP, test FLOP) per image for layer sizes like [784, 256, 10]."""
    weights = [a * b for a, b in zip(sizes, sizes[1:])]
    return 6 * sum(weights) - 2 * weights[0], 2 * sum(weights)


def epoch_flops(sizes: list[int], n_train: int, n_test: int) -> float:
    """FLOP of one epoch: training on ``n_train`` images, then the test pass over ``n_test``."""
    train, test = sample_flops(sizes)
    return float(train * n_train + test * n_test)


def run_budget() -> float:
    """This server's budget per run, in FLOP (``EXPLORER_RUN_BUDGET`` TFLOP; a bad value gives the default)."""
    return settings.get("EXPLORER_RUN_BUDGET") * 1e12


def allowed_epochs(per_epoch: float, budget: float, done: int = 0) -> int:
    """How many more epochs the budget allows a run that has trained ``done``; a new run always gets one."""
    total = max(int(budget // per_epoch), 1) if per_epoch > 0 else 1_000_000
    return max(total - done, 0)
