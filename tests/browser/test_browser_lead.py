"""Leading the room in a real browser: a presenter on a desktop pushes a suggestion and a question; an
attendee on a phone (390×844) who joined by the class link sees the banner without a reload, uses the
settings, answers, and the presenter sees the count and reveals."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from explorer.classroom import service as classroom, questions, storage, suggestions
from tests.support.streamlit_server import ROOT, assert_no_exception, charts_drawn, new_context, serve, wait_for_app

pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots"
KEY = "front-row-key-2026"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_presenter_leads_a_phone_attendee(browser, tmp_path, fashion):
    db_url = f"sqlite:///{tmp_path / 'board.sqlite'}"
    engine = storage.connect(db_url)
    code = classroom.start_class(engine, train_size=1000, epochs=1)
    with serve({"EXPLORER_DB_URL": db_url, "EXPLORER_PRESENTER_KEY": KEY}) as (url, _):
        phone = new_context(browser, **PHONE)
        phone.set_default_timeout(120_000)
        attendee = phone.new_page()
        attendee.goto(f"{url}/Train_an_MLP?class={code}")  # the link behind the board's QR code
        wait_for_app(attendee, timeout=180_000)

        desk = new_context(browser, viewport={"width": 1400, "height": 1600})
        desk.set_default_timeout(120_000)
        presenter = desk.new_page()
        presenter.goto(f"{url}/Class_board?class={code}")
        wait_for_app(presenter, timeout=180_000)
        presenter.get_by_label("Presenter key").fill(KEY)
        presenter.get_by_role("button", name="Unlock presenter controls").click()
        # The board's fragment reruns every 2 s from here: wait for what is drawn, not for the run to end.
        picker = presenter.get_by_test_id("stMultiSelect").filter(has_text="Settings to suggest")
        for name in ("hidden", "lr"):
            picker.locator("input").click()
            presenter.get_by_role("option", name=name, exact=True).click()
        presenter.keyboard.press("Escape")  # close the list
        width = presenter.get_by_test_id("stNumberInput").filter(has_text="hidden").locator("input")
        width.fill("16")
        width.press("Enter")
        expect(width).to_have_value("16")
        presenter.get_by_test_id("stSelectbox").filter(has_text="lr").locator("input").click()
        presenter.get_by_role("option", name="1.0", exact=True).click()
        expect(presenter.get_by_role("combobox", name="lr")).to_have_value("1.0")
        presenter.get_by_role("button", name="📣 Suggest to the room").click()
        expect(presenter.get_by_text("Suggested to the room: hidden 16, lr 1.0.")).to_be_visible()
        pushed = time.perf_counter()
        assert suggestions.current(engine, code)["settings"] == {"hidden": 16, "lr": 1.0}

        # The phone is not touched: its fragment asks the class every 2 s.
        banner = attendee.get_by_text("The presenter suggests:")
        expect(banner).to_be_visible(timeout=30_000)
        print(f"\npush → banner on the phone: {time.perf_counter() - pushed:.2f} s")
        shoot(attendee, "lead_phone_banner")
        attendee.get_by_role("button", name="Use these settings").click()
        wait_for_app(attendee)  # "Use these settings" reruns the whole page
        expect(attendee.get_by_text("The presenter's settings are in place: hidden 16, lr 1.0.")).to_be_visible()
        expect(banner).to_have_count(0)
        # Width and learning rate sit above the results, where the phone shows them (no sidebar to open).
        hidden = attendee.get_by_test_id("stMain").get_by_role("slider", name="Hidden units per layer")
        expect(hidden).to_have_attribute("aria-valuetext", "16")
        lr = attendee.get_by_test_id("stMain").get_by_role("slider", name="Learning rate (log scale)")
        expect(lr).to_have_attribute("aria-valuetext", "1.0")
        assert "hidden=16" in attendee.url and "lr=1.0" in attendee.url

        presenter.get_by_role("button", name="❓ Ask the room").click()  # the first question: dropout 0.9
        expect(presenter.get_by_text("Answers so far: 0.")).to_be_visible()
        expect(attendee.get_by_text("The presenter asks:")).to_be_visible(timeout=30_000)
        attendee.get_by_text("It drops a lot").click()
        attendee.get_by_role("button", name="Send my answer").click()
        expect(attendee.get_by_text("Your answer: It drops a lot.")).to_be_visible()
        shoot(attendee, "lead_phone_question")
        answers = questions.current(engine, code)["answers"]
        assert list(answers.values()) == [3.0]

        expect(presenter.get_by_text("Answers so far: 1.")).to_be_visible(timeout=30_000)
        presenter.get_by_role("button", name="👁 Reveal the answers").click()
        expect(presenter.get_by_text("The room's predictions (1 answers)")).to_be_visible()
        expect(presenter.get_by_text("Dropout 0.9 keeps one unit in ten").first).to_be_visible()
        assert questions.current(engine, code)["revealed"]
        expect(attendee.get_by_text("The answers are revealed: look at the class board.")).to_be_visible(
            timeout=30_000)
        charts_drawn(presenter)
        shoot(presenter, "lead_presenter_reveal")
        width = attendee.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page scrolls sideways ({width} px)"
        assert_no_exception(presenter)
        assert_no_exception(attendee)
        log = [r["action"] for r in classroom.audit_log(engine, code)]
        assert log[:3] == ["reveal", "ask", "suggest"]
        phone.close()
        desk.close()
    assert os.path.exists(SHOTS / "lead_phone_banner.png")
