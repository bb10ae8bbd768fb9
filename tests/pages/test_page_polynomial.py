"""The under/overfitting page, driven through Streamlit's AppTest."""


import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_page

PAGE = "4_Under_and_overfitting.py"


def run_page(**query) -> AppTest:
    return open_page(PAGE, timeout=60, **query)


def losses(at: AppTest) -> tuple[float, float]:
    """(final training loss, final test loss) as shown in the metrics."""
    values = {m.label: m.value for m in at.metric}
    return float(values["Final training loss (MSE)"]), float(values["Final test loss (MSE)"])


def test_default_page_renders_live_fit():
    at = run_page()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # losses, fitted curve, weights
    train, test = losses(at)
    assert train < 0.02 and test < 0.03  # d2l's good fit: both near σ² = 0.01
    assert len(at.caption) >= 3
    assert not at.warning


@pytest.mark.parametrize("preset, degree", [("underfit", 2), ("good fit", 4), ("overfit", 20),
                                            ("overfit, 10 points", 20)])
def test_each_preset_renders_and_lands_in_the_url(preset, degree):
    at = run_page()
    at.button(key=f"preset_{preset}").click().run()
    assert not at.exception
    assert at.session_state.degree == degree
    if degree == 4:  # the default stays out of the URL
        assert "degree" not in at.query_params
    else:
        assert at.query_params["degree"] == str(degree)
    assert len(at.get("plotly_chart")) == 3


def test_presets_show_three_regimes():
    at = run_page()
    at.button(key="preset_underfit").click().run()
    under_train, under_test = losses(at)
    at.button(key="preset_good fit").click().run()
    good_train, good_test = losses(at)
    at.button(key="preset_overfit, 10 points").click().run()
    over_train, over_test = losses(at)
    assert under_train > 50 * good_train and under_test > 50 * good_test
    assert over_test > 5 * over_train


def test_sweeps_run_on_click_and_kfold_selects_about_four():
    at = run_page(epochs="200")
    for button in ("run_complexity", "run_learning", "run_kfold"):
        at.button(key=button).click().run()
        assert not at.exception
    assert len(at.get("plotly_chart")) == 6
    selected = next(m for m in at.metric if m.label == "Selected number of features")
    assert abs(int(selected.value) - 4) <= 1
    # Results survive reruns; a changed setting marks them as stale instead of hiding them.
    at.slider(key="noise").set_value(0.3).run()
    assert len(at.get("plotly_chart")) == 6
    assert any("earlier settings" in info.value for info in at.info)


def test_new_data_moves_to_the_next_seed():
    at = run_page()
    at.button(key="new_data").click().run()
    assert not at.exception
    assert at.session_state.seed == 1
    assert at.query_params["seed"] == "1"


def test_bad_url_values_are_clamped_with_a_notice():
    at = run_page(degree="999", lr="abc", n_train="33", epochs="5")
    assert not at.exception
    assert at.session_state.degree == 20
    assert at.session_state.lr == 0.01
    assert at.session_state.n_train == 30
    assert at.session_state.epochs == 10
    notice = at.info[0].value
    assert "degree=999" in notice and "lr=abc" in notice


def test_divergence_warns_instead_of_crashing():
    at = run_page(degree="20", lr="0.1", batch_size="1", epochs="60")
    assert not at.exception
    assert any("diverged" in w.value for w in at.warning)


def test_a_link_asking_for_millions_of_sgd_steps_is_bounded_with_a_notice():
    at = run_page(n_train="1000", batch_size="1", epochs="2000", seed="7")
    assert not at.exception
    notice = next(i.value for i in at.info if "Epochs reduced" in i.value)
    assert "from 2000 to 60" in notice and "1000 SGD steps per epoch" in notice and "60,000 steps" in notice
    assert at.slider(key="epochs").value == 60


def test_bounded_epochs_keep_d2l_settings():
    from explorer.lessons import polynomial as poly

    assert poly.bounded_epochs(100, 10, 1500, step=10) == 1500  # d2l's overfit: 15,000 steps
    assert poly.bounded_epochs(1000, 1, 2000, step=10) == 60
    assert poly.bounded_epochs(1000, 1, 2000) == 60 and poly.bounded_epochs(1000, 2, 2000, step=10) == 120
    assert poly.bounded_epochs(1000, 1, 5) == 5
