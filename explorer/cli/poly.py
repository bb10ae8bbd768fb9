"""`python -m explorer poly`: polynomial under- and overfitting (d2l 4.4)."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.cli.common import non_negative_float, positive_float, positive_int
from explorer.polynomial import MAX_DEGREE, MAX_TRAIN, PolyConfig, fit, true_weights


def add_parser(subparsers) -> None:
    def degree(text: str) -> int:
        value = positive_int(text)
        if value > MAX_DEGREE:
            raise argparse.ArgumentTypeError(f"{text!r} must be at most {MAX_DEGREE}")
        return value

    def train_size(text: str) -> int:
        value = positive_int(text)
        if value > MAX_TRAIN:
            raise argparse.ArgumentTypeError(f"{text!r} must be at most {MAX_TRAIN}")
        return value

    p = subparsers.add_parser("poly", help="polynomial under/overfitting (d2l 4.4)")
    p.add_argument("--degree", type=degree, default=4, help="number of features x^i/i! used (4 = the cubic)")
    p.add_argument("--n-train", type=train_size, default=100)
    p.add_argument("--n-test", type=positive_int, default=100)
    p.add_argument("--epochs", type=positive_int, default=400)
    p.add_argument("--lr", type=positive_float, default=0.01)
    p.add_argument("--batch-size", type=positive_int, default=10)
    p.add_argument("--noise", type=non_negative_float, default=0.1, help="std of the label noise")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = PolyConfig(degree=args.degree, n_train=args.n_train, n_test=args.n_test, epochs=args.epochs,
                        lr=args.lr, batch_size=args.batch_size, noise=args.noise, seed=args.seed)
    result = fit(config)
    final = result["final"]
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        for row in result["history"]:
            if row["epoch"] == 1 or row["epoch"] % 20 == 0 or row["epoch"] == config.epochs:
                print(f"epoch {row['epoch']:4d}  train MSE {row['train_loss']:.5g}  test MSE {row['test_loss']:.5g}")
        print("weights:", " ".join(f"{w:.4f}" for w in final["weights"]))
        print("true:   ", " ".join(f"{w:.4f}" for w in true_weights()[:config.degree].tolist()))
    if final["diverged"]:
        print(f"diverged: the loss is no longer finite; try a learning rate below {config.lr:g}", file=sys.stderr)
        return 1
    return 0
