"""``python -m explorer``: the experiments without the app.

    python -m explorer data                    # put Fashion-MNIST into the data dir
    python -m explorer activations --depth 15  # gradient norms through a deep MLP (d2l 4.1)
    python -m explorer train --json            # d2l's MLP, one JSON document on stdout
    python -m explorer poly --degree 20        # polynomial under/overfitting (d2l 4.4)
    python -m explorer weight-decay --lambd 3  # high-dimensional regression (d2l 4.5)
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

# Each experiment module adds its own subcommand with ``add_cli(subparsers)``.
EXPERIMENT_MODULES = ("explorer.activations", "explorer.polynomial", "explorer.weight_decay")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive, finite number")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def probability(text: str) -> float:
    value = non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in [0, 1)")
    return value


def progress_bar(done: float, total: float, text: str = "", width: int = 30) -> None:
    """A one-line progress bar on stderr, so stdout stays clean for --json."""
    filled = int(width * min(done / total, 1.0)) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:5.2f}/{total:g} {text}\033[K")
    sys.stderr.flush()


def add_train_cli(subparsers) -> None:
    p = subparsers.add_parser("train", help="train an MLP on Fashion-MNIST (d2l 4.2-4.6)")
    p.add_argument("--hidden", type=positive_int, default=256, help="units per hidden layer")
    p.add_argument("--layers", type=int, choices=(1, 2, 3), default=1, help="hidden layers")
    p.add_argument("--lr", type=positive_float, default=0.1, help="learning rate")
    p.add_argument("--batch-size", type=positive_int, default=256)
    p.add_argument("--epochs", type=positive_int, default=10)
    p.add_argument("--dropout", type=probability, nargs="+", default=[0.0],
                   help="dropout per hidden layer (one value for all, or one per layer)")
    p.add_argument("--weight-decay", type=non_negative_float, default=0.0)
    p.add_argument("--activation", choices=("relu", "sigmoid", "tanh", "leaky_relu", "gelu"), default="relu")
    p.add_argument("--optimizer", choices=("sgd", "momentum", "adam", "rmsprop", "adagrad"), default="sgd")
    p.add_argument("--init-std", type=positive_float, default=0.01, help="std of the normal weight init")
    p.add_argument("--impl", choices=("concise", "scratch"), default="concise")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-train", type=positive_int, default=None, help="dry run: first N training images")
    p.add_argument("--max-test", type=positive_int, default=None, help="dry run: first N test images")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    from explorer.data import DatasetError, load_fashion_mnist
    from explorer.training import TrainConfig, run_training

    config = TrainConfig(hidden=args.hidden, layers=args.layers, lr=args.lr, batch_size=args.batch_size,
                         epochs=args.epochs, dropout=tuple(args.dropout), weight_decay=args.weight_decay,
                         activation=args.activation, optimizer=args.optimizer, init_std=args.init_std,
                         impl=args.impl, seed=args.seed, max_train=args.max_train, max_test=args.max_test)
    try:
        config.validate()
        data = load_fashion_mnist()
    except (ValueError, DatasetError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    def show(event: dict) -> None:
        if event["kind"] == "epoch" and not args.json:
            sys.stderr.write("\n")
            print(f"epoch {event['epoch']:2d}  train loss {event['train_loss']:.4f}  train acc "
                  f"{event['train_acc']:.4f}  test loss {event['test_loss']:.4f}  test acc "
                  f"{event['test_acc']:.4f}  ({event['seconds']:.2f} s)", flush=True)
        elif event["kind"] == "diverged":
            sys.stderr.write(f"\n{event['message']}\n")
        else:
            progress_bar(event["epoch"], config.epochs, f"loss {event.get('train_loss', float('nan')):.4f}")

    result = run_training(config, data, on_event=show)
    sys.stderr.write("\n")
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0 if result["final"]["status"] == "finished" else 1


def add_data_cli(subparsers) -> None:
    p = subparsers.add_parser("data", help="make sure Fashion-MNIST is in the data dir")
    p.set_defaults(func=run_data)


def run_data(args: argparse.Namespace) -> int:
    from explorer.data import DatasetError, default_data_dir, load_fashion_mnist

    try:
        data = load_fashion_mnist()
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Fashion-MNIST ready in {default_data_dir()} (from {data.source}): "
          f"{len(data.train_labels)} training and {len(data.test_labels)} test images.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_data_cli(subparsers)
    add_train_cli(subparsers)
    for name in EXPERIMENT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:  # a real import error inside the module must surface
                raise
            continue
        module.add_cli(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
