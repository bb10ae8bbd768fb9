"""The class board page's parts (pages/6_Class_board.py): the join panel (link and QR code), the presenter's
controls of a class, and the board's findings in sentences. The attendee's side is ui/classroom.py; the
presenter's key and audit log are ui/presenter.py."""

from __future__ import annotations

import io

import segno
import streamlit as st

from explorer.classroom import service as classroom
from explorer.data import DATASETS, TRAIN_SIZES
from explorer.mlp.precision import offered
from ui import classroom as classroom_ui
from ui import presenter as presenter_ui
from ui import server
from ui.i18n import _
from explorer import settings


def join_url(code: str) -> str:
    """The link attendees open: the training page in this class (``$EXPLORER_PUBLIC_URL`` overrides the
    host, for a server that sees itself as localhost while the room uses another name)."""
    base = (settings.get("EXPLORER_PUBLIC_URL") or "").rstrip("/")
    if not base:
        current = (getattr(st.context, "url", None) or "http://localhost:8501").split("?")[0].rstrip("/")
        base = current.removesuffix("/Class_board")
    return f"{base}/Train_an_MLP?class={code}"  # the class's dataset comes with the class (join)


def qr_png(url: str, scale: int = 12) -> bytes:
    """A QR code of ``url`` as PNG, big and plain enough to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def join_panel(code: str, dataset) -> None:
    """How to join: the code, the class's dataset, the link and its QR code (380 px, for the projector)."""
    link = join_url(code)
    left, right = st.columns([3, 2])
    left.markdown(_("## Join class **{code}**").format(code=code))
    left.markdown(_("This class trains on **{dataset}**; the board compares runs on it only.").format(
        dataset=dataset.title))
    left.markdown(_("Scan the code, or open this link: the training page opens in the class."))
    left.code(link, language=None)
    right.image(qr_png(link), width=380, caption=_("Join class {code}").format(code=code),
                alt=_("QR code of the link that joins class {code}: {link}").format(code=code, link=link))


def presenter_action(action, code: str, *args, **settings):
    """Run a presenter change; an unreachable database gets a notice instead of a traceback."""
    try:
        return action(server.engine(), code, *args, client=server.client_address(), **settings)
    except classroom.BoardUnavailable:
        st.error(_("The class board's database cannot be reached; the change was not saved. Try again."))
    except classroom.ClassClosed as err:
        st.error(err.message(_))
    return None


def save_setting(code: str, name: str):
    # Only the setting that was moved: another presenter tab's other settings (a lock) stay as they are.
    presenter_action(classroom.update_class, code, **{name: st.session_state[f"board_{name}"]})


def presenter_controls(code: str, klass: dict, dataset) -> None:
    """The class's defaults, sharing, clearing and closing, and the audit log: for an unlocked presenter."""
    state = st.session_state
    with st.expander(_("🎛️ Presenter controls"), expanded=False):
        for key, value in (("auto_share", klass["auto_share"]), ("locked", klass["locked"]),
                           ("train_size", klass["train_size"]), ("epochs", klass["epochs"]),
                           ("dataset", dataset.name), ("precision", klass.get("precision", "fp32"))):
            state.setdefault(f"board_{key}", value)
        st.selectbox(_("Class dataset"), list(DATASETS), key="board_dataset", on_change=save_setting,
                     args=(code, "dataset"), format_func=lambda name: DATASETS[name].title,
                     help=_("Attendees who join train on it; the board shows runs on this dataset only."))
        cols = st.columns(5)
        cols[0].select_slider(_("Class default: training images"), TRAIN_SIZES, key="board_train_size",
                              on_change=save_setting, args=(code, "train_size"))
        cols[1].slider(_("Class default: epochs"), 1, 20, key="board_epochs", on_change=save_setting,
                       args=(code, "epochs"))
        cols[2].selectbox(_("Class default: precision"), offered(), key="board_precision", on_change=save_setting,
                          args=(code, "precision"),
                          help=_("bfloat16 trains faster on this server's CPU; float32 gives the book's numbers."))
        cols[3].toggle(_("Auto-share finished runs"), key="board_auto_share", on_change=save_setting,
                       args=(code, "auto_share"))
        cols[4].toggle(_("Lock sharing"), key="board_locked", on_change=save_setting, args=(code, "locked"),
                       help=_("While locked, nobody can share; runs already shared stay."))
        confirm = st.checkbox(_("Yes, remove every run from this board"), key="board_clear_confirm",
                              disabled=klass["closed"])
        if st.button(_("🗑 Clear the board"), key="board_clear", disabled=not confirm or klass["closed"]):
            removed = presenter_action(classroom.clear_board, code)
            if removed is not None:
                st.success(_("Runs removed from the board: {n}.").format(n=removed))
        closing = not klass["closed"]
        if st.button(_("Close the class") if closing else _("Reopen the class"), key="board_close"):
            if presenter_action(classroom.update_class, code, closed=closing) is not None:
                st.rerun()
        st.markdown(_("**Audit log**: what presenters did to this class, and from which address."))
        presenter_ui.audit_log(code)


def found_captions(found: dict) -> list[str]:
    """Sentences from the numbers: whole sentences with placeholders, so they translate."""
    lines = []
    if "best" in found:
        lines.append(_("Best run so far: {nickname} with {acc:.1%} test accuracy (lr {lr:g}, width {width}).").format(
            nickname=classroom_ui.escape(found["best"]["nickname"]), acc=found["best"]["test_acc"],
            lr=found["best"]["lr"], width=found["best"]["hidden"]))
        lines.append(_("The best learning rate so far is {lr:g}: median test accuracy {acc:.1%} (runs with it: {n}).")
                     .format(lr=found["best_lr"], acc=found["best_lr_acc"], n=found["lr_runs"]))
    if found["diverged"]:
        lines.append(_("Diverged runs: {n}, at learning rates {lrs}.").format(
            n=found["diverged"], lrs=", ".join(f"{lr:g}" for lr in found["diverged_lrs"])))
    if "widest" in found:
        lines.append(_("Width {wide} reached {wide_acc:.1%} (median), width {narrow} {narrow_acc:.1%}.").format(
            wide=found["widest"], wide_acc=found["widest_acc"], narrow=found["narrowest"],
            narrow_acc=found["narrowest_acc"]))
    if "dropout_acc" in found:
        lines.append(_("With dropout: {with_:.1%} median test accuracy; without: {without:.1%}.").format(
            with_=found["dropout_acc"], without=found["no_dropout_acc"]))
    return lines
