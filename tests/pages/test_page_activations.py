"""The activation-functions page, driven through AppTest: every function, every slider, presets, bad URLs."""

import base64
import json
from pathlib import Path

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

import ui
from explorer.mlp.activations import CATALOGUE, NAMES

PAGE = str(Path(__file__).parents[2] / "pages" / "1_Activation_functions.py")


def _app(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _all_text(at) -> str:
    return " ".join(str(e.value) for kind in ("caption", "markdown", "info") for e in at.get(kind))


def test_default_page_renders_all_charts_and_the_collapse_numbers():
    at = _app()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5
    linear_gap, nonlinear_gap = (float(m.value) for m in at.metric)
    assert linear_gap < 1e-5 < 0.1 < nonlinear_gap
    assert len(at.get("latex")) == 3 + 1  # one formula per default function, plus the collapse identity
    assert "What to notice" in _all_text(at)


def test_every_function_can_be_compared_and_chosen():
    at = _app()
    at.multiselect(key="acts").set_value(list(NAMES)).run()
    assert not at.exception
    assert len(at.get("latex")) == len(NAMES) + 1
    for name in NAMES:
        at.selectbox(key="focus").set_value(name).run()
        assert not at.exception, name
        assert at.header[1].value.endswith(CATALOGUE[name].label)


@pytest.mark.parametrize(("kind", "key", "value"), [
    ("slider", "alpha", 0.6), ("slider", "x_max", 3), ("select_slider", "threshold", 0.2),
    ("slider", "units", 9), ("slider", "depth", 17), ("select_slider", "width", 32),
    ("select_slider", "init_scale", 2.0), ("number_input", "seed", 7),
])
def test_moving_each_control_reruns_cleanly_and_lands_in_the_url(kind, key, value):
    at = _app()
    at.multiselect(key="acts").set_value(["prelu", "sigmoid"]).run()
    at.selectbox(key="focus").set_value("prelu").run()
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception
    assert at.query_params[key] == str(value)
    assert len(at.get("plotly_chart")) == 5


def test_depth_slider_changes_the_gradient_chart():
    at = _app()
    before = at.get("plotly_chart")[-1].proto.spec
    at.slider(key="depth").set_value(15).run()
    after = at.get("plotly_chart")[-1].proto.spec
    assert not at.exception and before != after
    assert "15 layers" in _all_text(at)


# What each preset button promises (pages/1_Activation_functions.py); unnamed controls return to their defaults.
PRESETS = {
    "d2l: ReLU·sigmoid·tanh": {"acts": ["relu", "sigmoid", "tanh"]},
    "vanishing sigmoid": {"acts": ["sigmoid", "relu"], "focus": "sigmoid", "depth": 15},
    "ReLU deep (He)": {"acts": ["relu", "sigmoid", "tanh"], "depth": 20, "init_scale": 1.41},
    "GELU·SiLU·Mish": {"acts": ["relu", "gelu", "silu", "mish"], "focus": "gelu"},
    "pReLU α=1: linear": {"acts": ["prelu", "relu"], "focus": "prelu", "alpha": 1.0},
}
DEFAULTS = {"acts": ["relu", "sigmoid", "tanh"], "focus": "relu", "depth": 10, "init_scale": 1.0, "alpha": 0.25}


def _chart(at, key) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id).proto.spec)


def _values(array) -> np.ndarray:
    """A trace's x/y as numbers, whether plotly wrote a list or a base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


@pytest.mark.parametrize("preset", PRESETS)
def test_presets_apply_and_render(preset):
    at = _app()
    at.button(key=f"preset_{preset}").click().run()
    assert not at.exception
    wanted = {**DEFAULTS, **PRESETS[preset]}
    assert at.multiselect(key="acts").value == wanted["acts"]
    assert at.selectbox(key="focus").value == wanted["focus"]
    assert at.slider(key="depth").value == wanted["depth"] and at.slider(key="alpha").value == wanted["alpha"]
    assert at.select_slider(key="init_scale").value == wanted["init_scale"]
    # What is drawn follows: one formula card and one curve pair per chosen function ...
    formulas = [e.value.strip("$\n") for e in at.latex][:len(wanted["acts"])]
    assert formulas == [CATALOGUE[n].latex for n in wanted["acts"]]
    curves = _chart(at, "curves_chart")["data"]
    assert [t["name"] for t in curves[::2]] == [CATALOGUE[n].label for n in wanted["acts"]]
    # ... and the depth chart has one point per layer, thickest for the focus function.
    depth = _chart(at, "depth_chart")["data"]
    focus = next(t for t in depth if t["name"] == CATALOGUE[wanted["focus"]].label and "xaxis" not in t)
    grads = _values(focus["y"])
    assert len(grads) == wanted["depth"] and focus["line"]["width"] == 5
    if preset.startswith("vanishing"):
        assert grads[0] < 1e-3 * grads[-1]  # sigmoid: the gradient all but vanishes towards layer 1
    if preset.startswith("ReLU deep"):
        assert 0.1 < grads[0] / grads[-1] < 10  # He init: ReLU's gradient stays within a small factor
    if preset.startswith("pReLU"):
        # pReLU with slope 1 is the identity: the best affine map fits the network to round-off.
        assert float(at.metric[1].value) < 1e-4
    else:
        assert float(at.metric[1].value) > 0.01


def test_bad_url_values_give_a_notice_not_a_crash():
    at = _app(depth="999", alpha="abc", acts="relu,bogus", focus="nope", width="40")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "depth=999" in notice and "alpha=abc" in notice and "bogus" in notice and "focus=nope" in notice
    assert at.slider(key="depth").value == 20
    assert at.slider(key="alpha").value == 0.25
    assert at.multiselect(key="acts").value == ["relu"]
    assert at.select_slider(key="width").value == 32  # nearest on the log scale


def test_url_opens_the_same_configuration():
    at = _app(focus="sigmoid", depth="15", acts="sigmoid,relu")
    assert not at.exception and not at.info
    assert at.selectbox(key="focus").value == "sigmoid" and at.slider(key="depth").value == 15


def test_empty_selection_explains_instead_of_failing():
    at = _app()
    at.multiselect(key="acts").set_value([]).run()
    assert not at.exception
    assert any("at least one" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 3  # sections 2 and 3 still work


def test_random_inputs_when_fashion_mnist_is_missing(monkeypatch):
    monkeypatch.setattr(ui, "dataset", lambda quiet=False: None)
    at = _app()
    assert not at.exception
    assert "random inputs" in _all_text(at)
