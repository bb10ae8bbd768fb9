"""Real-browser tests: `streamlit run app.py` driven by Playwright on Debian's Chromium.

Screenshots of every page land in artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playwright.sync_api import expect

from tests.support.streamlit_server import (ROOT, assert_no_exception, charts_drawn, free_port, new_context, serve,
                                     wait_for_app, wait_for_change)

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
SHOTS = ROOT / "artifacts" / "screenshots"
# url path → label of a slider whose move must change a chart on that page
PAGES = {
    "Activation_functions": "x range",
    "Under_and_overfitting": "Number of features",
    "Weight_decay": "λ",
    "Train_an_MLP": None,  # its charts need a training run; the dropout panel's slider is tested instead
}


@pytest.fixture(scope="module")
def server(fashion):
    with serve() as (url, _):
        yield url



def open_page(page, url: str):
    page.goto(url)
    wait_for_app(page)
    return page


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sidebar_slider(page, label: str):
    """The first slider labelled ``label``, in the sidebar or (a page's first controls, for phones) above the page."""
    slider = page.locator("[data-testid='stSlider']").filter(has_text=label).first
    return slider.get_by_role("slider")


def test_landing_page_links_every_lesson(server, page):
    open_page(page, server)
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="MLP Explorer")).to_be_visible()
    expect(page.get_by_text("Fashion-MNIST is ready").or_(page.get_by_text("will be unpacked"))).to_be_visible()
    for path in PAGES:
        assert page.locator(f"a[href$='/{path}']").count() >= 1
    shoot(page, "0_home")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_charts_and_reacts_to_a_slider(server, page, path):
    open_page(page, f"{server}/{path}")
    assert_no_exception(page)
    if PAGES[path] is None:  # training page: charts need a run; the dropout panel's slider redraws its figure
        page.get_by_text("Dropout, seen").click()
        slider = page.locator("[data-testid='stSlider']").filter(has_text="Dropout probability").get_by_role("slider")
    else:
        slider = sidebar_slider(page, PAGES[path])
    chart = page.locator("[data-testid='stPlotlyChart']:visible").first
    chart.wait_for(timeout=60_000)
    charts_drawn(page)
    shoot(page, path)
    before = chart.screenshot()
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    wait_for_app(page)
    wait_for_change(chart, before)  # plotly redraws after the script run ends
    assert_no_exception(page)


def test_training_runs_to_completion_in_the_browser(server, page):
    open_page(page, f"{server}/Train_an_MLP?train_size=5000&epochs=3&hidden=64")
    page.get_by_role("button", name="▶ Train").click()
    page.locator("[data-testid='stMetric']").filter(has_text="test acc").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    accuracy = float(page.locator("[data-testid='stMetric']").filter(has_text="test acc")
                     .locator("[data-testid='stMetricValue']").inner_text())
    assert 0.5 < accuracy <= 1.0
    page.get_by_role("tab", name="Compare runs").click()
    expect(page.get_by_text("Histories as CSV")).to_be_visible()
    shoot(page, "training_finished")


def test_stop_twice_then_continue_then_reload_mid_training(server, page):
    open_page(page, f"{server}/Train_an_MLP?epochs=30")
    page.get_by_role("button", name="▶ Train").click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart']:visible").first.wait_for()
    stop = page.get_by_role("button", name="■ Stop")
    stop.click()
    wait_for_app(page)
    stop.click()  # a second Stop is harmless
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_text("Stopped at epoch")).to_be_visible()
    shoot(page, "training_stopped")

    page.get_by_role("button", name="⏩ Continue").click()
    page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
    page.reload()  # a new session while the old one trains: no traceback anywhere
    wait_for_app(page)
    assert_no_exception(page)


def test_link_parameters_restore_settings_and_bad_ones_get_a_notice(server, page):
    open_page(page, f"{server}/Train_an_MLP?hidden=64&dropout1=0.5&lr=abc&layers=9")
    assert_no_exception(page)
    expect(page.get_by_text("Some link parameters were adjusted")).to_be_visible()
    expect(sidebar_slider(page, "Hidden units")).to_have_attribute("aria-valuetext", "64")
    expect(sidebar_slider(page, "Hidden layers")).to_have_attribute("aria-valuetext", "3")
    expect(sidebar_slider(page, "Dropout after hidden layer 1")).to_have_attribute("aria-valuetext", "0.50")


def test_missing_dataset_is_explained_and_other_pages_still_work(tmp_path: Path, browser):
    env = {"EXPLORER_DATA_DIR": str(tmp_path / "empty"), "EXPLORER_SYSTEM_DATA_DIR": str(tmp_path / "none"),
           "EXPLORER_NO_DOWNLOAD": "1"}
    with serve(env) as (url, _):
        context = new_context(browser)
        page = context.new_page()
        open_page(page, f"{url}/Train_an_MLP")
        assert_no_exception(page, errors_expected=True)  # the error that says how to get the data
        expect(page.get_by_text("apt-get install dataset-fashion-mnist").first).to_be_visible()
        shoot(page, "training_no_dataset")
        for path in ("Under_and_overfitting", "Weight_decay"):
            open_page(page, f"{url}/{path}")
            assert_no_exception(page)
            page.locator("[data-testid='stPlotlyChart']").first.wait_for(state="attached", timeout=60_000)
        context.close()


def test_server_restart_reconnects_without_a_traceback(browser, fashion):
    port = free_port()
    context = new_context(browser)
    page = context.new_page()
    with serve(port=port) as (url, _):
        open_page(page, f"{url}/Weight_decay?lambd=1")
    # The server is gone; the open page waits and reconnects to the new one by itself.
    with serve(port=port) as (url, _):
        wait_for_app(page, new_run=False)  # connected again (a reconnect does not rerun the script)
        assert_no_exception(page)
        chart = page.locator("[data-testid='stPlotlyChart']:visible").first
        chart.wait_for(timeout=60_000)
        before = chart.screenshot()
        slider = sidebar_slider(page, "λ")
        # The new server holds a new session, which seeds its controls from the link (lambd=1): the first
        # move only starts that session. The second one must redraw the chart through the new connection.
        for _ in range(2):
            slider.focus()
            slider.press("ArrowRight")
            wait_for_app(page)
        expect(slider).not_to_have_attribute("aria-valuetext", "1")
        wait_for_change(chart, before)
        assert_no_exception(page)
    context.close()
