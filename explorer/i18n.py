"""Translation hooks for plain-Python code: figure builders take a ``_`` parameter.

``explorer/`` imports no Streamlit, so it cannot know a session's language; callers pass their own
translation function (the app passes ``ui.i18n._``), and the default leaves English as it is.
"""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]


def no_translation(message: str) -> str:
    return message


def N_(message: str) -> str:
    """Mark a constant for ``pybabel extract`` without translating it here (class names, labels):
    whoever shows it translates it then, with the session's ``_``."""
    return message


class Explained(Exception):
    """An error a person reads: an English msgid (marked ``N_``) and the fields it is formatted with.

    ``str(err)`` stays English (CLI, logs); the app shows ``err.message(_)`` in the session's language.
    A message without fields is used as it is (it may hold a person's text, braces and all).
    """

    def __init__(self, template: str, **fields) -> None:
        self.template, self.fields = template, fields
        super().__init__(template.format(**fields) if fields else template)

    def message(self, _: Translate = no_translation) -> str:
        return _(self.template).format(**self.fields) if self.fields else _(self.template)
