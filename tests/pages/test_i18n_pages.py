"""Every page of the app, opened through app.py with ``?lang=zh``, shows no English msgid.

The pages come from app.py's LESSONS (a new page is tested as soon as it is listed there), the
msgids from the .po (new strings are checked as soon as they are extracted). What is checked is
everything rendered: text elements, widget labels, help, options, tab labels, table headers, and
the plotly figures' titles, axis titles, legends, annotations and hover text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from ui.pages import lessons

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
FIGURE_TEXT_KEYS = {"text", "name", "title", "ticktext", "hovertemplate", "texttemplate"}
CJK = re.compile("[\u4e00-\u9fff]")


def lesson_paths() -> list[str]:
    """The page files app.py registers, read from its LESSONS list without running it."""
    return [file for file, _title, _icon in lessons()]


def _pattern(msgid: str) -> re.Pattern:
    """The msgid as it would appear on screen, placeholders matching anything."""
    msgid = msgid.strip()  # st.markdown strips the text it renders
    parts = re.split(r"\{\w*\}", msgid)
    body = ".+?".join(re.escape(p) for p in parts)
    start = r"(?<![A-Za-z_])" if msgid[:1].isalpha() else ""
    end = r"(?![A-Za-z_])" if msgid[-1:].isalpha() else ""
    return re.compile(start + body + end)


@pytest.fixture(scope="module")
def english_msgids() -> dict[str, re.Pattern]:
    with PO.open("rb") as f:
        catalogue = read_po(f)
    entries = [m for m in catalogue if m.id and m.string and m.string != m.id]
    patterns = {m.id: _pattern(m.id) for m in entries if re.search(r"[A-Za-z]{2}", re.sub(r"\{\w*\}", "", m.id))}
    # Words the Chinese text keeps on purpose (SGD, lr in lr·λ…) cannot count as untranslated.
    kept = {mid for mid, pat in patterns.items() if any(pat.search(m.string) for m in entries)}
    return {mid: pat for mid, pat in patterns.items() if mid not in kept}


def _figure_strings(spec: str) -> list[str]:
    found = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in FIGURE_TEXT_KEYS:
            found.append(node)

    figure = json.loads(spec)
    walk(figure.get("layout", {}))
    for trace in figure.get("data", []):
        walk({k: v for k, v in trace.items() if k in FIGURE_TEXT_KEYS})
    return found


def rendered_strings(at: AppTest) -> list[str]:
    """Every string a person can read on the page AppTest rendered."""
    out = []

    def visit(node):
        for child in getattr(node, "children", {}).values():
            visit(child)
        proto = getattr(node, "proto", None)
        if node.type == "plotly_chart" and proto is not None:
            out.extend(_figure_strings(proto.spec))
            return
        if node.type in ("arrow_data_frame", "dataframe"):
            out.extend(str(c) for c in node.value.columns)
            return
        if node.type == "html" and proto is not None:  # style sheets and scripts are not read (ui/phone.py)
            out.append(re.sub(r"(?s)<(style|script)>.*?</\1>", "", proto.body))
            return
        # A widget's value is an option *value* (English on purpose); what it shows is in ``options``.
        shown = ("label", "help", "placeholder", "options") if hasattr(node, "options") else \
            ("value", "label", "help", "body", "placeholder", "text", "caption")
        for attr in shown:
            value = getattr(node, attr, None)
            values = value if isinstance(value, (list, tuple)) else [value]
            out.extend(v for v in values if isinstance(v, str))
        if proto is not None and hasattr(proto, "label") and isinstance(proto.label, str):
            out.append(proto.label)  # tabs, expanders

    visit(at._tree)
    return out


def open_in_chinese(page: str | None) -> AppTest:
    """Open ``/?lang=zh``, then go to ``page`` as a click on its link does (AppTest's switch_page drops the
    query string of a first run, as a page change does, so the session must have its language first)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.query_params["lang"] = "zh"
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", [None, *lesson_paths()], ids=lambda p: Path(p).stem if p else "home")
def test_page_in_chinese_shows_no_english_msgid(page, english_msgids, fashion):
    at = open_in_chinese(page)
    assert not at.exception, at.exception
    strings = rendered_strings(at)
    assert any(CJK.search(s) for s in strings)
    assert CJK.search(at.title[0].value), at.title[0].value
    left = english_left(strings, english_msgids)
    assert not left, f"shown in English on {page or 'home'}: {left}"


def english_left(strings: list[str], english_msgids: dict[str, re.Pattern]) -> list[str]:
    return sorted({mid for s in strings for mid, pat in english_msgids.items() if pat.search(s)})


def page_in_chinese(page: str, query: dict | None = None, state: dict | None = None) -> AppTest:
    """A page file opened by itself (a deep link's first request), so a test can put its state in first."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=240)
    for key, value in {"lang": "zh", **(query or {})}.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def test_inside_an_mlp_with_a_model_in_chinese(english_msgids, fashion):
    """Beyond "No model yet": the forward pass, the diagram, the templates and the losses, in Chinese."""
    from tests.pages.test_page_inside import trained_run

    at = page_in_chinese("pages/2_Inside_an_MLP.py", state={"runs": [trained_run(fashion)]})
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 6
    strings = rendered_strings(at)
    assert "T恤" in " ".join(strings)  # d2l-zh's class names in the table, the charts and the class picker
    left = english_left(strings, english_msgids)
    assert not left, f"shown in English on Inside an MLP: {left}"


def test_class_board_with_runs_in_chinese(english_msgids, tmp_path, monkeypatch):
    """The board with shared runs (one diverged) and the presenter's controls, in Chinese."""
    from explorer.classroom import service as classroom, storage
    from tests.system.test_classroom import payload

    url = f"sqlite:///{tmp_path / 'board.sqlite'}"
    monkeypatch.setenv("EXPLORER_DB_URL", url)
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", "a-long-enough-key")
    engine = storage.connect(url)
    code = classroom.start_class(engine)
    classroom.share_run(engine, code, "a", "Otter", "1", payload(lr=0.1, test_acc=0.80, dropout=(0.5,)))
    classroom.share_run(engine, code, "b", "Lynx", "1", payload(lr=0.3, hidden=256, test_acc=0.84))
    classroom.share_run(engine, code, "c", "Yak", "1", payload(lr=1.0, status="diverged"))
    at = page_in_chinese("pages/6_Class_board.py", query={"class": code}, state={"presenter": True})
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 3 and at.toggle  # the charts and the presenter controls are drawn
    left = english_left(rendered_strings(at), english_msgids)
    assert not left, f"shown in English on the class board: {left}"
    assert any(list(frame.value.columns[:2]) == ["名次", "昵称"] for frame in at.dataframe)  # the leaderboard


def test_the_check_would_see_english(english_msgids):
    """The same check on the English app finds the msgids: it is not blind."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    strings = rendered_strings(at)
    found = {mid for s in strings for mid, pat in english_msgids.items() if pat.search(s)}
    assert {"Activation functions", "Train an MLP", "Weight decay", "Fashion-MNIST is ready in `{path}`."} <= found


def test_unknown_language_gets_the_link_notice():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception
    notice = [i.value for i in at.info if "lang=fr" in i.value]
    assert notice and "is not one of en, zh; using en" in notice[0]
    assert at.query_params["lang"] == "en" and at.title[0].value == "🧠 MLP Explorer"
