"""Where does one float32 epoch's time go? torch.profiler over our Trainer's epoch, grouped by what each op does.

    python -m bench.epoch_profile [--repeats 2]

The honest bound (docs/benchmarks.md) is an epoch's FLOP ÷ the best rate of a 2048² matmul. This splits
the best of ``--repeats`` profiled epochs (after a warm-up epoch) into: the matmuls (forward, and the
backward's weight and input gradients) with the rate each shape actually reached; the element-wise work
(ReLU and its backward, bias adds and their gradient sums), the loss, the optimizer step, the batch
gathers, the test pass; and what is left (Python, autograd's bookkeeping, the profiler itself). The same
2048² probe runs before and after, in this process.
"""

from __future__ import annotations

import contextlib
import io
import json

import argparse
import time
from collections import defaultdict


from bench.common import load
from bench.train_speed import PROBE

GROUPS = {  # op name → group; anything else is "other ops"
    "aten::addmm": "matmul", "aten::mm": "matmul",
    "aten::relu": "element-wise", "aten::clamp_min": "element-wise", "aten::threshold_backward": "element-wise",
    "aten::sum": "element-wise", "aten::add": "element-wise", "aten::add_": "element-wise",
    "aten::_log_softmax": "loss", "aten::_log_softmax_backward_data": "loss", "aten::nll_loss_forward": "loss",
    "aten::nll_loss_backward": "loss", "aten::argmax": "loss", "aten::eq": "loss",
    "aten::_foreach_add_": "optimizer", "aten::_foreach_mul_": "optimizer", "aten::_foreach_add": "optimizer",
    "aten::index_select": "gather", "aten::item": "sync (.item)", "aten::_local_scalar_dense": "sync (.item)",
}


def probe() -> float:
    """train_speed's 2048² matmul probe, run in this process: FLOP/s."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(PROBE, {})
    return json.loads(out.getvalue())["rate"]


def profiled_epoch(trainer) -> tuple[float, dict, dict]:
    """Wall seconds of one epoch, self CPU seconds per group, and per matmul shape (seconds, FLOP)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        tic = time.perf_counter()
        list(trainer.train(until_epoch=trainer.epochs_done + 1))
        wall = time.perf_counter() - tic
    groups: dict[str, float] = defaultdict(float)
    others: dict[str, float] = defaultdict(float)
    shapes: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for event in prof.key_averages(group_by_input_shape=True):
        seconds = event.self_cpu_time_total / 1e6
        groups[GROUPS.get(event.key, "other ops")] += seconds
        if event.key not in GROUPS:
            others[event.key] += seconds
        if event.key in ("aten::addmm", "aten::mm") and event.input_shapes:
            dims = [s for s in event.input_shapes if len(s) == 2]
            if len(dims) >= 2:
                (m, k), (_, n) = dims[-2], dims[-1]
                key = f"{event.key[6:]} {m}×{k} · {k}×{n}"
                shapes[key][0] += seconds
                shapes[key][1] += 2 * m * k * n * event.count
    groups["other ops"] = others  # type: ignore[assignment]  (split below)
    return wall, dict(groups), dict(shapes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from explorer.data import load_fashion_mnist
    from explorer.mlp.training import TrainConfig, Trainer

    data = load_fashion_mnist()
    trainer = Trainer(TrainConfig(epochs=100), data)
    list(trainer.train(until_epoch=1))  # warm-up
    rate = probe()
    best = None
    for repeat in range(args.repeats):
        result = profiled_epoch(trainer)
        print(f"repeat {repeat + 1}: epoch {result[0]:.3f} s ({load()})", flush=True)
        best = result if best is None or result[0] < best[0] else best
    rate = max(rate, probe())
    wall, groups, shapes = best
    others = groups.pop("other ops")
    groups["other ops"] = sum(others.values())
    flops = trainer.epoch_flops
    print(f"\nbest epoch {wall:.3f} s; the bound {flops / rate:.3f} s ({flops / 1e9:.1f} GFLOP at the probe's "
          f"{rate / 1e9:.0f} GFLOP/s): {wall / (flops / rate):.2f}×  ({load()})")
    for name, seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {name:14s} {seconds:6.3f} s  {seconds / wall:5.1%}")
    print(f"  {'not in ops':14s} {wall - sum(groups.values()):6.3f} s  "
          f"{(wall - sum(groups.values())) / wall:5.1%}  (Python, autograd bookkeeping, the profiler)")
    print("  other ops, the largest: " + ", ".join(f"{name[6:]} {seconds:.3f} s" for name, seconds in
                                                sorted(others.items(), key=lambda kv: -kv[1])[:6]))
    print("matmuls by shape (self time, rate):")
    for key, (seconds, flop) in sorted(shapes.items(), key=lambda kv: -kv[1][0]):
        print(f"  {key:28s} {seconds:6.3f} s  {flop / seconds / 1e9 if seconds else 0:6.0f} GFLOP/s")


if __name__ == "__main__":
    main()
