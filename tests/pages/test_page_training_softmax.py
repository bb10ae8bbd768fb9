"""The training page with 0 hidden layers: the softmax-regression preset, disabled controls, a run."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).parents[2] / "pages" / "3_Train_an_MLP.py")


def test_softmax_regression_preset_disables_width_activation_dropout_and_trains(fashion):
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception and not at.slider(key="hidden").disabled
    at.button(key="preset_softmax regression (d2l 3.6)").click().run()
    assert at.slider(key="layers").value == 0
    assert at.slider(key="hidden").disabled and at.selectbox(key="activation").disabled
    assert at.slider(key="dropout1").disabled
    at.select_slider(key="train_size").set_value(1000)
    at.slider(key="epochs").set_value(1).run()
    at.button(key="train").click().run()
    assert not at.exception
    run = at.session_state["runs"][-1]
    assert run.config["layers"] == 0 and run.config["dropout"] == []
    assert run.name.endswith("softmax regression lr 0.1 sgd")
    assert sum(p.numel() for p in run.trainer.model.parameters()) == 7850
    assert 0.3 < run.history[-1]["test_acc"] <= 1
    assert at.query_params["layers"] in ("0", ["0"])
