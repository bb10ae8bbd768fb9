"""Streamlit helpers every page shares: the page skeleton, URL-mirrored controls, presets, the cached dataset.
Each lesson's own helpers are a module beside this one (ui/inside.py, ui/backprop.py, …).

Every page has the same shape (pages/1_Activation_functions.py is a short one to copy)::

    PARAMS = {"units": ui.Param(4, 1, 12, kind=int), "seed": ui.Param(0, 0, 999, kind=int)}  # declared once
    s = ui.page(__file__, PARAMS, _("Title"), "📈", _("📈 Title"), _("What you are looking at."))
    st.slider(_("Units"), 1, 12, key="units")       # widgets with key= only: the first ones in the main area,
    sidebar_hint("my_page")                          # a hint for phones (ui/phone.py),
    st.sidebar.number_input(_("Seed"), 0, 999, key="seed")  # the rest in the sidebar
    ui.settings_link(PARAMS)                         # after the last control
    ...                                              # the lesson itself, from s.units, s.seed

:func:`page` draws the common top and, through :func:`init_state`, seeds ``st.session_state`` from the
URL (or the value the user last had); :func:`settings_link` writes the current values back to the query
string (:func:`sync_url`), so a bookmarked link reopens the same configuration, and offers that link.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from explorer.fair_share import threads
from explorer.data import (
    DATASET_NAMES, DATASETS, DEFAULT_DATASET, DatasetError, FashionMNISTData, default_data_dir, load_dataset,
    load_fashion_mnist, system_data_dir,
)
from explorer.fair_share.turns import TrainingQueue
from explorer.i18n import N_
from ui.i18n import _, as_code, url_params  # noqa: F401 (as_code: ui.as_code)
from ui.language import app_skipped, ensure_switch
from ui.params import Param, parse_value, show_notices  # noqa: F401 (the package's names)
from ui.pages import lessons, url_name
from ui.phone import page_chrome
from ui.room import apply_pending, banner

_parse = parse_value  # the name tests and older helpers use

# Streamlit's own query parameters and the language (app.py reads it), which are not a page's to complain about.
STREAMLIT_PARAMS = {"embed", "embed_options", "lang"}
# Parameters that belong to every page and survive sync_url: ?class=MLP-4821 (classroom mode).
APP_PARAMS = {"class"}
# Beyond one training per core, more at once only slow each other (and cost memory); explorer.fair_share.threads
# gives each running training its share of the cores, so up to this many keep the total throughput.
MAX_CONCURRENT_TRAININGS = max(2, threads.CORES)


def page(file: str, params: dict[str, Param] | None, title: str, icon: str, heading: str | None = None,
         intro: str | None = None):
    """Every page's top, its first call: the tab's title and icon, the heading and the intro (already
    translated; ``heading=None`` when the page draws its own once its settings are known), then the page's
    settings (``params``, see :func:`init_state`; None for a page with none in its link). ``file`` is the
    page's ``__file__``: its URL name (ui/pages.py). Returns ``st.session_state``.

    A deep link that is a fresh server's first request runs the page file without app.py (Streamlit's
    pages/ fallback): then this draws what app.py would have, the language switch, the phone's lessons
    menu and CSS (ui/phone.py) and the room's banner."""
    st.set_page_config(page_title=title, page_icon=icon, layout="wide")
    if app_skipped():
        ensure_switch()
        page_chrome([("app.py", N_("Home"), "🧠"), *lessons()])  # app.py's pages, read from its LESSONS
        banner(url_name(file))
    if heading:
        st.title(heading)
    if intro:
        st.markdown(intro)
    if params is not None:
        init_state(params)
    return st.session_state


def settings_link(params: dict[str, Param]) -> None:
    """After the page's last control: its settings into the link (:func:`sync_url`) and the link to share."""
    sync_url(params)
    share_link(params)


def init_state(params: dict[str, Param]) -> None:
    """Give every control a value before its widget is drawn: URL, else last value, else default."""
    notices = []
    for key, p in params.items():
        if key in st.session_state:
            continue
        if key in st.query_params:
            raw = ",".join(st.query_params.get_all(key)) if p.kind is list else st.query_params[key]
            value, notice = _parse(key, raw, p)
            if notice:
                notices.append(notice)
        else:
            # Streamlit forgets a widget's value when its page is left; we keep a copy.
            value = st.session_state.get(f"_kept_{key}", p.default)
        st.session_state[key] = value
    if notices or "_url_checked" not in st.session_state:
        unknown = set(st.query_params) - set(params) - STREAMLIT_PARAMS - APP_PARAMS
        notices += [_("`{key}` is not a setting of this page; ignored.").format(key=as_code(k))
                    for k in sorted(unknown)]
    st.session_state["_url_checked"] = True
    show_notices(notices)
    apply_pending(params)  # the presenter's suggestion, when the attendee pressed "Use these settings"


def _to_text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def sync_url(params: dict[str, Param]) -> None:
    """Mirror non-default values into the query string (short links), drop the rest."""
    wanted = {k: st.query_params[k] for k in APP_PARAMS if k in st.query_params}
    for key, p in params.items():
        value = st.session_state.get(key, p.default)
        st.session_state[f"_kept_{key}"] = value
        if _to_text(value) != _to_text(p.default):
            wanted[key] = _to_text(value)
    wanted.update(url_params())  # the language stays in every link
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def share_link(params: dict[str, Param]) -> None:
    """A copyable link to this exact configuration (st.code has a copy button)."""
    query = urlencode({k: v for k, v in st.query_params.to_dict().items()
                       if k in params or k in APP_PARAMS or k in url_params()})
    base = st.context.url.split("?")[0] if getattr(st.context, "url", None) else ""
    with st.sidebar.expander(_("🔗 Share this configuration")):
        st.code(f"{base}?{query}" if query else base or _("(all defaults)"), language=None)
        st.caption(_("Copy the link with the button at the right; it reopens these settings."))


def preset_buttons(presets: dict[str, dict], params: dict[str, Param], container=None, columns: int = 2) -> None:
    """One button per preset, ``columns`` to a row; a click sets the controls before they are drawn.

    Preset names are English msgids (they make the buttons' keys); the buttons show them translated."""
    container = container or st.sidebar

    def apply(values: dict) -> None:
        for key, p in params.items():
            st.session_state[key] = values.get(key, p.default)

    items = list(presets.items())
    for start in range(0, len(items), columns):
        for col, (name, values) in zip(container.columns(columns), items[start:start + columns]):
            col.button(_(name), key=f"preset_{name}", on_click=apply, args=(values,), use_container_width=True)


# The dataset choice of the pages that use one (?dataset=mnist); Fashion-MNIST stays the default.
DATASET_PARAM = Param(DEFAULT_DATASET, choices=DATASET_NAMES, kind=str)


@st.cache_resource(show_spinner=False)
def _load_dataset(data_dir: str, system_dir: str, name: str = DEFAULT_DATASET) -> FashionMNISTData:
    # One copy per server process, data location and dataset, shared read-only by every session.
    if name == DEFAULT_DATASET:
        return load_fashion_mnist(data_dir, system_dir)
    return load_dataset(name, data_dir)


def dataset(name: str = DEFAULT_DATASET, quiet: bool = False) -> FashionMNISTData | None:
    """The cached dataset ``name``, or None after saying how to get it (the rest of the page still works).

    ``quiet=True`` is for pages that only borrow a batch and have a fallback: no message.
    """
    title = DATASETS[name].title
    try:
        # The spinner is ours, not the cache's, so it speaks the session's language (it only shows
        # after 0.5 s: a cache hit draws nothing).
        with st.spinner(_("Loading {dataset} into memory…").format(dataset=title)):
            return _load_dataset(str(default_data_dir()), str(system_data_dir()), name)
    except DatasetError as err:
        if not quiet:
            st.error(_("**{dataset} is not available.** {reason}").format(dataset=title, reason=err), icon="📦")
        return None


def dataset_choice(key: str = "dataset", container=None) -> str:
    """The dataset selectbox (its value is ``st.session_state[key]``, declared with :data:`DATASET_PARAM`)."""
    container = container or st.sidebar
    return container.selectbox(_("Dataset"), DATASET_NAMES, key=key, format_func=lambda n: DATASETS[n].title,
                               help=_("Fashion-MNIST: d2l's clothing. MNIST: handwritten digits (seed 002)."))


@st.cache_resource
def _training_queue() -> TrainingQueue:
    return TrainingQueue(MAX_CONCURRENT_TRAININGS)


@contextmanager
def training_slot(placeholder=None):
    """Take turns at this server's training slots (explorer.fair_share.turns); ``turn.train(trainer)`` trains.

    While this session waits, ``placeholder`` (or a new st.empty) shows its place in line and about how
    long until its turn. One run per session: a new one replaces the session's earlier one in the line.
    """
    slot = placeholder if placeholder is not None else st.empty()
    queue = _training_queue()

    def show_place(place: int) -> None:
        slot.info(_("Waiting for your turn: you are number {place} in line, about {seconds} s to go. Everyone "
                    "training on this server takes turns, a second or so each, so every run progresses.").format(
            place=place, seconds=f"{queue.wait_estimate(place):.0f}"), icon="⏳")

    ctx = get_script_run_ctx()
    with queue.turn(on_wait=show_place, owner=ctx.session_id if ctx else None) as turn:
        yield turn
