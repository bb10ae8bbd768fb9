"""Classroom mode: class codes, nicknames, sharing runs to a class board (within the limits of
:mod:`explorer.classroom.limits`). Plain Python on :mod:`explorer.classroom.storage`; the app, the CLI and
tests share it.

Every refusal is a :class:`ClassroomError` whose message a person can read; an unreachable
database is :class:`BoardUnavailable`, so callers can keep the run and try again later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta  # noqa: F401 (tests use classroom.timedelta)

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from explorer.classroom.access import (  # noqa: F401 (re-exported: callers know them as classroom.X)
    CODE_PATTERN, MAX_NICKNAME, BadClassCode, BadNickname, BoardUnavailable, ClassClosed, ClassroomError,
    NotYourRun, SharingRefused, TooManyAttempts, UnknownClass, clean_nickname, closed_class_lifetime,
    default_nickname, new_code, normalize_code, presenter_key_ok, presenter_key_problem,
)
from explorer.classroom.limits import (  # noqa: F401 (re-exported: callers know them as classroom.X)
    MAX_PAYLOAD_BYTES, MAX_RUNS_PER_CLASS, MAX_RUNS_PER_NICKNAME, SHARES_PER_MINUTE, STATUSES, check_room,
    shareable_body,
)
from explorer.data import DATASET_NAMES, DATASETS, DEFAULT_DATASET
from explorer.i18n import N_
from explorer.classroom.storage import Classroom, PresenterAction, SharedRun, ensure_schema, json_safe, utcnow


@contextmanager
def _database(engine: Engine) -> Iterator[None]:
    try:
        ensure_schema(engine)
        yield
    except SQLAlchemyError as err:
        if isinstance(err, IntegrityError):
            raise
        raise BoardUnavailable(f"the class board's database is unreachable ({type(err).__name__})") from err


def start_class(engine: Engine, code: str | None = None, train_size: int = 5000, epochs: int = 3,
                dataset: str = DEFAULT_DATASET, precision: str = "fp32", client: str | None = None) -> str:
    """Open a class and return its code (a random free one unless ``code`` is given)."""
    if dataset not in DATASET_NAMES:
        raise ValueError(f"dataset must be one of {', '.join(DATASET_NAMES)}")
    with _database(engine), Session(engine) as s, s.begin():
        if code is not None:
            code = normalize_code(code)
            existing = s.get(Classroom, code)
            if existing is not None:
                existing.closed_at = None  # restarting a class reopens it, board and all
                _record(s, code, "reopen", {}, client)
                return code
        else:
            code = new_code()
            while s.get(Classroom, code) is not None:  # 1 in a billion per class open: draw again
                code = new_code()
        s.add(Classroom(code=code, created_at=utcnow(), train_size=train_size, epochs=epochs, dataset=dataset,
                        precision=precision))
        _record(s, code, "start", {"train_size": train_size, "epochs": epochs, "dataset": dataset,
                                   "precision": precision}, client)
    return code


def _open(s: Session, code: str) -> Classroom:
    klass = s.get(Classroom, code)
    if klass is None:
        raise UnknownClass(N_("There is no class {code}; check the code with your presenter."), code=code)
    return klass


def _forget_if_expired(engine: Engine, code: str) -> None:
    """A closed class past its lifetime is deleted, its board and log with it (in a transaction of its own)."""
    lifetime = closed_class_lifetime()
    if lifetime is None:
        return
    with Session(engine) as s, s.begin():
        klass = s.get(Classroom, code)
        if klass is not None and klass.closed_at is not None and klass.closed_at < utcnow() - lifetime:
            for table in (SharedRun, PresenterAction):
                s.execute(delete(table).where(table.class_code == code))
            s.delete(klass)


def get_class(engine: Engine, code: str) -> dict:
    """The class's settings; raises :class:`UnknownClass` (and :class:`BadClassCode`)."""
    code = normalize_code(code)
    with _database(engine):
        _forget_if_expired(engine, code)
        with Session(engine) as s:
            klass = _open(s, code)
            return {"code": klass.code, "closed": klass.closed_at is not None, "auto_share": klass.auto_share,
                    "locked": klass.locked, "train_size": klass.train_size, "epochs": klass.epochs,
                    "dataset": klass.dataset or DEFAULT_DATASET, "precision": klass.precision or "fp32"}


def update_class(engine: Engine, code: str, client: str | None = None, **settings) -> dict:
    """Presenter settings: ``auto_share``, ``locked``, ``train_size``, ``epochs``, ``dataset``, ``precision``,
    ``closed``. Only the fields given are written, so two presenter tabs cannot undo each other's others."""
    allowed = {"auto_share", "locked", "train_size", "epochs", "dataset", "precision", "closed"}
    if set(settings) - allowed:
        raise ValueError(f"unknown class settings {sorted(set(settings) - allowed)}")
    if settings.get("dataset", DEFAULT_DATASET) not in DATASET_NAMES:
        raise ValueError(f"dataset must be one of {', '.join(DATASET_NAMES)}")
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        klass = _open(s, code)
        changed = {}
        closed = settings.pop("closed", None)
        if closed is not None and closed != (klass.closed_at is not None):
            klass.closed_at = utcnow() if closed else None
            changed["closed"] = closed
        for key, value in settings.items():
            if getattr(klass, key) != value:
                setattr(klass, key, value)
                changed[key] = value
        if changed:
            _record(s, code, "settings", changed, client)
    return get_class(engine, code)


def _record(s: Session, code: str, action: str, detail: dict, client: str | None) -> None:
    s.add(PresenterAction(class_code=code, action=action, detail=json_safe(detail), client=(client or "")[:64],
                          at=utcnow()))


def audit_log(engine: Engine, code: str, limit: int = 100) -> list[dict]:
    """The presenter's actions on this class, newest first: ``{"at", "action", "detail", "client"}``."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s:
        rows = s.scalars(select(PresenterAction).where(PresenterAction.class_code == code)
                         .order_by(PresenterAction.id.desc()).limit(limit)).all()
        return [{"at": r.at.isoformat(timespec="seconds") + "+00:00", "action": r.action, "detail": r.detail,
                 "client": r.client} for r in rows]


def run_payload(config: dict, history: list[dict], status: str) -> dict:
    """What a shared run carries: ``{"config", "history", "final", "status"}``."""
    final = dict(history[-1]) if history else {"epoch": 0}
    final["status"] = status
    return {"config": dict(config), "history": [dict(row) for row in history], "final": final, "status": status}


def share_run(engine: Engine, code: str, session_id: str, nickname: str, run_key: str, payload: dict) -> int:
    """Put a run on the board and return its board id; sharing the same run again returns that id."""
    code, nickname = normalize_code(code), clean_nickname(nickname)
    status, body = payload.get("status"), shareable_body(payload)
    with _database(engine):
        try:
            with Session(engine) as s, s.begin():
                existing = s.scalar(select(SharedRun.id).where(
                    SharedRun.class_code == code, SharedRun.session_id == session_id, SharedRun.run_key == run_key))
                if existing is not None:
                    return existing
                klass = _open(s, code)
                if klass.closed_at is not None:
                    raise ClassClosed(N_("Class {code} is closed; the board takes no more runs."), code=code)
                if klass.locked:
                    raise SharingRefused(N_("The presenter has paused sharing for the moment."))
                ours, theirs = klass.dataset or DEFAULT_DATASET, str(body["config"].get("dataset", DEFAULT_DATASET))
                if theirs != ours:  # runs on different datasets never share a chart or a leaderboard
                    raise SharingRefused(N_("Class {code} trains on {dataset}; this run is on another dataset "
                                            "({other}). Switch the dataset and train again to share."), code=code,
                                         dataset=DATASETS[ours].title, other=theirs[:20])
                check_room(s, code, session_id, nickname)
                test_acc = body["final"].get("test_acc")
                row = SharedRun(class_code=code, session_id=session_id, run_key=run_key, nickname=nickname,
                                config=body["config"], history=body["history"], final=body["final"],
                                status=status, shared_at=utcnow(),
                                test_acc=test_acc if isinstance(test_acc, (int, float)) else None)
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # the same run shared twice at the same moment: the other write won
            with Session(engine) as s:
                return s.scalar(select(SharedRun.id).where(
                    SharedRun.class_code == code, SharedRun.session_id == session_id, SharedRun.run_key == run_key))


def withdraw_run(engine: Engine, code: str, session_id: str, board_id: int) -> None:
    """Take one of *your* runs off the board; anybody else's is refused, and a closed board is read-only."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        if _open(s, code).closed_at is not None:
            raise ClassClosed(N_("Class {code} is closed; its board can no longer change."), code=code)
        gone = s.execute(delete(SharedRun).where(SharedRun.id == board_id, SharedRun.class_code == code,
                                                 SharedRun.session_id == session_id)).rowcount
        if not gone:
            raise NotYourRun(N_("You can withdraw only runs you shared yourself."))


def clear_board(engine: Engine, code: str, client: str | None = None) -> int:
    """Presenter action: remove every run of the class; returns how many (a closed board stays as it is)."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        if _open(s, code).closed_at is not None:
            raise ClassClosed(N_("Class {code} is closed; its board can no longer change."), code=code)
        removed = s.execute(delete(SharedRun).where(SharedRun.class_code == code)).rowcount
        _record(s, code, "clear", {"removed": removed}, client)
        return removed


def board_version(engine: Engine, code: str) -> tuple[int, int]:
    """(runs, newest id): a cheap question the board asks every few seconds, re-reading the runs only when
    the answer changes."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s:
        count, newest = s.execute(select(func.count(), func.max(SharedRun.id))
                                  .where(SharedRun.class_code == code)).one()
        return int(count), int(newest or 0)


def board(engine: Engine, code: str, with_history: bool = False) -> dict:
    """``{"class", "runs": [{"nickname", "run", "config", "final", "status", "shared_at"}]}``, oldest first."""
    code = get_class(engine, code)["code"]
    with _database(engine), Session(engine) as s:
        rows = s.scalars(select(SharedRun).where(SharedRun.class_code == code)
                         .order_by(SharedRun.id).limit(MAX_RUNS_PER_CLASS)).all()
        runs = []
        for r in rows:
            entry = {"nickname": r.nickname, "run": r.id, "config": r.config, "final": r.final,
                     "status": r.status, "shared_at": r.shared_at.isoformat(timespec="seconds") + "+00:00"}
            if with_history:
                entry["history"] = r.history
            runs.append(entry)
    return {"class": code, "runs": runs}
