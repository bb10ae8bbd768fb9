"""How fast are the labs beyond d2l? Server time of a slider move, and batched vs one-at-a-time.

    python -m bench.labs_speed [--repeats 3] [--threads 1]

1. Each chart's explorer call, batched as the page runs it, against the same numbers computed one
   fit at a time in a Python loop; calls interleaved, minimum of the repeats.
2. The labs' own controls on a running server (`streamlit run app.py`, driven by tests/support/streamlit_client.py
   as a browser would): each lab is an st.fragment, so a move reruns that tab alone. Per move to a
   value not seen before (cold: its computation runs): click → the fragment's run finished, and the
   server's CPU seconds for it — the target is 300 ms. Reference in the same run, on the same server:
   a whole-page rerun with nothing changed.
3. The page-wide controls that the labs also follow (degree, noise), through AppTest: the page
   script's wall and CPU time for a cold move, and an unchanged rerun for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import torch


from explorer.lessons import bias_variance as bv
from explorer.lessons import double_descent as dd
from explorer.lessons import l1_geometry as geo
from explorer.lessons.polynomial import MAX_DEGREE, PolyConfig

from bench.common import time_script_runs

ROOT = Path(__file__).resolve().parents[1]

TARGET_MS = 300
PAGES = {
    "4_Under_and_overfitting.py": ({"bias_variance": "true", "double_descent": "true"}, [
        ("slider", "degree", [8, 12, 2, 20]),
        ("slider", "noise", [0.2, 0.3, 0.05]),
    ]),
}
# page → (query, fragments): each fragment's widgets with the values the page opens with (a browser sends
# them all on every rerun), then the moves of one control, as (key, values) in the browser's encoding.
FRAGMENTS = {
    "Under_and_overfitting": ("bias_variance=true&double_descent=true", [
        ({"bias_variance": ("bool_value", True), "resamples": ("double_array_value", [50.0])},
         ("resamples", [[60.0], [80.0], [30.0], [120.0]])),
        ({"double_descent": ("bool_value", True), "dd_n": ("string_array_value", ["20"]),
          "dd_ridge": ("string_array_value", ["0"])},
         ("dd_ridge", [["1e-08"], ["0.0001"], ["0.01"], ["1e-06"]])),
        ({"double_descent": ("bool_value", True), "dd_n": ("string_array_value", ["20"]),
          "dd_ridge": ("string_array_value", ["0"])},
         ("dd_n", [["10"], ["15"], ["25"]])),
    ]),
    "Weight_decay": ("epochs=100", [
        ({"geo_lambda": ("string_array_value", ["0.3"])}, ("geo_lambda", [["0.05"], ["0.4"], ["0.7"], ["1.5"], ["3"]])),
    ]),
}


async def fragment_moves_on(url: str, pid: int) -> None:
    from load_test import split_cpu
    from tests.support.streamlit_client import StreamlitClient

    async def timed(client, action) -> tuple[float, float]:
        runs, cpu, tic = client.script_runs, split_cpu(pid)[0], time.perf_counter()
        await action()
        await client.wait_for(lambda: client.script_runs > runs, 120)
        assert not client.exceptions, client.exceptions
        return time.perf_counter() - tic, split_cpu(pid)[0] - cpu

    print(f"\n{'page / fragment control':40s} {'cold ms':>8s} {'server CPU ms':>14s} {'whole-page rerun ms':>20s}")
    for page, (query, fragments) in FRAGMENTS.items():
        async with StreamlitClient(url, page, query) as client:
            await client.wait_for(client.run_finished, 240)
            for widgets, (key, values) in fragments:
                assert client.fragment_of.get(key), f"{key} is not drawn inside an st.fragment"
                cold, cpu, whole = [], [], []
                for value in values:
                    state = {**widgets, key: (widgets[key][0], value)}
                    wall, used = await timed(client, lambda state=state: client.set_widgets(state))
                    cold.append(wall)
                    cpu.append(used)
                    page_rerun = lambda state=state: client.set_widgets(state, whole_page=True)  # noqa: E731
                    whole.append((await timed(client, page_rerun))[0])
                print(f"{page + ' / ' + key:40s} {statistics.median(cold) * 1000:8.0f} "
                      f"{statistics.median(cpu) * 1000:14.0f} {statistics.median(whole) * 1000:20.0f}")


def fragment_moves() -> None:
    from tests.support.streamlit_server import serve

    with serve() as (url, process):
        asyncio.run(fragment_moves_on(url, process.pid))


def page_moves() -> None:
    from streamlit.testing.v1 import AppTest

    script = time_script_runs()
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
                cold.append(script[-1][0])
                cpu.append(script[-1][1])
                at.run()  # the same settings again: every cache hits
                base.append(script[-1][0])
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
    fragment_moves()
    page_moves()
    return 0


if __name__ == "__main__":
    sys.exit(main())
