"""Start the real app (`streamlit run app.py`) on a free loopback port, and a headless Chromium.

Used by the browser tests, the load script and the cold-start benchmark.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# The flags this machine needs: root (no sandbox), and no background calls to Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Servers started by serve() and still running: a failing browser test reports what they were doing.
LIVE: dict[int, subprocess.Popen] = {}
# `python -m streamlit`, plus a stack dump of every thread on SIGUSR1 (into the server's log): a browser test
# that times out shows where the app's script threads were.
LAUNCH = ("import faulthandler, signal; faulthandler.register(signal.SIGUSR1, all_threads=True); "
          "from streamlit.web.cli import main; main(prog_name='streamlit')")


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
def serve(env: dict[str, str] | None = None, port: int | None = None, root: Path = ROOT):
    """Yield ``(url, process)`` of a fresh server of the app in ``root`` (another checkout, for a
    before/after benchmark); stop it afterwards."""
    port = port or free_port()
    command = [sys.executable, "-c", LAUNCH, "run", str(root / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    # The server's log goes to a file: an unread pipe would block a chatty server once it fills.
    log = tempfile.NamedTemporaryFile("w", prefix="streamlit-", suffix=".log", delete=False)
    process = subprocess.Popen(command, cwd=root, env={**os.environ, **(env or {})},
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log_path = log.name
    url = f"http://127.0.0.1:{port}"
    LIVE[process.pid] = process
    try:
        wait_healthy(url, process)
        yield url, process
    except BaseException:
        # A failing test shows what the server said (pytest prints a failed test's captured output).
        log.flush()
        print(f"--- the server's log, last lines ({log.name}) ---")
        print("\n".join(Path(log.name).read_text(errors="replace").splitlines()[-80:]))
        raise
    finally:
        LIVE.pop(process.pid, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def servers_report(max_lines: int = 40) -> str:
    """What each live server was doing: the end of its log, and its threads' stacks (our own frames only)."""
    parts = []
    for process in LIVE.values():
        log = Path(process.log_path)
        before = log.stat().st_size
        tail = log.read_text(errors="replace").splitlines()[-15:]
        if process.poll() is None:
            process.send_signal(signal.SIGUSR1)
            deadline, size = time.monotonic() + 3, before
            while time.monotonic() < deadline:  # until the dump stops growing
                time.sleep(0.2)
                if log.stat().st_size == size > before:
                    break
                size = log.stat().st_size
        with log.open("rb") as f:
            f.seek(before)
            dump = f.read().decode(errors="replace").splitlines()
        ours, header = [], None
        for line in dump:  # the threads running our code, with our frames only
            if line.startswith(("Thread", "Current thread")):
                header = line
            elif str(ROOT) in line and "/.venv/" not in line:
                ours += [header, line] if header else [line]
                header = None
        parts.append("\n".join([f"server {process.pid}, log {log}:", *tail, "threads in our code:", *ours[:max_lines]]))
    return "\n\n".join(parts)


def page_report(page, chars: int = 1500) -> str:
    """The page's address and what its main area says (text only)."""
    try:
        text = page.evaluate("() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).innerText")
        return f"{page.url}\n" + "\n".join(line for line in text.splitlines() if line.strip())[:chars]
    except Exception as error:  # the page may be gone or hung: the report must not hide the failure
        return f"{page.url}: no text ({error})"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Counts the app's full script runs in the page, so that a test waits for "the rerun my click started has
# finished" instead of guessing with a sleep. It reads the server's messages, not the DOM: React may batch a
# short run's "running" and "finished" states into one render, and a DOM-watching counter then misses the run.
# A ForwardMsg whose field 6 (script_finished) is 0 (finished) or 1 (compile error) ends a full run; a
# fragment's run (3) and a run cut short by a rerun (2) do not.
RUN_COUNTER = """
(() => {
  if (window.__mlpxRuns) return;
  const runs = window.__mlpxRuns = {finished: 0, seen: 0, idleFrames: 0};
  const scriptFinished = buffer => {
    const bytes = new Uint8Array(buffer);
    let at = 0;
    const varint = () => {
      let value = 0, scale = 1;
      while (at < bytes.length) {
        const b = bytes[at++];
        value += (b & 127) * scale;
        if (b < 128) return value;
        scale *= 128;
      }
      throw new Error('truncated');
    };
    try {
      while (at < bytes.length) {  // the message's top-level fields
        const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
        if (wire === 0) { const value = varint(); if (field === 6) return value; }
        else if (wire === 2) { const length = varint(); at += length; }  // (at += varint() reads at too early)
        else if (wire === 1) at += 8;
        else if (wire === 5) at += 4;
        else return null;
      }
    } catch (e) { return null; }
    return null;
  };
  const count = buffer => {
    const status = scriptFinished(buffer);
    if (status === 0 || status === 1) { runs.finished++; runs.idleFrames = 0; }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        if (event.data instanceof ArrayBuffer) count(event.data);
        else if (event.data instanceof Blob) event.data.arrayBuffer().then(count);
      });
    }
  };
})();
"""
# True once the app is connected and idle and (``newRun``) at least one more full run has finished since the
# last call: the page's first run after a goto, the rerun an action caused. The DOM shows a finished run a
# render after its message: the app must look idle for a few animation frames after it (polled per frame).
# A page whose context lacks the counter falls back to "idle".
_RERUN_DONE = """newRun => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  const runs = window.__mlpxRuns;
  const idle = app && !['running', 'rerunRequested', 'initial'].includes(state)
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid="stStatusWidget"]');
  if (!idle) { if (runs) runs.idleFrames = 0; return false; }
  if (!runs || !newRun) return true;
  if (runs.finished <= runs.seen || ++runs.idleFrames < 3) return false;
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
    page.wait_for_function(_RERUN_DONE, arg=new_run, timeout=timeout)


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
