"""How many picture updates per second does live training on "Hidden layers" draw?

    python -m bench.playground_speed [--repeats 3] [--seconds 3] [--threads 1] [--steps 10]

Target (issue #25): >= 10 picture updates per second with 2 hidden layers of 8 units on a 2-core
machine, each update drawing the decision surface and every unit's map on a grid of at least 50 x 50.

One update is what the page's live loop does between two pictures: ``--steps`` full-batch training
steps, then explorer.figures.playground_live.live_pictures (one forward pass over the grid, the surface and
every unit's map drawn and encoded as PNGs, one unit enlarged) and, every ui.hidden_layers.LOSS_EVERY-th
picture, the loss chart as st.plotly_chart serialises it (to_dict, plotly.io.to_json, a hash of the JSON).
Repeated, interleaved with a "pictures only" run (no training); the best repeat of each is reported (a
shared machine only ever slows a run down). This is the server's side; ``python -m bench.playground_browser``
counts the pictures a real browser draws.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import plotly.io
import plotly.tools
import torch

from explorer.figures.playground import loss_figure
from explorer.figures.playground_live import live_pictures
from explorer.lessons.playground import PlaygroundConfig, PlaygroundTrainer

LOSS_EVERY = 5  # as ui.hidden_layers (not imported: it imports streamlit)


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
    parts = {"train": 0.0, "pictures": 0.0, "loss chart": 0.0}
    updates, bytes_sent, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        for _ in range(steps):
            next(events)
        t1 = time.perf_counter()
        pictures = live_pictures(trainer, size, enlarge=(1, 1))
        t2 = time.perf_counter()
        bytes_sent += sum(len(uri) for uri in pictures.values())
        if updates % LOSS_EVERY == 0:
            bytes_sent += len(serialise(loss_figure(trainer.history or [{"epoch": 0, "train_loss": 0.0,
                                                                          "test_loss": 0.0}])))
        t3 = time.perf_counter()
        parts["train"] += t1 - t0
        parts["pictures"] += t2 - t1
        parts["loss chart"] += t3 - t2
        updates += 1
    elapsed = time.perf_counter() - start
    per_update = {k: 1000 * v / updates for k, v in parts.items()}
    per_update["kB"] = bytes_sent / updates / 1000
    return updates / elapsed, per_update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; the page trains with 1 (tiny tensors; 2 collapse on a busy machine)")
    parser.add_argument("--steps", type=int, default=10,
                        help="training steps between two pictures (the page's at its preset's 100 epochs/s)")
    parser.add_argument("--size", type=int, default=50, help="grid points per side")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    best: dict[str, tuple[float, dict]] = {}
    for repeat in range(args.repeats):
        for label, steps in (("live training", args.steps), ("pictures only", 0)):
            rate, parts = updates_per_second(args.seconds, steps, args.size)
            print(f"repeat {repeat + 1} {label:>13s}: {rate:5.1f} updates/s  "
                  + "  ".join(f"{k} {v:.1f}{'' if k == 'kB' else ' ms'}" for k, v in parts.items()))
            if label not in best or rate > best[label][0]:
                best[label] = (rate, parts)
    rate = best["live training"][0]
    print(f"\nbest: {rate:.1f} picture updates/s during live training (2 x 8 units, {args.size} x {args.size} grid, "
          f"{args.steps} steps per picture, {args.threads} threads); target >= 10: {'met' if rate >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
