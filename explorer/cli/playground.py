"""`python -m explorer playground`: a small MLP on a 2-D dataset, full-batch training (d2l 4.1)."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_config_options, advance, config_from_args, positive_int, print_json, progress
from explorer.i18n import Explained
from explorer.lessons.playground import PlaygroundConfig, PlaygroundTrainer


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("playground", help="a small MLP on XOR, circles, spirals or blobs (d2l 4.1)")
    add_config_options(p, PlaygroundConfig, ("dataset", "layers", "hidden", "activation", "epochs", "seed"),
                       epochs={"type": positive_int})  # the page may show 0 epochs; the CLI trains at least 1
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(PlaygroundConfig, args)
    try:
        trainer = PlaygroundTrainer(config)
    except Explained as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    with progress(config.epochs) as bar:
        for event in trainer.train():
            if not args.json and (event["epoch"] % 50 == 0 or event["epoch"] == config.epochs):
                advance(bar, event["epoch"], f"test acc {event.get('test_acc', float('nan')):.3f}")
    result = trainer.result()
    if args.json:
        print_json(result)
    else:
        print(f"{config.dataset}, {config.layers} hidden layer(s) of {config.hidden} {config.activation} units, "
              f"{len(result['history'])} epochs: train acc {result['final']['train_acc']:.3f}, "
              f"test acc {result['final']['test_acc']:.3f}")
    return 0 if trainer.status != "diverged" else 1
