""""Backpropagation" in a real browser: open the page, take one step, see the charts and the loss after it,
in English and in Chinese. Screenshots land in artifacts/screenshots/backprop_*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.streamlit_server import ROOT, serve, wait_for_app

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
SHOTS = ROOT / "artifacts" / "screenshots"
CHARTS = "[data-testid='stPlotlyChart']"


@pytest.fixture(scope="module")
def server(fashion):
    with serve() as (url, _):
        yield url


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 6000})
    page.wait_for_function(f"() => document.querySelectorAll(\"{CHARTS} .main-svg\").length >= 11")
    page.screenshot(path=str(SHOTS / f"backprop_{name}.png"), full_page=True)
    page.set_viewport_size(size)


def no_exception(page) -> bool:
    return page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("lang, step, loss_after, graph, trace", [
    ("en", "Take one step", "Loss after the step", "Computational graph", "Steps taken"),
    ("zh", "走一步", "更新后的损失", "计算图", "已走的步数"),
])
def test_take_one_step_shows_the_loss_after_it_and_the_charts(server, page, lang, step, loss_after, graph, trace):
    # Home first: a deep link that is a server's very first request gets no navigation bar (app.py's note).
    page.goto(f"{server}/?lang={lang}")
    wait_for_app(page)
    page.goto(f"{server}/Backpropagation?lang={lang}&bp_b=32")
    wait_for_app(page)
    page.locator(CHARTS).filter(has_text=graph).wait_for()
    assert no_exception(page)
    assert page.locator("[data-testid='stMetric']").filter(has_text=loss_after).count() == 0
    page.get_by_role("button", name=step, exact=True).click()
    metric = page.locator("[data-testid='stMetric']").filter(has_text=loss_after)
    metric.wait_for()
    page.locator(CHARTS).filter(has_text=trace).wait_for()
    wait_for_app(page)
    assert no_exception(page)
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    assert re.fullmatch(r"\d\.\d{4}", value) and 2.0 < float(value) < 2.31  # ln 10 ≈ 2.3026 at d2l's init
    # every chart of the step: batch, ∂L/∂O, ∂L/∂W₂, ∂L/∂Z₁, ∂L/∂W₁, graph, norms, ΔW, line, optimizers, trace
    page.wait_for_function(f"() => document.querySelectorAll(\"{CHARTS}\").length === 11")
    shoot(page, lang)


def test_the_vanishing_gradient_link_opens_activation_functions_at_its_part_on_depth(server, page):
    page.goto(f"{server}/?lang=zh")
    wait_for_app(page)
    page.goto(f"{server}/Backpropagation?lang=zh")
    wait_for_app(page)
    link = page.get_by_role("link", name="激活函数，第 3 部分")
    with page.context.expect_page() as opened:  # Streamlit opens a markdown link in a new tab: this one stays
        link.click()
    lesson = opened.value
    wait_for_app(lesson)
    assert re.search(r"/Activation_functions\?lang=zh#gradients-through-depth$|/Activation_functions#gradients-through-"
                     r"depth$", lesson.url), lesson.url
    section = lesson.locator("#gradients-through-depth")
    expect(section).to_contain_text("3 · ")
    expect(section).to_be_in_viewport()  # scrolled to the part on depth, not the top of the page
    lesson.close()
