"""``python -m explorer``: the experiments without the app.

    python -m explorer data                    # put Fashion-MNIST into the data dir
    python -m explorer activations --depth 15  # gradient norms through a deep MLP (d2l 4.1)
    python -m explorer train --json            # d2l's MLP, one JSON document on stdout
    python -m explorer explain --index 0 --json  # one test image through a trained MLP
    python -m explorer step --batch-size 8 --json  # one step of learning by hand (d2l 4.7)
    python -m explorer playground --dataset xor --json  # a small MLP on a 2-D dataset (d2l 4.1)
    python -m explorer approximate --target sin  # N ReLU units fitting a curve (d2l 4.1)
    python -m explorer poly --degree 20        # polynomial under/overfitting (d2l 4.4)
    python -m explorer weight-decay --lambd 3  # high-dimensional regression (d2l 4.5)
    python -m explorer class start             # classroom mode: open a class, print its code
    python -m explorer board MLP-4821 --json   # what the class shared
"""

from __future__ import annotations

import argparse
import importlib

# One module per subcommand, each with ``add_parser(subparsers)`` and ``run(args) -> exit code``.
# They are imported only when the parser is built, so ``import explorer.cli`` stays cheap.
COMMANDS = ("data", "train", "explain", "step", "activations", "playground", "approximate", "poly",
            "weight_decay", "classroom")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"explorer.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
