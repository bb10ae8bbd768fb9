"""An attendee on a phone (390×844, touch): the class link opens the training page, and joining, the
nickname, width and learning rate, Train, Share and the class board all work in the main area, without
the sidebar and without sideways scrolling. Screenshots land in artifacts/screenshots/phone_*.png.
"""

from __future__ import annotations

import re

import pytest

from explorer.classroom import service as classroom, storage
from tests.support.streamlit_server import ROOT, assert_no_exception, new_context, serve, wait_for_app

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture
from playwright.sync_api import expect  # noqa: E402

WAIT = 120_000  # ms: expect's own default is 5 s, too short for a training on a busy shared machine

SHOTS = ROOT / "artifacts" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def fits(page) -> None:
    """Nothing wider than the screen, and the sidebar still closed (nobody had to find its toggle)."""
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert page.locator("[data-testid='stSidebar'][aria-expanded='true']").count() == 0


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone_{name}.png"), full_page=True)


def move_slider(page, key: str, press: str, param: str) -> None:
    """Move the main-area slider ``key`` with a key press (as a screen reader or keyboard would); its value
    reaches the link (ui.sync_url) when the rerun it started has run."""
    box = page.locator(f"[data-testid='stMain'] .st-key-{key}")  # in the main area, not the sidebar
    box.scroll_into_view_if_needed()
    expect(box).to_be_in_viewport(timeout=WAIT)
    thumb = page.locator(f".st-key-{key} input[type='range']")  # react-aria's slider: a visually hidden range
    thumb.focus()
    thumb.press(press)
    expect(page).to_have_url(re.compile(rf"[?&]{param}="), timeout=WAIT)
    wait_for_app(page)


def test_an_attendee_on_a_phone_joins_sets_width_and_learning_rate_trains_shares_and_sees_the_board(
        browser, tmp_path, fashion):
    db_url = f"sqlite:///{tmp_path / 'board.sqlite'}"
    engine = storage.connect(db_url)
    code = classroom.start_class(engine, train_size=1000, epochs=1)  # a quick class for the test
    with serve({"EXPLORER_DB_URL": db_url}) as (url, _):
        warm = new_context(browser).new_page()  # the presenter's board was open first: a warm server
        warm.goto(f"{url}/Class_board?class={code}")
        wait_for_app(warm)
        warm.context.close()

        context = new_context(browser, **PHONE)
        context.set_default_timeout(120_000)  # a shared 2-core machine answers slowly at times
        page = context.new_page()
        page.goto(f"{url}/Train_an_MLP?class={code}")  # what the phone opens after scanning the QR code
        wait_for_app(page)
        expect(page.get_by_text(f"Class {code}").first).to_be_in_viewport(timeout=WAIT)
        fits(page)
        shoot(page, "joined")

        nickname = page.get_by_role("textbox", name="Your nickname on the class board")
        expect(nickname).to_be_visible(timeout=WAIT)
        nickname.fill("Grace Hopper")
        nickname.press("Enter")
        wait_for_app(page)

        move_slider(page, "hidden", "Home", "hidden")  # width 256 → 16
        expect(page.locator(".st-key-hidden input[type='range']")).to_have_value("16", timeout=WAIT)
        move_slider(page, "lr", "ArrowRight", "lr")  # learning rate 0.1 → 0.2
        assert "lr=0.2" in page.url and "hidden=16" in page.url
        fits(page)

        train = page.get_by_role("button", name="▶ Train")
        train.scroll_into_view_if_needed()
        train.tap()
        share = page.get_by_role("button", name="📤 Share with the class")
        share.wait_for()
        wait_for_app(page)
        fits(page)
        shoot(page, "trained")
        share.tap()
        wait_for_app(page)
        expect(page.get_by_text("is on the board of class")).to_be_visible(timeout=WAIT)
        runs = classroom.board(engine, code)["runs"]
        assert [(r["nickname"], r["config"]["hidden"], r["config"]["lr"]) for r in runs] == [("Grace Hopper", 16, 0.2)]
        fits(page)
        assert_no_exception(page)

        page.get_by_role("link", name="See yourself on the class board").tap()  # the same session, not a new tab
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Class board")).to_be_visible(timeout=WAIT)
        assert f"/Class_board?class={code}" in page.url
        expect(page.get_by_text("Grace Hopper #1").first).to_be_attached(timeout=WAIT)  # leaderboard, charts
        fits(page)
        assert_no_exception(page)
        shoot(page, "board")
        context.close()


def lessons_menu(page):
    """The phone's "☰ Lessons" menu above every page (ui/phone.py), as the person sees it."""
    return page.locator(".st-key-phone_nav").get_by_text("☰ Lessons")


def open_on_a_phone(browser, url: str):
    """A phone's page at ``url``, once its script run has finished."""
    context = new_context(browser, **PHONE)
    context.set_default_timeout(WAIT)
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    assert_no_exception(page)
    return page


def go_by_the_lessons_menu(page, title: str, heading: str, path: str) -> None:
    """Open the menu, tap the lesson ``title``: its page opens at ``/path``, with the heading ``heading``."""
    lessons_menu(page).tap()
    page.locator(".st-key-phone_nav").get_by_role("link", name=re.compile(title)).tap()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert f"/{path}" in page.url
    fits(page)
    assert_no_exception(page)


def test_a_phone_deep_link_as_the_first_request_of_a_fresh_server_gets_the_phone_layout(browser):
    """Then Streamlit runs the pages/ file without app.py; the page skeleton (ui.page) draws what app.py
    would have: the lessons menu, the sidebar hint, and the CSS that hides both on a wide screen."""
    with serve() as (url, _):
        page = open_on_a_phone(browser, f"{url}/Weight_decay?lambd=1")  # nothing opened this server before
        menu, hint = lessons_menu(page), page.locator(".st-key-phone_weight_decay")
        expect(menu).to_be_visible()
        expect(hint.get_by_text("More settings are in the sidebar")).to_be_visible()
        fits(page)
        shoot(page, "cold_deep_link")

        page.set_viewport_size({"width": 1400, "height": 1000})  # the phone's parts are for a phone only
        expect(menu).to_be_hidden()
        expect(hint).to_be_hidden()
        page.set_viewport_size(PHONE["viewport"])
        expect(menu).to_be_visible()
        go_by_the_lessons_menu(page, "Hidden layers", "🧩 Hidden layers", "Hidden_layers")
        page.context.close()


def test_the_lessons_menu_on_a_phone_opens_another_lesson(browser):
    with serve() as (url, _):
        warm = new_context(browser).new_page()  # the home page first: app.py's navigation is in place
        warm.goto(url)
        wait_for_app(warm)
        warm.context.close()

        page = open_on_a_phone(browser, f"{url}/Activation_functions")
        expect(page.get_by_role("heading", name="📈 Activation functions")).to_be_visible()
        # At the top of the page, where a wide screen has the top navigation.
        expect(lessons_menu(page)).to_be_in_viewport()
        go_by_the_lessons_menu(page, "Weight decay", "⚖️ Weight decay", "Weight_decay")
        page.context.close()
