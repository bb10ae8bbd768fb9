"""The CLI leads the room on both databases: `class suggest` needs the presenter key, `board --json`
carries the suggestion and the open question's answers."""

from __future__ import annotations

import json

import pytest

from explorer.classroom import service as classroom, questions, storage
from tests.system.test_cli_classroom import run_cli

KEY = "correct horse battery staple"


@pytest.fixture
def code(db_url):
    return classroom.start_class(storage.connect(db_url))


def test_suggest_is_refused_without_the_presenter_key(code, capsys, monkeypatch):
    monkeypatch.delenv("EXPLORER_PRESENTER_KEY", raising=False)
    rc, out, err = run_cli(capsys, "class", "suggest", code, "--set", "lr=1.0")
    assert rc == 2 and not out and "EXPLORER_PRESENTER_KEY" in err and "Traceback" not in err
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", "short")  # a key too short to use is no key
    rc, _out, err = run_cli(capsys, "class", "suggest", code, "--set", "lr=1.0")
    assert rc == 2 and "too short" in err
    rc, out, _err = run_cli(capsys, "board", code, "--json")
    assert json.loads(out)["suggestion"] is None and json.loads(out)["question"] is None


def test_suggest_then_the_board_carries_it(code, capsys, monkeypatch):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    rc, out, err = run_cli(capsys, "class", "suggest", code.lower(), "--set", "lr=1.0", "--set", "hidden=16")
    assert rc == 0, err
    assert json.loads(out) == {"suggestion": {"lr": 1.0, "hidden": 16}, "page": "Train_an_MLP"}
    rc, out, _err = run_cli(capsys, "board", code, "--json")
    board = json.loads(out)
    assert rc == 0 and board["suggestion"] == {"lr": 1.0, "hidden": 16}
    assert board["suggestion_page"] == "Train_an_MLP"
    rc, out, _err = run_cli(capsys, "board", code)
    assert "suggested on Train_an_MLP: lr=1.0, hidden=16" in out
    entry = classroom.audit_log(storage.connect(), code)[0]
    assert entry["action"] == "suggest" and entry["client"] == "cli"

    rc, _out, err = run_cli(capsys, "class", "suggest", code, "--page", "Under_and_overfitting", "--set", "degree=20")
    assert rc == 0, err
    assert json.loads(run_cli(capsys, "board", code, "--json")[1])["suggestion"] == {"degree": 20}


@pytest.mark.parametrize("pairs, message", [
    (["width=16"], "Train_an_MLP has no setting width"),
    (["lr=0.7"], "lr must be one of"),
    (["hidden"], "name=value"),
    (["hidden=abc"], "hidden must be a number, not abc."),
])
def test_bad_settings_exit_2_with_a_message(code, capsys, monkeypatch, pairs, message):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    argv = [arg for pair in pairs for arg in ("--set", pair)]
    rc, out, err = run_cli(capsys, "class", "suggest", code, *argv)
    assert rc == 2 and not out and message in err and "Traceback" not in err


def test_ask_answer_reveal_from_the_shell(code, capsys, monkeypatch):
    monkeypatch.delenv("EXPLORER_PRESENTER_KEY", raising=False)
    assert run_cli(capsys, "class", "ask", code, "lr_1_diverge")[0] == 2
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    assert run_cli(capsys, "class", "ask", code, "lr_1_diverge")[0] == 0
    questions.answer(storage.connect(), code, "s1", "Otter", 0)
    questions.answer(storage.connect(), code, "s2", "Lynx", 0)
    question = json.loads(run_cli(capsys, "board", code, "--json")[1])["question"]
    assert question == {"id": "lr_1_diverge", "text": "Learning rate 1.0 with SGD: will the training diverge?",
                        "revealed": False, "answers": {"Yes, it diverges": 2, "No, it trains fine": 0}}
    assert run_cli(capsys, "class", "reveal", code)[0] == 0
    assert json.loads(run_cli(capsys, "board", code, "--json")[1])["question"]["revealed"] is True
