"""Real-browser checks of the labs beyond d2l: each new chart opened with its preset in Chromium.

Screenshots land in artifacts/screenshots/labs_*.png for a person to look at.
"""

from __future__ import annotations

import re


import pytest

from playwright.sync_api import expect

from tests.support.streamlit_server import ROOT, assert_no_exception, charts_drawn, serve, wait_for_app, wait_for_change

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server():
    with serve() as (url, _):
        yield url



def open_with_preset(page, url: str, preset: str, tab: str):
    page.goto(url)
    wait_for_app(page, timeout=240_000)
    page.get_by_role("button", name=preset, exact=True).click()
    wait_for_app(page, timeout=240_000)
    page.get_by_role("tab", name=tab).click()  # a tab opens in the browser: no rerun to wait for
    assert_no_exception(page)


def visible_charts(page, count: int):
    charts = page.locator("[data-testid='stPlotlyChart']:visible")
    charts.nth(count - 1).wait_for(timeout=120_000)
    charts_drawn(page)  # plotly draws after the script run ends
    return charts


def shoot(page, name: str) -> None:
    """The page, and each visible chart on its own (Streamlit scrolls inside, so a page shot stops at the fold)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    charts = page.locator("[data-testid='stPlotlyChart']:visible")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).screenshot(path=str(SHOTS / f"{name}_chart{i}.png"))


def test_bias_variance_charts(server, page):
    open_with_preset(page, f"{server}/Under_and_overfitting", "bias vs variance, 20 points", "Bias and variance")
    charts = visible_charts(page, 2)
    assert charts.nth(0).get_by_text("their mean").count() >= 1  # the legend of the resampled fits
    assert charts.nth(1).get_by_text("variance").count() >= 1
    assert "bias_variance=true" in page.url
    shoot(page, "labs_bias_variance")


def test_double_descent_chart_and_ridge(server, page):
    open_with_preset(page, f"{server}/Under_and_overfitting", "double descent", "Double descent (beyond d2l)")
    chart = visible_charts(page, 1).nth(0)
    assert chart.get_by_text("interpolation threshold").count() >= 1
    peak = page.locator("[data-testid='stMetric']").filter(has_text="Worst number of features")
    assert abs(int(peak.locator("[data-testid='stMetricValue']").inner_text()) - 20) <= 2
    shoot(page, "labs_double_descent")
    open_with_preset(page, page.url, "ridge flattens the peak", "Double descent (beyond d2l)")
    visible_charts(page, 1)
    assert int(peak.locator("[data-testid='stMetricValue']").inner_text()) < 18
    shoot(page, "labs_double_descent_ridge")


def test_l1_geometry_chart_moves_with_lambda(server, page):
    open_with_preset(page, f"{server}/Weight_decay?epochs=10", "Why L1 gives zeros", "Why L1 gives zeros")
    charts = visible_charts(page, 2)
    assert charts.nth(0).get_by_text("diamond").count() >= 1
    l1 = page.locator("[data-testid='stMetric']").filter(has_text="L1 optimum")
    assert l1.locator("[data-testid='stMetricValue']").inner_text().endswith(", 0.000)")
    shoot(page, "labs_l1_geometry")
    before = charts.nth(0).screenshot()
    slider = page.locator("[data-testid='stSlider']").filter(has_text="two-weight picture").get_by_role("slider")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")  # back below the λ where w₂ becomes 0
    # The slider's fragment reruns that tab alone (not a full rerun): wait for what it redraws.
    page.wait_for_url("**geo_lambda=0.2**", timeout=240_000)  # the fragment mirrors it into the link
    wait_for_change(charts.nth(0), before)
    expect(l1.locator("[data-testid='stMetricValue']")).not_to_have_text(re.compile(r", 0\.000\)$"))


def test_l1_tab_states_the_proximal_step(server, page):
    page.goto(f"{server}/Weight_decay?lambd=1")
    wait_for_app(page, timeout=240_000)
    page.get_by_role("tab", name="L1 vs L2").click()  # a tab opens in the browser: no rerun to wait for
    visible_charts(page, 1)
    expect(page.get_by_text("soft-thresholded")).to_be_visible()
    zeros = page.locator("[data-testid='stMetric']").filter(has_text="L1: weights exactly 0")
    assert int(zeros.locator("[data-testid='stMetricValue']").inner_text().split()[0]) > 100
    shoot(page, "labs_l1_vs_l2")


def test_mc_dropout_after_a_dropout_run(server, page, fashion):
    # d2l's dropout network (2 layers, p = 0.2 / 0.5, lr 0.5, scratch), smaller and shorter so it trains in seconds.
    page.goto(f"{server}/Train_an_MLP?layers=2&dropout1=0.2&dropout2=0.5&lr=0.5&impl=scratch&train_size=5000"
              "&epochs=5&hidden=128")
    wait_for_app(page, timeout=240_000)
    page.get_by_role("button", name="▶ Train").click()
    test_acc = page.locator("[data-testid='stMetric']").filter(has_text="test acc")
    test_acc.wait_for(timeout=180_000)
    wait_for_app(page, timeout=180_000)
    button = page.get_by_role("button", name="Run 32 forward passes with dropout on")
    button.wait_for(timeout=120_000)  # drawn once the run has finished
    # It learned, so MC dropout against dropout off means something (an untrained net is 0.1 either way).
    assert float(test_acc.locator("[data-testid='stMetricValue']").inner_text()) > 0.5
    button.click()
    page.get_by_text("Averaging K random subnetworks").first.wait_for(timeout=120_000)
    wait_for_app(page, timeout=240_000)
    assert_no_exception(page)
    expect(page.get_by_text("dropout off (model.eval())").first).to_be_visible()
    expect(page.get_by_text("Predicted probabilities for one test image").first).to_be_visible()
    # The numbers: 32 averaged passes come close to dropout off, and dropout off is the run's own test accuracy.
    caption = page.get_by_text(re.compile(r"with K = 32 vs [\d.]+ off")).first.inner_text()
    mc, off = map(float, re.search(r"\(([\d.]+) with K = 32 vs ([\d.]+) off\)", caption).groups())
    assert 0.5 < mc <= 1 and abs(mc - off) < 0.05, (mc, off)
    assert off == pytest.approx(float(test_acc.locator("[data-testid='stMetricValue']").inner_text()), abs=5e-4)
    charts_drawn(page)
    page.get_by_text("Dropout as an ensemble").scroll_into_view_if_needed()
    shoot(page, "labs_mc_dropout")
