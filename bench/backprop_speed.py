"""How fast does "Backpropagation" take a step?

    python -m bench.backprop_speed [--repeats 3] [--threads 1]

Targets (issue #19), batch 256, d2l's 784-256-10 network: one step with all its figures costs
<= 300 ms of server time; 100 steps <= 2 s.

1. Page reruns (AppTest, one process): the page script's own wall and CPU time, measured in its
   thread (bench/script_runs.py), callbacks included: "Take one step" (the step, then the next
   step's backward pass, autograd check, line, optimizers and all nine figures), "Take 100 steps"
   (the same after 100 steps, with test accuracy every 10 steps), and as the reference a rerun with
   nothing changed. Interleaved; medians and minima.
2. The core without Streamlit: explorer.lessons.backprop_step.inspect (everything the page shows about one
   step) and take_steps(100), against a plain PyTorch loop of 100 autograd SGD steps on the same
   batches (the reference for what a step costs at all).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench.common import print_reruns, rerun_arguments, use_threads, time_script_runs

ROOT = Path(__file__).resolve().parents[1]

TARGET_STEP_MS, TARGET_100_S = 300, 2.0


def page_reruns(repeats: int) -> dict[str, list[tuple[float, float]]]:
    from streamlit.testing.v1 import AppTest

    script = time_script_runs()
    at = AppTest.from_file(str(ROOT / "pages" / "7_Backpropagation.py"), default_timeout=300)
    at.run()  # loads the dataset into the server's cache
    assert not at.exception, at.exception
    times: dict[str, list[tuple[float, float]]] = {"nothing changed (reference)": [], "take one step": [],
                                                   "take 100 steps": []}
    for _ in range(repeats):
        at.button(key="bp_reset").click().run()
        for _ in range(3):
            at.run()
            times["nothing changed (reference)"].append(script[-1])
            at.button(key="bp_step1").click().run()
            times["take one step"].append(script[-1])
        at.button(key="bp_step100").click().run()
        times["take 100 steps"].append(script[-1])
        assert not at.exception, at.exception
        assert any(m.label == "Loss after the step" for m in at.metric)
    return times


def core(repeats: int) -> dict[str, list[float]]:
    import torch
    from torch import nn

    from explorer.lessons import backprop_step as steps
    from explorer.data import load_fashion_mnist

    data = load_fashion_mnist(download=False)
    config = steps.StepConfig()
    out: dict[str, list[float]] = {"inspect (one step, everything shown)": [], "take_steps(100)": [],
                                   "plain autograd SGD, 100 steps (reference)": []}
    batches = [steps.draw_batch(data, config, i) for i in range(100)]
    for _ in range(repeats):
        walk = steps.Walk(steps.d2l_model(config))
        start = time.perf_counter()
        steps.inspect(walk, *batches[0], config)
        out["inspect (one step, everything shown)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        steps.take_steps(walk, data, config, 100)
        out["take_steps(100)"].append(time.perf_counter() - start)
        model = steps.d2l_model(config)
        opt = torch.optim.SGD(model.parameters(), lr=config.lr)
        start = time.perf_counter()
        for X, y in batches:
            loss = nn.functional.cross_entropy(model(X), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        out["plain autograd SGD, 100 steps (reference)"].append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = rerun_arguments(__doc__)
    args = parser.parse_args()
    use_threads(args.threads)
    times = page_reruns(args.repeats)
    print_reruns(times, "page rerun (batch 256)")
    one = statistics.median(w for w, _ in times["take one step"])
    hundred = statistics.median(w for w, _ in times["take 100 steps"])
    print(f"one step with all its figures: median {one * 1000:.0f} ms — "
          f"{'within' if one * 1000 <= TARGET_STEP_MS else 'OVER'} the {TARGET_STEP_MS} ms target")
    print(f"100 steps (and the page after them): median {hundred:.2f} s — "
          f"{'within' if hundred <= TARGET_100_S else 'OVER'} the {TARGET_100_S:g} s target")
    print("\ncore, no Streamlit (minima):")
    results = core(args.repeats)
    plain = min(results["plain autograd SGD, 100 steps (reference)"])
    for label, samples in results.items():
        print(f"{label:44s} {min(samples) * 1000:8.1f} ms   {min(samples) / plain:5.2f}x the plain 100 steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
