"""The keyboard alone: Tab reaches a preset, ▶ Train and ■ Stop on the training page and "Take one step" on
Backpropagation; Enter or Space presses them, and the page does what a click would."""

from __future__ import annotations

import re

import pytest

from tests.support.streamlit_server import assert_no_exception, serve, wait_for_app

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
from playwright.sync_api import expect  # noqa: E402

WAIT = 120_000  # ms: expect's own default is 5 s, too short for a training on a busy shared machine

FOCUSED_TEXT = "() => (document.activeElement && document.activeElement.innerText || '').trim()"


@pytest.fixture(scope="module")
def server(fashion):
    with serve() as (url, _):
        yield url


def tab_to(page, text: str, limit: int = 300) -> int:
    """Press Tab until the focused element reads ``text``; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_TEXT) == text:
            return presses
    raise AssertionError(f"{limit} Tabs never reached {text!r}")


def test_tab_reaches_a_preset_train_and_stop_and_enter_or_space_presses_them(server, page):
    page.goto(f"{server}/")  # a deep link as a server's very first request gets no navigation (app.py)
    wait_for_app(page)
    page.goto(f"{server}/Train_an_MLP?train_size=5000&epochs=50")  # a run long enough to stop
    wait_for_app(page)
    tab_to(page, "softmax regression (d2l 3.6)")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"[?&]layers=0\b"), timeout=WAIT)  # the preset: 0 hidden layers
    assert page.evaluate(FOCUSED_TEXT) == "softmax regression (d2l 3.6)"  # focus stays where it was

    tab_to(page, "▶ Train")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid='stProgress']")).to_be_visible(timeout=WAIT)  # training: "Epoch … of 50"
    assert tab_to(page, "■ Stop") == 1  # the very next stop
    page.keyboard.press(" ")
    expect(page.get_by_text("Stopped at epoch")).to_be_visible(timeout=WAIT)
    wait_for_app(page)
    assert_no_exception(page)


def test_tab_reaches_take_one_step_and_enter_takes_it(server, page):
    page.goto(f"{server}/")
    wait_for_app(page)
    page.goto(f"{server}/Backpropagation?bp_b=32")
    wait_for_app(page)
    loss_after = page.locator("[data-testid='stMetric']").filter(has_text="Loss after the step")
    assert loss_after.count() == 0
    tab_to(page, "Take one step")
    page.keyboard.press("Enter")
    expect(loss_after).to_be_visible(timeout=WAIT)
    wait_for_app(page)
    assert_no_exception(page)
