"""How fast are the weight-decay page's computations, compared with d2l's one-model-at-a-time loop?

In one run, on d2l 4.5's problem (200 features, 20 examples, batch 5, lr 0.003, 100 epochs), all
recording train and test loss after every epoch:
- d2l-style: ``train(lambd)`` with DataLoader(TensorDataset, batch 5, shuffle) and d2l's
  ``evaluate_loss`` through DataLoaders, one λ after another;
- ours, side by side: explorer.lessons.weight_decay.compare (one model per λ, preloaded tensors);
- ours, sweep: explorer.lessons.weight_decay.sweep (all 31 λ as one weight matrix).

    python -m bench.weight_decay_speed [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch
from torch.utils.data import DataLoader, TensorDataset

from explorer.lessons import weight_decay as wd
from explorer.lessons import weight_decay_sweeps as wds

SIDE_BY_SIDE = [0.0, 3.0]


def d2l_evaluate_loss(net, data_iter) -> float:
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            loss = wd.squared_loss(net(X), y)
            total, count = total + loss.sum().item(), count + loss.numel()
    return total / count


def d2l_train(cfg: wd.WeightDecayConfig, data: wd.RegressionData) -> list[tuple[float, float]]:
    """d2l's from-scratch ``train(lambd)``, recording both losses every epoch."""
    train_iter = DataLoader(TensorDataset(data.train_x, data.train_y), batch_size=cfg.batch_size, shuffle=True)
    test_iter = DataLoader(TensorDataset(data.test_x, data.test_y), batch_size=cfg.batch_size, shuffle=False)
    w = data.init_w.clone().requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)

    def net(X):
        return X @ w + b

    history = []
    for _ in range(cfg.epochs):
        for X, y in train_iter:
            loss = wd.squared_loss(net(X), y) + cfg.lambd * wd.l2_penalty(w)
            loss.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= cfg.lr * param.grad / cfg.batch_size
                    param.grad.zero_()
        history.append((d2l_evaluate_loss(net, train_iter), d2l_evaluate_loss(net, test_iter)))
    return history


def best_time(fn, repeats: int) -> float:
    fn()  # warm up: first-call costs (lazy imports, allocator) are not what we measure
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads; 1 is steadier on a busy machine (tiny ops gain nothing from more)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = wd.WeightDecayConfig()
    data = wd.make_data(cfg)
    torch.manual_seed(0)

    def d2l_loop(lambdas):
        return lambda: [d2l_train(replace(cfg, lambd=lam), data) for lam in lambdas]

    timings = {
        "d2l-style loop, λ 0 and 3": best_time(d2l_loop(SIDE_BY_SIDE), args.repeats),
        "ours side by side (scratch), λ 0 and 3": best_time(lambda: wds.compare(cfg, SIDE_BY_SIDE), args.repeats),
        "ours side by side (concise), λ 0 and 3":
            best_time(lambda: wds.compare(replace(cfg, impl="concise"), SIDE_BY_SIDE), args.repeats),
        "ours batched, λ 0 and 3": best_time(lambda: wds.train_batched(cfg, tuple(SIDE_BY_SIDE)), args.repeats),
        f"d2l-style loop, {len(wds.SWEEP_LAMBDAS)}-λ sweep": best_time(d2l_loop(wds.SWEEP_LAMBDAS), 1),
        f"ours batched, {len(wds.SWEEP_LAMBDAS)}-λ sweep": best_time(lambda: wds.sweep(cfg), args.repeats),
    }
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; best of {args.repeats} (sweep loop: 1)")
    for name, seconds in timings.items():
        print(f"{name:45s} {seconds * 1000:8.1f} ms")
    names = list(timings)
    print(f"side by side: d2l-style / ours scratch = {timings[names[0]] / timings[names[1]]:.1f}×, "
          f"/ ours batched = {timings[names[0]] / timings[names[3]]:.1f}×")
    print(f"sweep: d2l-style loop / ours batched = {timings[names[4]] / timings[names[5]]:.1f}×")


if __name__ == "__main__":
    main()
