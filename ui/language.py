"""The language switch (English / 简体中文): app.py calls :func:`language_switch` before the
navigation runs, so every page has it in the same place, at the top of the sidebar.

The language is one more URL-mirrored control: ``?lang=zh`` or ``?lang=en`` in the link, else the
browser's language (``st.context``), else English. It lives in ``st.session_state["lang"]`` like a
page's settings; switching is an ordinary rerun, so the page's other settings and a training in
progress (``st.session_state["runs"]``, resumed by every rerun) carry on.

A deep link that is the very first request after a server start runs its pages/ file without
app.py (Streamlit's pages/ fallback): then ``_`` calls :func:`ensure_language` itself, and
``ui.init_state`` draws the switch (:func:`ensure_switch`).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import Param, _parse, show_notices
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, browser_language, current_language, use_language

KEY = "lang"


def _initial_language() -> tuple[str, str | None]:
    """(language, notice) for a session's first run: the link, else the browser, else English."""
    headers = getattr(st.context, "headers", None) or {}
    browser = browser_language(getattr(st.context, "locale", None), headers.get("Accept-Language"))
    fallback = browser or DEFAULT_LANGUAGE
    if KEY not in st.query_params:
        return fallback, None
    return _parse(KEY, st.query_params[KEY].lower(), Param(fallback, choices=tuple(LANGUAGES), kind=str))


def ensure_language() -> str:
    """This session's language, decided on its first run; makes ``_`` answer in it."""
    state = st.session_state
    if state.get(KEY) not in LANGUAGES:
        state[KEY], notice = _initial_language()
        if notice:
            state["_lang_notice"] = notice
    if state.get("_lang_shown", state[KEY]) != state[KEY]:
        _restore_option_widgets()
    state["_lang_shown"] = state[KEY]
    use_language(state[KEY])
    return state[KEY]


def _restore_option_widgets() -> None:
    """After a switch, give every control back the value it had (``ui.sync_url`` keeps ``_kept_<key>``).

    The browser reports a selectbox's or radio's choice by its *label*; the labels just changed
    language, so without this a translated option would come back unknown (or as its label)."""
    state = st.session_state
    for kept in [k for k in state if isinstance(k, str) and k.startswith("_kept_")]:
        state[kept.removeprefix("_kept_")] = state[kept]


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


def app_skipped() -> bool:
    """True when app.py did not run before this page in this run (the pages/ fallback above): its switch is
    missing."""
    ctx = get_script_run_ctx(suppress_warning=True)
    drawn = getattr(getattr(ctx, "shared", None), "widget_user_keys_this_run", None)
    return ctx is not None and drawn is not None and KEY not in drawn


def ensure_switch() -> None:
    """Draw the switch unless app.py already did in this run (the pages/ fallback above)."""
    if app_skipped():
        used = current_language()  # what the page's title above was drawn in
        if language_switch() != used:
            st.rerun()  # the switch was just clicked: draw the whole page in the new language
