"""Accessibility in a real browser: axe-core (npm, pinned in the Makefile) injected into every page, in
English and Chinese, at a desktop's 1400 px and a phone's 390 px. No serious or critical violation.

One server, one browser, one context per screen size (its page is reused from page to page). axe runs
with all its rules; it checks what is on screen after the page's run (closed expanders and other tabs'
contents are hidden, and axe skips hidden elements).
"""

from __future__ import annotations

import re

import pytest

from explorer.classroom import service as classroom, storage
from tests.support.streamlit_server import charts_drawn, new_context, serve, wait_for_app
from tests.system.test_classroom import payload
from tests.pages.test_i18n_pages import lesson_paths

pytestmark = pytest.mark.browser  # Chromium and Playwright come from conftest's `browser` fixture

# Each lesson's URL path is its file name without the number (see app.py), the home page is "".
PATHS = ["", *(re.sub(r"^\d+_", "", path.split("/")[-1].removesuffix(".py")) for path in lesson_paths())]
SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")
# axe's own result, reduced to what a failure message needs: rule, impact, help and the elements.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def server(fashion, tmp_path_factory):
    """The app, with a class whose board has runs (trained and diverged): its charts, QR code and link
    are checked too (``/Class_board?class=…``, added to the pages)."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'board.sqlite'}"
    engine = storage.connect(db_url)
    code = classroom.start_class(engine)
    for i, (lr, acc, status) in enumerate([(0.1, 0.8, "finished"), (0.3, 0.82, "finished"), (1.0, None, "diverged")]):
        classroom.share_run(engine, code, f"s{i}", f"Room {i}", "1", payload(lr=lr, test_acc=acc, status=status))
    with serve({"EXPLORER_DB_URL": db_url}) as (url, _):
        yield url, code


@pytest.fixture(scope="module")
def screens(browser, server):
    """One page per screen size, reused by every test of the module (a phone: touch, mobile viewport)."""
    contexts = {"desktop": new_context(browser, viewport=SIZES["desktop"]),
                "phone": new_context(browser, viewport=SIZES["phone"], is_mobile=True, has_touch=True,
                                     device_scale_factor=2)}
    pages = {}
    for size, context in contexts.items():
        context.set_default_timeout(120_000)  # a shared 2-core machine answers slowly at times
        pages[size] = context.new_page()
        # Home first: a deep link that is a server's very first request gets no navigation bar (app.py's note).
        pages[size].goto(f"{server[0]}/")
        wait_for_app(pages[size])
    yield pages
    for context in contexts.values():
        context.close()


# Web fonts loaded (KaTeX's widen formulas late), then two frames for the app's own checks (ui/phone.py).
SETTLED = """() => document.fonts.ready.then(
  () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))"""


def violations(page, axe_source: str) -> list[dict]:
    """axe's serious and critical violations on what the page shows now."""
    page.evaluate(SETTLED)
    page.add_script_tag(content=axe_source)
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS]


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, items in found.items():
        for v in items:
            lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {target}" for target in v["targets"]]
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_serious_or_critical_axe_violation_on_any_page(server, screens, axe_source, size, lang):
    (url, code), page = server, screens[size]
    found = {}
    for path in [*PATHS, f"Class_board?class={code}"]:
        page.goto(f"{url}/{path}{'&' if '?' in path else '?'}lang={lang}")
        wait_for_app(page)
        charts_drawn(page)
        assert page.locator("[data-testid='stException']").count() == 0, path
        items = violations(page, axe_source)
        if items:
            found[f"/{path} ({lang}, {size})"] = items
    assert not found, "axe-core found serious or critical violations:\n" + report(found)
