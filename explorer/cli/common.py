"""Argument types, the ``--dataset`` option and the stderr progress bar that every subcommand shares."""

from __future__ import annotations

import argparse
import sys

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


def progress_bar(done: float, total: float, text: str = "", width: int = 30) -> None:
    """A one-line progress bar on stderr, so stdout stays clean for --json."""
    filled = int(width * min(done / total, 1.0)) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:5.2f}/{total:g} {text}\033[K")
    sys.stderr.flush()
