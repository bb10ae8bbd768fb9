"""`python -m explorer approximate`: N ReLU units approximating a 1-D function (d2l 4.1)."""

from __future__ import annotations

import argparse

from explorer.cli.common import add_config_options, print_rows
from explorer.lessons.approximate import MAX_UNITS, UNITS, ApproxConfig, error_vs_units


def unit_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not values or not all(1 <= v <= MAX_UNITS for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: every count must be between 1 and {MAX_UNITS}")
    return values


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("approximate", help="error of N ReLU hinges fitting a 1-D function (d2l 4.1)")
    add_config_options(p, ApproxConfig, ("target",))
    p.add_argument("--units", type=unit_list, default=UNITS, help="comma-separated hidden-unit counts")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print_rows(error_vs_units(args.target, args.units), args.json,
               f"least squares on fixed random ReLU hinges, target {args.target} on [-3, 3]:",
               lambda row: f"{row['units']:>4d} units  mse {row['mse']:.3e}")
    return 0
