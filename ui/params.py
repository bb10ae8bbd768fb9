"""A page's settings as URL parameters: :class:`Param` says what a control accepts, :func:`parse_value`
reads one from a link (clamping or refusing what does not fit, with a notice), :func:`show_notices` says
what was adjusted. Imported by the language switch and the room's banner as well as by every page; it
imports nothing else from ``ui`` but the translation function, so nothing here goes round in a circle."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import streamlit as st

from explorer import fields
from ui.i18n import _, as_code


@dataclass(frozen=True)
class Param:
    """One control: its default, its range (numbers) or choices, and its type."""

    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    kind: type = float  # float, int, str, bool or list (a multiselect of ``choices``)

    @classmethod
    def of(cls, config: type, name: str, **changes) -> Param:
        """The control of a config field (:mod:`explorer.fields`): the field's default (one layer's, for a
        per-layer tuple) and the page's scale, or else the range the config accepts; ``changes`` adjust it."""
        default, scale = fields.default(config, name), fields.scale(config, name)
        default = default[0] if isinstance(default, tuple) else default
        kind = fields.settings(config)[name].kind
        return replace(cls(default, scale.lo, scale.hi, scale.choices, kind=kind), **changes)

    @property
    def span(self) -> tuple:
        """``(lo, hi)``: a slider's or a number input's range."""
        return self.lo, self.hi


def parse_value(key: str, text: str, p: Param) -> tuple[object, str | None]:
    """(value, notice); the notice is None when the URL value was fine as it was.

    Each notice is one translatable sentence; ``{key}={text}`` is what the link said, shown as code."""
    said = {"key": as_code(key), "text": as_code(text)}
    if p.kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True, None
        if text.lower() in ("0", "false", "no", "off"):
            return False, None
        return p.default, _("`{key}={text}` is not true/false; using {value}.").format(**said, value=p.default)
    if p.kind is list:
        items = [item for item in text.split(",") if item]
        good = [item for item in items if item in [str(c) for c in p.choices]]
        values = [c for c in p.choices if str(c) in good]
        if len(good) < len(items) or not values:
            values = values or list(p.default)
            return values, _("`{key}={text}` has values I don't know; using {value}.").format(
                **said, value=", ".join(map(str, values)))
        return values, None
    if p.kind is str:
        if p.choices is None or text in p.choices:
            return text, None
        return p.default, _("`{key}={text}` is not one of {choices}; using {value}.").format(
            **said, choices=", ".join(map(str, p.choices)), value=p.default)
    try:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        return p.default, _("`{key}={text}` is not a number; using {value}.").format(**said, value=p.default)
    notice = None
    if p.lo is not None and number < p.lo:
        number, notice = p.lo, _("`{key}={text}` is below the minimum; using {value}.").format(**said, value=p.lo)
    if p.hi is not None and number > p.hi:
        number, notice = p.hi, _("`{key}={text}` is above the maximum; using {value}.").format(**said, value=p.hi)
    if p.choices:  # a select_slider: snap to the nearest allowed value
        nearest = min(p.choices, key=lambda c: abs(math.log(c) - math.log(number)) if c > 0 and number > 0
                      else abs(c - number))
        if notice is None and not math.isclose(nearest, number):
            notice = _("`{key}={text}` is not on the scale; using {value}.").format(**said, value=nearest)
        number = nearest
    if p.kind is int:
        if notice is None and number != int(number):
            notice = _("`{key}={text}` is not a whole number; using {value}.").format(**said, value=int(number))
        number = int(number)
    return number, notice


def show_notices(notices: list[str]) -> None:
    """What was wrong with the link, as one list (the language switch uses it too)."""
    if notices:
        st.info(_("Some link parameters were adjusted:") + "\n\n" + "\n".join(f"- {n}" for n in notices),
                icon="🔗")
