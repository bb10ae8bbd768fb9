"""Translation of what a person reads: wrap every user-facing sentence as ``_("...")``.

Rules that keep ``pybabel extract`` useful: whole sentences, named placeholders filled *after*
translation (``_("Stopped at epoch {epoch}.").format(epoch=3)``), never f-strings inside ``_()``.

Streamlit runs every session's script in its own thread, so there is no process-wide
``gettext.install()``: :func:`use_language` (called by app.py at the top of each run) records the
session's catalogue under its session id, and ``_`` looks it up on every call. Fragment reruns,
which do not run app.py, find the same entry. Outside a session (CLI, tests of a bare function)
``_`` returns the English text.

The table never outgrows the live sessions: the session's own state holds its entry, and the
table only refers to it weakly, so the entry goes when Streamlit drops the session (a closed tab,
after its reconnection grace period), with no clean-up code to forget.
"""

from __future__ import annotations

import functools
import gettext
import io
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

LOCALES = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"
LANGUAGES = {"en": "English", "zh": "简体中文"}  # URL value → the switch's label (each in its own language)
GETTEXT_LOCALES = {"en": "en", "zh": "zh_CN"}
DEFAULT_LANGUAGE = "en"
BOOK = {"en": "https://d2l.ai", "zh": "https://zh.d2l.ai"}  # the same section paths in both editions

STATE_KEY = "_i18n_catalogue"  # in st.session_state: keeps the session's entry alive, and only as long as it


class Catalogue:
    """A session's language and the ``gettext`` that answers in it."""

    __slots__ = ("lang", "gettext", "__weakref__")

    def __init__(self, lang: str, gettext_: Callable[[str], str]):
        self.lang, self.gettext = lang, gettext_


# session id → its Catalogue; weak, so a session that ends takes its entry with it
_by_session: weakref.WeakValueDictionary[str, Catalogue] = weakref.WeakValueDictionary()
_deciding = threading.local()  # set while this thread's session decides its language


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (cached per process, shared read-only by every session).

    Prefers the .mo built by ``make i18n-compile`` (part of ``make setup``); when it is missing or
    older than its .po (a fresh checkout, an edited .po), compiles the .po in memory with Babel.
    """
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()  # the msgids are the English text
    folder = LOCALES / GETTEXT_LOCALES[lang] / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        buffer = io.BytesIO()
        with po.open("rb") as source:
            write_mo(buffer, read_po(source))
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.translation(DOMAIN, LOCALES, languages=[GETTEXT_LOCALES[lang]], fallback=True)


def use_language(lang: str) -> None:
    """Make ``_`` answer in ``lang`` for the current session, from now on."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        entry = Catalogue(lang, translations(lang).gettext)
        ctx.session_state[STATE_KEY] = entry
        _by_session[ctx.session_id] = entry


def _session_entry() -> Catalogue | None:
    ctx = get_script_run_ctx(suppress_warning=True)
    return _by_session.get(ctx.session_id) if ctx is not None else None


def current_language() -> str:
    entry = _session_entry()
    return entry.lang if entry else DEFAULT_LANGUAGE


def _(message: str) -> str:
    entry = _session_entry()
    if entry is None and get_script_run_ctx(suppress_warning=True) is not None and not getattr(_deciding, "on", 0):
        # Deciding may itself say something (`?lang=fr` gets a notice): in English, not by deciding again.
        _deciding.on = True
        try:
            ensure_language()
        finally:
            _deciding.on = False
        entry = _session_entry()
    return entry.gettext(message) if entry else message


def book_url(path: str) -> str:
    """A link into d2l: the Chinese edition (zh.d2l.ai) when the page is in Chinese."""
    return f"{BOOK.get(current_language(), BOOK[DEFAULT_LANGUAGE])}/{path.lstrip('/')}"


def browser_language(locale: str | None, accept_language: str | None) -> str | None:
    """The first of our languages the browser asks for: navigator.language, then Accept-Language."""
    weighted = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _sep, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            weighted.append((-weight, order, tag))
    for tag in ([locale] if locale else []) + [tag for *_rank, tag in sorted(weighted)]:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return None


def url_params() -> dict[str, str]:
    """The language as a query parameter, for every page's link (empty outside a session)."""
    entry = _session_entry()
    return {"lang": entry.lang} if entry else {}


def label_func(names: dict) -> Callable[[object], str]:
    """A widget's ``format_func`` showing each option value's (English msgid) name translated.

    It closes over this session's catalogue rather than calling ``_`` later: Streamlit (and AppTest)
    may call a format_func outside the script thread, where ``_`` could not tell the session."""
    entry = _session_entry()
    gettext_ = entry.gettext if entry else (lambda message: message)
    return lambda value: gettext_(names.get(value, str(value)))


def as_code(text: str, limit: int = 60) -> str:
    """Link text for a notice's markdown code span, where nothing is read as markdown: no backtick can close
    the span (so no bold text, link or image of a hostile link's making), one line, cut after ``limit``."""
    text = " ".join(str(text).split())
    return (text[:limit] + "…" if len(text) > limit else text).replace("`", "ˋ")


# The session's language: decided on its first run, from the link, else the browser, else English.
KEY = "lang"


def _initial_language() -> tuple[str, str | None]:
    """(language, notice) for a session's first run: the link, else the browser, else English."""
    headers = getattr(st.context, "headers", None) or {}
    browser = browser_language(getattr(st.context, "locale", None), headers.get("Accept-Language"))
    fallback = browser or DEFAULT_LANGUAGE
    if KEY not in st.query_params:
        return fallback, None
    wanted = st.query_params[KEY].lower()
    if wanted in LANGUAGES:
        return wanted, None
    return fallback, _("`{key}={text}` is not one of {choices}; using {value}.").format(
        key=as_code(KEY), text=as_code(wanted), choices=", ".join(LANGUAGES), value=fallback)


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
