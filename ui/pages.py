"""Which file is which page: a lesson's URL name is its file name without the number
(``pages/3_Train_an_MLP.py`` is ``/Train_an_MLP``). app.py gives each ``st.Page`` that name, the page
skeleton (``ui.page``) knows its page by it, and the room's "Use these settings" goes back from it to the file.
"""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def url_name(file: str) -> str:
    """``pages/3_Train_an_MLP.py`` (or its full path, a page's ``__file__``) -> ``Train_an_MLP``."""
    return Path(file).stem.split("_", 1)[-1]


def page_file(page: str) -> str:
    """``Train_an_MLP`` -> ``pages/3_Train_an_MLP.py`` (the number is the file's, the URL name is not)."""
    return f"pages/{next(PAGES_DIR.glob(f'*_{page}.py')).name}"
