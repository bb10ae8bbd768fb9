"""AppTest drives the class board page: view-only without the presenter key, presenter controls with
it, notices for bad codes, and escaped nicknames in what is drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from explorer.classroom import service as classroom, storage
from explorer.mlp.precision import offered
from tests.system.test_classroom import payload

PAGE = str(Path(__file__).parents[2] / "pages" / "6_Class_board.py")
KEY = "correct horse battery staple"


@pytest.fixture
def engine(db_url, monkeypatch):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    return storage.connect(db_url)


def board_page(code: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if code:
        at.query_params["class"] = code
    return at.run()


def unlock(at: AppTest, key: str) -> AppTest:
    at.text_input(key="presenter_key_input").input(key)
    return at.button(key="presenter_unlock").click().run()


def test_view_only_board_shows_the_room(engine):
    code = classroom.start_class(engine)
    classroom.share_run(engine, code, "a", "Otter", "1", payload(lr=0.1, test_acc=0.80))
    classroom.share_run(engine, code, "b", "Lynx", "1", payload(lr=0.3, test_acc=0.84))
    classroom.share_run(engine, code, "c", "Yak", "1", payload(lr=1.0, status="diverged"))
    at = board_page(code)
    assert not at.exception
    assert not at.toggle and not at.get("select_slider")  # no presenter controls without the key
    assert f"## Join class **{code}**" in [m.value for m in at.markdown]
    assert at.code[0].value.endswith(f"/Train_an_MLP?class={code}")
    assert [m.value for m in at.metric] == ["3", "3", "1"]
    found = next(m.value for m in at.markdown if m.value.startswith("- Best run"))
    assert "Lynx with 84.0% test accuracy" in found
    assert "best learning rate so far is 0.3: median test accuracy 84.0% (runs with it: 1)" in found
    assert "Diverged runs: 1, at learning rates 1." in found
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 3
    assert charts[0]["layout"]["xaxis"]["type"] == "log"  # learning rate on a log axis
    leaderboard = at.dataframe[0].value
    assert list(leaderboard["nickname"]) == ["Lynx", "Otter"] and list(leaderboard["rank"]) == [1, 2]
    assert at.get("download_button")


def test_wrong_presenter_key_stays_view_only(engine):
    code = classroom.start_class(engine)
    at = unlock(board_page(code), "correct horse battery stapl")
    assert not at.exception
    assert any("Wrong presenter key" in e.value for e in at.error)
    assert not at.toggle and not at.session_state["presenter"]


def test_no_configured_key_means_view_only_for_everyone(engine, monkeypatch):
    monkeypatch.delenv("EXPLORER_PRESENTER_KEY")
    at = board_page(classroom.start_class(engine))
    assert not at.exception and not at.toggle
    assert any("View-only" in i.value for i in at.sidebar.info)
    with pytest.raises(KeyError):
        at.text_input(key="presenter_key_input")


def test_presenter_sets_defaults_locks_clears_and_closes(engine):
    code = classroom.start_class(engine)
    classroom.share_run(engine, code, "a", "Otter", "1", payload())
    at = unlock(board_page(code), KEY)
    assert not at.exception and at.session_state["presenter"]
    at.select_slider(key="board_train_size").set_value(1000).run()
    at.slider(key="board_epochs").set_value(2).run()
    at.toggle(key="board_auto_share").set_value(True).run()
    at.toggle(key="board_locked").set_value(True).run()
    if "bf16" in offered():  # the room's precision, where this server has native bfloat16
        at.selectbox(key="board_precision").set_value("bf16").run()
        assert classroom.get_class(engine, code)["precision"] == "bf16"
    else:
        assert at.selectbox(key="board_precision").options == ["fp32"]
    settings = classroom.get_class(engine, code)
    assert (settings["train_size"], settings["epochs"], settings["auto_share"], settings["locked"]) == (
        1000, 2, True, True)
    assert at.button(key="board_clear").disabled  # clearing needs the confirmation first
    at.checkbox(key="board_clear_confirm").check().run()
    at.button(key="board_clear").click().run()
    assert any("Runs removed from the board: 1." in s.value for s in at.success)
    assert classroom.board(engine, code)["runs"] == []
    at.button(key="board_close").click().run()
    assert classroom.get_class(engine, code)["closed"] and not at.exception
    assert any("is closed" in i.value for i in at.info)


def test_presenter_starts_a_class_from_the_page(engine):
    at = unlock(board_page(), KEY)
    at.button(key="class_start").click().run()
    assert not at.exception
    code = at.query_params["class"][0] if isinstance(at.query_params["class"], list) else at.query_params["class"]
    assert classroom.get_class(engine, code)["code"] == code
    assert f"## Join class **{code}**" in [m.value for m in at.markdown]


@pytest.mark.parametrize("raw, notice", [("MLP-12", "not a class code"), ("<img src=x>", "not a class code"),
                                         ("MLP-0001", "There is no class MLP-0001")])
def test_malformed_and_unknown_codes_get_a_notice(engine, raw, notice):
    at = board_page(raw)
    assert not at.exception
    assert any(notice in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_hostile_nickname_already_in_the_database_is_shown_escaped(engine):
    code = classroom.start_class(engine)
    run_id = classroom.share_run(engine, code, "a", "Otter", "1", payload())
    with Session(engine) as s, s.begin():  # as if written by an older version without the checks
        s.get(storage.SharedRun, run_id).nickname = "<img src=x onerror=alert(1)>"
    at = board_page(code)
    assert not at.exception
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in specs and "<img" not in specs
    caption = next(m.value for m in at.markdown if m.value.startswith("- Best run"))
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in caption


def test_a_short_presenter_key_is_refused_with_a_message(engine, monkeypatch):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", "short-key")
    at = board_page(classroom.start_class(engine))
    assert not at.exception
    assert any("presenter key is too short (9 characters)" in e.value for e in at.sidebar.error)
    with pytest.raises(KeyError):  # nobody can unlock with it, not even by typing it
        at.text_input(key="presenter_key_input")


def test_wrong_codes_are_limited_per_session(engine):
    at = board_page()
    notices = []
    for n in range(12):
        at.query_params["class"] = f"MLP-{n:04d}"
        at.run()
        notices.append(" ".join(w.value for w in at.warning))
    assert all("There is no class" in n for n in notices[:10])
    assert "Too many wrong class codes from here" in notices[11]
    assert not at.exception


def test_the_presenter_sees_the_audit_log(engine):
    code = classroom.start_class(engine)
    at = unlock(board_page(code), KEY)
    at.toggle(key="board_locked").set_value(True).run()
    log = next(frame.value for frame in at.dataframe if "action" in frame.value.columns)
    assert list(log["action"])[:2] == ["settings", "start"] and list(log["details"])[0] == "locked=True"
    assert list(log["from"])[0] == "local"  # AppTest has no client address; a real one shows the address
