"""A class's dataset is one of its settings: runs on different datasets never share a chart or a leaderboard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from streamlit.testing.v1 import AppTest

from explorer.classroom import board as class_board, service as classroom, storage
from tests.system.test_classroom import payload

PAGES = Path(__file__).parents[2] / "pages"
KEY = "correct horse battery staple"


def on(dataset: str, **kwargs) -> dict:
    run = payload(**kwargs)
    run["config"]["dataset"] = dataset
    return run


@pytest.fixture
def engine(db_url, monkeypatch):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    return storage.connect(db_url)


def test_a_class_keeps_its_dataset_and_refuses_runs_on_another(engine):
    code = classroom.start_class(engine, dataset="mnist")
    assert classroom.get_class(engine, code)["dataset"] == "mnist"
    assert classroom.get_class(engine, classroom.start_class(engine))["dataset"] == "fashion-mnist"
    with pytest.raises(classroom.SharingRefused) as err:
        classroom.share_run(engine, code, "a", "Otter", "1", on("fashion-mnist"))
    assert "trains on MNIST" in err.value.message()
    with pytest.raises(classroom.SharingRefused):
        classroom.share_run(engine, code, "a", "Otter", "2", payload())  # an old run without a dataset: Fashion
    assert classroom.share_run(engine, code, "a", "Otter", "3", on("mnist")) > 0
    with pytest.raises(ValueError, match="dataset must be one of"):
        classroom.update_class(engine, code, dataset="kmnist")
    assert classroom.update_class(engine, code, dataset="fashion-mnist")["dataset"] == "fashion-mnist"


def test_board_frames_keep_datasets_apart():
    board = {"class": "MLP-1000", "runs": [
        {"run": 1, "nickname": "Otter", "status": "finished", "shared_at": "x", **on("mnist", test_acc=0.9)},
        {"run": 2, "nickname": "Lynx", "status": "finished", "shared_at": "x", **payload(test_acc=0.84)},
    ]}
    digits = class_board.runs_frame(class_board.on_dataset(board, "mnist"))
    clothes = class_board.runs_frame(class_board.on_dataset(board, "fashion-mnist"))
    assert list(digits["nickname"]) == ["Otter"] and list(digits["dataset"]) == ["mnist"]
    assert list(clothes["nickname"]) == ["Lynx"] and list(clothes["dataset"]) == ["fashion-mnist"]


def test_an_old_board_database_gets_the_dataset_column(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with create_engine(url).begin() as db:  # the table as it was before classes had a dataset
        db.execute(text("CREATE TABLE classes (code VARCHAR(16) PRIMARY KEY, created_at DATETIME, closed_at DATETIME, "
                        "auto_share BOOLEAN, locked BOOLEAN, train_size INTEGER, epochs INTEGER)"))
        db.execute(text("INSERT INTO classes VALUES ('MLP-1234', '2026-01-01', NULL, 0, 0, 5000, 3)"))
    engine = storage.connect(url)
    assert classroom.get_class(engine, "MLP-1234")["dataset"] == "fashion-mnist"
    assert "dataset" in {c["name"] for c in inspect(engine).get_columns("classes")}
    assert classroom.update_class(engine, "MLP-1234", dataset="mnist")["dataset"] == "mnist"


def test_board_page_shows_the_class_dataset_only(engine):
    code = classroom.start_class(engine, dataset="mnist")
    classroom.share_run(engine, code, "a", "Otter", "1", on("mnist", test_acc=0.91))
    classroom.share_run(engine, code, "b", "Lynx", "1", on("mnist", lr=0.3, test_acc=0.89))
    classroom.update_class(engine, code, dataset="fashion-mnist")  # as if the presenter switched meanwhile
    classroom.share_run(engine, code, "c", "Yak", "1", on("fashion-mnist", test_acc=0.84))
    classroom.update_class(engine, code, dataset="mnist")
    at = AppTest.from_file(str(PAGES / "6_Class_board.py"), default_timeout=60)
    at.query_params["class"] = code
    at.run()
    assert not at.exception
    assert any("trains on **MNIST**" in m.value for m in at.markdown)
    assert [m.value for m in at.metric] == ["2", "2", "0"]
    assert list(at.dataframe[0].value["nickname"]) == ["Otter", "Lynx"]
    assert any("Runs on other datasets are not shown here: 1." in c.value for c in at.caption)
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "Yak" not in specs and "Otter" in specs


def test_presenter_sets_the_class_dataset(engine):
    code = classroom.start_class(engine)
    at = AppTest.from_file(str(PAGES / "6_Class_board.py"), default_timeout=60)
    at.query_params["class"] = code
    at.run()
    at.text_input(key="presenter_key_input").input(KEY)
    at.button(key="presenter_unlock").click().run()
    at.selectbox(key="board_dataset").set_value("mnist").run()
    assert not at.exception and classroom.get_class(engine, code)["dataset"] == "mnist"


def test_joining_a_digits_class_trains_on_digits(engine, mnist):
    code = classroom.start_class(engine, dataset="mnist")
    at = AppTest.from_file(str(PAGES / "3_Train_an_MLP.py"), default_timeout=120)
    at.query_params["class"] = code
    at.run()
    assert not at.exception
    assert at.selectbox(key="dataset").value == "mnist" and at.title[0].value == "🏋️ Train an MLP on MNIST"


def test_cli_starts_a_digits_class_and_refuses_other_runs(db_url, tmp_path):
    env = {"EXPLORER_DB_URL": db_url, "PATH": "/usr/bin:/bin", "EXPLORER_CACHE_DIR": str(tmp_path)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                                       timeout=120, env=env)
    out = run("class", "start", "--dataset", "mnist", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["dataset"] == "mnist"
    out = run("train", "--epochs", "1", "--max-train", "100", "--share", doc["class"])
    assert out.returncode == 2 and "--dataset mnist" in out.stderr and "Traceback" not in out.stderr
