"""The class board's database: its SQLAlchemy tables, one engine per URL, tables made on first use.

The URL decides the database and nothing else changes: by default an SQLite file in the data dir
(``make run`` needs no server), ``EXPLORER_DB_URL=postgresql+psycopg://…`` for several replicas.
Every write goes through ``with Session(engine) as s, s.begin():`` so a reader never sees half of it.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from explorer.data import DEFAULT_DATASET, default_data_dir
from explorer import settings

DB_FILE = "classroom.sqlite"


class Base(DeclarativeBase):
    pass


class Classroom(Base):
    """One class: its code, whether it is open, and what the presenter set for the room."""

    __tablename__ = "classes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    auto_share: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # no new shares while the presenter talks
    train_size: Mapped[int] = mapped_column(Integer, default=5000)  # class defaults for attendees
    epochs: Mapped[int] = mapped_column(Integer, default=3)
    # The class's dataset: its runs are compared with each other only (explorer.data.DATASETS).
    dataset: Mapped[str] = mapped_column(String(32), default=DEFAULT_DATASET, server_default=DEFAULT_DATASET)
    precision: Mapped[str] = mapped_column(String(8), default="fp32", server_default="fp32")  # or bf16


class SharedRun(Base):
    """One run an attendee shared: settings, per-epoch history and where it ended."""

    __tablename__ = "shared_runs"
    # A session's run appears at most once per class, even if the share is retried after an outage.
    __table_args__ = (UniqueConstraint("class_code", "session_id", "run_key", name="uq_run_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_code: Mapped[str] = mapped_column(ForeignKey("classes.code", ondelete="CASCADE"), index=True)
    session_id: Mapped[str] = mapped_column(String(64))
    run_key: Mapped[str] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(32))
    config: Mapped[dict] = mapped_column(JSON)
    history: Mapped[list] = mapped_column(JSON)
    final: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    test_acc: Mapped[float | None] = mapped_column(Float, nullable=True)  # for ordering the leaderboard
    shared_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class PresenterAction(Base):
    """The audit log: what a presenter did to a class (start, settings, clear, close), when, from where."""

    __tablename__ = "presenter_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_code: Mapped[str] = mapped_column(String(16), index=True)
    action: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict] = mapped_column(JSON)
    client: Mapped[str] = mapped_column(String(64))  # the client's address, or "cli"
    at: Mapped[datetime] = mapped_column(DateTime)


class Suggestion(Base):
    """Settings the presenter suggested to the room (classroom.suggestions); the class's newest one is current."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_code: Mapped[str] = mapped_column(ForeignKey("classes.code", ondelete="CASCADE"), index=True)
    page: Mapped[str] = mapped_column(String(32))  # the page's URL name, e.g. Train_an_MLP
    settings: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime)


class Question(Base):
    """A question the presenter opened (explorer.classroom.questions); the class's newest one is current."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_code: Mapped[str] = mapped_column(ForeignKey("classes.code", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(32))  # its id in explorer.classroom.questions.QUESTIONS
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Answer(Base):
    """One attendee's prediction: one per nickname and question (changed in place until the reveal)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("question_id", "nickname", name="uq_answer_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)  # a choice's index, or the number predicted
    at: Mapped[datetime] = mapped_column(DateTime)


def json_safe(value):
    """NaN and infinity become None: JSON (and PostgreSQL's json type) have no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every timestamp is stored as UTC without one."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def database_url() -> str:
    """``$EXPLORER_DB_URL``, else an SQLite file in the data dir."""
    url = settings.get("EXPLORER_DB_URL")
    if url:
        return url
    folder = default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / DB_FILE).resolve()}"


def connect(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`); it does not touch the database yet."""
    url = url or database_url()
    if url.startswith("sqlite"):
        # A fresh connection per use: cheap for a file, safe across Streamlit's threads, and a
        # missing or moved file is noticed at once instead of hiding behind a pooled handle.
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.close()

        return engine
    connect_args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    # pre_ping: a replica whose database restarted gets a fresh connection instead of an error.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args)


_schema_lock = threading.Lock()


def ensure_schema(engine: Engine) -> None:
    """Create the tables the first time this engine is used (checkfirst: harmless if they exist)."""
    if engine.__dict__.get("_explorer_schema_ready"):
        return
    with _schema_lock:
        if not engine.__dict__.get("_explorer_schema_ready"):
            try:
                Base.metadata.create_all(engine)
            except (ProgrammingError, IntegrityError):
                # Another replica created the same tables at the same moment; now they exist.
                Base.metadata.create_all(engine)
            _add_new_columns(engine)
            engine.__dict__["_explorer_schema_ready"] = True


# Columns added after a class board's database was first created: added in place, with their default (every
# older class trains Fashion-MNIST in float32).
NEW_COLUMNS = {"classes": {"dataset": f"VARCHAR(32) NOT NULL DEFAULT '{DEFAULT_DATASET}'",
                           "precision": "VARCHAR(8) NOT NULL DEFAULT 'fp32'"}}


def _add_new_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, columns in NEW_COLUMNS.items():
        have = {c["name"] for c in inspector.get_columns(table)}
        for name, ddl in columns.items():
            if name not in have:
                try:
                    with engine.begin() as connection:
                        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
                except (ProgrammingError, OperationalError, IntegrityError):
                    pass  # another replica added it at the same moment
