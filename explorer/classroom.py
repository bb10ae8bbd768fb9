"""Classroom mode: class codes, nicknames, sharing runs to a class board, and the limits that keep
a shared server fair. Plain Python on :mod:`explorer.storage`; the app, the CLI and tests share it.

Every refusal is a :class:`ClassroomError` whose message a person can read; an unreachable
database is :class:`BoardUnavailable`, so callers can keep the run and try again later.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from explorer.data import DATASET_NAMES, DATASETS, DEFAULT_DATASET
from explorer.i18n import N_, Explained
from explorer.storage import Classroom, SharedRun, ensure_schema, json_safe, utcnow

CODE_PATTERN = re.compile(r"^(?:MLP-?)?(\d{4})$")
NICKNAME_PATTERN = re.compile(r"^[^\W_][\w .-]*$")  # starts with a letter or digit; then also space . - _
MAX_NICKNAME = 24
SHARES_PER_MINUTE = 5  # per session and class: a room of 30 cannot flood the board by accident
MAX_PAYLOAD_BYTES = 32_000  # config + history + final of one run, as JSON (50 epochs need ~8 kB)
MAX_RUNS_PER_CLASS = 500
STATUSES = ("finished", "stopped", "diverged")
ANIMALS = ("Otter", "Lynx", "Heron", "Badger", "Gecko", "Puffin", "Marmot", "Ibex", "Koala", "Narwhal",
           "Okapi", "Quokka", "Tapir", "Walrus", "Yak", "Zebra", "Falcon", "Beaver", "Dingo", "Panda")
ADJECTIVES = ("Curious", "Brave", "Quick", "Calm", "Bright", "Clever", "Lucky", "Merry", "Bold", "Keen")


class ClassroomError(Explained, ValueError):
    """A request the class board refuses; the message says why (``err.message(_)`` translated)."""


class BadClassCode(ClassroomError):
    pass


class UnknownClass(ClassroomError):
    pass


class ClassClosed(ClassroomError):
    pass


class BadNickname(ClassroomError):
    pass


class SharingRefused(ClassroomError):
    """Rate limit, locked sharing, a full board or an oversized run."""


class NotYourRun(ClassroomError):
    pass


class BoardUnavailable(RuntimeError):
    """The database cannot be reached; nothing was written."""


@contextmanager
def _database(engine: Engine) -> Iterator[None]:
    try:
        ensure_schema(engine)
        yield
    except SQLAlchemyError as err:
        if isinstance(err, IntegrityError):
            raise
        raise BoardUnavailable(f"the class board's database is unreachable ({type(err).__name__})") from err


def normalize_code(text: str) -> str:
    """``mlp-4821``, `` MLP4821 `` and ``4821`` all mean ``MLP-4821``; anything else is refused."""
    match = CODE_PATTERN.match((text or "").strip().upper())
    if not match:
        raise BadClassCode(f"{(text or '')[:20]!r} is not a class code; codes look like MLP-4821.")
    return f"MLP-{match.group(1)}"


def default_nickname(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"


def clean_nickname(text: str) -> str:
    """The nickname as stored: NFC, spaces collapsed; refused if too long or with odd characters."""
    nick = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not nick:
        raise BadNickname(N_("Choose a nickname of at least one letter."))
    if len(nick) > MAX_NICKNAME:
        raise BadNickname(N_("Nicknames have at most {n} characters."), n=MAX_NICKNAME)
    if not NICKNAME_PATTERN.match(nick):
        raise BadNickname(N_("Nicknames may use letters, digits, spaces, '.', '-' and '_' only."))
    return nick


def presenter_key_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no configured key means nobody is the presenter."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def start_class(engine: Engine, code: str | None = None, train_size: int = 5000, epochs: int = 3,
                dataset: str = DEFAULT_DATASET) -> str:
    """Open a class and return its code (a random free one unless ``code`` is given)."""
    if dataset not in DATASET_NAMES:
        raise ValueError(f"dataset must be one of {', '.join(DATASET_NAMES)}")
    with _database(engine), Session(engine) as s, s.begin():
        if code is not None:
            code = normalize_code(code)
            existing = s.get(Classroom, code)
            if existing is not None:
                existing.closed_at = None  # restarting a class reopens it, board and all
                return code
        else:
            taken = set(s.scalars(select(Classroom.code)))
            free = [n for n in range(1000, 10000) if f"MLP-{n}" not in taken]
            if not free:
                raise ClassroomError("Every class code is taken; clear old classes first.")
            code = f"MLP-{secrets.choice(free)}"
        s.add(Classroom(code=code, created_at=utcnow(), train_size=train_size, epochs=epochs, dataset=dataset))
    return code


def get_class(engine: Engine, code: str) -> dict:
    """The class's settings; raises :class:`UnknownClass` (and :class:`BadClassCode`)."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s:
        klass = s.get(Classroom, code)
        if klass is None:
            raise UnknownClass(f"There is no class {code}; check the code with your presenter.")
        return {"code": klass.code, "closed": klass.closed_at is not None, "auto_share": klass.auto_share,
                "locked": klass.locked, "train_size": klass.train_size, "epochs": klass.epochs,
                "dataset": klass.dataset or DEFAULT_DATASET}


def update_class(engine: Engine, code: str, **settings) -> dict:
    """Presenter settings: ``auto_share``, ``locked``, ``train_size``, ``epochs``, ``dataset``, ``closed``."""
    allowed = {"auto_share", "locked", "train_size", "epochs", "dataset", "closed"}
    if set(settings) - allowed:
        raise ValueError(f"unknown class settings {sorted(set(settings) - allowed)}")
    if settings.get("dataset", DEFAULT_DATASET) not in DATASET_NAMES:
        raise ValueError(f"dataset must be one of {', '.join(DATASET_NAMES)}")
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        klass = s.get(Classroom, code)
        if klass is None:
            raise UnknownClass(f"There is no class {code}.")
        closed = settings.pop("closed", None)
        if closed is not None:
            klass.closed_at = (klass.closed_at or utcnow()) if closed else None
        for key, value in settings.items():
            setattr(klass, key, value)
    return get_class(engine, code)


def run_payload(config: dict, history: list[dict], status: str) -> dict:
    """What a shared run carries: ``{"config", "history", "final", "status"}``."""
    final = dict(history[-1]) if history else {"epoch": 0}
    final["status"] = status
    return {"config": dict(config), "history": [dict(row) for row in history], "final": final, "status": status}


def share_run(engine: Engine, code: str, session_id: str, nickname: str, run_key: str, payload: dict) -> int:
    """Put a run on the board and return its board id; sharing the same run again returns that id."""
    code, nickname = normalize_code(code), clean_nickname(nickname)
    status = payload.get("status")
    if status not in STATUSES:
        raise SharingRefused(N_("Only finished, stopped or diverged runs can be shared."))
    try:
        body = json_safe({k: payload[k] for k in ("config", "history", "final")})
        size = len(json.dumps(body))
    except (KeyError, TypeError, ValueError) as err:
        raise SharingRefused(N_("This run's data cannot be shared (it is not config, history and final).")) from err
    if not isinstance(body["config"], dict) or not isinstance(body["history"], list) \
            or not isinstance(body["final"], dict):
        raise SharingRefused(N_("This run's data cannot be shared (it is not config, history and final)."))
    if size > MAX_PAYLOAD_BYTES:
        raise SharingRefused(N_("This run is too large to share (over {kb} kB)."), kb=MAX_PAYLOAD_BYTES // 1000)
    with _database(engine):
        try:
            with Session(engine) as s, s.begin():
                existing = s.scalar(select(SharedRun.id).where(
                    SharedRun.class_code == code, SharedRun.session_id == session_id, SharedRun.run_key == run_key))
                if existing is not None:
                    return existing
                klass = s.get(Classroom, code)
                if klass is None:
                    raise UnknownClass(N_("There is no class {code}."), code=code)
                if klass.closed_at is not None:
                    raise ClassClosed(N_("Class {code} is closed; the board takes no more runs."), code=code)
                if klass.locked:
                    raise SharingRefused(N_("The presenter has paused sharing for the moment."))
                ours, theirs = klass.dataset or DEFAULT_DATASET, str(body["config"].get("dataset", DEFAULT_DATASET))
                if theirs != ours:  # runs on different datasets never share a chart or a leaderboard
                    raise SharingRefused(N_("Class {code} trains on {dataset}; this run is on another dataset "
                                            "({other}). Switch the dataset and train again to share."), code=code,
                                         dataset=DATASETS[ours].title, other=theirs[:20])
                recent = s.scalar(select(func.count()).select_from(SharedRun).where(
                    SharedRun.class_code == code, SharedRun.session_id == session_id,
                    SharedRun.shared_at >= utcnow() - timedelta(minutes=1)))
                if recent >= SHARES_PER_MINUTE:
                    raise SharingRefused(N_("At most {n} runs per minute; try again in a moment."), n=SHARES_PER_MINUTE)
                total = s.scalar(select(func.count()).select_from(SharedRun).where(SharedRun.class_code == code))
                if total >= MAX_RUNS_PER_CLASS:
                    raise SharingRefused(N_("The board is full ({n} runs)."), n=MAX_RUNS_PER_CLASS)
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
    """Take one of *your* runs off the board; anybody else's is refused."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        gone = s.execute(delete(SharedRun).where(SharedRun.id == board_id, SharedRun.class_code == code,
                                                 SharedRun.session_id == session_id)).rowcount
        if not gone:
            raise NotYourRun(N_("You can withdraw only runs you shared yourself."))


def clear_board(engine: Engine, code: str) -> int:
    """Presenter action: remove every run of the class; returns how many."""
    code = normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        return s.execute(delete(SharedRun).where(SharedRun.class_code == code)).rowcount


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
