"""`python -m explorer data`: make sure Fashion-MNIST is in the data dir."""

from __future__ import annotations

import argparse
import sys

from explorer.data import DatasetError, default_data_dir, load_fashion_mnist


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("data", help="make sure Fashion-MNIST is in the data dir")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = load_fashion_mnist()
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Fashion-MNIST ready in {default_data_dir()} (from {data.source}): "
          f"{len(data.train_labels)} training and {len(data.test_labels)} test images.")
    return 0
