"""Is training on the page as fast as on the CLI? Chart updates must not dominate.

In one run: the CLI's loop (``run_training``, what ``python -m explorer train`` calls) and the
training page's loop, driven headless through Streamlit's AppTest (the same script run, chart
redraws and progress bar included), on the same config. Reports seconds per epoch and the ratio.

    python -m bench.training_page_speed [--epochs 3] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from explorer.data import load_fashion_mnist
from explorer.mlp.training import TrainConfig, run_training

ROOT = Path(__file__).resolve().parents[1]


def cli_seconds_per_epoch(epochs: int) -> float:
    result = run_training(TrainConfig(epochs=epochs), load_fashion_mnist())
    assert result["final"]["status"] == "finished"
    return statistics.mean(row["seconds"] for row in result["history"])


def page_seconds_per_epoch(epochs: int) -> tuple[float, float]:
    """(seconds per epoch inside the page's loop, whole click-to-finished time per epoch)."""
    at = AppTest.from_file(str(ROOT / "pages" / "3_Train_an_MLP.py"), default_timeout=600).run()
    at.slider(key="epochs").set_value(epochs).run()
    start = time.perf_counter()
    at.button(key="train").click().run()  # trains to the end, redrawing the live chart, then reruns
    elapsed = time.perf_counter() - start
    run = at.session_state["runs"][-1]
    assert not at.exception and len(run.history) == epochs, "the page did not finish its run"
    # An epoch's "seconds" run from its first batch to its test evaluation, so they include the
    # chart redraws the page does while the trainer waits at each yield.
    return statistics.mean(row["seconds"] for row in run.history), elapsed / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    cli_seconds_per_epoch(1)  # warm up: data in memory, kernels loaded
    cli, page, whole = [], [], []
    for _ in range(args.repeats):  # interleaved, so a busy moment hurts both sides alike
        cli.append(cli_seconds_per_epoch(args.epochs))
        in_loop, click_to_done = page_seconds_per_epoch(args.epochs)
        page.append(in_loop)
        whole.append(click_to_done)
    cli_s, page_s, whole_s = statistics.median(cli), statistics.median(page), statistics.median(whole)
    print(f"CLI loop:  {cli_s:.3f} s per epoch (median of {args.repeats})")
    print(f"page loop: {page_s:.3f} s per epoch (live chart and progress bar redrawn every 0.5 s)")
    print(f"page, click to finished page: {whole_s:.3f} s per epoch (adds the final rerun: gallery, "
          f"confusion matrix, comparison)")
    print(f"\npage loop / CLI loop: {page_s / cli_s:.2f}x (target <= 1.15x)")


if __name__ == "__main__":
    main()
