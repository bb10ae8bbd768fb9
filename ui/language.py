"""The language switch (English / 简体中文): app.py calls :func:`language_switch` before the
navigation runs, so every page has it in the same place, at the top of the sidebar.

The language is one more URL-mirrored control: ``?lang=zh`` or ``?lang=en`` in the link, else the
browser's language (``st.context``), else English. It lives in ``st.session_state["lang"]`` like a
page's settings; switching is an ordinary rerun, so the page's other settings and a training in
progress (``st.session_state["runs"]``, resumed by every rerun) carry on.

A deep link that is the very first request after a server start runs its pages/ file without
app.py (Streamlit's pages/ fallback): then ``_`` calls :func:`ensure_language` itself, and
the page skeleton ``ui.page`` draws the switch (:func:`ensure_switch`).
"""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from ui.i18n import KEY, LANGUAGES, _, current_language, ensure_language
from ui.params import show_notices



def language_switch() -> str:
    """Set this run's language, draw the switch, mirror ``lang`` into the URL; returns the language."""
    lang = ensure_language()  # before anything is drawn, the switch's own label included
    st.sidebar.radio(_("Language"), tuple(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True,
                     label_visibility="collapsed")
    if st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang
    notice = st.session_state.pop("_lang_notice", None)
    show_notices([notice] if notice else [])
    return lang


APP_RUNNING = "_app_running"  # in session_state while app.py runs (see app_run)


@contextmanager
def app_run():
    """app.py's run, around the navigation and the page: a page that finds no mark ran without app.py."""
    st.session_state[APP_RUNNING] = True
    try:
        yield
    finally:
        st.session_state.pop(APP_RUNNING, None)


def app_skipped() -> bool:
    """True when app.py did not run before this page in this run (the pages/ fallback above, or a test that
    runs a page on its own): its language switch and the room's banner are missing."""
    return not st.session_state.get(APP_RUNNING, False)


def ensure_switch() -> None:
    """Draw the switch unless app.py already did in this run (the pages/ fallback above)."""
    if app_skipped():
        used = current_language()  # what the page's title above was drawn in
        if language_switch() != used:
            st.rerun()  # the switch was just clicked: draw the whole page in the new language
