""""Hidden layers" in a real browser: train on XOR live, in English and in Chinese, until the test
accuracy passes 0.95 and every unit's map is drawn; Stop ends a training. Screenshots land in
artifacts/screenshots/hidden_*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.streamlit_server import serve, wait_for_app
from tests.browser.test_browser import SHOTS, assert_no_exception

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
LONG = 120_000  # ms: a shared 2-core machine

# The number shown under a metric's label, or null; the labels are the page's, in either language.
METRIC = """label => {
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const l = m.querySelector('[data-testid="stMetricLabel"]');
    if (l && l.innerText.trim() === label) {
      return parseFloat(m.querySelector('[data-testid="stMetricValue"]').innerText);
    }
  }
  return null;
}"""
# The unit maps: the heatmaps the network chart (the one titled with "hidden layer 1") has drawn.
UNIT_MAPS = """title => {
  const chart = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .find(c => c.innerText.includes(title));
  return chart ? chart.querySelectorAll('.heatmaplayer image, .hm image').length : 0;
}"""


# The live pictures' alt texts (ui/hidden_layers.py).
LIVE_SURFACE = "The network's output while it trains"
LIVE_NETWORK = "Every hidden unit's output while it trains"


@pytest.fixture(scope="module")
def server():
    with serve() as (url, _):
        yield url


def train_until_solved(page, train: str, accuracy: str, layer: str) -> None:
    page.get_by_role("button", name=train).click()
    # Live: the accuracy climbs while the script keeps running; wait until it passes 0.95.
    page.wait_for_function(f"() => ({METRIC})({accuracy!r}) >= 0.95", timeout=LONG)
    # x₁, x₂, the 4 hidden units and the output: 7 small heatmaps under "hidden layer 1".
    page.wait_for_function(f"() => ({UNIT_MAPS})({layer!r}) >= 7", timeout=LONG)
    assert_no_exception(page)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hidden_{name}.png"), full_page=True)


def test_xor_trains_live_and_the_unit_maps_appear(server, page):
    page.goto(f"{server}/Hidden_layers?speed=100")
    wait_for_app(page)
    assert page.get_by_text("Press ▶ Train").is_visible()
    train_until_solved(page, "▶ Train", "test accuracy", "hidden layer 1")
    shoot(page, "xor")


def test_in_chinese(server, page):
    page.goto(f"{server}/Hidden_layers?lang=zh&speed=100")
    wait_for_app(page)
    page.get_by_role("heading", name="隐藏层").first.wait_for()
    train_until_solved(page, "▶ 训练", "测试精度", "隐藏层 1")
    shoot(page, "xor_zh")


def test_stop_ends_a_long_training(server, page):
    page.goto(f"{server}/Hidden_layers?speed=10&epochs=5000")
    wait_for_app(page)
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_function(f"() => ({METRIC})('epoch') >= 3", timeout=LONG)
    # While it trains, the surface and the unit maps are pictures (a browser cannot redraw charts 10x a second)
    expect(page.get_by_role("img", name=LIVE_SURFACE)).to_be_visible(timeout=LONG)
    expect(page.get_by_role("img", name=LIVE_NETWORK)).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="■ Stop").click()
    # The script run ends: the loop was interrupted, not left running for 500 s. (A busy browser may
    # still be drawing pictures the server sent before the click: wait for it to catch up.)
    wait_for_app(page, timeout=LONG)
    page.wait_for_function(f"() => ({METRIC})('epoch') !== null", timeout=LONG)
    stopped = page.evaluate(f"() => ({METRIC})('epoch')")
    assert 3 <= stopped < 5000
    # Stopped: the interactive charts are back in the pictures' place.
    page.wait_for_function(f"() => ({UNIT_MAPS})('hidden layer 1') >= 7", timeout=LONG)
    expect(page.get_by_role("img", name=LIVE_NETWORK)).to_have_count(0)
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => ({METRIC})('epoch') === {stopped + 1}", timeout=LONG)
    assert_no_exception(page)
