"""The weight-decay page drives the real experiments: default render, sweep, presets, bad links."""

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import metrics, open_page

PAGE = "5_Weight_decay.py"


def charts(at: AppTest) -> dict[str, dict]:
    """Rendered plotly charts by their key, each as its figure spec."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def values(array) -> np.ndarray:
    """Plotly stores numeric arrays as base64 typed arrays in the spec."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_default_page_compares_lambda_0_and_3(default_page):
    at = default_page
    assert not at.exception
    figs = charts(at)
    assert {"loss_curves", "norm_bars", "weight_hist", "sweep", "l1_vs_l2", "impl_overlay"} <= set(figs)
    values = metrics(at)
    assert float(values["test loss, λ = 3"]) < 1 and float(values["‖w‖₂, λ = 3"]) < 1
    # One panel per λ compared: λ = 0 and λ = 3.
    titles = [a["text"] for a in figs["loss_curves"]["layout"]["annotations"]]
    assert titles == ["λ = 0", "λ = 3"]
    assert any("What to notice" in c.value for c in at.caption)


def test_sweep_is_rendered_with_the_best_lambda_marked(default_page):
    sweep = charts(default_page)["sweep"]
    names = [trace.get("name") for trace in sweep["data"]]
    assert "best λ (lowest test loss)" in names and "test loss" in names
    test_curve = next(t for t in sweep["data"] if t.get("name") == "test loss")
    lambdas = values(test_curve["x"])
    assert len(lambdas) == 30  # the 30 positive λ; λ = 0 is the dotted reference line
    assert lambdas.min() == pytest.approx(1e-3) and lambdas.max() == pytest.approx(1e2)
    assert "best λ (lowest final test loss)" in metrics(default_page)
    scratch_vs_concise = float(metrics(default_page)["largest relative difference, scratch vs concise (float64)"])
    assert scratch_vs_concise < 1e-9


def test_preset_and_widgets_update_state_and_url():
    at = open_page(PAGE, epochs="20")
    at.button(key="preset_L1 vs L2").click().run()
    assert not at.exception
    assert at.session_state["penalty"] == "l1" and at.session_state["lambd"] == 1
    assert at.query_params["penalty"] == "l1" and at.query_params["compare"] == "0,1"  # mirrored in the link
    at.multiselect(key="compare").set_value([0, 0.1, 1]).run()
    assert not at.exception
    titles = [a["text"] for a in charts(at)["loss_curves"]["layout"]["annotations"]]
    assert titles == ["λ = 0", "λ = 0.1", "λ = 1"]


def test_bad_link_values_are_clamped_with_a_notice():
    at = open_page(PAGE, epochs="999", lambd="abc", impl="keras", compare="0,7,zz", num_inputs="37")
    assert not at.exception
    assert at.session_state["epochs"] == 300 and at.session_state["lambd"] == 3
    assert at.session_state["impl"] == "scratch" and at.session_state["num_inputs"] == 50
    assert at.info and "adjusted" in at.info[0].value


def test_a_diverging_learning_rate_warns_instead_of_crashing():
    # lr·λ = 3 > 2: SGD with weight decay λ = 100 blows up; 30 epochs overflow float32 into inf and NaN
    at = open_page(PAGE, lr="0.03", lambd="100", epochs="30")
    assert not at.exception
    assert any("diverged" in w.value for w in at.warning)
    assert "best λ (lowest final test loss)" in metrics(at)  # the λ that did not diverge still compete


def test_a_link_asking_for_minutes_of_work_is_bounded_with_a_notice():
    at = open_page(PAGE, timeout=300, n_train="200", epochs="300", num_inputs="1000",
                   compare="0,0.001,0.003,0.01,0.03,0.1,0.3,1,3,10,30,100")
    assert not at.exception
    notice = next(i.value for i in at.info if "Epochs reduced" in i.value)
    assert "from 300 to 10" in notice and "12 models × 1000 features × 200 examples" in notice
    assert at.slider(key="epochs").value == 10


def test_bounded_epochs_keep_d2l_settings():
    from explorer.lessons import weight_decay as wd

    assert wd.bounded_epochs(20, 5, 200, 2, 100) == 100  # d2l's λ 0 vs 3
    assert wd.bounded_epochs(100, 5, 200, 3, 300) == 300  # the "more data" preset, longer
    assert wd.bounded_epochs(200, 5, 1000, 12, 300) == 10
    assert wd.bounded_epochs(200, 1, 1000, 100, 300) == 1  # at least one epoch
