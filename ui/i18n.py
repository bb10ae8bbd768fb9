"""Translation of what a person reads: wrap every user-facing sentence as ``_("...")``.

Placeholder until the gettext/Babel catalogues land (issue #14): ``_`` returns the English text.
Rules that keep ``pybabel extract`` useful: whole sentences, named placeholders filled *after*
translation (``_("Stopped at epoch {epoch}.").format(epoch=3)``), never f-strings inside ``_()``.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message
