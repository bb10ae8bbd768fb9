"""The language switch (English / 简体中文): app.py calls :func:`language_switch` before the
navigation runs, so every page has it in the same place, at the top of the sidebar.

The language is one more URL-mirrored control: ``?lang=zh`` or ``?lang=en`` in the link, else the
browser's language (``st.context``), else English. It lives in ``st.session_state["lang"]`` like a
page's settings; switching is an ordinary rerun, so the page's other settings and a training in
progress (``st.session_state["runs"]``, resumed by every rerun) carry on.
"""

from __future__ import annotations

import streamlit as st

from ui import Param, _parse, show_notices
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, browser_language, use_language

KEY = "lang"


def _initial_language() -> tuple[str, str | None]:
    """(language, notice) for a session's first run: the link, else the browser, else English."""
    headers = getattr(st.context, "headers", None) or {}
    browser = browser_language(getattr(st.context, "locale", None), headers.get("Accept-Language"))
    fallback = browser or DEFAULT_LANGUAGE
    if KEY not in st.query_params:
        return fallback, None
    return _parse(KEY, st.query_params[KEY].lower(), Param(fallback, choices=tuple(LANGUAGES), kind=str))


def language_switch() -> str:
    """Set this run's language, draw the switch, mirror ``lang`` into the URL; returns the language."""
    state, notice = st.session_state, None
    if state.get(KEY) not in LANGUAGES:
        state[KEY], notice = _initial_language()
    use_language(state[KEY])  # before anything is drawn, the switch's own label included
    st.sidebar.radio(_("Language"), tuple(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True,
                     label_visibility="collapsed")
    if st.query_params.get(KEY) != state[KEY]:
        st.query_params[KEY] = state[KEY]
    show_notices([notice] if notice else [])
    return state[KEY]

