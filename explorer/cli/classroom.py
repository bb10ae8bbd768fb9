"""`python -m explorer class start` and `python -m explorer board CLASS`: the class board from a shell.

Whoever runs these on the server is the presenter; all honour ``$EXPLORER_DB_URL``. Leading the room
(``class suggest``, ``class ask``, ``class reveal``) also needs ``$EXPLORER_PRESENTER_KEY`` set, as the app does.
"""

from __future__ import annotations

import argparse
import json
import sys

from explorer import settings

from explorer.classroom import service as classroom, questions, storage, suggestions
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
    suggest = actions.add_parser("suggest", help="suggest settings to the room (needs EXPLORER_PRESENTER_KEY)")
    suggest.add_argument("code")
    suggest.add_argument("--set", dest="pairs", action="append", default=[], metavar="NAME=VALUE", required=True,
                         help="a setting of the page, e.g. --set lr=1.0 --set hidden=16")
    suggest.add_argument("--page", default=suggestions.DEFAULT_PAGE, choices=list(suggestions.SETTINGS),
                         help="the page the settings belong to")
    suggest.set_defaults(func=run_suggest)
    ask = actions.add_parser("ask", help="open a question for the room (needs EXPLORER_PRESENTER_KEY)")
    ask.add_argument("code")
    ask.add_argument("question", choices=list(questions.QUESTIONS))
    ask.set_defaults(func=run_ask)
    reveal = actions.add_parser("reveal", help="close the open question and show its answers")
    reveal.add_argument("code")
    reveal.set_defaults(func=run_reveal)

    b = subparsers.add_parser("board", help="print a class board")
    b.add_argument("code", metavar="CLASS")
    b.add_argument("--json", action="store_true",
                   help='print {"class", "runs": [...], "suggestion", "suggestion_page", "question"} as JSON')
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


def _presenter() -> str | None:
    """Why this shell may not lead the room, or None when ``$EXPLORER_PRESENTER_KEY`` is set and usable."""
    key = settings.get("EXPLORER_PRESENTER_KEY")
    if not key:
        return "leading the room needs EXPLORER_PRESENTER_KEY in the environment (the server's presenter key)"
    problem = classroom.presenter_key_problem(key)
    return str(problem) if problem else None


def run_suggest(args: argparse.Namespace) -> int:
    if (refused := _presenter()) is not None:
        return _fail(refused)
    try:
        done = suggestions.suggest(storage.connect(), args.code, suggestions.parse_pairs(args.pairs), page=args.page,
                                   client="cli")
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    print(json.dumps({"suggestion": done["settings"], "page": done["page"]}))
    return 0


def run_ask(args: argparse.Namespace) -> int:
    if (refused := _presenter()) is not None:
        return _fail(refused)
    try:
        questions.ask(storage.connect(), args.code, args.question, client="cli")
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    return 0


def run_reveal(args: argparse.Namespace) -> int:
    if (refused := _presenter()) is not None:
        return _fail(refused)
    try:
        questions.reveal(storage.connect(), args.code, client="cli")
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    return 0


def run_board(args: argparse.Namespace) -> int:
    try:
        engine = storage.connect()
        result = classroom.board(engine, args.code)
        suggestion = suggestions.current(engine, args.code)
        question = questions.current(engine, args.code)
    except (classroom.ClassroomError, classroom.BoardUnavailable) as err:
        return _fail(err)
    result["suggestion"] = suggestion["settings"] if suggestion else None
    result["suggestion_page"] = suggestion["page"] if suggestion else None
    if question is not None:  # the predictions by answer; who answered what stays on the board
        item = questions.QUESTIONS[question["id"]]
        question = {"id": question["id"], "text": item.text, "revealed": question["revealed"],
                    "answers": dict(questions.distribution(item, question["answers"]))}
    result["question"] = question
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"class {result['class']}: {len(result['runs'])} runs")  # each run's config says its dataset
    if suggestion:
        print(f"suggested on {suggestion['page']}: " + ", ".join(f"{k}={v}" for k, v in suggestion["settings"].items()))
    for r in result["runs"]:
        acc = r["final"].get("test_acc")
        print(f"{r['run']:4d}  {r['nickname']:<24}  {r['status']:<9}  lr {r['config'].get('lr'):<8g} "
              f"hidden {r['config'].get('hidden'):<5}  test acc {'-' if acc is None else f'{acc:.4f}'}")
    return 0
