"""The presenter suggests settings to the room ("everyone: width 16, lr 1.0"); each attendee may use them.

A suggestion names a page (its URL name, ``Train_an_MLP``) and some of that page's settings, checked
here against the same ranges and choices the page's controls have (``SETTINGS``; a test runs each page
with them). Attendees' pages ask :func:`version` every few seconds and read the suggestion only when it
changed. Plain Python on :mod:`explorer.classroom.storage`: the app, the CLI and tests share it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from explorer import fields
from explorer.classroom import service as classroom
from explorer.classroom.service import ClassroomError, _database, _open, _record
from explorer.classroom.storage import Suggestion, json_safe, utcnow
from explorer.data import TRAIN_SIZES
from explorer.i18n import N_
from explorer.lessons.approximate import ApproxConfig
from explorer.lessons.playground import PlaygroundConfig
from explorer.lessons.polynomial import PolyConfig
from explorer.lessons.weight_decay import WeightDecayConfig
from explorer.mlp.config import TrainConfig


class BadSuggestion(ClassroomError):
    """An unknown page or setting, or a value outside the setting's range or choices."""


@dataclass(frozen=True)
class Setting:
    """What a page's control accepts (the same numbers as its ``ui.Param``)."""

    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    kind: type = float


def _fields(config: type, *names: str) -> dict[str, Setting]:
    """What the page offers for these config fields: their page scales (:func:`explorer.fields.scale`)."""
    return {name: Setting(s.lo, s.hi, s.choices, fields.settings(config)[name].kind)
            for name in names if (s := fields.scale(config, name))}


# Page (URL name) -> the settings a presenter may suggest there: a config field's from the field, a
# control of the page's own (not a config field) as the page declares it.
SETTINGS: dict[str, dict[str, Setting]] = {
    "Train_an_MLP": {
        **_fields(TrainConfig, "hidden", "layers", "lr"),
        **{f"dropout{i}": _fields(TrainConfig, "dropout")["dropout"] for i in (1, 2, 3)},
        **_fields(TrainConfig, "batch_size", "epochs", "activation", "optimizer", "weight_decay"),
        "train_size": Setting(choices=TRAIN_SIZES, kind=int), **_fields(TrainConfig, "seed"),
    },
    "Hidden_layers": {
        **_fields(PlaygroundConfig, "dataset", "layers", "hidden", "activation", "lr"),
        "epochs": Setting(10, 5000, kind=int), **_fields(ApproxConfig, "units"), **_fields(PlaygroundConfig, "seed"),
    },
    "Under_and_overfitting": _fields(PolyConfig, "degree", "noise", "seed", "epochs"),
    "Weight_decay": {
        "lambd": Setting(choices=(0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)),
        **_fields(WeightDecayConfig, "penalty", "epochs", "n_train", "seed"),
    },
}
DEFAULT_PAGE = "Train_an_MLP"
MAX_SETTINGS = 12


def _value(page: str, key: str, raw) -> object:
    spec = SETTINGS[page][key]
    if spec.kind is str:
        if str(raw) not in spec.choices:
            raise BadSuggestion(N_("{key} must be one of {choices}, not {value}."), key=key,
                                choices=", ".join(spec.choices), value=str(raw)[:20])
        return str(raw)
    try:
        number = float(raw)
        if not math.isfinite(number) or isinstance(raw, bool):
            raise ValueError
    except (TypeError, ValueError):
        raise BadSuggestion(N_("{key} must be a number, not {value}."), key=key, value=str(raw)[:20]) from None
    if spec.kind is int:
        if number != int(number):
            raise BadSuggestion(N_("{key} must be a whole number, not {value}."), key=key, value=str(raw)[:20])
        number = int(number)
    if spec.choices is not None:
        match = [c for c in spec.choices if math.isclose(c, number, rel_tol=1e-9, abs_tol=1e-12)]
        if not match:
            raise BadSuggestion(N_("{key} must be one of {choices}, not {value}."), key=key,
                                choices=", ".join(f"{c:g}" for c in spec.choices), value=str(raw)[:20])
        return match[0]
    if not spec.lo <= number <= spec.hi:
        raise BadSuggestion(N_("{key} must be between {lo:g} and {hi:g}, not {value}."), key=key, lo=spec.lo,
                            hi=spec.hi, value=str(raw)[:20])
    return number


def validate(page: str, settings: dict) -> dict:
    """The suggestion as stored: each value checked against the page's control, numbers as numbers."""
    if page not in SETTINGS:
        raise BadSuggestion(N_("Settings can be suggested on {pages} only, not on {page}."),
                            pages=", ".join(SETTINGS), page=str(page)[:40])
    if not settings:
        raise BadSuggestion(N_("A suggestion needs at least one setting."))
    if len(settings) > MAX_SETTINGS:
        raise BadSuggestion(N_("A suggestion has at most {n} settings."), n=MAX_SETTINGS)
    unknown = [str(k)[:20] for k in settings if k not in SETTINGS[page]]
    if unknown:
        raise BadSuggestion(N_("{page} has no setting {unknown}; it has {known}."), page=page,
                            unknown=", ".join(unknown), known=", ".join(SETTINGS[page]))
    return {key: _value(page, key, raw) for key, raw in settings.items()}


def parse_pairs(pairs: list[str]) -> dict:
    """``["lr=1.0", "hidden=16"]`` (the CLI's ``--set``; the board's text box splits on commas) as a dict of text."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise BadSuggestion(N_("Write each setting as name=value (e.g. lr=1.0), not {pair}."), pair=pair[:30])
        out[key.strip()] = value.strip()
    return out


def suggest(engine: Engine, code: str, settings: dict, page: str = DEFAULT_PAGE, client: str | None = None) -> dict:
    """Presenter action: suggest ``settings`` for ``page`` to the room; returns ``{"id", "page", "settings"}``."""
    settings = validate(page, settings)
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        if _open(s, code).closed_at is not None:
            raise classroom.ClassClosed(N_("Class {code} is closed; its board can no longer change."), code=code)
        row = Suggestion(class_code=code, page=page, settings=json_safe(settings), at=utcnow())
        s.add(row)
        s.flush()
        _record(s, code, "suggest", {"page": page, **settings}, client)
        return {"id": row.id, "page": page, "settings": settings}


def version(engine: Engine, code: str) -> int:
    """The id of the class's newest suggestion (0 when none): what attendees' pages poll."""
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s:
        return int(s.scalar(select(func.max(Suggestion.id)).where(Suggestion.class_code == code)) or 0)


def current(engine: Engine, code: str) -> dict | None:
    """The class's newest suggestion, ``{"id", "page", "settings", "at"}``, or None."""
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s:
        row = s.scalars(select(Suggestion).where(Suggestion.class_code == code)
                        .order_by(Suggestion.id.desc()).limit(1)).first()
        if row is None:
            return None
        return {"id": row.id, "page": row.page, "settings": dict(row.settings),
                "at": row.at.isoformat(timespec="seconds") + "+00:00"}
