"""`python -m explorer train`: d2l's MLP on Fashion-MNIST (d2l 4.2-4.6), or on MNIST's digits."""

from __future__ import annotations

import argparse
import sys
import uuid

from explorer.classroom import service as classroom, storage
from explorer.cli.common import (
    add_config_options, add_dataset_option, advance, config_from_args, print_json, progress,
)
from explorer.data import DatasetError, load_dataset
from explorer.mlp.precision import default_precision
from explorer.mlp.training import TrainConfig, run_training


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train an MLP on Fashion-MNIST or MNIST (d2l 4.2-4.6)")
    add_dataset_option(p)
    add_config_options(p, TrainConfig, precision={"default": None})  # None: $EXPLORER_PRECISION decides
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--share", metavar="CLASS", help="share the finished run with a class (e.g. MLP-4821)")
    p.add_argument("--name", metavar="NICK", help="your nickname on the class board (default: an animal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(TrainConfig, args, precision=args.precision or default_precision())
    try:
        config.validate()
        if args.share:  # check the class and the nickname before minutes of training, not after
            klass = classroom.get_class(storage.connect(), args.share)
            if klass["closed"]:
                raise classroom.ClassClosed(f"class {klass['code']} is closed")
            if klass["dataset"] != config.dataset:
                raise ValueError(f"class {klass['code']} trains on {klass['dataset']}; "
                                 f"train with --dataset {klass['dataset']} to share with it")
            args.share = klass["code"]
            args.name = classroom.clean_nickname(args.name) if args.name else classroom.default_nickname()
        data = load_dataset(config.dataset)
    except (ValueError, DatasetError, classroom.BoardUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    if not args.json:
        print(f"{data.description} (from {data.source})", flush=True)
    with progress(config.epochs) as bar:
        def show(event: dict) -> None:
            if event["kind"] == "epoch" and not args.json:
                bar.clear()
                print(f"epoch {event['epoch']:2d}  train loss {event['train_loss']:.4f}  train acc "
                      f"{event['train_acc']:.4f}  test loss {event['test_loss']:.4f}  test acc "
                      f"{event['test_acc']:.4f}  ({event['seconds']:.2f} s)", flush=True)
            elif event["kind"] == "diverged":
                bar.write(event["message"], file=sys.stderr)
            else:
                advance(bar, event["epoch"], f"loss {event.get('train_loss', float('nan')):.4f}")

        result = run_training(config, data, on_event=show)
    if args.share:
        try:
            board_id = classroom.share_run(storage.connect(), args.share, f"cli-{uuid.uuid4().hex}", args.name,
                                           "1", classroom.run_payload(result["config"], result["history"],
                                                                      result["final"]["status"]))
        except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
            print(f"error: the run was not shared: {err}", file=sys.stderr)
            return 3
        result["shared"] = {"class": args.share, "nickname": args.name, "run": board_id}
        print(f"shared with {args.share} as {args.name!r} (board run {board_id})", file=sys.stderr)
    if args.json:
        print_json(result)
    return 0 if result["final"]["status"] == "finished" else 1
