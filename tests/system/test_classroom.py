"""The class board on a real database, SQLite and PostgreSQL alike (the `db_url` fixture runs each
test on both): codes, nicknames, sharing once, withdrawing, limits, presenter settings."""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from explorer.classroom import board as class_board, limits, service as classroom, storage
from explorer.classroom.service import (BadClassCode, BadNickname, ClassClosed, NotYourRun, SharingRefused,
                                       UnknownClass)


def payload(lr=0.1, hidden=64, test_acc=0.8, status="finished", epochs=2, dropout=(0.0,)):
    history = [{"epoch": e, "train_loss": 1.0 / e, "train_acc": 0.5, "test_loss": 0.9, "test_acc": test_acc,
                "seconds": 0.1} for e in range(1, epochs + 1)]
    if status == "diverged":
        history = []
    config = {"hidden": hidden, "layers": 1, "lr": lr, "dropout": list(dropout), "optimizer": "sgd",
              "activation": "relu", "batch_size": 256, "weight_decay": 0.0, "max_train": 5000, "epochs": epochs}
    return classroom.run_payload(config, history, status)




def test_tables_are_created_on_first_use_and_codes_look_right(engine):
    code = classroom.start_class(engine)
    assert classroom.CODE_PATTERN.match(code) and code.startswith("MLP-")
    assert classroom.get_class(engine, code.lower()) == {
        "code": code, "closed": False, "auto_share": False, "locked": False, "train_size": 5000, "epochs": 3,
        "dataset": "fashion-mnist", "precision": "fp32"}
    assert classroom.start_class(engine, "mlp-0042") == "MLP-0042"


def test_shared_run_keeps_config_history_final_and_status(engine, code):
    run_id = classroom.share_run(engine, code, "s1", "Brave Otter", "1", payload(lr=0.3, test_acc=0.81))
    board = classroom.board(engine, code, with_history=True)
    assert board["class"] == code and len(board["runs"]) == 1
    run = board["runs"][0]
    assert set(run) == {"nickname", "run", "config", "final", "status", "shared_at", "history"}
    assert run["run"] == run_id and run["nickname"] == "Brave Otter" and run["status"] == "finished"
    assert run["config"]["lr"] == 0.3 and run["final"] == {**run["history"][-1], "status": "finished"}
    assert [row["epoch"] for row in run["history"]] == [1, 2]
    assert run["shared_at"].endswith("+00:00")


def test_a_run_is_never_shared_twice(engine, code):
    first = classroom.share_run(engine, code, "s1", "Otter", "7", payload())
    again = classroom.share_run(engine, code, "s1", "Otter", "7", payload())  # e.g. a retry after an outage
    other = classroom.share_run(engine, code, "s2", "Lynx", "7", payload())  # same run number, other person
    assert again == first and other != first
    assert len(classroom.board(engine, code)["runs"]) == 2


def test_only_your_own_runs_can_be_withdrawn(engine, code):
    mine = classroom.share_run(engine, code, "me", "Otter", "1", payload())
    theirs = classroom.share_run(engine, code, "them", "Lynx", "1", payload())
    with pytest.raises(NotYourRun):
        classroom.withdraw_run(engine, code, "me", theirs)
    classroom.withdraw_run(engine, code, "me", mine)
    assert [r["run"] for r in classroom.board(engine, code)["runs"]] == [theirs]
    with pytest.raises(NotYourRun):  # withdrawing twice is refused, not an error page
        classroom.withdraw_run(engine, code, "me", mine)


@pytest.mark.parametrize("text", ["", "MLP-12", "MLP-12345", "ABC-1234", "MLP-12a4", "MLP 1234; DROP TABLE",
                                  "<script>", "x" * 500])
def test_malformed_codes_are_refused_with_a_readable_message(engine, text):
    with pytest.raises(BadClassCode, match="codes look like MLP-7KQ2XM"):
        classroom.get_class(engine, text)


def test_unknown_and_closed_classes_are_refused(engine, code):
    other = "MLP-0001" if code != "MLP-0001" else "MLP-0002"
    with pytest.raises(UnknownClass, match="no class"):
        classroom.get_class(engine, other)
    with pytest.raises(UnknownClass):
        classroom.share_run(engine, other, "s1", "Otter", "1", payload())
    classroom.update_class(engine, code, closed=True)
    assert classroom.get_class(engine, code)["closed"]
    with pytest.raises(ClassClosed, match="closed"):
        classroom.share_run(engine, code, "s1", "Otter", "1", payload())
    assert classroom.start_class(engine, code) == code and not classroom.get_class(engine, code)["closed"]


@pytest.mark.parametrize("nick, message", [
    ("x" * 25, "at most 24"), ("   ", "at least one"), ("<b>bold</b>", "letters, digits"),
    ("Robert'); DROP TABLE", "letters, digits"), ("a\u202eb", "letters, digits"), ("_x_", "letters, digits"),
    ("tab\there\x00", "letters, digits"),
])
def test_bad_nicknames_are_refused(engine, code, nick, message):
    with pytest.raises(BadNickname, match=message):
        classroom.share_run(engine, code, "s1", nick, "1", payload())
    assert classroom.board(engine, code)["runs"] == []


def test_nicknames_are_normalised_and_defaults_are_valid():
    assert classroom.clean_nickname("  Zoë   the  Ibex ") == "Zoë the Ibex"
    assert classroom.clean_nickname("x" * 24) == "x" * 24
    rng = random.Random(3)
    for _ in range(50):
        nick = classroom.default_nickname(rng)
        assert classroom.clean_nickname(nick) == nick


def test_rate_limit_per_session_per_minute(engine, code):
    for key in range(classroom.SHARES_PER_MINUTE):
        classroom.share_run(engine, code, "busy", "Otter", str(key), payload())
    with pytest.raises(SharingRefused, match="per minute"):
        classroom.share_run(engine, code, "busy", "Otter", "next", payload())
    classroom.share_run(engine, code, "calm", "Lynx", "1", payload())  # someone else is not slowed down
    with Session(storage.connect(str(engine.url))) as s, s.begin():  # a minute later the session may share again
        s.execute(update(storage.SharedRun).values(shared_at=storage.utcnow().replace(year=2000)))
    classroom.share_run(engine, code, "busy", "Otter", "next", payload())


def test_payloads_are_capped_in_size_and_shape(engine, code):
    huge = payload()
    huge["config"]["note"] = "x" * classroom.MAX_PAYLOAD_BYTES
    with pytest.raises(SharingRefused, match="too large"):
        classroom.share_run(engine, code, "s1", "Otter", "1", huge)
    with pytest.raises(SharingRefused, match="cannot be shared"):
        classroom.share_run(engine, code, "s1", "Otter", "2", {"status": "finished", "config": []})
    running = payload()
    running["status"] = "running"
    with pytest.raises(SharingRefused, match="finished, stopped or diverged"):
        classroom.share_run(engine, code, "s1", "Otter", "3", running)
    assert classroom.board(engine, code)["runs"] == []


def test_non_finite_numbers_are_stored_as_null(engine, code):
    p = payload(status="stopped")
    p["history"][-1]["train_loss"] = float("nan")
    p["final"]["train_loss"] = float("inf")
    classroom.share_run(engine, code, "s1", "Otter", "1", p)
    run = classroom.board(engine, code, with_history=True)["runs"][0]
    assert run["final"]["train_loss"] is None and run["history"][-1]["train_loss"] is None
    json.dumps(run, allow_nan=False)


def test_presenter_settings_lock_and_clear(engine, code):
    settings = classroom.update_class(engine, code, auto_share=True, train_size=1000, epochs=2, precision="bf16")
    assert settings["auto_share"] and settings["train_size"] == 1000 and settings["epochs"] == 2
    assert settings["precision"] == "bf16"
    classroom.share_run(engine, code, "s1", "Otter", "1", payload())
    classroom.update_class(engine, code, locked=True)
    with pytest.raises(SharingRefused, match="paused"):
        classroom.share_run(engine, code, "s1", "Otter", "2", payload())
    assert classroom.clear_board(engine, code) == 1
    assert classroom.board(engine, code)["runs"] == []
    with pytest.raises(ValueError, match="unknown class settings"):
        classroom.update_class(engine, code, nickname="x")


def test_presenter_key_is_compared_exactly():
    assert classroom.presenter_key_ok("s3cret-key-of-the-room", "s3cret-key-of-the-room")
    for wrong in ("s3cret-key-of-the-roon", "s3cret", "", None, "S3CRET-KEY-OF-THE-ROOM"):
        assert not classroom.presenter_key_ok(wrong, "s3cret-key-of-the-room")
    assert not classroom.presenter_key_ok("anything", None) and not classroom.presenter_key_ok("", "")


def test_unreachable_database_is_a_board_unavailable_error(tmp_path):
    engine = storage.connect(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'board.sqlite'}")
    with pytest.raises(classroom.BoardUnavailable, match="unreachable"):
        classroom.start_class(engine)


def test_board_frames_and_what_the_room_found(engine, code):
    classroom.share_run(engine, code, "a", "Otter", "1", payload(lr=0.1, hidden=64, test_acc=0.80))
    classroom.share_run(engine, code, "b", "Lynx", "1", payload(lr=0.3, hidden=256, test_acc=0.84))
    classroom.share_run(engine, code, "c", "Heron", "1", payload(lr=0.3, hidden=64, test_acc=0.82, dropout=(0.5,)))
    classroom.share_run(engine, code, "d", "Yak", "1", payload(lr=1.0, status="diverged"))
    board = classroom.board(engine, code, with_history=True)
    frame = class_board.runs_frame(board)
    assert list(frame["nickname"]) == ["Otter", "Lynx", "Heron", "Yak"]
    assert frame["test_acc"].isna().tolist() == [False, False, False, True]
    top = class_board.leaderboard(frame)
    assert list(top["nickname"]) == ["Lynx", "Heron", "Otter"] and list(top["rank"]) == [1, 2, 3]
    found = class_board.findings(frame)
    assert found["runs"] == 4 and found["diverged"] == 1 and found["diverged_lrs"] == [1.0]
    assert found["best_lr"] == 0.3 and found["best_lr_acc"] == pytest.approx(0.83)
    assert found["best"]["nickname"] == "Lynx" and (found["widest"], found["narrowest"]) == (256, 64)
    assert found["dropout_acc"] == pytest.approx(0.82) and found["no_dropout_acc"] == pytest.approx(0.82)
    curves = class_board.curves_frame(board)
    assert len(curves) == 6 and set(curves["nickname"]) == {"Otter", "Lynx", "Heron"}


def test_a_board_made_before_the_precision_setting_gets_the_column(tmp_path):
    import sqlite3

    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as old:  # the classes table as it was before the precision setting
        old.execute("CREATE TABLE classes (code VARCHAR(16) PRIMARY KEY, created_at DATETIME, closed_at DATETIME, "
                    "auto_share BOOLEAN, locked BOOLEAN, train_size INTEGER, epochs INTEGER)")
        old.execute("INSERT INTO classes VALUES ('MLP-1234', '2026-01-01 00:00:00', NULL, 0, 0, 5000, 3)")
    engine = storage.connect(f"sqlite:///{db}")
    assert classroom.get_class(engine, "MLP-1234")["precision"] == "fp32"
    assert classroom.update_class(engine, "MLP-1234", precision="bf16")["precision"] == "bf16"


def test_full_width_codes_and_nicknames_find_the_class(engine):
    code = classroom.start_class(engine, "MLP-4083")
    assert classroom.get_class(engine, "ＭＬＰ－４０８３")["code"] == code  # typed with a Chinese input method
    classroom.share_run(engine, "ｍｌｐ－４０８３", "s1", "Ａｄａ", "1", payload())
    assert [r["nickname"] for r in classroom.board(engine, code)["runs"]] == ["Ada"]


def test_one_nickname_cannot_fill_the_board(engine, code, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RUNS_PER_NICKNAME", 3)
    monkeypatch.setattr(limits, "SHARES_PER_MINUTE", 100)
    for i in range(3):
        classroom.share_run(engine, code, f"session{i}", "Flood", str(i), payload())  # a reload each time
    with pytest.raises(SharingRefused, match="Flood already has 3 runs on this board"):
        classroom.share_run(engine, code, "session9", "Flood", "9", payload())
    classroom.share_run(engine, code, "session9", "Otter", "9", payload())  # others still can


def test_a_closed_board_is_read_only_and_expires(engine, code, monkeypatch):
    mine = classroom.share_run(engine, code, "me", "Otter", "1", payload())
    classroom.update_class(engine, code, closed=True)
    with pytest.raises(ClassClosed, match="can no longer change"):
        classroom.withdraw_run(engine, code, "me", mine)
    with pytest.raises(ClassClosed, match="can no longer change"):
        classroom.clear_board(engine, code)
    assert len(classroom.board(engine, code)["runs"]) == 1  # still shown, read-only
    monkeypatch.setenv("EXPLORER_CLASS_EXPIRY_HOURS", "1")
    with Session(engine) as s, s.begin():  # closed two hours ago
        s.execute(update(storage.Classroom).where(storage.Classroom.code == code)
                  .values(closed_at=storage.utcnow() - classroom.timedelta(hours=2)))
    with pytest.raises(UnknownClass):
        classroom.get_class(engine, code)
    with Session(engine) as s:
        assert s.query(storage.SharedRun).filter_by(class_code=code).count() == 0  # its board went with it


def test_settings_write_only_what_changed_and_the_audit_log_says_who(engine):
    code = classroom.start_class(engine, client="10.0.0.5")
    classroom.update_class(engine, code, client="10.0.0.5", locked=True)  # presenter tab A locks sharing
    classroom.update_class(engine, code, client="10.0.0.6", epochs=5)  # tab B, opened before, moves epochs only
    assert classroom.get_class(engine, code)["locked"] and classroom.get_class(engine, code)["epochs"] == 5
    classroom.update_class(engine, code, client="10.0.0.6", epochs=5)  # no change: no entry
    classroom.update_class(engine, code, client="10.0.0.5", locked=False)
    classroom.share_run(engine, code, "s1", "Otter", "1", payload())
    assert classroom.clear_board(engine, code, client="10.0.0.5") == 1
    classroom.update_class(engine, code, client="cli", closed=True)
    log = classroom.audit_log(engine, code)
    start = log[-1]
    assert start["action"] == "start" and start["client"] == "10.0.0.5"
    assert {"train_size": 5000, "epochs": 3}.items() <= start["detail"].items()  # and the class's other defaults
    assert [(e["action"], e["detail"], e["client"]) for e in reversed(log[:-1])] == [
        ("settings", {"locked": True}, "10.0.0.5"),
        ("settings", {"epochs": 5}, "10.0.0.6"), ("settings", {"locked": False}, "10.0.0.5"),
        ("clear", {"removed": 1}, "10.0.0.5"), ("settings", {"closed": True}, "cli")]
    assert all(e["at"].endswith("+00:00") for e in log)


def test_board_version_changes_only_when_the_board_does(engine, code):
    empty = classroom.board_version(engine, code)
    assert empty == (0, 0)
    first = classroom.share_run(engine, code, "s1", "Otter", "1", payload())
    assert classroom.board_version(engine, code) == (1, first)
    assert classroom.board_version(engine, code) == (1, first)  # nothing new: the board is not re-read
    classroom.withdraw_run(engine, code, "s1", first)
    assert classroom.board_version(engine, code) == (0, 0)
