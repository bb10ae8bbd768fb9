"""How many picture updates per second does live training on "Hidden layers" draw?

    python bench/playground_speed.py [--repeats 3] [--seconds 3] [--threads 1] [--steps 5] [--browser]

Target (issue #25): >= 10 picture updates per second with 2 hidden layers of 8 units on a 2-core
machine, each update drawing the decision surface and every unit's map on a grid of at least 50 x 50.

One update is what the page's live loop does between two pictures: ``--steps`` full-batch training
steps, then explorer.figures.playground.live_figures (one forward pass over the grid, every figure
built, one unit enlarged, the loss curves every time although the page sends them every 5th picture)
and what st.plotly_chart does to each figure before sending it: to_dict, plotly.io.to_json and a hash
of the JSON for the element id. Repeated, interleaved with a "figures only" run (no training);
the best repeat of each is reported (a shared machine only ever slows a run down).

``--browser`` also measures the other end: the real app on a local server and headless Chromium on
the same machine, /Hidden_layers with 2 x 8 units at 1 epoch per picture, for ``--seconds``: pictures
per second the browser drew (the epoch its page shows; the server sends 10 a second).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import plotly.io  # noqa: E402
import plotly.tools  # noqa: E402
import torch  # noqa: E402

from explorer.figures.playground import live_figures  # noqa: E402
from explorer.playground import PlaygroundConfig, PlaygroundTrainer  # noqa: E402


def serialise(fig) -> str:
    """What st.plotly_chart does with a figure before sending it (streamlit/elements/plotly_chart.py):
    to a dict, to JSON, and a hash of that JSON for the element's id."""
    spec = plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                             validate=False)
    hashlib.md5(spec.encode(), usedforsecurity=False).hexdigest()
    return spec


def updates_per_second(seconds: float, steps: int, size: int) -> tuple[float, dict]:
    trainer = PlaygroundTrainer(PlaygroundConfig(dataset="spirals", layers=2, hidden=8, activation="tanh",
                                                 lr=0.01, epochs=10**9))
    events = trainer.train()
    parts = {"train": 0.0, "figures": 0.0, "json": 0.0}
    updates, bytes_sent, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        for _ in range(steps):
            next(events)
        t1 = time.perf_counter()
        figures = live_figures(trainer, size, enlarge=(1, 1))
        t2 = time.perf_counter()
        bytes_sent += sum(len(serialise(fig)) for fig in figures.values())
        t3 = time.perf_counter()
        parts["train"] += t1 - t0
        parts["figures"] += t2 - t1
        parts["json"] += t3 - t2
        updates += 1
    elapsed = time.perf_counter() - start
    per_update = {k: 1000 * v / updates for k, v in parts.items()}
    per_update["kB"] = bytes_sent / updates / 1000
    return updates / elapsed, per_update


def browser_rate(seconds: float) -> float:
    """Pictures per second the browser drew, at one epoch per picture (the server paces at 10 a second)."""
    from playwright.sync_api import sync_playwright

    from tests.streamlit_server import launch_chromium, serve, wait_for_app
    from tests.test_browser_hidden_layers import METRIC

    query = "layers=2&hidden=8&activation=tanh&dataset=spirals&speed=10&epochs=5000"
    with serve() as (url, _), sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/Hidden_layers?{query}")
        wait_for_app(page)
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_function(f"() => ({METRIC})('epoch') >= 1", timeout=120_000)
        start, first = time.perf_counter(), page.evaluate(f"() => ({METRIC})('epoch')")
        time.sleep(seconds)
        shown = page.evaluate(f"() => ({METRIC})('epoch')")
        rate = (shown - first) / (time.perf_counter() - start)
        browser.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; the page trains with 1 (tiny tensors; 2 collapse on a busy machine)")
    parser.add_argument("--steps", type=int, default=5, help="training steps between two pictures (the page's)")
    parser.add_argument("--size", type=int, default=50, help="grid points per side")
    parser.add_argument("--browser", action="store_true", help="also measure the real app in headless Chromium")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    best: dict[str, tuple[float, dict]] = {}
    for repeat in range(args.repeats):
        for label, steps in (("live training", args.steps), ("figures only", 0)):
            rate, parts = updates_per_second(args.seconds, steps, args.size)
            print(f"repeat {repeat + 1} {label:>13s}: {rate:5.1f} updates/s  "
                  + "  ".join(f"{k} {v:.1f}{'' if k == 'kB' else ' ms'}" for k, v in parts.items()))
            if label not in best or rate > best[label][0]:
                best[label] = (rate, parts)
    rate = best["live training"][0]
    print(f"\nbest: {rate:.1f} picture updates/s during live training (2 x 8 units, {args.size} x {args.size} grid, "
          f"{args.steps} steps per picture, {args.threads} threads); target >= 10: {'met' if rate >= 10 else 'MISSED'}")
    if args.browser:
        shown = browser_rate(args.seconds * 3)
        print(f"real app, headless Chromium on this machine: the server sends 10 pictures/s, the browser drew "
              f"{shown:.1f}/s")


if __name__ == "__main__":
    main()
