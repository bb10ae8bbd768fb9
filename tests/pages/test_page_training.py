"""AppTest drives the training page: controls by key, Train, Continue, divergence, bad URLs."""

import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).parents[2] / "pages" / "3_Train_an_MLP.py")


@pytest.fixture
def page(fashion):  # the page needs the real dataset; CI installs it
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception
    at.select_slider(key="train_size").set_value(1000)  # a dry run: seconds, not minutes
    at.slider(key="epochs").set_value(2)
    return at.run()


def test_renders_with_defaults_and_dataset_glance(page):
    assert page.slider(key="hidden").value == 256 and page.select_slider(key="lr").value == 0.1
    assert any("Press **▶ Train**" in info.value for info in page.info)
    assert len(page.get("plotly_chart")) >= 1  # the dataset mosaic
    assert page.title[0].value.startswith("🏋️ Train an MLP")


def test_train_draws_curves_metrics_and_a_comparable_run(page):
    page.slider(key="hidden").set_value(64)
    page.slider(key="dropout1").set_value(0.5)
    page.button(key="train").click().run()
    assert not page.exception
    runs = page.session_state["runs"]
    assert len(runs) == 1 and [row["epoch"] for row in runs[0].history] == [1, 2]
    assert runs[0].config["hidden"] == 64 and runs[0].config["dropout"] == [0.5]
    assert [m.label for m in page.metric] == ["train loss", "train acc", "test loss", "test acc"]
    assert 0.1 < float(page.metric[3].value) <= 1
    assert len(page.get("plotly_chart")) >= 5  # curves, gallery, confusion, weights, comparison, mosaic
    table = page.dataframe[-1].value
    assert list(table["run"]) == [1] and table["hidden"][0] == 64 and table["epochs"][0] == 2
    assert page.get("download_button")


def test_continue_extends_the_same_run_with_the_new_learning_rate(page):
    page.button(key="train").click().run()
    before = page.session_state["runs"][0].history[-1]["test_loss"]
    page.select_slider(key="lr").set_value(0.3)
    page.slider(key="epochs").set_value(3)
    page.button(key="continue").click().run()
    assert not page.exception
    runs = page.session_state["runs"]
    assert len(runs) == 1
    assert [row["epoch"] for row in runs[0].history] == [1, 2, 3, 4, 5]
    assert runs[0].config["lr"] == 0.3 and runs[0].trainer.optimizer.param_groups[0]["lr"] == 0.3
    assert runs[0].history[-1]["test_loss"] < before


def test_second_run_is_kept_beside_the_first(page):
    page.button(key="train").click().run()
    page.button(key="preset_d2l dropout").click().run()
    assert page.slider(key="layers").value == 2 and page.slider(key="dropout2").value == 0.5
    page.select_slider(key="train_size").set_value(1000)
    page.slider(key="epochs").set_value(1)
    page.button(key="train").click().run()
    assert not page.exception
    assert [r.config["layers"] for r in page.session_state["runs"]] == [1, 2]
    assert len(page.dataframe[-1].value) == 2


def test_diverging_learning_rate_shows_an_explanation(page):
    page.slider(key="layers").set_value(3)
    page.slider(key="hidden").set_value(1024)
    page.select_slider(key="init_std").set_value(1.0)
    page.select_slider(key="lr").set_value(1.0)
    page.button(key="train").click().run()
    assert not page.exception
    assert page.session_state["runs"][0].status == "diverged"
    assert any("diverged" in e.value and "too large" in e.value for e in page.error)


def test_dropout_panel_shows_mask_and_rescaling(fashion):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.slider(key="dropout_demo_p").set_value(0.5).run()
    chart = next(c for c in at.get("plotly_chart") if "dropout_layer" in c.proto.spec)
    X, kept, out = (torch.tensor(trace["z"]) for trace in json.loads(chart.proto.spec)["data"])
    assert X.shape == (2, 8) and kept.shape == (2, 8)
    assert torch.equal(out == 0, kept == 0)
    assert torch.equal(out[kept == 1], 2 * X[kept == 1])  # survivors scaled by 1/(1-p) = 2
    assert 0 < kept.sum() < 16
    assert any("1/(1−p) = 2.00" in c.value for c in at.caption)


def test_bad_url_parameters_are_clamped_with_a_notice(fashion):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({"hidden": "-5", "lr": "abc", "layers": "9", "color": "blue"})
    at.run()
    assert not at.exception
    assert at.slider(key="hidden").value == 16 and at.slider(key="layers").value == 3
    assert at.select_slider(key="lr").value == 0.1
    notice = at.info[0].value
    assert "hidden=-5" in notice and "lr=abc" in notice and "`color` is not a setting" in notice


def test_missing_dataset_explains_and_keeps_the_dropout_panel(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("EXPLORER_SYSTEM_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("EXPLORER_NO_DOWNLOAD", "1")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("apt-get install dataset-fashion-mnist" in e.value for e in at.error)
    charts = at.get("plotly_chart")  # the dropout panel still works; nothing that needs the data is drawn
    assert len(charts) == 1 and "dropout_layer" in charts[0].proto.spec
