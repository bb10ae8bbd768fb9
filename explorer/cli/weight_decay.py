"""`python -m explorer weight-decay`: weight decay on high-dimensional regression (d2l 4.5)."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.cli.common import non_negative_float, positive_float, positive_int
from explorer.lessons.l1_geometry import path_table
from explorer.lessons.weight_decay import IMPLEMENTATIONS, PENALTIES, WeightDecayConfig, train


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("weight-decay", help="weight decay on high-dimensional regression (d2l 4.5)")
    p.add_argument("--lambd", type=non_negative_float, default=0.0, help="penalty strength λ")
    p.add_argument("--epochs", type=positive_int, default=100)
    p.add_argument("--lr", type=positive_float, default=0.003, help="learning rate")
    p.add_argument("--n-train", type=positive_int, default=20, help="training examples")
    p.add_argument("--num-inputs", type=positive_int, default=200, help="features")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--impl", choices=IMPLEMENTATIONS, default="scratch",
                   help="scratch: penalty in the loss; concise: optimizer weight_decay")
    p.add_argument("--penalty", choices=PENALTIES, default="l2")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--path", action="store_true",
                   help="the exact regularisation path of the two-weight problem for --penalty (rows per λ)")
    p.set_defaults(func=run)


def run_path(args: argparse.Namespace) -> int:
    rows = path_table(args.penalty).to_dict("records")
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{'lambda':>10s}  {'w1':>10s}  {'w2':>10s}  {'loss':>10s}")
        for row in rows:
            print(f"{row['lambd']:10.4g}  {row['w1']:10.4g}  {row['w2']:10.4g}  {row['loss']:10.4g}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.path:
        return run_path(args)
    cfg = WeightDecayConfig(lambd=args.lambd, epochs=args.epochs, lr=args.lr, n_train=args.n_train,
                            num_inputs=args.num_inputs, seed=args.seed, impl=args.impl, penalty=args.penalty)
    result = train(cfg).to_dict()
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
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
