"""Do several trainings at once, in one process, get at least the throughput of one alone?

A Streamlit server runs every session's training in a thread of one Python process. This runs
1, 2 and 4 trainings at once the same way (threads, one process, d2l's MLP on Fashion-MNIST) and
reports the aggregate throughput (training images per second, all runs together) against one
training alone. Thread policies compared, each measured in a fresh process:

- ``ours``: what ``import explorer`` sets up (the default), with explorer.fair_share.threads sharing the cores;
- ``passive``, ``active``, ``default``: OMP_WAIT_POLICY=PASSIVE / ACTIVE / unset (libgomp spins
  300k times), each training with every core (no sharing); ``+share`` adds the sharing.

Each round runs every policy in a fresh process, which measures 1, 2, 4 and again 1 training(s)
at once; a ratio compares runs made seconds apart in the same process, so the load of a shared
machine drifts little between them. Ratios are reported as median (range) over rounds.

    python -m bench.concurrency [--rounds 3] [--images 10000] [--policies ours passive active default]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import summary

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ("ours", "passive", "active", "default", "passive+share", "active+share", "default+share")
COUNTS = (1, 2, 4)


def child(policy: str, images: int) -> None:
    """In a fresh process: 1, 2, 4 and again 1 training(s) at once, in threads; prints wall times as JSON.
    A policy ``ours@bf16`` trains in bfloat16."""
    policy, _, precision = policy.partition("@")
    precision = precision or "fp32"
    wait_policy, _, sharing = policy.partition("+")
    if wait_policy != "ours":
        os.environ.pop("OMP_WAIT_POLICY", None)
        os.environ.pop("GOMP_SPINCOUNT", None)
        if wait_policy != "default":
            os.environ["OMP_WAIT_POLICY"] = wait_policy.upper()
        import torch  # noqa: F401  (OpenMP reads its settings when torch loads: before explorer can set any)
    import threading

    from explorer.fair_share import threads
    from explorer.data import load_fashion_mnist
    from explorer.mlp.training import TrainConfig, Trainer

    if wait_policy != "ours" and sharing != "share":
        threads.share = lambda: threads.CORES  # every training takes every core
    data = load_fashion_mnist()
    list(Trainer(TrainConfig(epochs=1, max_train=2560, max_test=500, precision=precision), data).train())  # warm up

    def wall(count: int) -> float:
        trainers = [Trainer(TrainConfig(epochs=1, max_train=images, max_test=1000, seed=i, precision=precision), data)
                    for i in range(count)]
        barrier = threading.Barrier(count + 1)

        def run(trainer):
            barrier.wait()
            for _ in trainer.train():
                pass

        workers = [threading.Thread(target=run, args=(t,)) for t in trainers]
        for w in workers:
            w.start()
        barrier.wait()
        tic = time.perf_counter()
        for w in workers:
            w.join()
        assert all(t.status == "finished" for t in trainers)
        return time.perf_counter() - tic

    print(json.dumps([[count, wall(count)] for count in (*COUNTS, 1)]))


def measure(policy: str, images: int) -> dict[int, float]:
    """Images per second for 1, 2, 4 at once; "alone" is the better of the runs before and after."""
    out = subprocess.run([sys.executable, "-m", "bench.concurrency", "--child", policy, str(images)],
                         capture_output=True, text=True, check=True, timeout=900, cwd=ROOT)
    rates: dict[int, float] = {}
    for count, seconds in json.loads(out.stdout.strip().splitlines()[-1]):
        rates[count] = max(rates.get(count, 0.0), count * images / seconds)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=10000, help="training images per training")
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=["ours", "passive", "active", "default"])
    parser.add_argument("--precisions", nargs="+", choices=("fp32", "bf16"), default=None,
                        help="precisions of our policy (default: fp32, and bf16 where the CPU has it)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    from explorer.mlp.precision import offered

    # "ours" in every precision asked for (both where bf16 is native): ours@bf16 is our policy in bfloat16.
    extra = [f"ours@{p}" for p in (args.precisions or offered()) if p != "fp32" and "ours" in args.policies]
    args.policies = [p for p in args.policies if p != "ours" or "fp32" in (args.precisions or ["fp32"])] + extra
    best: dict[tuple[str, int], float] = {}
    ratios: dict[tuple[str, int], list[float]] = {}
    for r in range(args.rounds):
        for policy in args.policies:
            rates = measure(policy, args.images)
            for count, rate in rates.items():
                best[policy, count] = max(best.get((policy, count), 0.0), rate)
                ratios.setdefault((policy, count), []).append(rate / rates[1])
            print(f"round {r + 1}: {policy:14s} " + "  ".join(f"{c} at once {rates[c]:6.0f}/s" for c in COUNTS),
                  file=sys.stderr, flush=True)
    print(f"{os.cpu_count()} CPUs; {args.images} training images per training; {args.rounds} interleaved rounds, "
          "each policy in a fresh process per round")
    reference = best[args.policies[0], 1]
    header = " ".join(f"{f'{c} at once / alone':>17s}" for c in COUNTS[1:])
    print(f"\n{'policy':14s} {'alone s/epoch':>13s} {header}   alone vs {args.policies[0]} alone")
    for policy in args.policies:
        alone = best[policy, 1]
        cells = " ".join(f"{statistics.median(ratios[policy, c]):8.2f} ({min(ratios[policy, c]):.2f}-"
                         f"{max(ratios[policy, c]):.2f})" for c in COUNTS[1:])
        print(f"{policy:14s} {60000 / alone:13.2f} {cells}   {reference / alone:.2f}x the time")
    for policy in args.policies:
        if policy.startswith("ours"):
            summary(f"concurrency: {policy.replace('@', ' ')} k at once ÷ alone (aggregate throughput)",
                    ", ".join(f"{c}: {statistics.median(ratios[policy, c]):.2f}" for c in COUNTS[1:]), "≥ 1.0",
                    f"alone {60000 / best[policy, 1]:.2f} s/epoch")
    print("\n'k at once / alone' = aggregate throughput of k concurrent trainings ÷ one training alone, measured "
          "next to each other in the same process: median (range) over rounds; target ≥ 1.0. 'alone s/epoch' = "
          "best round, scaled to 60,000 images.")


if __name__ == "__main__":
    main()
