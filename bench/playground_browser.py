"""How many pictures per second does a real browser DRAW while "Hidden layers" trains live?

    python -m bench.playground_browser [--repeats 3] [--seconds 12] [--compare DIR]

Target (issue #25): >= 10 picture updates per second during live training with 2 x 8 units on a 2-core
machine, each update drawing the decision surface and every unit's map on a grid of at least 50 x 50.

The real app on a local server and headless Chromium on the same machine: /Hidden_layers with the
"spirals, 2 x 8 tanh" preset's network (100 epochs a second), ▶ Train, then for ``--seconds`` a counter
in the page checks on every animation frame whether the playground's decision surface and its unit-map
chart show a new picture (the images plotly drew into them changed) and counts those frames. A picture
the server sent but the browser never showed is not counted. The server paces at ui.hidden_layers'
PICTURES_PER_SECOND; how many it did send is read from the epoch the page shows (speed // that, a picture).

``--compare DIR`` serves another checkout too (e.g. ``git archive <old commit> | tar -x -C DIR`` with
DIR/.venv and DIR/data linked), interleaved repeat by repeat with this one; the best (a shared machine
only ever slows a run down) and the median repeat of each are reported, with the load average.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.common import ROOT, load
from ui.hidden_layers import PICTURES_PER_SECOND

QUERY = "layers=2&hidden=8&activation=tanh&dataset=spirals&lr=0.01&speed=100&epochs=5000"
EPOCHS_PER_PICTURE = 100 // PICTURES_PER_SECOND  # the page's steps per picture at speed=100 (QUERY)
# Per animation frame: has the playground's surface or its unit maps a new picture? Either a plotly chart
# (when idle; the old page also while training), told apart by the text it draws, whose picture is the
# images plotly drew into it (heatmaps, layout images); or an st.image (the page while training), told apart
# by its caption, whose picture is its src.
COUNTER = """
(() => {
  const pictures = window.__pictures = {surface: 0, network: 0};
  const last = {surface: '', network: ''};
  const KINDS = {surface: ['probability of class 1'], network: ['hidden layer 1', 'Left to right']};
  const part = h => h.length + ':' + h.slice(h.length >> 1, (h.length >> 1) + 48) + '|';
  const signature = element => {
    let s = '';
    for (const image of element.querySelectorAll('image')) {
      s += part(image.getAttribute('href') || image.getAttribute('xlink:href') || '');
    }
    for (const image of element.querySelectorAll('img')) s += part(image.getAttribute('src') || '');
    return s;
  };
  const frame = () => {
    const found = {};
    for (const element of document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stImage"]')) {
      const text = element.matches('[data-testid="stImage"]') ? element.textContent
        : (element.querySelector('.infolayer')?.textContent || '');
      for (const [name, words] of Object.entries(KINDS)) {
        if (!found[name] && words.some(w => text.includes(w))) found[name] = element;
      }
    }
    for (const name of Object.keys(KINDS)) {
      const now = found[name] ? signature(found[name]) : '';
      if (now && now !== last[name]) pictures[name]++;
      last[name] = now;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""


def drawn_per_second(browser, root: Path, seconds: float) -> dict[str, float]:
    """Pictures per second the browser drew of the surface and of the unit maps, during live training."""
    from tests.support.streamlit_server import new_context, serve, wait_for_app
    from tests.browser.test_browser_hidden_layers import METRIC

    with serve(root=root) as (url, _process):
        context = new_context(browser, viewport={"width": 1400, "height": 1400})
        context.add_init_script(COUNTER)
        page = context.new_page()
        page.goto(f"{url}/Hidden_layers?{QUERY}")
        wait_for_app(page)
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_function("() => window.__pictures.network >= 3", timeout=120_000)
        state = f"() => ({{...window.__pictures, epoch: ({METRIC})('epoch'), now: performance.now()}})"
        before = page.evaluate(state)
        page.wait_for_timeout(seconds * 1000)  # the measuring window itself, not a wait for a condition
        after = page.evaluate(state)
        context.close()
    elapsed = (after["now"] - before["now"]) / 1000
    rates = {name: (after[name] - before[name]) / elapsed for name in ("surface", "network")}
    # The epoch shown advances by 10 a picture the server sent, whether or not the browser drew that picture.
    return {**rates, "sent": (after["epoch"] - before["epoch"]) / EPOCHS_PER_PICTURE / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=12.0, help="measuring window per repeat (>= 10)")
    parser.add_argument("--compare", type=Path, help="another checkout to serve too, interleaved (e.g. the old one)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.support.streamlit_server import launch_chromium

    roots = {"this": ROOT, **({"compare": args.compare.resolve()} if args.compare else {})}
    rates: dict[str, list[dict]] = {name: [] for name in roots}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for repeat in range(args.repeats):
            for name, root in roots.items():
                rate = drawn_per_second(browser, root, args.seconds)
                rates[name].append(rate)
                print(f"repeat {repeat + 1} {name:>7s} ({root}): server sent {rate['sent']:4.1f}/s, browser drew "
                      f"surface {rate['surface']:4.1f}/s, unit maps {rate['network']:4.1f}/s  ({load()})", flush=True)
        browser.close()
    print()
    for name, runs in rates.items():
        both = [min(r["surface"], r["network"]) for r in runs]
        sent = [r["sent"] for r in runs]
        print(f"{name:>7s}: pictures drawn per second (surface and unit maps both), best {max(both):.1f}, "
              f"median {statistics.median(both):.1f}, worst {min(both):.1f} over {len(runs)} repeats; "
              f"target >= 10 (the server sent median {statistics.median(sent):.1f}/s)")


if __name__ == "__main__":
    main()
