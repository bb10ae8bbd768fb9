"""AppTest drives "Inside an MLP": without a run (quick model), with a run of any depth, bad links."""

from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer.lessons import inside

from explorer.mlp import runs
from explorer.mlp.training import TrainConfig
from ui import inside as panel

PAGE = str(Path(__file__).parents[2] / "pages" / "2_Inside_an_MLP.py")


def trained_run(fashion, **config) -> runs.Run:
    book: list[runs.Run] = []
    run = runs.new_run(book, TrainConfig(epochs=1, max_train=2000, **config), fashion)
    list(run.trainer.train())
    return run


def app(query: dict | None = None, book: list | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if book is not None:
        at.session_state["runs"] = book
    return at.run()


def text_of(at) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "error") for e in at.get(kind))


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_without_a_run_offers_the_quick_model_and_then_explains_it(fashion, small_quick_model):
    at = app()
    assert not at.exception
    assert "No model yet" in text_of(at) and not at.get("plotly_chart")
    at.button(key="quick_train").click().run()
    assert not at.exception
    assert "quick model" in at.caption[0].value and "test accuracy" in at.caption[0].value
    assert metric(at, "parameters in all") == "203,530"
    keys = [chart.key for chart in at.get("plotly_chart")]
    assert keys[:4] == ["input28", "hist1", "probs", "diagram"] and keys[-2:] == ["loss_curve", "grads"]
    assert len(keys) == 8  # and the templates of the predicted and the runner-up class
    # the numbers on screen are the model's, for the first T-shirt/top of the test set
    model = panel._quick_model().shown.model
    position = int(inside.class_positions(fashion.test_labels)[0][0])
    x = fashion.test_images[position]
    logits = model(x[None]).detach()[0]
    zeros = int((torch.relu(x.reshape(1, -1) @ model[1].weight.T + model[1].bias) == 0).sum())
    assert metric(at, "units exactly zero for this input") == f"{zeros} / 256"
    ce = torch.nn.functional.cross_entropy(logits[None], torch.tensor([0])).item()
    assert metric(at, "cross-entropy −log p_y") == f"{ce:.4f}"
    table = at.dataframe[0].value
    assert list(table.loc["probability"]) == pytest.approx(torch.softmax(logits, 0).tolist(), abs=1e-6)


def test_temperature_and_mistake_button(fashion, small_quick_model):
    at = app()
    at.button(key="quick_train").click().run()
    probs = list(at.dataframe[0].value.loc["probability"])
    at.slider(key="T").set_value(3.0).run()
    assert not at.exception
    flat = list(at.dataframe[0].value.loc["probability"])
    assert max(flat) < max(probs) and sum(flat) == pytest.approx(1.0, abs=1e-5)
    assert at.query_params["T"] in ("3.0", ["3.0"])  # mirrored into the link
    at.button(key="mistake").click().run()
    assert not at.exception
    assert "Wrong: it is a" in text_of(at)
    cls, index = at.session_state["cls"], at.session_state["index"]
    position = int(inside.class_positions(fashion.test_labels)[cls][index])
    model = panel._quick_model().shown.model
    assert int(model(fashion.test_images[position:position + 1]).argmax()) != int(fashion.test_labels[position])
    at.button(key="mistake").click().run()  # the next one is further on
    later = int(inside.class_positions(fashion.test_labels)[at.session_state["cls"]][at.session_state["index"]])
    assert later != position


@pytest.mark.parametrize("layers, impl", [(2, "scratch"), (3, "concise"), (0, "concise")])
def test_with_a_trained_run_of_any_depth(fashion, layers, impl):
    run = trained_run(fashion, layers=layers, hidden=32, impl=impl)
    at = app({"cls": "5", "index": "3"}, [run])
    assert not at.exception
    assert run.name in at.caption[0].value and f"{run.history[-1]['test_acc']:.3f}" in at.caption[0].value
    total = sum(p.numel() for p in run.trainer.model.parameters())
    assert metric(at, "parameters in all") == f"{total:,}"
    zero_metrics = [m for m in at.metric if m.label == "units exactly zero for this input"]
    assert len(zero_metrics) == layers
    position = int(inside.class_positions(fashion.test_labels)[5][3])
    assert f"Test image {position}: a Sandal." in text_of(at)
    t = inside.trace(run.trainer.model, fashion.test_images[position])
    assert [m.value for m in zero_metrics] == [f"{h.zeros} / 32" for h in t.hidden]
    assert "No model yet" not in text_of(at)


def test_bad_link_parameters_get_a_notice_not_a_traceback(fashion):
    at = app({"cls": "12", "T": "abc", "source": "camera"}, [trained_run(fashion, layers=1, hidden=16)])
    assert not at.exception
    notice = at.info[0].value
    assert "Some link parameters were adjusted" in notice and "cls=12" in notice and "T=abc" in notice
    assert at.session_state["cls"] == 9 and at.session_state["T"] == 1.0 and at.session_state["source"] == "test"


def test_upload_and_draw_choices_ask_for_a_picture(fashion):
    at = app(book=[trained_run(fashion, layers=1, hidden=16)])
    at.radio(key="source").set_value("upload").run()
    assert not at.exception and "Upload a picture" in text_of(at)
    at.radio(key="source").set_value("draw").run()
    assert not at.exception and "The canvas is empty" in text_of(at)
