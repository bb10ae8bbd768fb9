"""How fast is one training epoch, compared with d2l's pipeline and with this machine's FLOP rate?

In one run, on the same net (784-256-10, SGD lr 0.1, batch 256):
- d2l-style: torchvision FashionMNIST with ToTensor, DataLoader(shuffle, num_workers=4), then
  test accuracy through a DataLoader, as d2l's train_ch3 does every epoch;
- ours: explorer.training.Trainer (preloaded tensors, permutation slicing), train + test eval;
- the FLOP bound: the epoch's FLOPs ÷ FLOP/s of a large matmul, measured in a separate clean process
  (torch only, no project import) next to each epoch of ours. An epoch (ours and d2l's) is training,
  6 × parameters per sample (forward, input and weight gradients), plus the test pass, 2 × parameters
  per sample; the training part alone is printed too.

Best epoch against the best rate: the noise of a shared machine only ever slows things down.

    python bench/train_speed.py [--epochs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import FashionMNIST

# The environment before explorer is imported (it sets MKL_CBWR): the probe must not inherit our settings.
CLEAN_ENV = dict(os.environ)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from explorer.data import default_data_dir, load_fashion_mnist  # noqa: E402
from explorer.models import build_mlp  # noqa: E402
from explorer.training import TrainConfig, Trainer  # noqa: E402


def d2l_epoch(root: str, seed: int) -> tuple[float, float]:
    """One epoch the d2l way; returns (seconds, test accuracy)."""
    torch.manual_seed(seed)
    train = FashionMNIST(root, train=True, transform=transforms.ToTensor())
    test = FashionMNIST(root, train=False, transform=transforms.ToTensor())
    net = build_mlp("concise", [784, 256, 10], "relu", [0.0], 0.01, seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    tic = time.perf_counter()
    for X, y in DataLoader(train, batch_size=256, shuffle=True, num_workers=4):
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
    correct = 0
    with torch.no_grad():
        for X, y in DataLoader(test, batch_size=256, shuffle=False, num_workers=4):
            correct += (net(X).argmax(1) == y).sum().item()
    return time.perf_counter() - tic, correct / len(test)


# Run in a fresh interpreter that imports torch only: the machine's matmul rate, untouched by
# anything this project sets up (thread counts, OpenMP and MKL settings) and by this process's state.
FLOP_PROBE = """
import time, torch
n, repeats = 2048, 5
a, b = torch.randn(n, n), torch.randn(n, n)
a @ b  # warm up the BLAS threads
best = float("inf")
for _ in range(3):
    tic = time.perf_counter()
    for _ in range(repeats):
        a @ b
    best = min(best, time.perf_counter() - tic)
print(2 * n**3 * repeats / best)
"""


def clean_flops_per_second() -> float:
    out = subprocess.run([sys.executable, "-c", FLOP_PROBE], cwd="/", capture_output=True, text=True, check=True,
                         env=CLEAN_ENV)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6, help="epochs of ours, each next to a FLOP-rate probe")
    args = parser.parse_args()
    data = load_fashion_mnist()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device cpu")

    d2l_seconds, d2l_acc = d2l_epoch(str(default_data_dir()), seed=0)
    print(f"d2l-style epoch (DataLoader + ToTensor, 4 workers): {d2l_seconds:6.2f} s, test acc {d2l_acc:.4f}")

    warmup = Trainer(TrainConfig(epochs=1, max_train=2560), data)
    list(warmup.train())
    trainer = Trainer(TrainConfig(epochs=args.epochs), data)
    rates = []
    for epoch in range(1, args.epochs + 1):  # interleaved: probe, epoch, probe, epoch, ..., probe
        rates.append(clean_flops_per_second())
        list(trainer.train(until_epoch=epoch))
    rates.append(clean_flops_per_second())
    seconds = [row["seconds"] for row in trainer.history]
    ours = min(seconds)
    print(f"ours, per epoch (best of {len(seconds)}):                {ours:6.2f} s "
          f"(all: {', '.join(f'{s:.2f}' for s in seconds)}), test acc {trainer.history[0]['test_acc']:.4f} "
          "after epoch 1")

    params = sum(p.numel() for p in trainer.model.parameters())
    rate = max(rates)
    train_flops = 6 * params * len(data.train_labels)
    flops = train_flops + 2 * params * len(data.test_labels)
    bound = flops / rate
    print(f"matmul rate in a clean process: best {rate / 1e9:.1f} GFLOP/s (all: "
          f"{', '.join(f'{r / 1e9:.0f}' for r in rates)}); FLOP bound for an epoch ({params} parameters): "
          f"{bound:.3f} s ({train_flops / rate:.3f} s training + {(flops - train_flops) / rate:.3f} s test pass)")
    print(f"\nours vs d2l pipeline: {d2l_seconds / ours:.1f}x faster (target >= 8x)")
    print(f"ours vs FLOP bound:   {ours / bound:.2f}x the bound (target <= 1.3x); median epoch vs median-rate "
          f"bound: {statistics.median(seconds) * statistics.median(rates) / flops:.2f}x")


if __name__ == "__main__":
    main()
