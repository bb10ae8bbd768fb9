"""What every subcommand shares: flags made from a config's fields, argument types, the ``--dataset`` option,
the --json output and the stderr progress bar (tqdm)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from tqdm import tqdm

from explorer import fields
from explorer.data import DATASET_NAMES, DEFAULT_DATASET
from explorer.fields import Setting


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    """``--dataset fashion-mnist|mnist``: the same option, help and default on every subcommand."""
    parser.add_argument("--dataset", choices=DATASET_NAMES, default=DEFAULT_DATASET,
                        help="fashion-mnist (default, d2l's clothing) or mnist (handwritten digits, seed 002)")


def _number(text: str, kind: type = float) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
    return value


def _checked(spec: Setting):
    """An argparse type: a number of ``spec.kind`` that ``spec`` accepts, or a message that says its range."""
    if spec.lo is not None and spec.hi is not None:
        rule = f"must be between {spec.lo} and {spec.hi}"
    elif spec.gt == 0:
        rule = "must be a positive, finite number"
    elif spec.lt is not None:
        rule = f"must be in [{spec.lo}, {spec.lt})"
    elif spec.lo is not None:
        rule = "must be at least 1" if spec.lo == 1 else f"must be a finite number >= {spec.lo}"
    else:
        rule = f"must be at most {spec.hi}"

    def parse(text: str):
        value = _number(text, spec.kind)
        if not spec.accepts(value):
            raise argparse.ArgumentTypeError(f"{text!r} {rule}")
        return value
    return parse


positive_float = _checked(Setting(float, gt=0))
non_negative_float = _checked(Setting(float, lo=0))
positive_int = _checked(Setting(int, lo=1))
probability = _checked(Setting(float, lo=0, lt=1))


def add_config_options(parser: argparse.ArgumentParser, config: type, names: tuple[str, ...] | None = None,
                       **overrides: dict) -> None:
    """One ``--flag-name`` per field of ``config`` (every field with ``cli=True``, or just ``names``): its type,
    range or choices, default and help come from the field's :class:`~explorer.fields.Setting`; ``overrides``
    change a flag's ``add_argument`` keywords, e.g. ``epochs={"default": 2}``."""
    for name, spec in fields.settings(config).items():
        if not (spec.cli if names is None else name in names):
            continue
        default = fields.default(config, name)
        options = {"default": default, "help": spec.help, "type": spec.kind if spec.choices else _checked(spec)}
        if spec.choices:
            options["choices"] = spec.choices
        if isinstance(default, tuple):  # one value per layer
            options.update(nargs="+", default=list(default))
        parser.add_argument("--" + name.replace("_", "-"), **{**options, **overrides.get(name, {})})


def config_from_args(config: type, args: argparse.Namespace, **changes):
    """The ``config`` that the parsed flags say (:func:`add_config_options`; a field without a flag keeps
    its default); ``changes`` set fields the flags do not."""
    given = {name: tuple(v) if isinstance(v, list) else v for name in fields.settings(config)
             if (v := getattr(args, name, None)) is not None}
    return config(**{**given, **changes})


def print_json(document) -> None:
    """The --json output: one indented document on stdout."""
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")


def print_rows(rows: list[dict], as_json: bool, header: str, line: Callable[[dict], str]) -> None:
    """A table: with --json the rows as one document, else ``header`` and one ``line(row)`` per row."""
    if as_json:
        print_json(rows)
        return
    print(header)
    for row in rows:
        print(line(row))


def progress(total: float, unit: str = "epoch") -> tqdm:
    """A progress bar on stderr, so stdout stays clean for --json; move it with :func:`advance`."""
    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
                bar_format="{percentage:3.0f}%|{bar}| {n:.2f}/{total_fmt} {unit}s  {desc}")


def advance(bar: tqdm, done: float, text: str = "") -> None:
    """Fractional progress (epochs pass batch by batch), with a short text after the bar."""
    bar.n = min(done, bar.total)
    bar.set_description_str(text, refresh=False)
    bar.refresh()
