"""`python -m explorer data`: make sure a dataset (Fashion-MNIST by default) is in the data dir."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_dataset_option
from explorer.data import DatasetError, default_data_dir, load_dataset


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("data", help="make sure Fashion-MNIST (or --dataset mnist) is in the data dir")
    add_dataset_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = load_dataset(args.dataset, prefer_download=True)  # the full MNIST when online, once
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{data.description}. Ready in {default_data_dir()} (from {data.source}).")
    return 0
