"""What one server process keeps for all its sessions: the class board's engine, the rate limits, the
spool of shares waiting for the database (with the thread that retries them), and each session's locks."""

from __future__ import annotations

import hashlib
import threading

import streamlit as st

from explorer.classroom import share_spool, storage
from explorer.classroom.access import Backoff, RateLimiter
from explorer.data import default_data_dir
from explorer.classroom.questions import ANSWERS_PER_MINUTE


_locks_made = threading.Lock()


def session_lock(name: str) -> threading.Lock:
    """A lock of this session's. Streamlit's fast reruns start a session's new script run in a new thread
    while the old one may still be running: code that changes the session's state in several steps (a
    training step, sending the waiting shares) holds it, so the two never interleave."""
    with _locks_made:
        return st.session_state.setdefault(f"_lock_{name}", threading.Lock())


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return storage.connect(url)  # one engine (and connection pool) per server process and URL


def engine():
    return _engine(storage.database_url())


@st.cache_resource(show_spinner=False)
def _spool(url: str) -> share_spool.Spool:
    # One per server process and database: its thread sends what closed tabs left waiting (a folder per
    # database, so a share never goes to a database it was not meant for).
    spool = share_spool.Spool(default_data_dir() / "share-spool" / hashlib.sha256(url.encode()).hexdigest()[:16])
    share_spool.start_retrying(spool, url)
    return spool


def spool() -> share_spool.Spool:
    return _spool(storage.database_url())


@st.cache_resource(show_spinner=False)
def _limits() -> dict:
    """Per server process, shared by its sessions; each counts per client address and per session. A room
    behind one Wi-Fi address shares the address's allowance, so those are wider than a session's."""
    return {"lookup_client": RateLimiter(60), "lookup_session": RateLimiter(10),  # wrong codes a minute
            "share_client": RateLimiter(60), "key": Backoff(), "key_client": RateLimiter(20),
            # predictions (classroom.questions): like shares, a session's own and its address's (a room's Wi-Fi)
            "answer_session": RateLimiter(ANSWERS_PER_MINUTE), "answer_client": RateLimiter(120)}


def client_address() -> str:
    """The client's address: the websocket's peer, or behind deploy/'s nginx (a loopback peer) the address
    nginx appended last to X-Forwarded-For (earlier entries are the client's own claims)."""
    address = getattr(st.context, "ip_address", None)
    if isinstance(address, str) and address:
        return address
    forwarded = (getattr(st.context, "headers", None) or {}).get("X-Forwarded-For", "")
    return (forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else "") or "local"
