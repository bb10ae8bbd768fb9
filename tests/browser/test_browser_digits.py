""""Inside an MLP" with ?dataset=mnist in a real browser: strokes drawn with the mouse are read as digits.

The quick digits model (d2l's MLP, 10 epochs on 8,000 digits) reads a drawing prepared MNIST's way: the
stroke's box scaled into 20×20, centred in 28×28 by its centre of mass. Screenshots land in
artifacts/screenshots/digits_*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.streamlit_server import ROOT, serve, wait_for_app

pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots"
LONG = 180_000  # ms: a busy shared machine


@pytest.fixture(scope="module")
def server(mnist, tmp_path_factory):
    with serve({"EXPLORER_CACHE_DIR": str(tmp_path_factory.mktemp("models")), "EXPLORER_NO_DOWNLOAD": "1"}) as (
            url, _):
        yield url


def open_canvas(page, url: str):
    """Inside an MLP on digits, the canvas chosen, the quick digits model ready; returns the canvas's box."""
    page.goto(url)  # home first: a deep link as a server's very first request gets no navigation bar
    wait_for_app(page)
    page.goto(f"{url}/Inside_an_MLP?dataset=mnist&source=draw")
    wait_for_app(page)
    train = page.get_by_role("button", name="Train a quick model")
    ready = page.get_by_text("quick digits model")
    expect(train.or_(ready).first).to_be_visible(timeout=LONG)
    if train.is_visible():  # the first test trains it; later ones share it
        train.click()
        wait_for_app(page, timeout=LONG)  # the click's rerun trains it
    expect(page.get_by_text("Draw one digit with the mouse")).to_be_visible(timeout=LONG)
    expect(page.get_by_text("quick digits model").first).to_be_visible(timeout=LONG)
    expect(page.get_by_text("The canvas is empty")).to_be_visible(timeout=60_000)
    canvas = page.locator("canvas").last  # the drawing layer, above the background's canvas
    canvas.wait_for(timeout=60_000)
    box = canvas.bounding_box()
    assert box and box["width"] >= 250
    return box


def stroke(page, box, points: list[tuple[float, float]], steps: int = 12) -> None:
    """One pen stroke through ``points`` (canvas pixels, 280×280), as a hand moves the mouse."""
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        for i in range(1, steps + 1):
            page.mouse.move(x0 + ax + (bx - ax) * i / steps, y0 + ay + (by - ay) * i / steps)
    page.mouse.up()


def reads_as(page, digit: str, name: str) -> None:
    expect(page.get_by_text("Your drawing.")).to_be_visible(timeout=60_000)
    wait_for_app(page, timeout=LONG)
    verdict = page.get_by_text("The network says")
    expect(verdict).to_contain_text(f"The network says {digit} (", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    expect(page.get_by_text("as the network sees it")).to_be_visible(timeout=60_000)  # the 28×28 input, drawn
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"digits_{name}.png"), full_page=True)


def test_a_vertical_stroke_is_a_one(server, page):
    box = open_canvas(page, server)
    stroke(page, box, [(140, 45), (140, 235)], steps=20)
    reads_as(page, "1", "one")


def test_a_seven(server, page):
    box = open_canvas(page, server)
    stroke(page, box, [(80, 60), (200, 60), (120, 230)])
    reads_as(page, "7", "seven")
