"""`python -m explorer step`: one step of learning, by hand: backward pass, update, loss along the step (d2l 4.7)."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.lessons import backprop_step as steps
from explorer.mlp.activations import MLP_ACTIVATIONS
from explorer.lessons.backprop import LOSSES
from explorer.cli.common import add_dataset_option, non_negative_float, positive_float, positive_int
from explorer.data import DatasetError, FashionMNISTData, load_dataset
from explorer.mlp.models import IMPLEMENTATIONS

DEFAULTS = steps.StepConfig()


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("step", help="one step of learning by hand: backward pass and update (d2l 4.7)")
    p.add_argument("--batch-size", type=int, choices=steps.BATCH_SIZES, default=DEFAULTS.batch_size)
    p.add_argument("--lr", type=positive_float, default=DEFAULTS.lr, help="learning rate")
    p.add_argument("--loss", choices=LOSSES, default=DEFAULTS.loss,
                   help="ce: cross-entropy; mse, l1: softmax against one-hot")
    p.add_argument("--optimizer", choices=steps.OPTIMIZERS, default=DEFAULTS.optimizer)
    p.add_argument("--steps", type=positive_int, default=1, help="steps to take; the JSON describes the last")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed, help="seeds the weights and every batch")
    p.add_argument("--layers", type=int, choices=(0, 1, 2, 3), default=DEFAULTS.layers,
                   help="hidden layers (0: softmax regression)")
    p.add_argument("--hidden", type=positive_int, default=DEFAULTS.hidden, help="units per hidden layer")
    p.add_argument("--activation", choices=MLP_ACTIVATIONS, default=DEFAULTS.activation)
    p.add_argument("--split", choices=steps.SPLITS, default=DEFAULTS.split, help="draw the batches from")
    p.add_argument("--weight-decay", type=non_negative_float, default=DEFAULTS.weight_decay,
                   help="L2 penalty λ/2 ‖W‖² on the weights")
    p.add_argument("--impl", choices=IMPLEMENTATIONS, default=DEFAULTS.impl)
    add_dataset_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def load_data(args: argparse.Namespace) -> FashionMNISTData:
    """The one place the data comes from: ``--dataset``."""
    return load_dataset(args.dataset)


def result(config: steps.StepConfig, data: FashionMNISTData, n: int) -> dict:
    """Take ``n - 1`` steps, then inspect and take the last one: the issue's JSON document."""
    walk = steps.Walk(steps.d2l_model(config))
    if n > 1:
        steps.take_steps(walk, data, config, n - 1)
    X, y = steps.draw_batch(data, config, walk.steps)
    ins = steps.inspect(walk, X, y, config)
    steps.take_steps(walk, data, config, 1)
    return {"config": {**config.to_dict(), "dataset": data.name}, "shapes": ins.back.shapes(),
            "loss_before": ins.back.total, "loss_after": ins.loss_after, "layers": ins.layer_rows(),
            "autograd_max_abs_diff": ins.autograd_diff, "line": ins.line, "trace": walk.trace,
            "test_accuracy": walk.accuracy}


def run(args: argparse.Namespace) -> int:
    config = steps.StepConfig(batch_size=args.batch_size, lr=args.lr, loss=args.loss, optimizer=args.optimizer,
                              layers=args.layers, hidden=args.hidden, activation=args.activation, seed=args.seed,
                              split=args.split, weight_decay=args.weight_decay, impl=args.impl)
    try:
        config.validate()
        data = load_data(args)
    except (ValueError, DatasetError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = result(config, data, args.steps)
    if args.json:
        json.dump(out, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"shapes: {', '.join(f'{k} {tuple(v)}' for k, v in out['shapes'].items())}")
    for row in out["layers"]:
        print(f"{row['name']}: W {tuple(row['weight_shape'])}  ‖∂L/∂W‖ {row['grad_norm']:.4g}  "
              f"‖ΔW‖ {row['update_norm']:.4g}")
    print(f"autograd agrees to {out['autograd_max_abs_diff']:.1e}")
    step = out["trace"][-1]["step"]
    print(f"step {step}: batch loss {out['loss_before']:.4f} -> {out['loss_after']:.4f} after the step")
    if out["test_accuracy"]:
        last = out["test_accuracy"][-1]
        print(f"test accuracy on {steps.TEST_SUBSET} images at step {last['step']}: {last['test_acc']:.3f}")
    return 0
