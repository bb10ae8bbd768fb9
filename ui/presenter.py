"""The presenter's side of the class board: the key (with a growing wait after wrong ones) and the audit
log of what presenters did to a class."""

from __future__ import annotations


import pandas as pd
import streamlit as st

from explorer.classroom import service as classroom
from ui.classroom import _state
from ui.server import _limits, client_address, engine
from ui.i18n import _
from explorer import settings


def presenter_key() -> str | None:
    """From ``$EXPLORER_PRESENTER_KEY``, else ``presenter_key`` in .streamlit/secrets.toml."""
    key = settings.get("EXPLORER_PRESENTER_KEY")
    if key:
        return key
    try:
        return st.secrets.get("presenter_key") or None
    except Exception:  # no secrets file at all is the common case, not an error
        return None


def try_presenter_key(given: str | None, expected: str | None) -> str | None:
    """Check a typed key; None when it is right, else what to tell the person. In a session each wrong key
    doubles the wait before the next one counts; an address gets 20 wrong keys a minute (only wrong ones
    count, so an attendee on the presenter's Wi-Fi cannot lock the presenter out for long)."""
    limits = _limits()
    session, address = f"session:{_state()['class_session']}", f"client:{client_address()}"
    wait = max(limits["key"].wait(session), limits["key_client"].wait(address))
    if wait > 0:
        return _("Too many wrong keys; wait {seconds} s before the next try.").format(seconds=max(1, round(wait)))
    if classroom.presenter_key_ok(given, expected):
        limits["key"].succeeded(session)
        return None
    limits["key"].failed(session)
    limits["key_client"].hit(address)
    return _("Wrong presenter key. The board stays view-only.")


def audit_log(code: str) -> None:
    """What presenters did to this class (start, settings, clear, close), newest first, with their address."""
    try:
        rows = classroom.audit_log(engine(), code)
    except classroom.BoardUnavailable:
        st.caption(_("The audit log cannot be read while the database is unreachable."))
        return
    st.dataframe(pd.DataFrame([{_("time (UTC)"): r["at"], _("action"): r["action"],
                                _("details"): ", ".join(f"{k}={v}" for k, v in r["detail"].items()),
                                _("from"): r["client"]} for r in rows]), hide_index=True, key="board_audit")
