"""Argument types, the ``--dataset`` option and the stderr progress bar (tqdm) that every subcommand shares."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from explorer.data import DATASET_NAMES, DEFAULT_DATASET


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    """``--dataset fashion-mnist|mnist``: the same option, help and default on every subcommand."""
    parser.add_argument("--dataset", choices=DATASET_NAMES, default=DEFAULT_DATASET,
                        help="fashion-mnist (default, d2l's clothing) or mnist (handwritten digits, seed 002)")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive, finite number")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def probability(text: str) -> float:
    value = non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in [0, 1)")
    return value


def progress(total: float, unit: str = "epoch") -> tqdm:
    """A progress bar on stderr, so stdout stays clean for --json; move it with :func:`advance`."""
    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
                bar_format="{percentage:3.0f}%|{bar}| {n:.2f}/{total_fmt} {unit}s  {desc}")


def advance(bar: tqdm, done: float, text: str = "") -> None:
    """Fractional progress (epochs pass batch by batch), with a short text after the bar."""
    bar.n = min(done, bar.total)
    bar.set_description_str(text, refresh=False)
    bar.refresh()
