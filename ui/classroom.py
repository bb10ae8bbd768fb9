"""Classroom mode in the app: joining with ?class=, a nickname, and "Share with the class".

Shares go through a queue in the session: a run waits there while the database is unreachable and
is sent on the next script run (or with "Retry now"); it also waits on disk (``ui.server.spool``), whose
thread sends it even after the tab is closed or the server restarted. The unique key per (class,
session, run) makes a share sent twice land once.
"""

from __future__ import annotations

import uuid

import streamlit as st
from streamlit.errors import StreamlitAPIException

from explorer.classroom import service as classroom
from explorer.data import DEFAULT_DATASET, TRAIN_SIZES
from explorer.i18n import N_
from explorer.mlp.precision import offered
from ui.i18n import _
from ui.server import _limits, client_address, engine, session_lock, spool



def escape(text: str) -> str:
    """A nickname inside markdown: every markdown/HTML character shown as itself."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in str(text))


def _state():
    state = st.session_state
    state.setdefault("class_session", uuid.uuid4().hex)  # who "you" are on the board: this browser session
    state.setdefault("class_nickname", classroom.default_nickname())
    state.setdefault("class_nick_ok", state["class_nickname"])
    state.setdefault("class_shared", {})  # run key -> board id
    state.setdefault("class_pending", [])  # [{"key", "payload"}] waiting for the database
    state.setdefault("class_withdrawn", set())
    state.setdefault("class_notices", [])
    return state


def lookup(raw: str) -> dict | None:
    """The class behind a code typed or linked by a person, or None after a notice saying why.

    An unreachable database gives a stand-in (``"offline": True``) so shares can wait for it.
    """
    limits, who = _limits(), (f"client:{client_address()}", f"session:{_state()['class_session']}")
    wait = max(limits["lookup_client"].wait(who[0]), limits["lookup_session"].wait(who[1]))
    if wait > 0:  # only wrong codes count: a class's own attendees rerun freely
        st.warning(_("Too many wrong class codes from here; try again in {seconds} s.").format(
            seconds=max(1, round(wait))), icon="⏳")
        return None
    try:
        code = classroom.normalize_code(raw)
        return classroom.get_class(engine(), code)
    except classroom.BadClassCode:
        limits["lookup_client"].hit(who[0])
        limits["lookup_session"].hit(who[1])
        st.warning(_("That is not a class code; class codes look like MLP-7KQ2XM."), icon="🎓")
    except classroom.UnknownClass:
        limits["lookup_client"].hit(who[0])
        limits["lookup_session"].hit(who[1])
        st.warning(_("There is no class {code}. Check the code with your presenter.").format(code=code), icon="🎓")
    except classroom.BoardUnavailable:
        st.warning(_("The class board cannot be reached right now. You can keep training; runs you share "
                     "wait here and are sent when it is back."), icon="📡")
        return {"code": code, "closed": False, "auto_share": False, "locked": False, "offline": True}
    return None


def join() -> dict | None:
    """The class this session is in (from ``?class=``, kept for the session), or None after a notice.

    On first joining, the class defaults (training images, epochs, dataset, precision) replace the page's
    values unless the link sets them itself.
    """
    state = _state()
    raw = st.query_params.get("class") or state.get("class_code")
    klass = lookup(raw) if raw else None
    if klass is None:
        if raw:  # the notice was shown; a bad code is not carried into every later link and rerun
            st.query_params.pop("class", None)
            state.pop("class_code", None)
        return None
    code = klass["code"]
    if klass["closed"]:
        st.info(_("Class {code} is closed: its board takes no more runs.").format(code=code), icon="🎓")
        return None
    st.query_params["class"] = code  # kept in the link, so a reload or a bookmark stays in the class
    if state.get("class_code") != code:
        state["class_code"] = code
        if not klass.get("offline"):
            if "train_size" in state and "train_size" not in st.query_params:
                state["train_size"] = min(TRAIN_SIZES, key=lambda n: abs(n - klass["train_size"]))
            if "epochs" in state and "epochs" not in st.query_params:
                state["epochs"] = max(1, min(50, klass["epochs"]))
            if "dataset" in state and "dataset" not in st.query_params:
                state["dataset"] = klass.get("dataset", DEFAULT_DATASET)
            if "precision" in state and "precision" not in st.query_params and klass.get("precision") in offered():
                state["precision"] = klass["precision"]
    return klass


def _check_nickname(state) -> None:
    # Before the widget is drawn: a refused nickname can still be put back to the last good one.
    try:
        state["class_nick_ok"] = classroom.clean_nickname(state["class_nickname"])
    except classroom.BadNickname as err:
        reason = err.message(_)
        state["class_notices"].append(("error", _("That nickname cannot be used: {reason}").format(reason=reason)))
        state["class_nickname"] = state["class_nick_ok"]


def sidebar(klass: dict, book: list = (), where=None) -> None:
    """Class name, nickname, and the state of the share queue (sending what is waiting); in the sidebar
    unless ``where`` is another container (the training page puts it above its controls, for phones)."""
    state = _state()
    _check_nickname(state)
    auto_share(book, klass)
    flush(klass)
    side = where if where is not None else st.sidebar
    side.subheader(_("🎓 Class {code}").format(code=klass["code"]))
    side.text_input(_("Your nickname on the class board"), key="class_nickname", max_chars=classroom.MAX_NICKNAME,
                    help=_("Letters, digits, spaces, '.', '-' and '_'; at most 24."))
    for kind, message in state["class_notices"]:
        (side.error if kind == "error" else side.warning)(message)
    state["class_notices"] = []
    if state["class_pending"]:
        side.warning(_("The class board cannot be reached: {n} shared run(s) wait in this session and are "
                       "sent automatically when it is back. Nothing is lost.").format(n=len(state["class_pending"])),
                     icon="📡")
        side.button(_("Retry now"), key="class_retry")  # a rerun is the retry: flush() runs first thing


def flush(klass: dict) -> None:
    """Send the waiting shares; stop at the first outage and keep the rest for later."""
    with session_lock("shares"):  # a fast rerun's thread must not send (and drop) the same first share
        _flush(klass)


def _flush(klass: dict) -> None:
    state = _state()
    while state["class_pending"]:
        item = state["class_pending"][0]
        try:
            board_id = classroom.share_run(engine(), klass["code"], state["class_session"], state["class_nick_ok"],
                                           item["key"], item["payload"])
        except classroom.BoardUnavailable:
            if "path" not in item:  # on disk, so a closed tab or a restart loses nothing; the server retries
                try:
                    item["path"] = spool().put(klass["code"], state["class_session"], state["class_nick_ok"],
                                               item["key"], item["payload"])
                except classroom.SharingRefused as err:
                    state["class_notices"].append(("warning", err.message(_)))
            return
        except classroom.ClassroomError as err:
            state["class_notices"].append(("warning", _("Run {run} was not shared: {reason}").format(
                run=item["key"], reason=err.message(_))))
            state["class_withdrawn"].add(item["key"])  # refused: no automatic retry; the button stays
        else:
            state["class_shared"][item["key"]] = board_id
        if "path" in item:
            item["path"].unlink(missing_ok=True)
        state["class_pending"].pop(0)


def _enqueue(run) -> None:
    state = _state()
    key = str(run.id)
    if key in state["class_shared"] or any(item["key"] == key for item in state["class_pending"]):
        return
    try:  # the database counts shares per session; a reload is a new session, but not a new address
        _limits()["share_client"].check(f"client:{client_address()}",
                                        message=N_("Too many runs shared from here; try again in {seconds} s."))
    except classroom.TooManyAttempts as err:
        state["class_notices"].append(("warning", err.message(_)))
        return
    state["class_withdrawn"].discard(key)
    state["class_pending"].append({"key": key, "payload": classroom.run_payload(run.config, run.history, run.status)})


def _withdraw(code: str, key: str) -> None:
    state = _state()
    try:
        classroom.withdraw_run(engine(), code, state["class_session"], state["class_shared"][key])
    except classroom.BoardUnavailable:
        state["class_notices"].append(("warning", _("The class board cannot be reached; try withdrawing again.")))
        return
    except classroom.NotYourRun:
        pass  # already gone (the presenter cleared the board): forget it here too
    state["class_shared"].pop(key, None)
    state["class_withdrawn"].add(key)


def auto_share(book: list, klass: dict) -> None:
    """When the presenter turned it on: every finished run is shared once (withdrawn ones stay off)."""
    if not klass.get("auto_share"):
        return
    state = _state()
    for run in book:
        if run.status in classroom.STATUSES and str(run.id) not in state["class_withdrawn"]:
            _enqueue(run)


def board_link(code: str) -> None:
    """A link to the class's board (the same session: the runs trained here stay)."""
    label = _("🎓 See yourself on the class board")
    try:
        st.page_link(page="pages/6_Class_board.py", label=label, query_params={"class": code})
    except StreamlitAPIException:  # a page file run on its own (AppTest) has no navigation to link into
        target = f"Class_board?class={code}"
        st.markdown(f"[{label}]({target})")


def share_box(run, klass: dict) -> None:
    """"Share with the class" for a finished, stopped or diverged run; "Withdraw" once it is shared."""
    if run is None or run.status not in classroom.STATUSES:
        return
    state, key = _state(), str(run.id)
    left, right = st.columns([3, 1])
    if key in state["class_shared"]:
        left.success(_("Run {run} is on the board of class {code} as {nickname}.").format(
            run=run.id, code=klass["code"], nickname=escape(state["class_nick_ok"])), icon="📤")
        right.button(_("Withdraw"), key=f"class_withdraw_{key}", on_click=_withdraw, args=(klass["code"], key),
                     use_container_width=True)
        board_link(klass["code"])
    elif any(item["key"] == key for item in state["class_pending"]):
        left.info(_("Run {run} waits to be shared (the class board is unreachable).").format(run=run.id), icon="📡")
    elif klass.get("locked"):
        left.info(_("The presenter has paused sharing for the moment."), icon="⏸️")
    else:
        right.button(_("📤 Share with the class"), key=f"class_share_{key}", on_click=_enqueue, args=(run,),
                     type="primary", use_container_width=True)
        left.caption(_("Shares this run's settings, curves and final accuracy with class {code} as {nickname}.")
                     .format(code=klass["code"], nickname=escape(state["class_nick_ok"])))
