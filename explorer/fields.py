"""A config dataclass's settings, each declared once in its field: default, allowed range, error message,
help text and the page's scale.

    hidden: int = setting(256, lo=1, message="hidden width must be at least 1", help="units per hidden layer",
                          page=Scale(16, 1024))

:func:`validate` checks every field against its range and raises the field's message (a ``ValueError``, or
an :class:`~explorer.i18n.Explained` for configs whose messages are translated); :func:`to_dict` is the
config as JSON. The CLI (:func:`explorer.cli.common.add_config_options`) and the pages (``ui.Param.of``)
build their flags and controls from the same fields, so a default or a range is typed in one place.
Config classes inherit :class:`Config` for the two methods.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

from explorer.i18n import Explained


@dataclass(frozen=True)
class Scale:
    """What a page offers for a setting (often narrower than what the config accepts): a range, or choices."""

    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None


@dataclass(frozen=True)
class Setting:
    """What a field accepts: ``lo <= value <= hi``, ``gt < value``, ``value < lt``, or one of ``choices``.

    ``message`` is formatted with ``value``, ``lo``, ``hi``, ``choices`` (joined by ", ") when the value is
    refused; ``kind`` is the value's type (int, float, str); ``cli=False`` leaves it out of the CLI."""

    kind: type = float
    lo: float | None = None
    hi: float | None = None
    gt: float | None = None
    lt: float | None = None
    choices: tuple | None = None
    message: str = ""
    help: str | None = None
    page: Scale | None = None
    cli: bool = True

    def accepts(self, value) -> bool:
        if isinstance(value, (list, tuple)):  # one value per layer: each must fit
            return all(self.accepts(v) for v in value)
        if self.choices is not None:
            return value in self.choices
        if value is None or self.kind is str:
            return True
        if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
            return False
        return ((self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)
                and (self.gt is None or value > self.gt) and (self.lt is None or value < self.lt))

    def fields(self, value) -> dict:
        """What :attr:`message` may say: the value and the bounds."""
        return {"value": value, "lo": self.lo, "hi": self.hi,
                "choices": ", ".join(map(str, self.choices or ()))}


def setting(default, *, kind: type | None = None, **spec):
    """A dataclass field whose metadata is a :class:`Setting`; ``kind`` defaults to the default's type."""
    kind = kind or (type(default[0]) if isinstance(default, tuple) else type(default))
    return dataclasses.field(default=default, metadata={"setting": Setting(kind=kind, **spec)})


def like(config, name: str, **changes):
    """The field ``name`` of another config, for a config that shares the setting (``changes``: its help…)."""
    spec = dataclasses.replace(settings(config)[name], **changes)
    return dataclasses.field(default=default(config, name), metadata={"setting": spec})


def settings(config) -> dict[str, Setting]:
    """``{name: Setting}`` of a config class or instance, in field order."""
    return {f.name: f.metadata["setting"] for f in dataclasses.fields(config) if "setting" in f.metadata}


def default(config, name: str):
    return next(f.default for f in dataclasses.fields(config) if f.name == name)


def scale(config, name: str) -> Scale:
    """What a page offers for the field: its page scale, or else the range or choices the config accepts."""
    spec = settings(config)[name]
    return spec.page or Scale(spec.lo, spec.hi, spec.choices)


def validate(config, explained: bool = False) -> None:
    """Raise the message of the first field whose value its :class:`Setting` refuses: a ``ValueError``,
    or an :class:`Explained` (translatable, formatted with the value and bounds) if ``explained``."""
    for name, spec in settings(config).items():
        value = getattr(config, name)
        if not spec.accepts(value):
            if explained:
                raise Explained(spec.message, **spec.fields(value))
            raise ValueError(spec.message.format(**spec.fields(value)))


def to_dict(config) -> dict:
    """The config as JSON-ready values (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(config).items()}


class Config:
    """What every config dataclass inherits: :meth:`validate` and :meth:`to_dict` from its fields' settings."""

    explained: ClassVar[bool] = False  # True: refuse with an Explained, which the app shows translated

    def validate(self) -> None:
        """Raise a readable message for any setting the experiment cannot use."""
        validate(self, self.explained)

    def to_dict(self) -> dict:
        return to_dict(self)
