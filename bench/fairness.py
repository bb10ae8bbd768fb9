"""A fair share for everyone: two greedy sessions train the heaviest run the page allows, then N newcomers
press Train with the class preset, on one running server.

Each session is a real Streamlit session driven over the app's websocket (tests/support/streamlit_client.py, no
browser). Measured in one run, on one fresh server (`streamlit run app.py` on a free loopback port):
- a newcomer's run alone (after a warm-up), twice: click → finished, the better is its "lone time";
- two greedy sessions press Train (1,024 units × 3 layers, batch 32, 60,000 images, 50 epochs: the server's
  work budget cuts the epochs) and each shows its first curve point;
- then N newcomers (5,000 images × 3 epochs) press Train together: click → first point, click → finished.

A lone run already uses every core, so with k runs active a run's fair share is its lone time × k. Target:
every newcomer finishes within 1.5 × its fair share (2 greedy + 2 newcomers: 1.5 × 4 × lone time), while the
greedy runs are still training.

    python -m bench.fairness [--newcomers 2] [--budget TFLOP] [--timeout 600]

Exit code 1 unless every newcomer met the target without an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field

from bench.common import load, summary
from tests.support.streamlit_client import StreamlitClient, curve_points
from tests.support.streamlit_server import serve

FINISHED = "Most confused pairs"  # drawn by the rerun after a run has finished
GREEDY = "hidden=1024&layers=3&batch_size=32&train_size=60000&epochs=50"
NEWCOMER = "train_size=5000&epochs=3"
MAX_NEWCOMERS = 8


@dataclass
class Session:
    name: str
    query: str
    first_point: float | None = None
    finished: float | None = None
    problems: list[str] = field(default_factory=list)
    client: StreamlitClient | None = None
    clicked: float = 0.0


def live_point(kind: str, element) -> bool:
    return kind == "plotly_chart" and "curves" in element.plotly_chart.id and curve_points(kind, element) > 0


async def open_session(url: str, me: Session, timeout: float) -> None:
    me.client = StreamlitClient(url, "Train_an_MLP", me.query)
    await me.client.__aenter__()
    await me.client.wait_for(lambda: me.client.run_finished() and "train" in me.client.widget_ids, timeout)


async def click_and_watch(me: Session, timeout: float, until_finished: bool = True) -> None:
    """Press Train; record click → first point, and (``until_finished``) click → finished."""
    client = me.client
    me.clicked = time.perf_counter()
    await client.click("train")

    def progress():
        if me.first_point is None and (t := client.first_after(me.clicked, live_point)):
            me.first_point = t - me.clicked
        done = any(FINISHED in text for text in client.texts()) and client.run_finished()
        return client.exceptions or client.errors or (done if until_finished else me.first_point is not None)

    try:
        await client.wait_for(progress, timeout)
    except TimeoutError as err:
        me.problems.append(f"timeout: {err}")
    me.problems += client.exceptions + [f"error: {e}" for e in client.errors]
    if until_finished and not me.problems:
        me.finished = time.perf_counter() - me.clicked


async def benchmark(args) -> int:
    env = {"EXPLORER_RUN_BUDGET": str(args.budget)} if args.budget else {}
    with serve(env) as (url, _process):
        lone = []
        for name in ("warm-up", "alone 1", "alone 2"):
            me = Session(name, NEWCOMER)
            await open_session(url, me, args.timeout)
            await click_and_watch(me, args.timeout)
            await me.client.__aexit__()
            lone.append(me)
            print(f"  {name:8s} click→first point {fmt(me.first_point)} s, click→finished {fmt(me.finished)} s "
                  f"({load()}) {'; '.join(me.problems)}", flush=True)
        lone_time = min(m.finished for m in lone[1:] if m.finished) if any(m.finished for m in lone[1:]) else None
        greedy = [Session(f"greedy {i + 1}", GREEDY) for i in range(2)]
        newcomers = [Session(f"newcomer {i + 1}", NEWCOMER) for i in range(args.newcomers)]
        for me in greedy + newcomers:
            await open_session(url, me, args.timeout)
        for me in greedy:  # both greedy runs train before anyone else arrives
            await click_and_watch(me, args.timeout, until_finished=False)
        await asyncio.gather(*(click_and_watch(me, args.timeout) for me in newcomers))
        greedy_done = [any(FINISHED in t for t in g.client.texts()) for g in greedy]
        for me in greedy + newcomers:
            await me.client.__aexit__()
    return report(args, lone_time, greedy, greedy_done, newcomers)


def report(args, lone_time, greedy, greedy_done, newcomers) -> int:
    active = len(greedy) + len(newcomers)
    print(f"\nFairness: 2 greedy sessions ({GREEDY}), then {len(newcomers)} newcomers ({NEWCOMER}); "
          f"{os.cpu_count()} cores, {load()}")
    if lone_time is None:
        print("no lone time: the lone runs failed")
        return 1
    fair = lone_time * active
    print(f"lone time {lone_time:.2f} s; {active} runs active, so a fair share is {fair:.1f} s "
          f"(target ≤ 1.5 × = {1.5 * fair:.1f} s)")
    for g, done in zip(greedy, greedy_done):
        print(f"  {g.name}: first point {fmt(g.first_point)} s; {'finished' if done else 'still training'} "
              f"when the newcomers were done {'; '.join(g.problems)}")
    ok = not any(greedy_done)
    for me in newcomers:
        met = me.finished is not None and me.finished <= 1.5 * fair and not me.problems
        ok &= met
        print(f"  {me.name}: click→first point {fmt(me.first_point)} s, click→finished {fmt(me.finished)} s "
              f"= {me.finished / lone_time if me.finished else float('nan'):.1f}× lone, "
              f"{me.finished / fair if me.finished else float('nan'):.2f}× fair share {'; '.join(me.problems)}")
        summary(f"fairness: {me.name} click→finished ÷ fair share ({active} runs × lone {lone_time:.2f} s)",
                f"{me.finished / fair:.2f}" if me.finished else "did not finish", "≤ 1.5",
                f"first point {fmt(me.first_point)} s")
    if any(greedy_done):
        print("the greedy runs finished before the newcomers: this run did not test fairness (raise the budget)")
    return 0 if ok else 1


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--newcomers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=None, help="the server's EXPLORER_RUN_BUDGET in TFLOP")
    parser.add_argument("--timeout", type=float, default=600, help="seconds each session may take")
    args = parser.parse_args(argv)
    if not 1 <= args.newcomers <= MAX_NEWCOMERS:
        parser.error(f"--newcomers must be 1 to {MAX_NEWCOMERS}")
    return asyncio.run(benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
