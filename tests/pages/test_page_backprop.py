"""AppTest drives "Backpropagation": the default step, taking steps, the link, the starts and the batches."""

from pathlib import Path

import pytest
import torch

from explorer.lessons import backprop_step as steps
from streamlit.testing.v1 import AppTest

from explorer.lessons import backprop
from explorer.lessons.inside import class_positions
from tests.pages.test_i18n_pages import english_left, english_msgids, page_in_chinese, rendered_strings  # noqa: F401
from tests.pages.test_page_inside import trained_run  # noqa: F401 (a fixture)

PAGE = str(Path(__file__).parents[2] / "pages" / "7_Backpropagation.py")


def app(query: dict | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def text_of(at) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "error") for e in at.get(kind))


def chart_keys(at) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


def test_default_shows_d2l_at_its_initialisation_with_the_models_own_numbers(fashion):
    at = app()
    assert not at.exception
    config = steps.StepConfig()
    walk = steps.Walk(steps.d2l_model(config))
    ins = steps.inspect(walk, *steps.draw_batch(fashion, config, 0), config)
    assert metric(at, "batch loss L") == f"{ins.back.total:.4f}"
    assert metric(at, "batch loss after the update") == f"{ins.loss_after:.4f}"
    assert float(metric(at, "Autograd agrees")) < 1e-6
    dead = f"{ins.back.dead[0]} / 256"
    assert metric(at, "units of hidden layer 1 that get no gradient for this batch") == dead
    shapes = at.dataframe[0].value
    assert shapes.iloc[:, 1].tolist() == ["256×784", "256×256", "256×256", "256×10"]
    assert chart_keys(at) == ["bp_images", "bp_dO", "bp_dW_last", "bp_dZ0", "bp_dW1", "bp_graph", "bp_norms",
                              "bp_change", "bp_line", "bp_adam"]
    assert "No step taken yet" in text_of(at)
    f = ins.followed()
    assert any(r"\sum_{i=1}^{256}" in e.value for e in at.latex)
    assert any(e.value.strip("$\n").endswith(f"= {f['grad']:.4g}") for e in at.latex)


def test_take_one_step_then_ten_then_reset(fashion):
    at = app({"bp_b": "8"})
    at.button(key="bp_step1").click().run()
    assert not at.exception
    config = steps.StepConfig(batch_size=8)
    reference = steps.take_steps(steps.Walk(steps.d2l_model(config)), fashion, config, 1)
    assert metric(at, "Loss after the step") == f"{reference.last['loss_after']:.4f}"
    assert "bp_trace" in chart_keys(at) and "steps taken so far: 1." in text_of(at)
    at.button(key="bp_step10").click().run()
    walk = at.session_state["bp_walk"]
    assert walk.steps == 11 and [a["step"] for a in walk.accuracy] == [0, 10]
    steps.take_steps(reference, fashion, config, 10)
    assert [t["loss"] for t in walk.trace] == pytest.approx([t["loss"] for t in reference.trace], abs=1e-6)
    at.button(key="bp_reset").click().run()
    assert "No step taken yet" in text_of(at) and "steps taken so far: 0." in text_of(at)


def test_settings_are_in_the_link_and_a_bad_value_gets_a_notice(fashion):
    at = app({"bp_b": "3", "bp_loss": "hinge", "bp_layers": "2", "bp_act": "tanh", "bp_opt": "adam", "bp_lr": "0.001"})
    assert not at.exception
    notice = at.info[0].value
    assert "bp_b=3" in notice and "bp_loss=hinge" in notice
    assert at.session_state["bp_b"] == 2 and at.session_state["bp_loss"] == "ce"  # nearest on the log scale; default
    assert metric(at, "units of hidden layer 2 that get no gradient for this batch").endswith("/ 256")
    at.selectbox(key="bp_loss").set_value("mse").run()
    assert at.query_params["bp_loss"] == "mse" and at.query_params["bp_opt"] == "adam"
    assert not at.exception


def test_deep_net_with_weight_decay_and_each_loss(fashion):
    at = app({"bp_layers": "3", "bp_hidden": "32", "bp_act": "sigmoid", "bp_wd": "0.01", "bp_b": "2",
              "bp_loss": "l1", "bp_opt": "momentum"})
    assert not at.exception
    assert float(metric(at, "L2 term")) > 0
    assert sum("lambda" in e.value for e in at.latex) >= 4  # the penalty in the loss and in each dW
    at.button(key="bp_step1").click().run()
    assert not at.exception and "bp_trace" in chart_keys(at)


def test_start_from_the_sessions_run_copies_it(fashion):
    run = trained_run(fashion, layers=2, hidden=32, activation="tanh", impl="scratch", dropout=(0.2,))
    before = [p.detach().clone() for p in run.trainer.model.parameters()]
    at = app({"bp_start": "run", "bp_b": "8"}, {"runs": [run]})
    assert not at.exception and run.name in text_of(at)
    assert at.session_state["bp_walk"].model is not run.trainer.model
    assert metric(at, "units of hidden layer 2 that get no gradient for this batch").endswith("/ 32")
    assert float(metric(at, "Autograd agrees")) < 1e-6  # tanh recognised, dropout off as in evaluation
    assert any(r"\sigma'(\mathbf{Z}_2)" in e.value for e in at.latex)
    at.button(key="bp_step1").click().run()
    assert all(torch.equal(a, b) for a, b in zip(before, run.trainer.model.parameters()))


def test_without_a_run_or_quick_model_the_page_says_what_to_do(fashion):
    at = app({"bp_start": "run"})
    assert not at.exception and "No run with weights" in text_of(at) and not chart_keys(at)


def test_the_image_from_inside_an_mlp_is_a_batch_of_one(fashion):
    at = app({"bp_batch": "inside"}, {"_kept_cls": 5, "_kept_index": 2})
    assert not at.exception
    assert at.dataframe[0].value.iloc[:, 1].tolist() == ["1×784", "1×256", "1×256", "1×10"]
    position = int(class_positions(fashion.test_labels)[5][2])  # the third Sandal of the test set
    assert f"Test image {position}, the one Inside an MLP shows" in text_of(at)
    model = steps.d2l_model(steps.StepConfig())
    back = backprop.backward(model, fashion.test_images[position].reshape(1, -1), torch.tensor([5]))
    assert metric(at, "batch loss L") == f"{back.total:.4f}"
    at.button(key="bp_step1").click().run()
    assert not at.exception and at.session_state["bp_walk"].steps == 1


def test_after_steps_in_chinese_nothing_is_left_in_english(fashion, english_msgids):  # noqa: F811 (the fixture)
    """The whole page after a step (metric, trace), a deep net with weight decay, every optimizer, in Chinese."""
    at = page_in_chinese("pages/7_Backpropagation.py", {"bp_layers": "2", "bp_wd": "0.01", "bp_b": "8",
                                                        "bp_opt": "adam", "bp_lr": "0.001"})
    at.button(key="bp_step1").click().run()
    assert not at.exception
    assert metric(at, "更新后的损失") and at.button(key="bp_step1").label == "走一步"
    left = english_left(rendered_strings(at), english_msgids)
    assert not left, f"shown in English on Backpropagation: {left}"


def test_a_diverged_walk_says_so_and_resets(fashion):
    at = app({"bp_lr": "50.0", "bp_wd": "0.1", "bp_opt": "momentum", "bp_b": "8"})
    at.button(key="bp_step100").click().run()
    assert not at.exception
    walk = at.session_state["bp_walk"]
    assert walk.diverged is not None and walk.steps == walk.diverged < 100
    assert "no longer a number" in at.error[0].value and not chart_keys(at)
    at.button(key="bp_reset").click().run()
    assert not at.exception and not at.error and "bp_graph" in chart_keys(at)


def test_the_quick_model_start(fashion, small_quick_model):
    at = app({"bp_start": "quick", "bp_b": "8"})
    assert not at.exception and not chart_keys(at)
    at.button(key="bp_quick_train").click().run()
    assert not at.exception and "quick model" in text_of(at)
    from ui import inside as inside_ui
    shared = inside_ui._quick_model().shown.model
    assert at.session_state["bp_walk"].model is not shared
    X, y = steps.draw_batch(fashion, steps.StepConfig(batch_size=8), 0)
    assert metric(at, "batch loss L") == f"{backprop.backward(shared, X, y).total:.4f}"  # the quick model's numbers


def test_the_digits_from_the_link(mnist):
    at = app({"dataset": "mnist"})
    assert not at.exception
    assert at.selectbox(key="dataset").value == "mnist"
    assert "MNIST" in text_of(at) and "8,000 training / 2,000 test digits" in text_of(at)
    at.button(key="bp_step1").click().run()
    assert not at.exception and "steps taken so far: 1." in text_of(at)
    at.selectbox(key="dataset").set_value("fashion-mnist").run()  # another dataset: a fresh start
    assert not at.exception and "steps taken so far: 0." in text_of(at)
