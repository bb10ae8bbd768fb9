"""`python -m explorer weight-decay`: weight decay on high-dimensional regression (d2l 4.5)."""

from __future__ import annotations

import argparse

from explorer.cli.common import add_config_options, config_from_args, print_json, print_rows
from explorer.lessons.l1_geometry import path_table
from explorer.lessons.weight_decay import WeightDecayConfig, train


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("weight-decay", help="weight decay on high-dimensional regression (d2l 4.5)")
    add_config_options(p, WeightDecayConfig, ("lambd", "epochs", "lr", "n_train", "num_inputs", "seed", "impl",
                                              "penalty"))
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--path", action="store_true",
                   help="the exact regularisation path of the two-weight problem for --penalty (rows per λ)")
    p.set_defaults(func=run)


def run_path(args: argparse.Namespace) -> int:
    print_rows(path_table(args.penalty).to_dict("records"), args.json,
               f"{'lambda':>10s}  {'w1':>10s}  {'w2':>10s}  {'loss':>10s}",
               lambda row: f"{row['lambd']:10.4g}  {row['w1']:10.4g}  {row['w2']:10.4g}  {row['loss']:10.4g}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.path:
        return run_path(args)
    cfg = config_from_args(WeightDecayConfig, args)
    result = train(cfg).to_dict()
    if args.json:
        print_json(result)
    else:
        def show(x: float | None) -> str:
            return "diverged" if x is None else f"{x:.4g}"

        step = max(1, cfg.epochs // 10)
        for row in result["history"]:
            if row["epoch"] % step == 0 or row["epoch"] == cfg.epochs:
                print(f"epoch {row['epoch']:4d}  train loss {show(row['train_loss'])}  "
                      f"test loss {show(row['test_loss'])}")
        final = result["final"]
        print(f"λ = {cfg.lambd:g} ({cfg.penalty}, {cfg.impl}): train loss {show(final['train_loss'])}, "
              f"test loss {show(final['test_loss'])}, L2 norm of w {show(final['w_norm'])}")
    return 0 if None not in result["final"].values() else 1
