"""The attendee's side of leading the room: the presenter's suggestion and question, on every page.

app.py calls :func:`banner` once per run, before the page (``ui.page`` does when a deep link ran the page
without app.py): for a session that has joined a class it draws a fragment that asks the class every few
seconds whether a new suggestion or question is there
(two cheap numbers; the rest is read only when they change). "Use these settings" cannot write the
page's widget values from inside the fragment (the widgets exist already), so it leaves them pending and
starts a full rerun; :func:`apply_pending`, called by ``ui.init_state`` before the page's widgets are
drawn, writes them and keeps every other setting. A presenter also gets "Suggest to the room" here.
"""

from __future__ import annotations

import streamlit as st

from explorer.classroom import service as classroom, questions, suggestions
from explorer.classroom.board import SETTING_NAMES
from explorer.i18n import N_
from ui.params import Param, parse_value
from ui.classroom import _state
from ui.i18n import _
from ui.pages import page_file
from ui.server import _limits, client_address, engine

REFRESH_SECONDS = 2
PAGE_TITLES = {"Train_an_MLP": N_("Train an MLP"), "Hidden_layers": N_("Hidden layers"),
               "Under_and_overfitting": N_("Under- and overfitting"), "Weight_decay": N_("Weight decay")}


# How each suggestable setting (classroom.suggestions.SETTINGS) is named on screen: the class board's names, else
# the page's own control's label (English msgids, translated where shown).
LABELS = {**SETTING_NAMES, "seed": N_("Seed"), "dataset": N_("Dataset"), "units": N_("units"),
          "degree": N_("Number of features d (degree)"), "noise": N_("Noise σ"), "lambd": "λ",
          "penalty": N_("Penalty"), "n_train": N_("Training examples")}


def label(key: str) -> str:
    """A setting's name on screen, in the session's language."""
    if key.startswith("dropout") and key[-1].isdigit():
        return _("Dropout after hidden layer {i}").format(i=key[-1])
    return _(LABELS[key]) if key in LABELS else key


def describe(settings: dict) -> str:
    """``hidden 16, lr 1.0``: each setting's name and its value, as a number or a word."""
    return ", ".join(f"{label(key)} {value}" for key, value in settings.items())


def apply_pending(params: dict[str, Param]) -> None:
    """Called by ``ui.init_state``: the accepted suggestion's settings for this page, before its widgets."""
    state = st.session_state
    pending = state.get("room_apply")
    if not pending or pending["page"] != state.get("room_page") or not set(pending["settings"]) <= set(params):
        return
    del state["room_apply"]
    for key, value in pending["settings"].items():
        raw = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        state[key], _notice = parse_value(key, raw, params[key])  # the page's own check, as for a link
        state[f"_kept_{key}"] = state[key]
    st.success(_("The presenter's settings are in place: {settings}. Your other settings are as they were.")
               .format(settings=describe(pending["settings"])), icon="📣")


def _use(suggestion: dict) -> None:
    state = st.session_state
    state["room_apply"] = state["room_go"] = {"page": suggestion["page"], "settings": suggestion["settings"]}
    state["room_seen"] = suggestion["id"]


def _dismiss(suggestion_id: int) -> None:
    st.session_state["room_seen"] = suggestion_id


def _send(code: str, round_id: int) -> None:
    state = _state()
    value = state.get(f"room_answer_{round_id}")
    try:
        limits, message = _limits(), N_("Too many answers from here; try again in {seconds} s.")
        limits["answer_client"].check(f"client:{client_address()}", message=message)  # a room shares its Wi-Fi
        limits["answer_session"].check(f"session:{state['class_session']}", message=message)
        questions.answer(engine(), code, state["class_session"], state["class_nick_ok"], value)
        state["room_answered"] = {"round": round_id, "value": value}
    except classroom.ClassroomError as err:
        state["room_error"] = err.message(_)
    except classroom.BoardUnavailable:
        state["room_error"] = _("The class board cannot be reached; send your answer again in a moment.")


def _suggestion_box(code: str, page: str) -> None:
    state = st.session_state
    found = suggestions.current(engine(), code)
    if found is None or found["id"] == state.get("room_seen"):
        return
    title = _(PAGE_TITLES.get(found["page"], found["page"]))
    with st.container(border=True):
        st.markdown(_("📣 **The presenter suggests:** {settings}").format(settings=describe(found["settings"])))
        if found["page"] != page:
            st.caption(_("These are settings of the page {page}; using them takes you there.").format(page=title))
        left, right = st.columns(2)
        left.button(_("Use these settings"), key=f"room_use_{found['id']}", type="primary", on_click=_use,
                    args=(found,), use_container_width=True)
        right.button(_("Dismiss"), key=f"room_dismiss_{found['id']}", on_click=_dismiss, args=(found["id"],),
                     use_container_width=True)


def _question_box(code: str) -> None:
    state = _state()
    found = questions.current(engine(), code)
    if found is None:
        return
    item, round_id = questions.QUESTIONS[found["id"]], found["round"]
    with st.container(border=True):
        st.markdown(_("❓ **The presenter asks:** {question}").format(question=_(item.text)))
        if found["revealed"]:
            st.caption(_("The answers are revealed: look at the class board."))
            return
        mine = found["answers"].get(state["class_nick_ok"])
        key = f"room_answer_{round_id}"
        if item.choices:
            st.radio(_("Your prediction"), range(len(item.choices)), key=key, format_func=lambda i: _(item.choices[i]),
                     index=None if mine is None else int(mine))
        else:
            kind = int if item.step == 1 else float  # whole numbers stay whole on the phone's keypad
            st.number_input(_("Your prediction"), kind(item.lo), kind(item.hi), key=key, step=kind(item.step),
                            value=kind(item.lo if mine is None else mine))
        if item.note and not item.answer and item.kind == "number":
            st.caption(_(item.note))
        st.button(_("Send my answer"), key=f"room_send_{round_id}", on_click=_send, args=(code, round_id),
                  disabled=state.get(key) is None)
        if state.get("room_error"):
            st.error(state.pop("room_error"))
        elif mine is not None:
            shown = _(item.choices[int(mine)]) if item.choices else f"{mine:g}"
            st.caption(_("Your answer: {answer}. You can change it until the presenter reveals.").format(answer=shown))


@st.fragment(run_every=REFRESH_SECONDS)
def _room(code: str, page: str) -> None:
    pending = st.session_state.get("room_apply")
    if pending and st.session_state.get("room_go") == pending:  # "Use these settings" was pressed just now
        del st.session_state["room_go"]
        if pending["page"] == page:
            st.rerun()  # a full run: ui.init_state writes the settings before the widgets exist
        st.switch_page(page_file(pending["page"]))
    try:
        _suggestion_box(code, page)
        _question_box(code)
    except classroom.BoardUnavailable:
        pass  # the training page already says the board is unreachable; this tries again in a moment


def _suggest_from_page(code: str, page: str) -> None:
    # The page's settings that differ from its defaults are the ones in its link (ui.sync_url).
    state = st.session_state
    chosen = {k: v for k, v in st.query_params.to_dict().items() if k in suggestions.SETTINGS[page]}
    try:
        done = suggestions.suggest(engine(), code, chosen, page=page, client=client_address())
        state["room_lead_notice"] = ("success", _("Suggested to the room: {settings}.").format(
            settings=describe(done["settings"])))
    except classroom.ClassroomError as err:
        state["room_lead_notice"] = ("error", err.message(_))
    except classroom.BoardUnavailable:
        state["room_lead_notice"] = ("error", _("The class board's database cannot be reached; the change was not "
                                                "saved. Try again."))


def presenter_button(page: str) -> None:
    """For an unlocked presenter with a class open on the board: suggest this page's settings to the room."""
    state = st.session_state
    code = state.get("room_lead_code")
    if not (state.get("presenter") and code and page in suggestions.SETTINGS):
        return
    side = st.sidebar
    side.button(_("📣 Suggest to the room"), key="room_suggest_page", on_click=_suggest_from_page, args=(code, page),
                help=_("Suggests to class {code} the settings of this page that differ from its defaults (the ones "
                       "in its link).").format(code=code))
    if "room_lead_notice" in state:
        kind, message = state.pop("room_lead_notice")
        (side.success if kind == "success" else side.error)(message)


def banner(page: str) -> None:
    """The room's suggestion and question, for a session in a class (not on the board itself)."""
    state = st.session_state
    state["room_page"] = page
    presenter_button(page)
    code = state.get("class_code")
    if not code and st.query_params.get("class"):  # the join link's first run: the page joins after this
        try:
            code = classroom.normalize_code(st.query_params["class"])
        except classroom.BadClassCode:
            return  # the page says what is wrong with it
    if code and page != "Class_board":
        _room(code, page)
