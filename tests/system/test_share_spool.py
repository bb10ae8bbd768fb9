"""Shares waiting for the database are kept on disk and sent by the server: a closed tab, a reload or a
restart loses none of them (#21). Real databases (SQLite and PostgreSQL through `db_url`)."""

from __future__ import annotations

import stat
import time

import pytest

from explorer.classroom import service as classroom, share_spool, storage
from tests.system.test_classroom import payload
from tests.pages.test_page_training_classroom import outage


@pytest.fixture
def engine(db_url):
    return storage.connect(db_url)


@pytest.fixture
def spool(tmp_path_factory):
    # Not in tmp_path: the SQLite outage moves that folder (the database's) away.
    return share_spool.Spool(tmp_path_factory.mktemp("spool") / "waiting")


def test_a_share_waits_on_disk_through_an_outage_and_is_sent_once(db_url, engine, spool):
    code = classroom.start_class(engine)
    with outage(db_url):
        path = spool.put(code, "session-1", "Otter", "1", payload(test_acc=0.77))
        assert spool.put(code, "session-1", "Otter", "1", payload(test_acc=0.77)) == path  # the same share once
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert spool.send(storage.connect(db_url), path) is None and path.exists()  # still waiting
        assert spool.flush(storage.connect(db_url)) == 0
    assert spool.flush(engine) == 1 and spool.waiting() == []
    runs = classroom.board(engine, code)["runs"]
    assert [(r["nickname"], r["final"]["test_acc"]) for r in runs] == [("Otter", 0.77)]
    classroom.share_run(engine, code, "session-1", "Otter", "1", payload())  # the session's own retry: no double
    assert len(classroom.board(engine, code)["runs"]) == 1


def test_a_refused_share_is_dropped_with_its_reason(engine, spool):
    code = classroom.start_class(engine)
    path = spool.put(code, "s", "Otter", "1", payload())
    classroom.update_class(engine, code, closed=True)
    with pytest.raises(classroom.ClassClosed):
        spool.send(engine, path)
    assert not path.exists()


def test_the_spool_is_bounded(spool, monkeypatch):
    monkeypatch.setattr(share_spool, "MAX_WAITING", 2)
    spool.put("MLP-0001", "a", "Otter", "1", payload())
    spool.put("MLP-0001", "b", "Otter", "1", payload())
    with pytest.raises(classroom.SharingRefused, match="Too many shares are waiting"):
        spool.put("MLP-0001", "c", "Otter", "1", payload())


def test_the_servers_thread_sends_what_a_closed_tab_left(db_url, engine, spool):
    code = classroom.start_class(engine)
    with outage(db_url):
        spool.put(code, "closed-tab", "Heron", "3", payload())
    stop = share_spool.start_retrying(spool, db_url, every=0.05)
    try:
        deadline = time.monotonic() + 60
        while not classroom.board(engine, code)["runs"] and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the board for the condition
        assert [r["nickname"] for r in classroom.board(engine, code)["runs"]] == ["Heron"]
        assert spool.waiting() == []
    finally:
        stop.set()
