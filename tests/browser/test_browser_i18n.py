"""Chinese in a real browser: every page with ``?lang=zh`` reads as Chinese; switching language keeps
the page's settings and a training in progress. Screenshots land in artifacts/screenshots/zh_*.png.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.support.streamlit_server import CHROMIUM, charts_drawn, new_context, serve, wait_for_app
from tests.pages.test_i18n_pages import lesson_paths

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian's Chromium is not at {CHROMIUM}"),
]
from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_browser import SHOTS, assert_no_exception  # noqa: E402

# Each lesson's URL path is its file name without the number (see app.py), the home page is "".
PATHS = ["", *(re.sub(r"^\d+_", "", path.split("/")[-1].removesuffix(".py")) for path in lesson_paths())]
# Names the Chinese text keeps (d2l-zh does too), and code: not counted as English.
KEPT = re.compile(r"(?i)(?<![A-Za-z])(?:p?relu|leakyrelu|sigmoid|tanh|gelu|silu|swish|swiglu|mish|elu|softplus|"
                  r"hardtanh|sgd|adam|rmsprop|adagrad|momentum|d2l|fashion-mnist|mnist|mlp|explorer|mse|nan|float\d+|lecun|he|"
                  r"cdf|bert|gpt|transformer|efficientnet|yolov\d|gans?|rnns?|cnns?|pytorch|torchvision|debian|"
                  r"csv|true|false|lr|std|normal|scale|fan-in|mask|dropout_layer|model\.eval|nn\.\w+|"
                  r"autograd|concise|scratch|run|drop)(?![A-Za-z])")
# The main area's text without formulas, code and icon ligatures (KaTeX, st.code, material icons), style sheets
# and scripts (ui/phone.py).
MAIN_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
  main.querySelectorAll('.katex, code, pre, [data-testid="stCode"], [data-testid="stIconMaterial"], .modebar, '
                        + 'style, script')
    .forEach(e => e.remove());
  return main.textContent;
}"""


def chinese_share(text: str) -> tuple[float, list[str]]:
    """CJK characters / (CJK + Latin letters of words that are not kept names or formula symbols)."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z\-.]*", KEPT.sub(" ", text)) if len(w) > 2]
    latin = sum(len(w) for w in words)
    cjk = len(re.findall("[\u3400-\u9fff]", text))
    return cjk / max(cjk + latin, 1), words


@pytest.fixture(scope="module")
def server(fashion):
    # A budget beyond the 50 epochs of 1024 units the switching test trains (the default would clamp them).
    with serve({"EXPLORER_RUN_BUDGET": "100"}) as (url, _):
        yield url


@pytest.fixture
def page(browser):
    # An English browser: the link alone must bring the Chinese.
    context = new_context(browser, locale="en-US")
    context.set_default_timeout(120_000)  # a shared 2-core machine answers slowly at times
    yield context.new_page()
    context.close()


def settle(page):
    wait_for_app(page, timeout=180_000)  # a shared 2-core machine: the first runs load torch and the data
    charts_drawn(page)  # plotly draws its SVG text after the script run ends


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "home")
def test_every_page_reads_as_chinese(server, page, path):
    page.goto(f"{server}/{path}?lang=zh")
    settle(page)
    assert_no_exception(page)
    if path == "Train_an_MLP":  # its charts need a run; the dataset tab and dropout panel have some anyway
        page.get_by_text("看得见的暂退法").click()  # an expander: opens in the browser, no rerun
        charts_drawn(page)
    share, english = chinese_share(page.evaluate(MAIN_TEXT))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"zh_{path or 'home'}.png"), full_page=True)
    print(f"{path or 'home'}: {share:.1%} Chinese; other words: {sorted(set(english))[:40]}")
    assert share > 0.9, (share, sorted(set(english)))
    assert "lang=zh" in page.url


def test_browser_language_decides_without_a_link(server, browser):
    context = new_context(browser, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(f"{server}/Weight_decay?lambd=1")
    settle(page)
    expect(page.get_by_role("heading", name="⚖️ 权重衰减")).to_be_visible()
    assert "lang=zh" in page.url and "lambd=1" in page.url  # the link now says so, for sharing
    context.close()


def test_switching_language_keeps_settings_and_the_training_in_progress(server, page):
    # The full 60,000 images, 1024 units, 50 epochs: about a minute, so the run is still going after the
    # switch however fast this machine trains (with 128 units and 40 epochs it once ended before it).
    page.goto(f"{server}/Train_an_MLP?lang=en&hidden=1024&epochs=50")
    settle(page)
    page.get_by_role("button", name="▶ Train").click()
    progress = page.locator("[data-testid='stProgress']")
    page.wait_for_function("() => /Epoch [\\d.]+ of 50/.test(document.body.innerText)")
    epoch_before = float(re.search(r"Epoch ([\d.]+) of 50", progress.inner_text()).group(1))

    page.locator("[data-testid='stSidebar'] label").filter(has_text="简体中文").click()
    page.get_by_role("heading", name="🏋️ 在 Fashion-MNIST 上训练多层感知机").wait_for()
    # Still the same run, carrying on: the Chinese progress text counts on from where it was.
    page.wait_for_function("() => /迭代周期 [\\d.]+ \\/ 50/.test(document.body.innerText)")
    epoch_after = float(re.search(r"迭代周期 ([\d.]+) / 50", progress.inner_text()).group(1))
    assert epoch_after >= epoch_before
    assert "hidden=1024" in page.url and "lang=zh" in page.url and "epochs=50" in page.url
    hidden = page.locator("[data-testid='stSlider']").filter(has_text="每层隐藏单元数")  # above the results
    expect(hidden.get_by_role("slider")).to_have_attribute("aria-valuetext", "1024")
    page.screenshot(path=str(SHOTS / "zh_training_after_switch.png"), full_page=True)

    # Back and forth while it trains: each switch starts the session's new script run in a new thread while
    # the old one may be mid-batch (Streamlit's fast reruns); the two once trained one model at once and
    # failed with "modified by an inplace operation".
    for language, progress_text in [("English", r"Epoch [\d.]+ of 50"), ("简体中文", r"迭代周期 [\d.]+ \/ 50")] * 3:
        page.locator("[data-testid='stSidebar'] label").filter(has_text=language).click()
        page.wait_for_function(f"""() => document.querySelector("[data-testid='stException']")
            || /{progress_text}/.test(document.querySelector("[data-testid='stMain']").innerText)""")
        assert_no_exception(page)

    page.get_by_role("button", name="■ 停止").click()
    stopped = page.get_by_text(re.compile(r"已在第 [\d.]+ / 50 个迭代周期停止"))
    stopped.wait_for()
    assert float(re.search(r"已在第 ([\d.]+) /", stopped.inner_text()).group(1)) >= epoch_after
    assert_no_exception(page)

    page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
    page.get_by_role("heading", name="🏋️ Train an MLP on Fashion-MNIST").wait_for()
    expect(page.get_by_text("Stopped at epoch")).to_be_visible()  # the same stopped run, now in English
    assert "lang=en" in page.url and "hidden=1024" in page.url


def test_a_chinese_deep_link_as_the_first_request_of_a_fresh_server(browser, fashion):
    """Then Streamlit runs the pages/ file without app.py: the page still reads the link's language,
    shows the switch, and switching works."""
    with serve() as (url, _process):
        context = new_context(browser, locale="en-US")
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.goto(f"{url}/Weight_decay?lang=zh&lambd=1&epochs=50")
        settle(page)
        assert_no_exception(page)
        expect(page.get_by_role("heading", name="⚖️ 权重衰减")).to_be_visible()
        share, english = chinese_share(page.evaluate(MAIN_TEXT))
        assert share > 0.9, (share, sorted(set(english)))
        epochs = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(has_text="迭代周期数")
        expect(epochs.get_by_role("slider")).to_have_attribute("aria-valuetext", "50")  # the link's value
        assert "epochs=50" in page.url and "lambd=1" in page.url and "lang=zh" in page.url
        page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
        page.get_by_role("heading", name="⚖️ Weight decay").wait_for(timeout=120_000)
        assert "lang=en" in page.url and "epochs=50" in page.url
        context.close()
