"""`python -m explorer poly`: polynomial under- and overfitting (d2l 4.4)."""

from __future__ import annotations

import argparse
import sys

from explorer import fields
from explorer.cli.common import add_config_options, config_from_args, positive_int, print_json, print_rows
from explorer.lessons import bias_variance, double_descent
from explorer.lessons.double_descent import DoubleDescentConfig
from explorer.lessons.polynomial import PolyConfig, fit, true_weights


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("poly", help="polynomial under/overfitting (d2l 4.4)")
    add_config_options(p, PolyConfig)
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    lab = p.add_mutually_exclusive_group()
    lab.add_argument("--bias-variance", action="store_true",
                     help="bias², variance, noise and test MSE for 1-20 features over --resamples training sets")
    lab.add_argument("--double-descent", action="store_true",
                     help="test MSE of the minimum-norm Legendre fit for p = 1 .. 10·n features (n = --dd-n)")
    p.add_argument("--resamples", type=positive_int, default=50, help="R, for --bias-variance")
    # The double-descent lab's training-set size is --dd-n (--n-train is the polynomial's)
    p.add_argument("--dd-n", type=positive_int, default=fields.default(DoubleDescentConfig, "n_train"),
                   help=f"n, for --double-descent (2 to {double_descent.MAX_N})")
    add_config_options(p, DoubleDescentConfig, ("ridge",), ridge={"help": "ridge λ, for --double-descent"})
    p.set_defaults(func=run)


def run_lab(args: argparse.Namespace, config: PolyConfig) -> int:
    try:
        if args.bias_variance:
            table = bias_variance.bias_variance(config, args.resamples)["table"]
            columns = ["degree", "bias2", "variance", "noise", "test_mse"]
        else:
            table = double_descent.double_descent(DoubleDescentConfig(
                n_train=args.dd_n, noise=args.noise, ridge=args.ridge, seed=args.seed))
            columns = ["p", "test_mse"]
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows = [{k: (int(v) if k in ("degree", "p") else float(v)) for k, v in row.items()}
            for row in table[columns].to_dict("records")]
    print_rows(rows, args.json, "  ".join(f"{key:>10s}" for key in rows[0]),
               lambda row: "  ".join(f"{v:>10d}" if isinstance(v, int) else f"{v:10.4g}" for v in row.values()))
    return 0


def run(args: argparse.Namespace) -> int:
    config = config_from_args(PolyConfig, args)
    if args.bias_variance or args.double_descent:
        return run_lab(args, config)
    result = fit(config)
    final = result["final"]
    if args.json:
        print_json(result)
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
