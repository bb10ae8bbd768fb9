"""The new tabs of the polynomial and weight-decay pages, driven through AppTest with their presets."""

import pytest

from tests.support.apptest import chart_keys, metrics, open_page

POLY, WD = "4_Under_and_overfitting.py", "5_Weight_decay.py"


def test_new_tabs_stay_off_by_default():
    at = open_page(POLY)
    assert not at.exception
    assert not {"chart_resampled", "chart_bias_variance", "chart_double_descent"} & chart_keys(at)


def test_bias_variance_preset_draws_both_charts_and_follows_the_degree():
    at = open_page(POLY)
    at.button(key="preset_bias vs variance, 20 points").click().run()
    assert not at.exception
    assert at.query_params["bias_variance"] == "true" and at.query_params["n_train"] == "20"
    assert {"chart_resampled", "chart_bias_variance"} <= chart_keys(at)
    at.slider(key="degree").set_value(3).run()
    assert not at.exception
    assert any("3 features: bias²" in c.value for c in at.caption)


def test_double_descent_marks_the_peak_at_n_and_ridge_flattens_it():
    at = open_page(POLY)
    at.button(key="preset_double descent").click().run()
    assert not at.exception and "chart_double_descent" in chart_keys(at)
    assert abs(int(metrics(at)["Worst number of features"]) - 20) <= 2
    at.button(key="preset_ridge flattens the peak").click().run()
    assert not at.exception
    assert at.query_params["dd_ridge"] == "0.0001"
    assert int(metrics(at)["Worst number of features"]) < 18  # the peak at p = n is gone


def test_l1_geometry_preset_shows_an_exact_zero():
    at = open_page(WD, epochs="10")
    at.button(key="preset_Why L1 gives zeros").click().run()
    assert not at.exception
    assert at.session_state["geo_lambda"] == 0.7 and at.query_params["geo_lambda"] == "0.7"
    assert {"chart_geometry", "chart_paths"} <= chart_keys(at)
    l1 = metrics(at)["L1 optimum (w₁, w₂)"]
    assert l1.endswith(", 0.000)")
    assert not metrics(at)["L2 optimum (w₁, w₂)"].endswith(", 0.000)")


def test_l1_tab_counts_exact_zeros():
    at = open_page(WD, lambd="1")
    assert not at.exception
    zeros, total = metrics(at)["L1: weights exactly 0"].split(" of ")
    assert int(zeros) > 100 and total == "200"
    assert metrics(at)["L2: weights exactly 0"].startswith("0 of")


@pytest.mark.parametrize("query", [{"n_train": "1", "lr": "0.03", "epochs": "30"}])
def test_every_lambda_diverging_keeps_the_later_tabs(query):
    at = open_page(WD, **query)
    assert not at.exception
    assert any("Every λ diverged" in e.value for e in at.error)
    # The tabs after the sweep are still drawn (st.stop() used to end the script there).
    assert {"l1_vs_l2", "impl_overlay", "chart_geometry"} <= chart_keys(at)
