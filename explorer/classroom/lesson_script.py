"""A lesson script: the presenter's plan for a workshop as a small TOML file in ``lessons/``.

Each ``[[step]]`` has a short ``note`` for the presenter (``note_zh`` in Chinese), ``minutes``, and a
suggestion (``page`` and ``[step.settings]``), a question (``question``, an id of
:data:`explorer.classroom.questions.QUESTIONS`), or both.
:func:`load` checks every step the way :func:`explorer.classroom.suggestions.suggest` and
:func:`explorer.classroom.questions.ask` would, so a typo fails when the file is loaded, not in front of the room.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from explorer.classroom import questions, suggestions

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"


class BadScript(ValueError):
    """The file is not a lesson script; the message says which step and why."""


@dataclass(frozen=True)
class Step:
    note: str
    minutes: float
    page: str | None = None
    settings: dict = field(default_factory=dict)
    question: str | None = None
    notes: dict = field(default_factory=dict)  # language -> note, from ``note_<lang>``

    def note_in(self, lang: str) -> str:
        return self.notes.get(lang) or self.note


@dataclass(frozen=True)
class Script:
    title: str
    steps: tuple[Step, ...]
    titles: dict = field(default_factory=dict)  # language -> title, from ``title_<lang>``

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang) or self.title

    @property
    def minutes(self) -> float:
        return sum(step.minutes for step in self.steps)


def parse(text: str) -> Script:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BadScript(f"not TOML: {err}") from None
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise BadScript("a lesson script needs at least one [[step]]")
    steps = []
    for number, raw in enumerate(raw_steps, 1):
        try:
            settings = raw.get("settings", {})
            page = raw.get("page", suggestions.DEFAULT_PAGE if settings else None)
            if settings:
                settings = suggestions.validate(page, settings)
            if raw.get("question") is not None:
                questions.item(raw["question"])
            if not settings and raw.get("question") is None:
                raise BadScript("it has neither settings nor a question")
            steps.append(Step(note=str(raw.get("note", "")), minutes=float(raw.get("minutes", 0)), page=page,
                              settings=settings, question=raw.get("question"), notes=_translations(raw, "note")))
        except (suggestions.BadSuggestion, questions.BadAnswer, BadScript, AttributeError, TypeError,
                ValueError) as err:
            raise BadScript(f"step {number}: {err}") from None
    return Script(title=str(data.get("title", "")), steps=tuple(steps), titles=_translations(data, "title"))


def _translations(table: dict, name: str) -> dict:
    return {key.removeprefix(f"{name}_"): str(value) for key, value in table.items() if key.startswith(f"{name}_")}


def load(path: str | Path) -> Script:
    return parse(Path(path).read_text(encoding="utf-8"))


def available() -> list[Path]:
    """The scripts shipped in ``lessons/``."""
    return sorted(LESSONS_DIR.glob("*.toml"))
