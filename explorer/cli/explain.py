"""`python -m explorer explain`: one test image through a trained MLP, as one JSON document."""

from __future__ import annotations

import argparse
import sys

from explorer.lessons import inside

from explorer.mlp import model_cache
from explorer.cli.common import (
    add_config_options, add_dataset_option, advance, config_from_args, positive_int, print_json, progress,
)
from explorer.data import DatasetError, load_dataset
from explorer.mlp.training import TrainConfig

TEST_IMAGES = 10_000  # the full test sets; MNIST's offline subset has 2,000 (checked once loaded)


def test_index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < TEST_IMAGES:
        raise argparse.ArgumentTypeError(f"{text!r} must be a test image index from 0 to {TEST_IMAGES - 1}")
    return value


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("explain", help="one test image through a trained MLP: activations, softmax, loss")
    p.add_argument("--index", type=test_index, required=True, help="test image, 0-9999 (0-1999 on MNIST offline)")
    add_dataset_option(p)
    add_config_options(p, TrainConfig, ("hidden", "layers", "epochs", "seed", "max_train"),
                       epochs={"default": 2, "help": "epochs to train (2: the page's quick model)"})
    p.add_argument("--top", type=positive_int, default=10, help="how many top units to list")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def explain(model, image, label: int, top: int = 10) -> dict:
    """Everything the page shows for one image, as plain numbers (the JSON the CLI prints)."""
    t = inside.trace(model, image)
    counts = inside.parameter_counts(model)
    losses = inside.losses(t.logits, label)
    return {
        "label": label, "predicted": t.predicted,
        "logits": t.logits.tolist(), "probabilities": inside.softmax(t.logits).tolist(),
        "hidden": [{"layer": i, "units": len(h.post), "zero_fraction": h.zeros / len(h.post)}
                   for i, h in enumerate(t.hidden, start=1)],
        "top_units": inside.top_units(t, t.predicted, top),
        "loss": {name: value["value"] for name, value in losses.items()},
        "parameters": {"per_layer": counts, "total": sum(row["total"] for row in counts)},
    }


def run(args: argparse.Namespace) -> int:
    config = config_from_args(TrainConfig, args)
    try:
        config.validate()
        data = load_dataset(config.dataset)
        if args.index >= len(data.test_labels):
            raise ValueError(f"--index {args.index} is past the end: {data.description}, so the index goes from 0 "
                             f"to {len(data.test_labels) - 1}")
    except (ValueError, DatasetError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    with progress(config.epochs) as bar:
        model, history, cached = model_cache.train_or_load(
            config, data, on_event=lambda e: advance(bar, e["epoch"], "training"))
    sys.stderr.write(f"{'loaded' if cached else 'trained'} model: test accuracy {history[-1]['test_acc']:.4f}"
                     f" ({model_cache.cache_path(config)})\n")
    result = {"index": args.index, "dataset": data.name, "description": data.description,
              "classes": list(data.classes),
              **explain(model, data.test_images[args.index], int(data.test_labels[args.index]), args.top),
              "model": {**config.to_dict(), "test_acc": history[-1]["test_acc"], "from_cache": cached}}
    if args.json:
        print_json(result)
    else:
        print(f"test image {args.index}: {data.classes[result['label']]}, predicted "
              f"{data.classes[result['predicted']]} (p = {max(result['probabilities']):.3f}); "
              f"cross-entropy {result['loss']['cross_entropy']:.4f}; {result['parameters']['total']:,} parameters")
    return 0
