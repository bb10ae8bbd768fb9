"""`python -m explorer step`: one step of learning, by hand: backward pass, update, loss along the step (d2l 4.7)."""

from __future__ import annotations

import argparse
import sys

from explorer.lessons import backprop_step as steps
from explorer.cli.common import add_config_options, add_dataset_option, config_from_args, positive_int, print_json
from explorer.data import DatasetError, FashionMNISTData, load_dataset


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("step", help="one step of learning by hand: backward pass and update (d2l 4.7)")
    add_config_options(p, steps.StepConfig)
    p.add_argument("--steps", type=positive_int, default=1, help="steps to take; the JSON describes the last")
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
    config = config_from_args(steps.StepConfig, args)
    try:
        config.validate()
        data = load_data(args)
    except (ValueError, DatasetError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = result(config, data, args.steps)
    if args.json:
        print_json(out)
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
