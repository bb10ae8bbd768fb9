"""A link is hostile input: its values are shown as text in the notices, never read as markdown
(#21: a link could draw bold text and a live link to another site in the "adjusted" notice)."""

from pathlib import Path
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest

from ui import Param, _parse, as_code

PAGES = Path(__file__).parents[2] / "pages"
EVIL = "x` **Your session expired.** [Sign in again](https://evil.example/login) ![](https://evil.example/p.png) `x"


def code_spans_closed(markdown: str) -> bool:
    """Every line of the notice opens and closes its code spans in pairs: no user text escapes one."""
    return all(line.count("`") % 2 == 0 for line in markdown.splitlines())


def test_a_value_cannot_close_its_code_span():
    _, notice = _parse("epochs", EVIL, Param(10, 1, 50, kind=int))
    assert notice.count("`") == 2 and "ˋ" in notice
    assert "Your session expired" in notice  # still shown, as text inside the code span
    _, notice = _parse("lang", "zh`\n**bold**", Param("en", choices=("en", "zh"), kind=str))
    assert notice.count("`") == 2 and "\n" not in notice


def test_long_values_are_cut_and_newlines_folded():
    shown = as_code("a\nb" + "c" * 500)
    assert shown.startswith("a b") and shown.endswith("…") and len(shown) == 61


@pytest.mark.parametrize("query", [{"epochs": EVIL}, {EVIL: "1"}, {"lang": EVIL}])
def test_pages_show_hostile_link_values_as_code(query):
    at = AppTest.from_file(str(PAGES / "5_Weight_decay.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    notices = [info.value for info in at.info if "adjusted" in info.value]
    assert notices, [info.value for info in at.info]
    assert all(code_spans_closed(n) for n in notices), notices
    assert any("your session expired" in n.lower() for n in notices)


@pytest.mark.browser
def test_hostile_link_draws_no_link_bold_text_or_image(page, fashion):
    from playwright.sync_api import expect

    from tests.support.streamlit_server import serve, wait_for_app

    with serve() as (url, _):
        page.goto(f"{url}/Train_an_MLP?epochs={quote(EVIL)}&{quote(EVIL)}=1")
        wait_for_app(page)
        notice = page.locator("[data-testid='stAlertContainer']").filter(has_text="Some link parameters")
        expect(notice).to_be_visible()
        expect(notice.locator("code").filter(has_text="Your session expired")).to_have_count(2)
        assert notice.locator("a, strong, img").count() == 0
        assert page.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
