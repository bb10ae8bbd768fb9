"""How fast is one training epoch? Against the FLOP bound, a bare PyTorch loop, d2l's pipeline, and bfloat16.

In one run, on d2l's net (784-256-10, SGD lr 0.1, batch 256), each measurement in its own fresh process,
interleaved round by round (probe, ours fp32, ours bf16, bare fp32, bare bf16, probe, ...):
- the FLOP bound: an epoch's FLOP ÷ the matmul rate of a clean process (torch only, no project import).
  An epoch trains on 60,000 images: 2 FLOP per weight forward, 2 for the weight gradient, 2 for the input
  gradient except the first layer's (it needs none): (4·784·256 + 6·256·10) per image; then the test pass,
  2 per weight for each of the 10,000 test images (``explorer.fair_share.budget.epoch_flops``);
- ours: explorer.mlp.training.Trainer (preloaded tensors, permutation slicing), float32 and bfloat16 (explicit
  bfloat16 matmuls, our default, and torch.autocast);
- bare: the same epoch hand-written over the same preloaded tensors (no events, no checks), float32 and
  explicit bfloat16 matmuls: what our Trainer costs above plain PyTorch;
- d2l's pipeline: torchvision FashionMNIST + ToTensor + DataLoader(shuffle, 4 workers), warm (best of
  ``--d2l-epochs`` epochs after the first, the workers started), as d2l's train_ch3 does.

Best epoch against the best rate: a shared machine's noise only ever slows things down.

    python -m bench.train_speed [--epochs 3] [--rounds 2] [--d2l-epochs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from bench.common import ROOT, load, summary

# Children print one JSON line: {"seconds": [per epoch], "acc": last test accuracy} or {"rate": FLOP/s}.
PROBE = """
import json, time, torch
n, repeats = 2048, 5
a, b = torch.randn(n, n), torch.randn(n, n)
a @ b  # warm up the BLAS threads
best = float("inf")
for _ in range(3):
    tic = time.perf_counter()
    for _ in range(repeats):
        a @ b
    best = min(best, time.perf_counter() - tic)
print(json.dumps({"rate": 2 * n**3 * repeats / best}))
"""

OURS = """
import json
from explorer.data import load_fashion_mnist
from explorer.mlp.training import TrainConfig, Trainer
data = load_fashion_mnist()
list(Trainer(TrainConfig(epochs=1, max_train=2560, precision={precision!r}), data).train())  # warm-up
trainer = Trainer(TrainConfig(epochs={epochs}, precision={precision!r}), data)
list(trainer.train())
print(json.dumps({{"seconds": [row["seconds"] for row in trainer.history], "acc": trainer.history[-1]["test_acc"]}}))
"""

BARE = """
import json, time, torch
from torch import nn
from explorer.data import load_fashion_mnist
data = load_fashion_mnist()
X, Y = data.train_images.reshape(-1, 784), data.train_labels
TX, TY = data.test_images.reshape(-1, 784), data.test_labels
gen = torch.Generator().manual_seed(0)
W1, b1 = (torch.randn(784, 256, generator=gen) * 0.01).requires_grad_(), torch.zeros(256, requires_grad=True)
W2, b2 = (torch.randn(256, 10, generator=gen) * 0.01).requires_grad_(), torch.zeros(10, requires_grad=True)
params, bf16 = [W1, b1, W2, b2], {precision!r} == "bf16"

def net(x):
    if bf16:  # explicit bfloat16 matmuls; the weights stay float32 (their casts are differentiable)
        h = torch.relu(x.bfloat16() @ W1.bfloat16() + b1.bfloat16())
        return (h @ W2.bfloat16() + b2.bfloat16()).float()
    return torch.relu(x @ W1 + b1) @ W2 + b2

optimizer = torch.optim.SGD(params, lr=0.1)
seconds = []
for epoch in range({epochs} + 1):  # the first epoch warms up and is not counted
    perm = torch.randperm(len(Y), generator=gen)
    tic = time.perf_counter()
    for start in range(0, len(Y), 256):
        idx = perm[start:start + 256]
        loss = nn.functional.cross_entropy(net(X[idx]), Y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (net(TX).argmax(1) == TY).float().mean().item()
    if epoch:
        seconds.append(time.perf_counter() - tic)
print(json.dumps({{"seconds": seconds, "acc": acc}}))
"""

D2L = """
import json, time, torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import FashionMNIST
from explorer.data import default_data_dir
from explorer.mlp.models import build_mlp
torch.manual_seed(0)
root = str(default_data_dir())
train = FashionMNIST(root, train=True, transform=transforms.ToTensor())
test = FashionMNIST(root, train=False, transform=transforms.ToTensor())
net = build_mlp("concise", [784, 256, 10], "relu", [0.0], 0.01, 0)
optimizer, loss = torch.optim.SGD(net.parameters(), lr=0.1), nn.CrossEntropyLoss()
train_iter = DataLoader(train, batch_size=256, shuffle=True, num_workers=4, persistent_workers=True)
test_iter = DataLoader(test, batch_size=256, shuffle=False, num_workers=4, persistent_workers=True)
seconds = []
for epoch in range({epochs}):
    tic = time.perf_counter()
    for X, y in train_iter:
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
    correct = 0
    with torch.no_grad():
        for X, y in test_iter:
            correct += (net(X).argmax(1) == y).sum().item()
    seconds.append(time.perf_counter() - tic)
print(json.dumps({{"seconds": seconds[1:], "acc": correct / len(test)}}))  # the first epoch starts the workers
"""


def child(code: str, clean: bool = False, **extra_env: str) -> dict:
    """Run ``code`` in a fresh interpreter (from the repository root); ``clean``: without MKL_CBWR."""
    env = {**os.environ, **extra_env}
    if clean:
        env.pop("MKL_CBWR", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per measurement (the best is kept)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of every measurement")
    parser.add_argument("--d2l-epochs", type=int, default=3, help="d2l pipeline epochs (the first is not counted)")
    args = parser.parse_args()
    from explorer.fair_share.budget import epoch_flops
    from explorer.mlp.precision import bf16_support

    import torch

    bf16, why = bf16_support(torch.device("cpu"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, bf16: {why}; {load()} at the start")
    kinds = ["ours fp32", "bare fp32"] + (["ours bf16", "ours bf16-autocast", "bare bf16"] if bf16 else [])
    best: dict[str, float] = {}
    accs: dict[str, float] = {}
    rates = [child(PROBE, clean=True)["rate"]]
    for r in range(args.rounds):
        for kind in kinds:
            who, precision = kind.split()
            precision, _, mode = precision.partition("-")
            result = child((OURS if who == "ours" else BARE).format(precision=precision, epochs=args.epochs),
                           EXPLORER_BF16_MODE=mode or "explicit")
            best[kind] = min(best.get(kind, float("inf")), *result["seconds"])
            accs[kind] = result["acc"]
            print(f"  round {r + 1} {kind}: epochs {', '.join(f'{s:.3f}' for s in result['seconds'])} s, "
                  f"test acc {result['acc']:.4f} ({load()})", flush=True)
        rates.append(child(PROBE, clean=True)["rate"])
    d2l = child(D2L.format(epochs=args.d2l_epochs))
    print(f"  d2l pipeline warm epochs: {', '.join(f'{s:.2f}' for s in d2l['seconds'])} s ({load()})")

    flops, rate = epoch_flops([784, 256, 10], 60_000, 10_000), max(rates)
    bound = flops / rate
    print(f"\nFLOP per epoch {flops / 1e9:.1f} G; best matmul rate {rate / 1e9:.0f} GFLOP/s "
          f"(probes: {', '.join(f'{x / 1e9:.0f}' for x in rates)}); FLOP bound {bound:.3f} s")
    ours = best["ours fp32"]
    summary("train_speed: fp32 epoch vs FLOP bound", f"{ours:.3f} s = {ours / bound:.2f}× the bound ({bound:.3f} s)",
            "≤ 1.3×")
    summary("train_speed: fp32 epoch vs bare PyTorch loop", f"{ours / best['bare fp32']:.2f}× "
            f"(bare {best['bare fp32']:.3f} s = {best['bare fp32'] / bound:.2f}× the bound)", "≈ 1×")
    summary("train_speed: d2l pipeline (warm) vs ours", f"{min(d2l['seconds']):.2f} s = "
            f"{min(d2l['seconds']) / ours:.1f}× ours", "≥ 8×")
    if bf16:
        summary("train_speed: bf16 epoch ÷ fp32 epoch (ours, explicit bf16 matmuls)",
                f"{best['ours bf16'] / ours:.2f} ({best['ours bf16']:.3f} s vs {ours:.3f} s)", "≤ 0.75")
        summary("train_speed: bf16 epoch ÷ fp32 epoch (ours, torch.autocast)",
                f"{best['ours bf16-autocast'] / ours:.2f} ({best['ours bf16-autocast']:.3f} s)", "≤ 0.75")
        summary("train_speed: bf16 ÷ fp32 (bare loop, explicit bf16 matmuls)",
                f"{best['bare bf16'] / best['bare fp32']:.2f} ({best['bare bf16']:.3f} s vs {best['bare fp32']:.3f} s)",
                "≤ 0.75")
        summary(f"train_speed: test acc after {args.epochs} epochs, bf16 − fp32 (ours)",
                f"{accs['ours bf16'] - accs['ours fp32']:+.4f} ({accs['ours bf16']:.4f} vs {accs['ours fp32']:.4f})",
                "|Δ| ≤ 0.005 at 10 epochs")


if __name__ == "__main__":
    main()
