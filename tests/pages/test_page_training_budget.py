"""AppTest: the training page's work budget (what it allows and why) and its precision setting."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.mlp import precision

PAGE = str(Path(__file__).parents[2] / "pages" / "3_Train_an_MLP.py")


@pytest.fixture
def page(fashion, monkeypatch):
    # d2l's MLP on 1,000 images costs 0.0049 TFLOP per epoch (the test pass included): 2 epochs fit in 0.01.
    monkeypatch.setenv("EXPLORER_RUN_BUDGET", "0.01")
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    at.select_slider(key="train_size").set_value(1000)
    at.slider(key="epochs").set_value(5)
    return at.run()


def test_the_page_says_what_the_budget_allows(page):
    caption = " ".join(c.value for c in page.caption)
    assert "Each run here may do 0.01 TFLOP of work" in caption and "cost 0.00488 TFLOP per epoch" in caption
    assert "may train 2 epochs in all" in caption


def test_train_and_continue_stop_at_the_budget(page):
    page.button(key="train").click().run()
    assert not page.exception
    assert any("Epochs reduced to 2." in w.value for w in page.warning)
    run = page.session_state["runs"][0]
    assert [row["epoch"] for row in run.history] == [1, 2]
    page.button(key="continue").click().run()
    assert not page.exception
    assert any("used its whole budget" in w.value for w in page.warning)
    assert len(page.session_state["runs"][0].history) == 2


def test_precision_is_an_advanced_setting(page):
    radio = page.radio(key="precision")
    assert radio.value == "fp32" and radio.options[0].startswith("float32")
    if not precision.bf16_support()[0]:
        assert any("bfloat16 is not offered" in c.value for c in page.caption)
        return
    radio.set_value("bf16")
    page.slider(key="epochs").set_value(1)
    page.button(key="train").click().run()
    assert not page.exception
    assert page.session_state["runs"][0].config["precision"] == "bf16"
    assert page.session_state["runs"][0].history[-1]["test_acc"] > 0.3


def test_a_link_cannot_ask_for_an_unknown_precision(fashion):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["precision"] = "fp8"
    at.run()
    assert at.radio(key="precision").value == "fp32"
    assert any("`precision=fp8` is not one of" in i.value for i in at.info)
