"""The "Hidden layers" page through AppTest: it renders, Step trains one step, Train reaches XOR's
accuracy, the hand-built XOR, the unit enlarged, the approximator, and links with bad values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_i18n_pages import english_msgids  # noqa: F401  (a fixture)

PAGE = str(Path(__file__).parents[2] / "pages" / "8_Hidden_layers.py")


def _app(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at.run()


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at) -> str:
    return " ".join(str(e.value) for kind in ("caption", "markdown", "info", "success", "warning")
                    for e in at.get(kind))


def _charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_the_page_renders_every_part():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "🧩 Hidden layers"
    charts = _charts(at)
    # surface, losses, unit maps; the hand-built surface and maps; the approximator's fit and error
    assert len(charts) == 7
    network = charts[2]
    heatmaps = [t for t in network["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 2 + 4 + 1  # x₁, x₂, the 4 hidden units, the output
    assert "Press **▶ Train**" in _text(at)
    assert at.session_state["pg_trainer"].epochs_done == 0


def test_step_trains_exactly_one_step_and_keeps_the_model():
    at = _app()
    at.button(key="pg_step").click().run()
    assert not at.exception
    assert _metrics(at)["epoch"] == "1"
    trainer = at.session_state["pg_trainer"]
    at.button(key="pg_step").click().run()
    assert _metrics(at)["epoch"] == "2" and at.session_state["pg_trainer"] is trainer
    assert trainer.epochs_done == 2
    at.select_slider(key="lr").set_value(0.1).run()  # a new learning rate keeps the run
    assert at.session_state["pg_trainer"] is trainer and trainer.optimizer.param_groups[0]["lr"] == 0.1
    at.slider(key="hidden").set_value(6).run()  # a new network starts afresh
    assert at.session_state["pg_trainer"] is not trainer and at.session_state["pg_trainer"].epochs_done == 0


def test_train_solves_xor_with_four_relu_units():
    at = _app(epochs=300, speed=500)
    at.button(key="pg_train").click().run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["epoch"] == "300" and float(metrics["test accuracy"]) >= 0.95


def test_stop_ends_a_live_training_and_train_goes_on_from_there():
    """In the browser a click stops the script inside the live loop and reruns it; AppTest runs each
    script to the end, so the test leaves the run as such a click does: one step into the loop."""
    at = _app(epochs=20, speed=500)
    at.button(key="pg_step").click().run()
    trainer = at.session_state["pg_trainer"]
    loop = trainer.train(until_epoch=10**6)
    next(loop)
    loop.close()
    assert trainer.status == "running" and trainer.epochs_done == 2
    at.session_state["pg_playing"], at.session_state["pg_until"] = True, 10**6
    at.button(key="pg_stop").click().run()
    assert not at.exception
    assert trainer.status == "stopped" and trainer.epochs_done == 2 and not at.session_state["pg_playing"]
    assert _metrics(at)["epoch"] == "2"
    at.button(key="pg_train").click().run()  # 20 more epochs (the page's "Epochs per ▶ Train"), same model
    assert at.session_state["pg_trainer"] is trainer and trainer.epochs_done == 22 and trainer.status == "finished"
    assert _metrics(at)["epoch"] == "22"


def test_no_hidden_layer_stays_near_chance_on_xor():
    at = _app(layers=0, epochs=300, speed=500)
    at.button(key="pg_train").click().run()
    assert not at.exception and float(_metrics(at)["test accuracy"]) <= 0.65
    network = _charts(at)[2]
    assert len([t for t in network["data"] if t["type"] == "heatmap"]) == 3  # x₁, x₂ and the output only


def test_enlarge_a_unit():
    at = _app(layers=2, hidden=3)
    at.selectbox(key="pg_enlarge").set_value((2, 3)).run()
    assert not at.exception
    titles = [c["layout"].get("title", {}).get("text", "") for c in _charts(at)]
    assert "Unit 2.3: its output over the plane" in titles


def test_the_textbook_construction_gets_all_four_corners_then_gradient_descent_starts_from_it():
    at = _app(epochs=50, speed=500)
    assert "3 of the 4 corners right" in _text(at)  # the default sliders are not a solution
    at.button(key="hand_hint").click().run()
    assert not at.exception and "4 of the 4 corners right" in _text(at)
    assert at.slider(key="hand_v1").value == -1.0 and at.query_params["hand_v1"] == "-1.0"
    at.button(key="hand_descend").click().run()
    assert not at.exception
    trainer = at.session_state["pg_trainer"]
    assert (trainer.config.dataset, trainer.config.layers, trainer.config.hidden) == ("xor", 1, 2)
    assert trainer.epochs_done == 50 and trainer.history[0]["train_acc"] >= 0.7  # it started from our weights
    assert at.slider(key="hidden").value == 2


@pytest.mark.parametrize(("query", "notice"), [
    ({"layers": "7"}, "`layers=7` is above the maximum; using 3."),
    ({"dataset": "moons"}, "`dataset=moons` is not one of xor, circles, spirals, blobs; using xor."),
    ({"hidden": "many"}, "`hidden=many` is not a number; using 4."),
    ({"units": "100"}, "`units=100` is above the maximum; using 64."),
])
def test_a_bad_link_value_gets_a_notice(query, notice):
    at = _app(**query)
    assert not at.exception
    assert any(notice in info.value for info in at.info)


def test_the_approximator_follows_its_controls():
    at = _app()
    at.selectbox(key="target").set_value("step").run()
    at.slider(key="units").set_value(16).run()
    assert not at.exception
    assert "largest miss stays at x = " in _text(at)
    worst = float(re.search(r"stays at x = (-?\d+\.\d+)", _text(at)).group(1))
    assert abs(worst) < 0.1
    assert at.query_params["target"] == "step" and at.query_params["units"] == "16"
    at.radio(key="method").set_value("trained").run()
    error = _charts(at)[-1]
    assert len(error["data"]) == 2 and error["layout"]["xaxis"]["type"] == "log"


def test_in_chinese_after_a_step_nothing_is_left_in_english(english_msgids):  # noqa: F811 (the fixture)
    from tests.pages.test_i18n_pages import english_left, page_in_chinese, rendered_strings

    at = page_in_chinese("pages/8_Hidden_layers.py", query={"method": "trained", "layers": "2"})
    at.button(key="pg_step").click().run()
    at.selectbox(key="pg_enlarge").set_value((1, 2)).run()
    assert not at.exception
    assert at.title[0].value == "🧩 隐藏层"
    strings = [s for s in rendered_strings(at) if "lang=zh" not in s]  # the share link's query string
    assert {"测试精度", "<b>隐藏层 1</b>", "单元 1.2：它在平面上的输出"} <= set(strings)
    text = " ".join(strings)
    assert "线性不可分" in text and "通用近似定理" in text
    left = english_left(strings, english_msgids)
    assert not left, f"shown in English on Hidden layers: {left}"


def test_live_training_with_a_unit_enlarged_ends_on_the_interactive_charts():
    """While it trains the page draws pictures (a unit enlarged too); when it ends, the charts are back."""
    at = _app(layers=2, hidden=3, epochs=30, speed=50)  # 6 pictures of 5 epochs
    at.selectbox(key="pg_enlarge").set_value((2, 3)).run()
    at.button(key="pg_train").click().run()
    assert not at.exception and at.session_state["pg_trainer"].epochs_done == 30
    assert _metrics(at)["epoch"] == "30"
    titles = [c["layout"].get("title", {}).get("text", "") for c in _charts(at)]
    assert "Unit 2.3: its output over the plane" in titles and len(_charts(at)) == 8
    assert not at.get("image")  # no picture left in the charts' places
