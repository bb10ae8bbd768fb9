"""Start the real app (`streamlit run app.py`) on a free loopback port, and a headless Chromium.

Used by the browser tests, the load script and the cold-start benchmark.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# The flags this machine needs: root (no sandbox), and no background calls to Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> float:
    """Seconds until /_stcore/health answers ok."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@contextmanager
def serve(env: dict[str, str] | None = None, port: int | None = None):
    """Yield ``(url, process)`` of a fresh server; stop it afterwards."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    # The server's log goes to a file: an unread pipe would block a chatty server once it fills.
    log = tempfile.NamedTemporaryFile("w", prefix="streamlit-", suffix=".log", delete=False)
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log_path = log.name
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Counts the app's script runs in the page (Streamlit marks stApp with data-test-script-state): a test
# can then wait for "the rerun my click started has finished" instead of guessing with a sleep.
RUN_COUNTER = """
(() => {
  if (window.__mlpxRuns) return;
  const runs = window.__mlpxRuns = {finished: 0, seen: 0, last: null};
  const busy = s => s === 'running' || s === 'rerunRequested';
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const now = app && app.getAttribute('data-test-script-state');
    if (busy(runs.last) && !busy(now)) runs.finished++;
    runs.last = now;
  };
  // The whole document, not one element: React may mount stApp anew.
  new MutationObserver(check).observe(document, {attributes: true, subtree: true, childList: true,
                                                 attributeFilter: ['data-test-script-state']});
})();
"""
# True once every script run that started since the last call has finished: the app is connected and idle,
# and at least one more run has finished (the page's first run after a goto; the rerun an action caused). A page whose
# context lacks the counter falls back to "idle".
_RERUN_DONE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  if (!app || state === 'running' || state === 'rerunRequested' || state === 'initial') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const runs = window.__mlpxRuns;
  if (!runs) return true;
  if (runs.finished <= runs.seen) return false;
  runs.seen = runs.finished;
  return true;
}"""


def new_context(browser, **options):
    """A browser context whose pages count the app's script runs (for :func:`wait_for_app`)."""
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **options})
    context.add_init_script(RUN_COUNTER)
    return context


def wait_for_app(page, timeout: float = 120_000, new_run: bool = True) -> None:
    """Until the page's title is drawn and the script run the last navigation or action started has
    finished. Call it once per full rerun (a fragment's rerun does not count: wait for what it draws);
    ``new_run=False`` only waits until the app is idle (e.g. after a reconnect, which need not rerun)."""
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stHeading']", timeout=timeout)
    page.wait_for_function(_RERUN_DONE if new_run else _RERUN_DONE.replace("runs.finished <= runs.seen", "false"),
                           timeout=timeout)


def charts_drawn(page, timeout: float = 120_000) -> None:
    """Until every visible plotly chart has drawn its SVG (plotly draws after the script run ends)."""
    page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
        .filter(c => c.offsetParent !== null).every(c => c.querySelector('.main-svg'))""", timeout=timeout)


def wait_for_change(locator, before: bytes, timeout: float = 60.0) -> bytes:
    """The element's screenshot once it differs from ``before`` (a redraw after a rerun); fails at ``timeout``."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            now = locator.screenshot(timeout=10_000)
        except PlaywrightError:  # replaced mid-screenshot by the rerun's new element: look again
            now = before
        if now != before:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} did not change within {timeout} s")
        locator.page.wait_for_timeout(100)  # poll interval, not a guess at how long the redraw takes


def assert_no_exception(page, errors_expected: bool = False) -> None:
    """No traceback on the page, and no st.error unless the test expects one (it then checks its text)."""
    assert page.locator("[data-testid='stException']").count() == 0
    if not errors_expected:
        errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts()
        assert not errors, errors
