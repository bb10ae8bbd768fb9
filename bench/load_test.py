"""Many users, one server: N browser sessions press ▶ Train at the same moment.

One `streamlit run app.py`, one headless Chromium with one browser context (= one Streamlit session)
per simulated student. First one session trains alone (the baseline), then all N press Train together.
Reported: did every session finish, with no exception or error alert; seconds from click to the finished
run for each session; the slowdown against the lone session; the server's peak memory (its process tree);
and whether any session saw another's run (each "Compare runs" tab must list exactly one run).

    python -m bench.load_test [--sessions 8] [--train-size 5000] [--epochs 2] [--hidden 256] [--timeout 420]

Exit code 1 if any session failed. The server allows ui.MAX_CONCURRENT_TRAININGS runs at once; the
others wait with a "Waiting for your turn" notice, which this script records too.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from bench.common import MemorySampler, split_cpu, status_kb
from tests.support.streamlit_server import launch_chromium, serve

# One round trip per poll: what a session's page shows right now.
PAGE_STATE_JS = """() => {
  const all = s => [...document.querySelectorAll(s)];
  return {
    running: !!document.querySelector('[data-testid="stStatusWidget"]'),
    progress: !!document.querySelector('[data-testid="stProgress"]'),
    waiting: document.body.innerText.includes('Waiting for your turn'),
    // only drawn by the rerun after a run has finished (the confusion-matrix panel)
    finished: all('[data-testid="stMarkdownContainer"]').some(e => e.textContent.includes('Most confused pairs')),
    exceptions: all('[data-testid="stException"]').length,
    alerts: all('[data-testid="stAlertContentError"], [data-testid="stAlertContentWarning"]')
              .map(e => e.textContent.slice(0, 200)),
  };
}"""
POLL_S = 0.25


# ---------------------------------------------------------------- one simulated student
@dataclass
class Session:
    name: str
    context: object = None
    page: object = None
    seconds: float | None = None  # click → finished page drawn
    started: float | None = None  # click → first progress bar (i.e. training has a slot and began)
    trained: float | None = None  # click → last progress bar seen (training loop over)
    queued: bool = False  # saw the "Waiting for your turn" notice
    test_acc: float | None = None
    runs_listed: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.seconds is not None and not self.problems and self.runs_listed == 1


async def wait_for_app(page, timeout_ms: float = 120_000) -> None:
    """Async twin of tests.support.streamlit_server.wait_for_app: title drawn, script run finished."""
    await page.wait_for_selector("[data-testid='stMain'] [data-testid='stHeading']", timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                 timeout=timeout_ms)


async def open_session(browser, url: str, name: str) -> Session:
    session = Session(name)
    session.context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    session.page = await session.context.new_page()
    await session.page.goto(url)
    await wait_for_app(session.page)
    await session.page.get_by_role("button", name="▶ Train").wait_for()
    return session


async def train_and_check(session: Session, timeout_s: float) -> Session:
    page = session.page
    await page.get_by_role("button", name="▶ Train").click()
    started = time.perf_counter()
    state = {}
    while time.perf_counter() - started < timeout_s:
        state = await page.evaluate(PAGE_STATE_JS)
        session.queued |= state["waiting"]
        if state["progress"]:
            now = time.perf_counter() - started
            session.started = session.started or now
            session.trained = now
        if state["exceptions"] or state["alerts"]:
            break
        if state["finished"] and not state["running"]:
            session.seconds = time.perf_counter() - started
            break
        await asyncio.sleep(POLL_S)
    if state.get("exceptions"):
        session.problems.append(f"{state['exceptions']} exception(s) shown")
    if state.get("alerts"):
        session.problems.append("alert: " + " | ".join(state["alerts"]))
    if session.seconds is None and not session.problems:
        session.problems.append(f"not finished after {timeout_s:.0f} s (last state {state})")
        return session
    if session.problems:
        return session
    try:
        await check_finished_page(session)
    except PlaywrightError as err:  # a missing element is this session's failure, not the benchmark's
        session.problems.append(f"checking the finished page: {str(err).splitlines()[0]}")
    return session


async def check_finished_page(session: Session) -> None:
    page = session.page
    metric = page.locator("[data-testid='stMetric']").filter(has_text="test acc")
    session.test_acc = float(await metric.locator("[data-testid='stMetricValue']").inner_text(timeout=30_000))
    # Sessions must not see each other's runs: the comparison lists this session's single run.
    await page.get_by_role("tab", name="Compare runs").click()
    chips = page.locator("[data-testid='stMultiSelect'] [data-tag]:visible")
    await chips.first.wait_for(timeout=30_000)
    session.runs_listed = await chips.count()
    # The grid is a canvas; its hidden accessibility table carries the row count.
    table = page.locator("[data-testid='stDataFrame']:visible").last
    grid_rows = await table.locator("[role='grid']").first.get_attribute("aria-rowcount", timeout=30_000)
    if int(grid_rows) - 1 != session.runs_listed:  # aria-rowcount counts the header row
        session.problems.append(f"comparison table has {int(grid_rows) - 1} rows, run picker {session.runs_listed}")
    if session.runs_listed != 1:
        session.problems.append(f"'Compare runs' lists {session.runs_listed} runs, expected 1")


# ---------------------------------------------------------------- the benchmark
@dataclass
class Phase:
    sessions: list[Session]
    wall: float  # first click → last session finished
    server_cpu: float  # CPU seconds the server used meanwhile
    browser_cpu: float  # CPU seconds Chromium (+ Playwright) used meanwhile: on a laptop each, not here


async def run_phase(browser, url: str, names: list[str], server_pid: int, timeout_s: float) -> Phase:
    """Open one browser context per name, then press Train in all of them at once."""
    sessions = await asyncio.gather(*(open_session(browser, url, name) for name in names))
    cpu_before, started = split_cpu(server_pid), time.perf_counter()
    sessions = await asyncio.gather(*(train_and_check(s, timeout_s) for s in sessions))
    wall, cpu_after = time.perf_counter() - started, split_cpu(server_pid)
    for s in sessions:
        await s.context.close()
    return Phase(list(sessions), wall, cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])


async def benchmark(args) -> int:
    query = urlencode({"train_size": args.train_size, "epochs": args.epochs, "hidden": args.hidden})
    phases: dict[str, Phase] = {}
    with serve() as (url, process):
        sampler = MemorySampler(process.pid)
        sampler.start()
        train_url = f"{url}/Train_an_MLP?{query}"
        async with async_playwright() as p:
            browser = await launch_chromium(p)
            try:
                # Warm-up: a server's first run loads the dataset and the first-use code paths (plotly
                # figure builders, the browser's lazily loaded JS chunks); the lone baseline comes after.
                for name, count in (("warm-up", 1), ("alone", 1), (f"{args.sessions} together", args.sessions)):
                    sampler.mark(name)
                    names = [name] if count == 1 else [f"s{i + 1}" for i in range(count)]
                    phases[name] = await run_phase(browser, train_url, names, process.pid, args.timeout)
            finally:
                await browser.close()
        sampler.stop()
        hwm_kb = status_kb(process.pid, "VmHWM")  # the main process's true peak, between samples too

    report(args, phases, sampler.peaks, hwm_kb)
    failed = [s for phase in phases.values() for s in phase.sessions if not s.ok]
    if failed or len(phases) < 3:
        print(f"\nserver log: {process.log_path}")
    return 1 if failed or len(phases) < 3 else 0


def report(args, phases: dict[str, Phase], peaks: dict, hwm_kb: int) -> None:
    mb = lambda kb: f"{kb / 1024:.0f} MB"
    fmt = lambda x: "—" if x is None else f"{x:.1f}"
    (_, warmup), (_, alone), (crowd_name, crowd) = phases.items()
    print(f"\nLoad test: {args.sessions} browser sessions on one server, ?train_size={args.train_size}"
          f"&epochs={args.epochs}&hidden={args.hidden}; the server trains at most 2 runs at once\n")
    print("seconds after the click: 'started' = first progress bar, 'trained' = last progress bar, "
          "'done' = finished page drawn; — = progress bar too brief to catch between polls")
    print(f"{'session':<8} {'started':>8} {'trained':>8} {'done':>7} {'queued':>7} {'test acc':>9} {'runs':>5}  "
          "problems")
    for s in [*warmup.sessions, *alone.sessions, *crowd.sessions]:
        print(f"{s.name:<8} {fmt(s.started):>8} {fmt(s.trained):>8} {fmt(s.seconds):>7} "
              f"{'yes' if s.queued else 'no':>7} {'—' if s.test_acc is None else f'{s.test_acc:.4f}':>9} "
              f"{s.runs_listed or '—':>5}  {'; '.join(s.problems) or 'none'}")
    ok = sum(s.ok for s in crowd.sessions)
    print(f"\nfinished ok: {ok}/{len(crowd.sessions)} together (+ warm-up and lone session: "
          f"{'ok' if warmup.sessions[0].ok and alone.sessions[0].ok else 'FAILED'}); sessions with an "
          f"exception, error alert or someone else's run: {sum(bool(s.problems) for s in crowd.sessions)}")
    done, lone = [s.seconds for s in crowd.sessions if s.seconds is not None], alone.sessions[0].seconds
    if done and lone:
        print(f"alone: {lone:.1f} s | {crowd_name}: median {statistics.median(done):.1f} s, fastest "
              f"{min(done):.1f} s, slowest {max(done):.1f} s | slowdown vs alone: median "
              f"×{statistics.median(done) / lone:.1f}, slowest ×{max(done) / lone:.1f}")
    print("CPU seconds used (server | Chromium+Playwright, which on a workshop day runs on the students' laptops):")
    for name, phase in phases.items():
        print(f"  {name:<12} server {phase.server_cpu:6.1f} s | browser side {phase.browser_cpu:6.1f} s "
              f"| wall {phase.wall:5.1f} s")
    print("server memory, process tree: peak RSS (RssAnon = its own heap, without torch's shared libraries)")
    for name, (rss, anon) in peaks.items():
        print(f"  {name:<12} {mb(rss):>8} ({mb(anon)})")
    print(f"  main process high-water mark (VmHWM): {mb(hwm_kb)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--train-size", type=int, default=5000, choices=(1000, 5000, 20000, 60000))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=420, help="seconds each session may take to finish")
    args = parser.parse_args(argv)
    return asyncio.run(benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
