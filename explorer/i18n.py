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
