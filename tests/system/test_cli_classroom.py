"""The CLI round trip on both databases: `class start`, `train --share`, `board --json`."""

from __future__ import annotations

import json

import pytest

from explorer.classroom import service as classroom, storage
from explorer.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_start_train_share_board_round_trip(db_url, capsys, fashion):
    rc, out, _ = run_cli(capsys, "class", "start", "--json")
    assert rc == 0
    code = json.loads(out)["class"]
    assert classroom.CODE_PATTERN.match(code)
    rc, out, err = run_cli(capsys, "train", "--hidden", "16", "--epochs", "2", "--max-train", "600",
                           "--max-test", "200", "--lr", "0.5", "--json", "--share", code.lower(), "--name", "Ada")
    assert rc == 0, err
    trained = json.loads(out)
    assert trained["shared"]["class"] == code and f"shared with {code}" in err

    rc, out, _ = run_cli(capsys, "board", code, "--json")
    assert rc == 0
    board = json.loads(out)
    assert board["class"] == code and len(board["runs"]) == 1
    run = board["runs"][0]
    assert set(run) == {"nickname", "run", "config", "final", "status", "shared_at"}
    assert run["nickname"] == "Ada" and run["status"] == "finished" and run["run"] == trained["shared"]["run"]
    assert run["config"] == trained["config"] and run["final"] == trained["final"]
    assert run["final"]["epoch"] == 2 and 0 < run["final"]["test_acc"] <= 1

    rc, out, _ = run_cli(capsys, "board", code)  # the human-readable table
    assert rc == 0 and "Ada" in out and "1 runs" in out


def test_chosen_code_and_class_defaults(db_url, capsys):
    rc, out, err = run_cli(capsys, "class", "start", "--code", "MLP-4821", "--train-size", "1000", "--epochs", "2")
    assert rc == 0 and out.strip() == "MLP-4821" and "?class=MLP-4821" in err
    settings = classroom.get_class(storage.connect(db_url), "MLP-4821")
    assert settings["train_size"] == 1000 and settings["epochs"] == 2


@pytest.mark.parametrize("argv, message", [
    (("class", "start", "--code", "4821x"), "codes look like MLP-7KQ2XM"),
    (("board", "MLP-9999", "--json"), "no class MLP-9999"),
    (("board", "nonsense"), "not a class code"),
    (("class", "close", "MLP-9999"), "no class"),
])
def test_bad_codes_exit_2_with_a_message_and_no_traceback(db_url, capsys, argv, message):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and message in err and "Traceback" not in err and out == ""


def test_train_refuses_to_share_before_training_when_the_class_or_name_is_bad(db_url, capsys):
    code = classroom.start_class(storage.connect(db_url))
    rc, _, err = run_cli(capsys, "train", "--epochs", "1", "--max-train", "100", "--share", code, "--name", "<b>x")
    assert rc == 2 and "letters, digits" in err
    rc, _, err = run_cli(capsys, "train", "--epochs", "1", "--max-train", "100", "--share", "MLP-0000")
    assert rc == 2 and "no class MLP-0000" in err
    run_cli(capsys, "class", "close", code)
    rc, _, err = run_cli(capsys, "train", "--epochs", "1", "--max-train", "100", "--share", code)
    assert rc == 2 and "closed" in err
    assert classroom.board(storage.connect(db_url), code)["runs"] == []


def test_unreachable_database_is_reported_not_raised(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EXPLORER_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    rc, _, err = run_cli(capsys, "class", "start")
    assert rc == 2 and "unreachable" in err
