"""The limits that keep a shared class board fair: which runs may be shared, how large they may be, how
often one session may share and how many runs a board and a nickname may hold.

:func:`explorer.classroom.service.share_run` asks these before it writes; each refusal is a
:class:`~explorer.classroom.access.SharingRefused` whose message a person can read.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from explorer.classroom.access import SharingRefused
from explorer.classroom.storage import SharedRun, json_safe, utcnow
from explorer.i18n import N_

SHARES_PER_MINUTE = 5  # per session and class: a room of 30 cannot flood the board by accident
MAX_PAYLOAD_BYTES = 32_000  # config + history + final of one run, as JSON (50 epochs need ~8 kB)
MAX_RUNS_PER_CLASS = 500
MAX_RUNS_PER_NICKNAME = 20  # one person (or one script under one name) cannot fill the board
STATUSES = ("finished", "stopped", "diverged")
NOT_A_RUN = N_("This run's data cannot be shared (it is not config, history and final).")


def shareable_body(payload: dict) -> dict:
    """The run's ``{"config", "history", "final"}`` as JSON-safe values, if its status and size allow sharing it."""
    if payload.get("status") not in STATUSES:
        raise SharingRefused(N_("Only finished, stopped or diverged runs can be shared."))
    try:
        body = json_safe({k: payload[k] for k in ("config", "history", "final")})
        size = len(json.dumps(body))
    except (KeyError, TypeError, ValueError) as err:
        raise SharingRefused(NOT_A_RUN) from err
    if not isinstance(body["config"], dict) or not isinstance(body["history"], list) \
            or not isinstance(body["final"], dict):
        raise SharingRefused(NOT_A_RUN)
    if size > MAX_PAYLOAD_BYTES:
        raise SharingRefused(N_("This run is too large to share (over {kb} kB)."), kb=MAX_PAYLOAD_BYTES // 1000)
    return body


def check_room(s: Session, code: str, session_id: str, nickname: str) -> None:
    """Refuse a new run when this session shared too often in the last minute, the board is full, or
    ``nickname`` already has its share of it (inside the sharing's transaction ``s``)."""
    recent = s.scalar(select(func.count()).select_from(SharedRun).where(
        SharedRun.class_code == code, SharedRun.session_id == session_id,
        SharedRun.shared_at >= utcnow() - timedelta(minutes=1)))
    if recent >= SHARES_PER_MINUTE:
        raise SharingRefused(N_("At most {n} runs per minute; try again in a moment."), n=SHARES_PER_MINUTE)
    total = s.scalar(select(func.count()).select_from(SharedRun).where(SharedRun.class_code == code))
    if total >= MAX_RUNS_PER_CLASS:
        raise SharingRefused(N_("The board is full ({n} runs)."), n=MAX_RUNS_PER_CLASS)
    mine = s.scalar(select(func.count()).select_from(SharedRun).where(
        SharedRun.class_code == code, SharedRun.nickname == nickname))
    if mine >= MAX_RUNS_PER_NICKNAME:
        raise SharingRefused(N_("{nickname} already has {n} runs on this board; withdraw one first."),
                             nickname=nickname, n=MAX_RUNS_PER_NICKNAME)
