"""Cold start: how long until a student sees something, on a fresh server and on a warm one.

Per repeat, one fresh `streamlit run app.py` (Chromium is already open, as a student's browser is):
(a) landing: from launching the server to the landing page's "MLP Explorer" heading being visible;
(b) dataset ready on /Train_an_MLP, from opening the page (a new browser context, as a new student) to
    - the ▶ Train button enabled with no "Loading Fashion-MNIST" spinner left (the page draws its buttons
      only once the dataset is loaded), and to
    - "The dataset" tab's mosaic chart drawn (this adds the browser fetching and running plotly.js);
    first time (a new server process: the dataset is not in its cache yet) and cached (a second session).
(c) for scale, the landing page in a new browser context on the warm server: what the browser alone needs
    to fetch Streamlit's frontend, open its websocket and draw a page that computes nothing.
Medians are compared with the workshop targets. If a first-time figure misses its target, or with
``--profile``, a fresh Python process times the steps of that first page view one by one.

    python bench/cold_start.py [--repeats 3] [--profile]
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
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.streamlit_server import ROOT, launch_chromium, serve  # noqa: E402

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


def landing_seconds(browser, url: str, since: float) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", name="MLP Explorer").wait_for(timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - since
    context.close()
    return seconds


def one_cold_start(browser) -> dict[str, float]:
    launched = time.perf_counter()
    with serve() as (url, process):
        healthy = time.perf_counter() - launched
        landing = landing_seconds(browser, url, since=launched)
        first = dataset_ready_seconds(browser, url)
        cached = dataset_ready_seconds(browser, url)
        warm_landing = landing_seconds(browser, url, since=time.perf_counter())
    return {"server healthy": healthy, "landing page": landing, "train first": first[0], "mosaic first": first[1],
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
    import torch; step("import torch")
    import torchvision.datasets; step("import torchvision")
    import explorer.data as ed; ed.dataset_status(); step("landing page: explorer.data, dataset_status")
    from explorer import diagnostics, runs; from explorer.figures import training as figs
    import explorer.models, explorer.training; step("training page imports (plotly, pandas, explorer)")
    data_dir = ed.default_data_dir(); ed.ensure_fashion_mnist(data_dir); step("ensure_fashion_mnist (files there?)")
    train = ed.FashionMNIST(str(data_dir), train=True, download=False)
    test = ed.FashionMNIST(str(data_dir), train=False, download=False); step("torchvision reads the IDX files")
    to_float = lambda x: x.unsqueeze(1).to(torch.float32).div_(255)
    images = to_float(train.data), to_float(test.data); step("uint8 -> float32 / 255")
    raw = ed.raw_dir(data_dir)
    fast = [torch.frombuffer(bytearray((raw / n).read_bytes()[16:]), dtype=torch.uint8)
            for n in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte")]
    step("(alternative) read the IDX images with torch.frombuffer")
    assert torch.equal(fast[0].view(-1, 28, 28), train.data)
    data = ed.load_fashion_mnist(data_dir); step("load_fashion_mnist, all of it (as ui.dataset does)")
    samples = diagnostics.class_samples(data); step("diagnostics.class_samples (boolean mask over 60k)")
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
    targets = {"landing page": TARGET_LANDING_S, **{f"{what} {when}": TARGET_DATASET_S
                                                     for what in ("train", "mosaic") for when in ("first", "cached")}}
    print(f"\nmedians of {args.repeats} cold starts (fresh server each time):")
    print(f"  {'':<44} {'median':>7} {'target':>7}         each run")
    labels = {"server healthy": "launch → /_stcore/health answers",
              "landing page": "launch → landing page drawn",
              "train first": "/Train_an_MLP, first: ▶ Train usable",
              "mosaic first": "/Train_an_MLP, first: dataset mosaic drawn",
              "train cached": "/Train_an_MLP, cached: ▶ Train usable",
              "mosaic cached": "/Train_an_MLP, cached: dataset mosaic drawn",
              "landing warm": "landing page, new session, warm server"}
    missed = []
    for key, label in labels.items():
        target = targets.get(key)
        verdict = "" if target is None else ("ok" if medians[key] <= target else "MISSED")
        if verdict == "MISSED":
            missed.append(key)
        each = " ".join(f"{r[key]:.2f}" for r in results)
        print(f"  {label:<44} {medians[key]:6.2f}s {'' if target is None else f'≤{target:g}s':>7} {verdict:>6}  "
              f"{each}")

    if args.profile or {"train first", "mosaic first"} & set(missed):
        print("\nwhere a fresh process spends its time (each step after the previous ones):")
        for name, seconds in profile():
            print(f"  {name:<58} {seconds:6.2f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
