"""`python -m explorer playground`: a small MLP on a 2-D dataset, full-batch training (d2l 4.1)."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.cli.common import advance, positive_int, progress
from explorer.i18n import Explained
from explorer.lessons.playground import (ACTIVATIONS, DATASETS, MAX_LAYERS, MAX_WIDTH, PlaygroundConfig,
                                        PlaygroundTrainer)


def _bounded(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text!r} must be between {lo} and {hi}")
        return value
    return parse


def add_parser(subparsers) -> None:
    defaults = PlaygroundConfig()
    p = subparsers.add_parser("playground", help="a small MLP on XOR, circles, spirals or blobs (d2l 4.1)")
    p.add_argument("--dataset", choices=DATASETS, default=defaults.dataset)
    p.add_argument("--layers", type=_bounded(0, MAX_LAYERS), default=defaults.layers,
                   help=f"hidden layers (0-{MAX_LAYERS}; 0 is logistic regression)")
    p.add_argument("--hidden", type=_bounded(1, MAX_WIDTH), default=defaults.hidden,
                   help=f"units per hidden layer (1-{MAX_WIDTH})")
    p.add_argument("--activation", choices=ACTIVATIONS, default=defaults.activation)
    p.add_argument("--epochs", type=positive_int, default=defaults.epochs, help="full-batch steps")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = PlaygroundConfig(dataset=args.dataset, layers=args.layers, hidden=args.hidden,
                              activation=args.activation, epochs=args.epochs, seed=args.seed)
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
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{config.dataset}, {config.layers} hidden layer(s) of {config.hidden} {config.activation} units, "
              f"{len(result['history'])} epochs: train acc {result['final']['train_acc']:.3f}, "
              f"test acc {result['final']['test_acc']:.3f}")
    return 0 if trainer.status != "diverged" else 1
