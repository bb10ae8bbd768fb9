"""AppTest of the training page in a class: defaults from the class, nickname, Share / Withdraw,
automatic sharing, notices for bad codes, and a database outage that keeps runs waiting."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from explorer.classroom import service as classroom, storage
from explorer.mlp.precision import offered

PAGE = str(Path(__file__).parents[2] / "pages" / "3_Train_an_MLP.py")


@pytest.fixture
def engine(db_url):
    return storage.connect(db_url)


@pytest.fixture
def code(engine):
    return classroom.start_class(engine, train_size=1000, epochs=1)  # a dry run: seconds per training


def class_page(code: str, fashion) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params.update({"class": code, "hidden": "32"})
    return at.run()


def train(at: AppTest) -> AppTest:
    at.button(key="train").click().run()
    assert not at.exception
    return at


def board_runs(engine, code):
    return classroom.board(engine, code, with_history=True)["runs"]


def test_joining_applies_class_defaults_and_gives_a_nickname(code, fashion):
    at = class_page(code, fashion)
    assert not at.exception
    assert at.select_slider(key="train_size").value == 1000 and at.slider(key="epochs").value == 1
    assert any(h.value == f"🎓 Class {code}" for h in at.main.subheader)  # above the controls, for phones
    nick = at.text_input(key="class_nickname").value
    assert classroom.clean_nickname(nick) == nick and " " in nick  # "Curious Otter"
    assert "`class` is not a setting" not in " ".join(i.value for i in at.info)


def test_a_class_in_bfloat16_trains_in_bfloat16(engine, fashion):
    if "bf16" not in offered():
        pytest.skip("no native bfloat16 on this machine: the class setting is not offered")
    code = classroom.start_class(engine, train_size=1000, epochs=1, precision="bf16")
    at = class_page(code, fashion)
    assert at.radio(key="precision").value == "bf16"
    train(at)
    assert at.session_state["runs"][-1].config["precision"] == "bf16"


def test_share_then_withdraw_your_run(engine, code, fashion):
    at = class_page(code, fashion)
    at.text_input(key="class_nickname").input("Ada L.").run()
    train(at)
    assert board_runs(engine, code) == []  # nothing is shared without a click
    at.button(key="class_share_1").click().run()
    assert not at.exception
    runs = board_runs(engine, code)
    assert len(runs) == 1 and runs[0]["nickname"] == "Ada L." and runs[0]["status"] == "finished"
    run = at.session_state["runs"][0]
    assert runs[0]["history"] == run.history and runs[0]["config"]["hidden"] == 32
    assert any("is on the board" in s.value for s in at.success)
    with pytest.raises(KeyError):  # shared runs offer Withdraw, not a second Share
        at.button(key="class_share_1")
    at.button(key="class_withdraw_1").click().run()
    assert not at.exception and board_runs(engine, code) == []
    assert at.button(key="class_share_1")  # may be shared again by choice


def test_bad_nickname_is_refused_and_the_last_good_one_kept(engine, code, fashion):
    at = class_page(code, fashion)
    before = at.text_input(key="class_nickname").value
    at.text_input(key="class_nickname").input("<b>hi</b>").run()
    assert not at.exception
    assert any("letters, digits" in e.value for e in at.main.error)
    assert at.text_input(key="class_nickname").value == before


def test_auto_share_puts_every_finished_run_on_the_board_once(engine, code, fashion):
    classroom.update_class(engine, code, auto_share=True)
    at = train(class_page(code, fashion))
    at.run()  # reruns do not share it again
    assert len(board_runs(engine, code)) == 1
    train(at)
    assert [r["status"] for r in board_runs(engine, code)] == ["finished", "finished"]


def test_locked_class_offers_no_share_button(engine, code, fashion):
    classroom.update_class(engine, code, locked=True)
    at = train(class_page(code, fashion))
    assert any("paused sharing" in i.value for i in at.info)
    with pytest.raises(KeyError):
        at.button(key="class_share_1")


@pytest.mark.parametrize("raw, notice", [("MLP-42", "not a class code"), ("MLP-0002", "There is no class MLP-0002")])
def test_bad_codes_get_a_notice_and_training_still_works(engine, fashion, raw, notice):
    at = class_page(raw, fashion)
    assert not at.exception and any(notice in w.value for w in at.warning)
    train(at)
    assert at.session_state["runs"][0].status == "finished"


def test_closed_class_gets_a_notice(engine, code, fashion):
    classroom.update_class(engine, code, closed=True)
    at = class_page(code, fashion)
    assert not at.exception and any("is closed" in i.value for i in at.info)


@contextmanager
def outage(url: str):
    """Make the database really unreachable, then bring it back."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database).parent
        os.rename(folder, f"{folder}.away")  # the file's folder is gone: connecting fails
        try:
            yield
        finally:
            os.rename(f"{folder}.away", folder)
    else:
        import psycopg

        admin = parsed.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{parsed.database}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                         (parsed.database,))
            try:
                yield
            finally:
                conn.execute(f'ALTER DATABASE "{parsed.database}" ALLOW_CONNECTIONS true')


def test_database_outage_keeps_the_run_waiting_and_retries(db_url, engine, code, fashion):
    at = train(class_page(code, fashion))
    with outage(db_url):
        at.button(key="class_share_1").click().run()
        assert not at.exception
        assert len(at.session_state["class_pending"]) == 1
        waiting = at.session_state["class_pending"][0]["path"]  # on disk too: a closed tab loses nothing
        assert waiting.exists()
        assert any("wait in this session" in w.value for w in at.main.warning)
        train(at)  # training still works meanwhile
        assert at.session_state["runs"][-1].status == "finished"
        at.button(key="class_retry").click().run()  # still down: still waiting, nothing lost
        assert len(at.session_state["class_pending"]) == 1 and not at.exception
    at.button(key="class_retry").click().run()
    assert not at.exception and at.session_state["class_pending"] == [] and not waiting.exists()
    runs = board_runs(engine, code)
    assert len(runs) == 1 and runs[0]["history"] == at.session_state["runs"][0].history
    assert at.session_state["class_shared"] == {"1": runs[0]["run"]}
    assert at.button(key="class_share_2")  # the run trained during the outage is the page's latest, unshared
