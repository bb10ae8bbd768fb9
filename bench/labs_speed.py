"""How fast are the labs beyond d2l? Server time of a slider move, and batched vs one-at-a-time.

    python bench/labs_speed.py [--repeats 3] [--threads 1]

1. Page reruns through AppTest with the new charts switched on: the page script's own wall time and
   CPU time (measured in its thread) after moving each new control to a value not seen before
   (cold: its computation runs) — the target is 300 ms. Reference in the same run: the rerun with
   nothing changed (what every rerun of that page costs anyway).
2. Each chart's explorer call, batched as the page runs it, against the same numbers computed one
   fit at a time in a Python loop; calls interleaved, minimum of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer import bias_variance as bv  # noqa: E402
from explorer import double_descent as dd  # noqa: E402
from explorer import l1_geometry as geo  # noqa: E402
from explorer.polynomial import MAX_DEGREE, PolyConfig  # noqa: E402

TARGET_MS = 300
SCRIPT: list[tuple[float, float]] = []
PAGES = {
    "4_Under_and_overfitting.py": ({"bias_variance": "true", "double_descent": "true"}, [
        ("slider", "degree", [8, 12, 2, 20]),
        ("slider", "resamples", [60, 80, 30, 120]),
        ("select_slider", "dd_ridge", [1e-8, 1e-4, 1e-2, 1e-6]),
        ("select_slider", "dd_n", [10, 15, 25]),
        ("slider", "noise", [0.2, 0.3, 0.05]),
    ]),
    "5_Weight_decay.py": ({"epochs": "100"}, [
        ("select_slider", "geo_lambda", [0.05, 0.4, 0.7, 1.5, 3.0]),
    ]),
}


def patch_script_runner() -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    original = ScriptRunner._run_script

    def timed(self, rerun_data):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, rerun_data)
        finally:
            SCRIPT.append((time.perf_counter() - wall, time.thread_time() - cpu))

    ScriptRunner._run_script = timed


def page_moves() -> None:
    from streamlit.testing.v1 import AppTest

    patch_script_runner()
    print(f"\n{'page / control':40s} {'cold wall ms':>13s} {'cold CPU ms':>12s} {'unchanged rerun ms':>19s}")
    for page, (query, moves) in PAGES.items():
        at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=600)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, at.exception
        for kind, key, values in moves:
            cold, cpu, base = [], [], []
            for value in values:
                getattr(at, kind)(key=key).set_value(value).run()
                assert not at.exception, at.exception
                cold.append(SCRIPT[-1][0])
                cpu.append(SCRIPT[-1][1])
                at.run()  # the same settings again: every cache hits
                base.append(SCRIPT[-1][0])
            print(f"{page.split('_', 1)[1][:-3] + ' / ' + key:40s} {statistics.median(cold) * 1000:13.0f} "
                  f"{statistics.median(cpu) * 1000:12.0f} {statistics.median(base) * 1000:19.0f}")


def best_of(fns: dict, repeats: int) -> dict[str, float]:
    """Interleaved: every function once per round, the minimum over rounds."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            tic = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - tic)
    return best


def bias_variance_loop(config: PolyConfig, resamples: int) -> None:
    x, y = bv.training_sets(config, resamples)
    for degree in range(1, MAX_DEGREE + 1):
        for r in range(resamples):
            bv.fit_one(x[r], y[r], degree)


def explorer_calls(repeats: int) -> None:
    config, dd_config = PolyConfig(n_train=20), dd.DoubleDescentConfig(n_train=20)
    lambdas = torch.linspace(0, 3, 81, dtype=torch.float64)
    pairs = {
        "bias-variance, 20 x 50 fits": (lambda: bv.bias_variance(config, 50), lambda: bias_variance_loop(config, 50)),
        "double descent, p = 1..200": (lambda: dd.double_descent(dd_config),
                                       lambda: [dd.one_width(dd_config, p) for p in range(1, 201)]),
        "L1 path, 81 λ (coordinate descent)": (lambda: geo.l1_path(lambdas),
                                               lambda: [geo.l1_path(lambdas[k:k + 1]) for k in range(len(lambdas))]),
        "L1 geometry at one λ (page call)": (lambda: geo.geometry(0.7), None),
    }
    fns = {}
    for name, (ours, loop) in pairs.items():
        ours()
        fns[f"{name} | batched"] = ours
        if loop:
            fns[f"{name} | loop"] = loop
    best = best_of(fns, repeats)
    print(f"\n{'explorer call':40s} {'batched ms':>11s} {'loop ms':>9s} {'loop / batched':>15s}")
    for name in pairs:
        ours, loop = best[f"{name} | batched"], best.get(f"{name} | loop")
        ratio = f"{loop / ours:14.1f}x" if loop else ""
        print(f"{name:40s} {ours * 1000:11.1f} {loop * 1000 if loop else float('nan'):9.1f} {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    load = __import__("os").getloadavg()[0]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load:.1f}; "
          f"target {TARGET_MS} ms per slider move")
    explorer_calls(args.repeats)
    page_moves()
    return 0


if __name__ == "__main__":
    sys.exit(main())
