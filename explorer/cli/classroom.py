"""`python -m explorer class start` and `python -m explorer board CLASS`: the class board from a shell.

Whoever runs these on the server is the presenter; both honour ``$EXPLORER_DB_URL``.
"""

from __future__ import annotations

import argparse
import json
import sys

from explorer import classroom, storage
from explorer.cli.common import add_dataset_option, positive_int


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("class", help="start or close a class (classroom mode)")
    actions = p.add_subparsers(dest="action", required=True)
    start = actions.add_parser("start", help="open a class and print its code")
    start.add_argument("--code", help="a code of your choice, e.g. MLP-4821 (default: a random free one)")
    start.add_argument("--train-size", type=positive_int, default=5000, help="class default: training images")
    start.add_argument("--epochs", type=positive_int, default=3, help="class default: epochs")
    add_dataset_option(start)  # the class's dataset: its board compares runs on it only
    start.add_argument("--json", action="store_true", help='print {"class", "url"} as JSON')
    start.set_defaults(func=run_start)
    close = actions.add_parser("close", help="close a class: its board stays, new shares are refused")
    close.add_argument("code")
    close.set_defaults(func=run_close)

    b = subparsers.add_parser("board", help="print a class board")
    b.add_argument("code", metavar="CLASS")
    b.add_argument("--json", action="store_true", help='print {"class", "runs": [...]} as JSON')
    b.set_defaults(func=run_board)


def _fail(err: Exception) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 2


def run_start(args: argparse.Namespace) -> int:
    try:
        code = classroom.start_class(storage.connect(), args.code, train_size=args.train_size, epochs=args.epochs,
                                     dataset=args.dataset, client="cli")
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    if args.json:
        print(json.dumps({"class": code, "join": f"?class={code}", "dataset": args.dataset}))
    else:
        print(code)
        print(f"attendees open the app with ?class={code} (the Class board page shows a QR code)", file=sys.stderr)
    return 0


def run_close(args: argparse.Namespace) -> int:
    try:
        classroom.update_class(storage.connect(), args.code, closed=True, client="cli")
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    return 0


def run_board(args: argparse.Namespace) -> int:
    try:
        result = classroom.board(storage.connect(), args.code)
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"class {result['class']}: {len(result['runs'])} runs")  # each run's config says its dataset
    for r in result["runs"]:
        acc = r["final"].get("test_acc")
        print(f"{r['run']:4d}  {r['nickname']:<24}  {r['status']:<9}  lr {r['config'].get('lr'):<8g} "
              f"hidden {r['config'].get('hidden'):<5}  test acc {'-' if acc is None else f'{acc:.4f}'}")
    return 0
