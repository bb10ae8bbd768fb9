""""Inside an MLP" in a real browser: quick model, a training-page run, an uploaded and a drawn image.

Screenshots land in artifacts/screenshots/inside_*.png for a person to look at.
"""

from __future__ import annotations


import pytest
from PIL import Image, ImageDraw

from playwright.sync_api import expect

from tests.support.streamlit_server import ROOT, assert_no_exception, charts_drawn, serve, wait_for_app, wait_for_change

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
SHOTS = ROOT / "artifacts" / "screenshots"
LONG = 180_000  # ms: the quick model trains on the full data on a busy 2-core machine


@pytest.fixture(scope="module")
def server(fashion, tmp_path_factory):
    # An empty model cache: the click really trains the quick model.
    with serve({"EXPLORER_CACHE_DIR": str(tmp_path_factory.mktemp("models"))}) as (url, _):
        yield url



def shoot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so a tall window shows all of it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 4200})
    charts_drawn(page)
    page.screenshot(path=str(SHOTS / f"inside_{name}.png"), full_page=True)
    page.set_viewport_size(size)


def diagram(page):
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="outputs (softmax)")
    chart.first.wait_for(timeout=LONG)
    # While a rerun moves elements, the old diagram can stand beside the new one for a moment.
    page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stPlotlyChart']\")]"
                           ".filter(e => e.innerText.includes('outputs (softmax)')).length === 1", timeout=LONG)
    return chart


def open_inside(page, url: str) -> None:
    page.goto(f"{url}/Inside_an_MLP")
    wait_for_app(page)


def choose_source(page, label: str) -> None:
    page.locator(".st-key-source [data-testid='stRadio']").get_by_text(label).click()  # the image's controls
    wait_for_app(page)


def test_quick_model_then_pick_an_image_and_a_mistake(server, page):
    open_inside(page, server)
    assert_no_exception(page)
    expect(page.get_by_text("No model yet")).to_be_visible()
    page.get_by_role("button", name="Train a quick model").click()
    diagram(page)
    wait_for_app(page, timeout=LONG)
    assert_no_exception(page)
    expect(page.get_by_text("quick model (d2l MLP, 2 epochs, seed 0)").first).to_be_visible()
    expect(page.get_by_text("784·256 + 256 = 200,960")).to_be_visible()
    shoot(page, "quick_model")

    page.locator(".st-key-cls [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="Sandal").click()
    wait_for_app(page)
    expect(page.get_by_text("a Sandal.")).to_be_visible()
    assert_no_exception(page)
    charts_drawn(page)
    before = diagram(page).screenshot()
    page.get_by_role("button", name="Show me a mistake").click()
    wait_for_app(page)
    expect(page.get_by_text("Wrong: it is a")).to_be_visible()
    assert_no_exception(page)
    wait_for_change(diagram(page), before)
    shoot(page, "mistake")


def test_uploaded_image_and_bad_file(server, page, tmp_path):
    open_inside(page, server)
    diagram(page)  # the quick model of the first test is shared by every session
    choose_source(page, "upload a picture")
    picture = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(picture).rectangle([110, 20, 190, 180], fill=(40, 40, 40))  # a dark shape on white
    path = tmp_path / "trousers.png"
    picture.save(path)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("as the network sees it").wait_for(timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("Your picture (trousers.png).")).to_be_visible()
    assert_no_exception(page)
    diagram(page)
    shoot(page, "upload")

    bad = tmp_path / "notes.png"
    bad.write_bytes(b"these are notes, not a picture")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(bad))
    page.get_by_text("This picture cannot be used").wait_for(timeout=60_000)
    expect(page.get_by_text("not an image")).to_be_visible()
    assert_no_exception(page, errors_expected=True)

    # Hostile files: a GIF named .png (only PNG and JPEG are decoded), and a 0.7 MB PNG of 13,300 × 13,300
    # pixels, refused from its header before it is decoded.
    gif = tmp_path / "animation.png"
    picture.save(gif, "GIF")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(gif))
    expect(page.get_by_text("UnidentifiedImageError")).to_be_visible()
    bomb = tmp_path / "bomb.png"
    Image.new("1", (13_300, 13_300), 0).save(bomb)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(bomb))
    expect(page.get_by_text("13300×13300 px (177 megapixels); the limit is 16 megapixels")).to_be_visible()
    assert_no_exception(page, errors_expected=True)


def test_drawn_image(server, page):
    open_inside(page, server)
    diagram(page)
    choose_source(page, "draw one")
    page.get_by_text("The canvas is empty").wait_for(timeout=60_000)
    # Fabric.js adds its drawing layer (the upper canvas) once it has loaded: the mouse draws on that.
    drawing = page.locator(".canvas-root canvas.upper-canvas")
    drawing.wait_for(timeout=60_000)
    box = drawing.bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 40)
    page.mouse.down()
    for step in range(25):  # a trouser-like stroke down the middle
        page.mouse.move(box["x"] + 100 + step, box["y"] + 40 + step * 8)
    page.mouse.up()
    page.get_by_text("Your drawing.").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    diagram(page)
    shoot(page, "drawn")


def test_run_from_the_training_page_is_explained(server, page):
    # Home first: a deep link that is a server's very first request gets no navigation bar (app.py's note).
    page.goto(server)
    wait_for_app(page)
    page.goto(f"{server}/Train_an_MLP?train_size=1000&epochs=1&hidden=64&layers=2")
    wait_for_app(page)
    page.get_by_role("button", name="▶ Train").click()
    page.locator("[data-testid='stMetric']").filter(has_text="test acc").wait_for(timeout=LONG)
    wait_for_app(page, timeout=LONG)
    page.locator("a[href$='/Inside_an_MLP']").first.click()  # same session: the run comes along
    wait_for_app(page)
    diagram(page)
    expect(page.get_by_text("#1 2×64 relu").first).to_be_visible()
    expect(page.get_by_text("Hidden layer 2: activation")).to_be_visible()
    assert_no_exception(page)
    shoot(page, "training_run")
