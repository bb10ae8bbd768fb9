"""app.py's navigation: every lesson keeps its URL (/Train_an_MLP, …), given to its st.Page explicitly.

Bookmarks, shared links, the class's QR code and the room's "Use these settings" all name pages by
these paths; a renamed URL would break them silently."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.test_i18n_pages import lesson_paths
from ui.pages import page_file, url_name

ROOT = Path(__file__).resolve().parents[2]
# The lessons' URLs as they were published (issue #24 changed the code behind them, not the links).
PUBLISHED = {"pages/1_Activation_functions.py": "Activation_functions", "pages/2_Inside_an_MLP.py": "Inside_an_MLP",
             "pages/3_Train_an_MLP.py": "Train_an_MLP", "pages/4_Under_and_overfitting.py": "Under_and_overfitting",
             "pages/5_Weight_decay.py": "Weight_decay", "pages/6_Class_board.py": "Class_board",
             "pages/7_Backpropagation.py": "Backpropagation", "pages/8_Hidden_layers.py": "Hidden_layers"}


def test_every_lesson_keeps_its_url_path(monkeypatch):
    made = {}
    real_page = st.Page

    def recording_page(page, **kwargs):
        made[page if isinstance(page, str) else "home"] = kwargs.get("url_path")
        return real_page(page, **kwargs)

    monkeypatch.setattr(st, "Page", recording_page)  # app.py calls st.Page when its script runs
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    lessons = {path: url for path, url in made.items() if path != "home"}
    assert set(lessons) == set(lesson_paths())
    for path, url in PUBLISHED.items():
        assert lessons[path] == url, (path, lessons[path])
    for path, url in lessons.items():  # a new lesson too: its file name without the number
        assert url == re.sub(r"^\d+_", "", Path(path).stem) == url_name(path)
        assert page_file(url) == path  # the room's "Use these settings" finds the file again


def test_a_lesson_links_to_another_by_its_url_path(fashion):
    """The navigation built with those paths works: switching from the home page to a lesson runs it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.switch_page("pages/5_Weight_decay.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "⚖️ Weight decay"
