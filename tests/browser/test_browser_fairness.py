"""A fair share in a real browser: two greedy sessions train the heaviest run the page allows, then two
newcomers press Train with a small run; the newcomers finish while the greedy runs are still training
(the turns rotate), and the greedy runs are cut to what the server's work budget allows."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.support.streamlit_server import (CHROMIUM, assert_no_exception, launch_chromium, new_context, serve,
                                            wait_for_app)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian's Chromium is not at {CHROMIUM}"),
]
# 1,024 units × 3 layers on 20,000 images cost 0.375 TFLOP per epoch: a budget of 1 TFLOP allows 2 epochs.
GREEDY = "hidden=1024&layers=3&batch_size=32&train_size=20000&epochs=50"
NEWCOMER = "train_size=1000&epochs=2"
FINISHED = "Most confused pairs"  # drawn by the rerun after a run has finished
WAIT = 300_000  # ms: a shared 2-core machine answers slowly at times


def open_page(browser, url: str, query: str):
    page = new_context(browser).new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{url}/Train_an_MLP?{query}")
    wait_for_app(page)
    return page


def test_newcomers_finish_while_greedy_runs_train(fashion):
    with serve({"EXPLORER_RUN_BUDGET": "1"}) as (url, _), playwright_api.sync_playwright() as p:
        browser = launch_chromium(p)
        greedy = [open_page(browser, url, GREEDY) for _ in range(2)]
        newcomers = [open_page(browser, url, NEWCOMER) for _ in range(2)]
        expect(greedy[0].get_by_text("so a run may train 2 epochs in all").first).to_be_visible(timeout=WAIT)
        for page in greedy:
            page.get_by_role("button", name="▶ Train").click()
            expect(page.get_by_text("Epochs reduced to 2.").first).to_be_visible(timeout=WAIT)
            # Training: its progress bar (and first curve point) is up.
            expect(page.get_by_text("Epoch 0.").first).to_be_visible(timeout=WAIT)
        for page in newcomers:
            page.get_by_role("button", name="▶ Train").click()
        for page in newcomers:
            # The run finished and its panels are drawn.
            expect(page.get_by_text(FINISHED).first).to_be_visible(timeout=WAIT)
            assert_no_exception(page)
        for page in greedy:  # still training: the newcomers did not wait for them
            expect(page.get_by_text(FINISHED)).to_have_count(0)
            expect(page.locator("[data-testid='stProgress']")).to_be_visible(timeout=WAIT)
            assert_no_exception(page)
        browser.close()
