"""`python -m explorer activations`: gradient norms through a deep MLP (d2l 4.1, 5.4)."""

from __future__ import annotations

import argparse
import sys

import torch

from explorer.lessons.activations import DepthConfig, gradient_through_depth
from explorer.cli.common import add_config_options, config_from_args, positive_int, print_json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("activations", help="gradient norm per layer of a deep MLP (d2l 4.1, 5.4)")
    # Sigmoid through 15 layers: the vanishing gradient the command shows by default. A depth past the
    # config's range is explained by its check (a message), not refused as a usage error.
    add_config_options(p, DepthConfig, ("activation", "alpha", "depth", "width", "init_scale"),
                       activation={"default": "sigmoid"}, depth={"default": 15, "type": positive_int})
    p.add_argument("--batch", type=positive_int, default=256)
    p.add_argument("--data", choices=("fashion", "random"), default="fashion")
    add_config_options(p, DepthConfig, ("seed",))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from explorer.data import DatasetError, load_fashion_mnist

    config = config_from_args(DepthConfig, args)
    X, y, source = None, None, "random inputs"
    try:
        config.validate()
        if args.data == "fashion":
            data = load_fashion_mnist()
            X, y, source = data.train_images[:args.batch], data.train_labels[:args.batch], "Fashion-MNIST"
    except (ValueError, DatasetError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if X is None:
        X = torch.rand(args.batch, 784, generator=torch.Generator().manual_seed(args.seed))
    table = gradient_through_depth(config, X, y)
    if args.json:
        print_json({"config": config.to_dict(), "data": source, "layers": table.drop(columns="loss").to_dict("records"),
                    "loss": float(table["loss"].iloc[0])})
    else:
        print(f"{config.activation}, {config.depth} layers of width {config.width}, init scale "
              f"{config.init_scale:g}, one batch of {len(X)} {source}:")
        print(table.drop(columns="loss").to_string(index=False, float_format=lambda v: f"{v:.3e}"))
    return 0
