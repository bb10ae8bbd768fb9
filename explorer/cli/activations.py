"""`python -m explorer activations`: gradient norms through a deep MLP (d2l 4.1, 5.4)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

import torch

from explorer.mlp.activations import NAMES
from explorer.lessons.activations import DepthConfig, gradient_through_depth
from explorer.cli.common import positive_float, positive_int


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("activations", help="gradient norm per layer of a deep MLP (d2l 4.1, 5.4)")
    p.add_argument("--activation", choices=NAMES, default="sigmoid")
    p.add_argument("--alpha", type=float, default=0.25, help="pReLU's negative slope")
    p.add_argument("--depth", type=positive_int, default=15, help="linear layers (2-100)")
    p.add_argument("--width", type=positive_int, default=128)
    p.add_argument("--init-scale", type=positive_float, default=1.0, help="weights ~ N(0, scale^2 / fan_in)")
    p.add_argument("--batch", type=positive_int, default=256)
    p.add_argument("--data", choices=("fashion", "random"), default="fashion")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from explorer.data import DatasetError, load_fashion_mnist

    config = DepthConfig(args.activation, args.alpha, args.depth, args.width, args.init_scale, args.seed)
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
        json.dump({"config": asdict(config), "data": source, "layers": table.drop(columns="loss").to_dict("records"),
                   "loss": float(table["loss"].iloc[0])}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{config.activation}, {config.depth} layers of width {config.width}, init scale "
              f"{config.init_scale:g}, one batch of {len(X)} {source}:")
        print(table.drop(columns="loss").to_string(index=False, float_format=lambda v: f"{v:.3e}"))
    return 0
