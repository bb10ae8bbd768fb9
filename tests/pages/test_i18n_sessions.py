"""ui.i18n's per-session table: each session keeps its own language, and an ended session's entry goes.

AppTest runs a real script run (every AppTest has the same session id, so one at a time); the
table's bookkeeping is checked with stand-in sessions: an id and a state, which is all ui.i18n reads
from Streamlit's context. Dropping a session's state is what Streamlit does when its tab closed.
"""

from __future__ import annotations

import gc
import threading

from streamlit.testing.v1 import AppTest

from ui import i18n


def one_session():
    import streamlit as st

    from ui.i18n import _, current_language, use_language

    use_language(st.query_params.get("lang", "en"))
    st.text(current_language())
    st.text(_("Train an MLP"))


def session(lang: str) -> AppTest:
    at = AppTest.from_function(one_session)
    at.query_params["lang"] = lang
    return at.run()


def test_a_session_keeps_its_language_in_its_own_state():
    chinese = session("zh")
    assert chinese.text[0].value == "zh" and chinese.text[1].value != "Train an MLP"  # translated
    assert chinese.session_state[i18n.STATE_KEY].lang == "zh"  # what keeps the table's entry alive
    english = session("en")
    assert [t.value for t in english.text] == ["en", "Train an MLP"]


class FakeSession:
    """What ui.i18n reads from Streamlit's ScriptRunContext: the session's id and its state."""

    def __init__(self, session_id: str):
        self.session_id, self.session_state = session_id, {}


def as_session(monkeypatch, current: threading.local) -> None:
    monkeypatch.setattr(i18n, "get_script_run_ctx", lambda suppress_warning=False: getattr(current, "ctx", None))


def test_an_ended_session_leaves_nothing_in_the_table(monkeypatch):
    current = threading.local()
    as_session(monkeypatch, current)
    gc.collect()
    before = len(i18n._by_session)
    sessions = [FakeSession(f"s{i}") for i in range(100)]
    for i, current.ctx in enumerate(sessions):
        i18n.use_language("zh" if i % 2 else "en")
    assert len(i18n._by_session) == before + 100
    current.ctx = sessions[77]
    assert i18n.current_language() == "zh"
    del sessions[:50]  # half the tabs close: Streamlit drops their sessions
    gc.collect()
    assert len(i18n._by_session) == before + 50
    assert i18n.current_language() == "zh"  # the others keep theirs
    del sessions, current.ctx
    gc.collect()
    assert len(i18n._by_session) == before


def test_sessions_in_many_threads_each_get_their_own_language(monkeypatch):
    current = threading.local()
    as_session(monkeypatch, current)
    results, errors = {}, []
    start = threading.Barrier(8)

    def visit(i: int) -> None:
        try:
            current.ctx = FakeSession(f"thread-{i}")
            lang = "zh" if i % 2 else "en"
            i18n.use_language(lang)
            start.wait()  # every session has set its language before any reads
            results[i] = {(i18n.current_language(), i18n._("Train an MLP") == "Train an MLP") for _ in range(200)}
        except Exception as err:  # reported below, with the thread's number
            errors.append((i, err))

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == {i: {("zh", False)} if i % 2 else {("en", True)} for i in range(8)}


def first_words():
    import streamlit as st

    from ui.i18n import _

    st.text(_("Train an MLP"))  # before anything chose the language: `_` decides it


def test_a_first_run_with_an_unknown_language_decides_once():
    gc.collect()  # no entry left over from an earlier AppTest (they all share one session id)
    at = AppTest.from_function(first_words)
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception  # deciding said "`lang=fr` is not one of …" without deciding again, forever
    assert at.text[0].value == "Train an MLP" and at.session_state["lang"] == "en"
