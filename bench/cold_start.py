"""Cold start: how long until a student sees something, on a fresh server and on a warm one.

Per repeat (Chromium is already open, as a student's browser is; every page view is a new context):
(a) a fresh `streamlit run app.py` whose first request is a link straight to /Train_an_MLP: seconds
    until the dataset is ready there (▶ Train enabled, no "Loading Fashion-MNIST" spinner left; the
    page draws its buttons only once the dataset is loaded), then until "The dataset" tab's mosaic is
    drawn (this adds the browser fetching and running plotly.js);
(b) another fresh server, the usual way in: from launch to the landing page's heading, then (once the
    landing page has warmed the dataset cache) the training page as in (a), and again in a new session;
(c) for scale, the landing page in a new session on the warm server: what the browser alone needs.
Medians are compared with the workshop targets (landing ≤ 5 s, dataset ready ≤ 3 s). If one is missed,
or with ``--profile``, a fresh Python process times the steps of a first page view one by one.

    python -m bench.cold_start [--repeats 3] [--profile]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import textwrap
import time

from playwright.sync_api import sync_playwright

from tests.support.streamlit_server import ROOT, launch_chromium, serve, wait_for_app

TARGET_LANDING_S = 5.0
TARGET_DATASET_S = 3.0
TIMEOUT_MS = 120_000


def dataset_ready_seconds(browser, url: str) -> tuple[float, float]:
    """Open the training page in a new session: seconds until (▶ Train usable, dataset mosaic drawn)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/Train_an_MLP")
    # The buttons are drawn only after ui.dataset() returned (the page stops before them without data).
    page.wait_for_function("""() => {
        const train = [...document.querySelectorAll('button')].find(b => b.textContent.includes('▶ Train'));
        return train && !train.disabled && !document.body.textContent.includes('Loading Fashion-MNIST');
    }""", timeout=TIMEOUT_MS, polling=50)
    train_ready = time.perf_counter() - started
    # Only the selected tab's panel is in the DOM: open "The dataset" and wait for its mosaic, drawn from
    # the loaded images. This includes the browser loading and running plotly.js (first chart of the visit).
    page.get_by_role("tab", name=re.compile("The dataset")).click(timeout=TIMEOUT_MS)
    page.locator("[role='tabpanel'] [data-testid='stPlotlyChart']").first.wait_for(timeout=TIMEOUT_MS)
    mosaic = time.perf_counter() - started
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
    context.close()
    if errors:
        raise RuntimeError("the training page shows an error: is Fashion-MNIST installed?")
    return train_ready, mosaic


def landing_seconds(browser, url: str, since: float, until_idle: bool = False) -> float:
    """Seconds until the landing page's title shows; with ``until_idle``, also wait for its script to
    finish (it warms the dataset cache after drawing) before closing the session."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", name="MLP Explorer").wait_for(timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - since
    if until_idle:
        wait_for_app(page, timeout=TIMEOUT_MS)
    context.close()
    return seconds


def one_cold_start(browser) -> dict[str, float]:
    with serve() as (url, process):  # a link straight to the training page is the first request
        deep = dataset_ready_seconds(browser, url)
    launched = time.perf_counter()
    with serve() as (url, process):  # the usual way in: the landing page first
        healthy = time.perf_counter() - launched
        landing = landing_seconds(browser, url, since=launched, until_idle=True)
        first = dataset_ready_seconds(browser, url)
        cached = dataset_ready_seconds(browser, url)
        warm_landing = landing_seconds(browser, url, since=time.perf_counter())
    return {"server healthy": healthy, "landing page": landing, "train deep link": deep[0],
            "mosaic deep link": deep[1], "train first": first[0], "mosaic first": first[1],
            "train cached": cached[0], "mosaic cached": cached[1], "landing warm": warm_landing}


# Run in a fresh interpreter, so every import is as cold as in a new server process. The steps are the
# ones the landing page and the first visit to the training page take, in that order.
PROFILE_SCRIPT = textwrap.dedent("""
    import json, time
    from pathlib import Path
    steps, last = [], time.perf_counter()
    def step(name):
        global last
        now = time.perf_counter(); steps.append((name, now - last)); last = now
    import streamlit; step("import streamlit")
    import explorer.data as ed; ed.dataset_status(); step("landing page: explorer.data, dataset_status (no torch)")
    import torch; step("import torch")
    import torchvision.datasets; step("import torchvision")
    from explorer import runs; from explorer.figures import training as figs
    from explorer.mlp import diagnostics
    import explorer.mlp.models, explorer.mlp.training; step("training page imports (plotly, pandas, explorer)")
    data_dir = ed.default_data_dir(); ed.ensure_fashion_mnist(data_dir); step("ensure_fashion_mnist (files there?)")
    train = torchvision.datasets.FashionMNIST(str(data_dir), train=True, download=False)
    test = torchvision.datasets.FashionMNIST(str(data_dir), train=False, download=False)
    step("torchvision reads the IDX files")
    to_float = lambda x: x.unsqueeze(1).to(torch.float32).div_(255)
    images = to_float(train.data), to_float(test.data); step("uint8 -> float32 / 255")
    data = ed.load_fashion_mnist(data_dir); step("load_fashion_mnist, all of it (as ui.dataset does)")
    samples = diagnostics.class_samples(data); step("diagnostics.class_samples")
    fig = figs.class_mosaic(samples, data.classes); fig.to_json(); step("class_mosaic figure + JSON")
    print(json.dumps(steps))
""")


def profile() -> list[tuple[str, float]]:
    import json

    out = subprocess.run([sys.executable, "-c", PROFILE_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="always time the first page view's steps")
    args = parser.parse_args(argv)

    results = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for i in range(args.repeats):
                results.append(one_cold_start(browser))
                print(f"repeat {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in results[-1].items()), flush=True)
        finally:
            browser.close()

    medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
    # The dataset is ready when ▶ Train is usable; the mosaic adds the browser fetching plotly.js.
    targets = {"landing page": TARGET_LANDING_S, "train deep link": TARGET_DATASET_S,
               "train first": TARGET_DATASET_S, "train cached": TARGET_DATASET_S}
    print(f"\nmedians of {args.repeats} cold starts (fresh server each time):")
    print(f"  {'':<52} {'median':>7} {'target':>7}         each run")
    labels = {"server healthy": "launch → /_stcore/health answers",
              "landing page": "launch → landing page drawn",
              "train deep link": "fresh server, /Train_an_MLP first: ▶ Train usable",
              "mosaic deep link": "   … and the dataset mosaic drawn",
              "train first": "after the landing page: ▶ Train usable",
              "mosaic first": "   … and the dataset mosaic drawn",
              "train cached": "another session: ▶ Train usable",
              "mosaic cached": "   … and the dataset mosaic drawn",
              "landing warm": "landing page, new session, warm server"}
    missed = []
    for key, label in labels.items():
        target = targets.get(key)
        verdict = "" if target is None else ("ok" if medians[key] <= target else "MISSED")
        if verdict == "MISSED":
            missed.append(key)
        each = " ".join(f"{r[key]:.2f}" for r in results)
        print(f"  {label:<52} {medians[key]:6.2f}s {'' if target is None else f'≤{target:g}s':>7} {verdict:>6}  "
              f"{each}")

    if args.profile or missed:
        print("\nwhere a fresh process spends its time (each step after the previous ones):")
        for name, seconds in profile():
            print(f"  {name:<58} {seconds:6.2f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
