"""Which file is which page: a lesson's URL name is its file name without the number
(``pages/3_Train_an_MLP.py`` is ``/Train_an_MLP``). app.py gives each ``st.Page`` that name, the page
skeleton (``ui.page``) knows its page by it, and the room's "Use these settings" goes back from it to the file.
The lessons' table (file, title, icon) is app.py's ``LESSONS``; :func:`lessons` reads it without running app.py.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
APP = PAGES_DIR.parent / "app.py"


@functools.cache
def lessons() -> tuple[tuple[str, str, str], ...]:
    """app.py's ``LESSONS``, ``(file, title msgid, icon)`` in the chapter's order, read from its source as data:
    for the lessons menu of a page that a deep link ran without app.py (``ui.page``)."""
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    table = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and any(getattr(target, "id", None) == "LESSONS" for target in node.targets))
    rows = (row.elts for row in table.elts)
    return tuple((file.value, title.args[0].value, icon.value) for file, title, icon in rows)


def url_name(file: str) -> str:
    """``pages/3_Train_an_MLP.py`` (or its full path, a page's ``__file__``) -> ``Train_an_MLP``."""
    return Path(file).stem.split("_", 1)[-1]


def page_file(page: str) -> str:
    """``Train_an_MLP`` -> ``pages/3_Train_an_MLP.py`` (the number is the file's, the URL name is not)."""
    return f"pages/{next(PAGES_DIR.glob(f'*_{page}.py')).name}"


# Sections other pages link to (``Activation_functions#gradients-through-depth``): fixed anchors, since
# Streamlit's own come from the header's text, which changes with the language and the chosen activation.
DEPTH_ANCHOR = "gradients-through-depth"
