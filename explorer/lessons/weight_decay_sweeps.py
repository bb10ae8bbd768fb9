"""Many λ at once on d2l 4.5's problem: the batched sweep, side-by-side runs, L1 vs L2.

:func:`train_batched` trains every λ as one (n_lambdas × num_inputs) weight matrix with the same
data, initial weights and shuffle order, so row k is the one-model run with λ_k (tests check it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd
import torch

from explorer.lessons.weight_decay import (IMPLEMENTATIONS, PENALTIES, RegressionData, WeightDecayConfig, batch_order,
                                   evaluate, make_data, soft_threshold, train)

# The sweep: λ = 0 plus 30 values evenly spaced on a log axis from 1e-3 to 1e2.
SWEEP_LAMBDAS = (0.0, *torch.logspace(-3, 2, 30, dtype=torch.float64).tolist())
NEAR_ZERO = 0.01  # |w| below this counts as "near zero" (the true weights are all 0.01)


@dataclass
class BatchedResult:
    """Many λ trained together; per-epoch metrics are (epochs × n_lambdas) tensors."""

    lambdas: tuple[float, ...]
    train_loss: torch.Tensor
    test_loss: torch.Tensor
    w_norm: torch.Tensor
    weights: torch.Tensor  # (n_lambdas × num_inputs)
    bias: torch.Tensor


@torch.no_grad()
def train_batched(cfg: WeightDecayConfig, lambdas: tuple[float, ...] = SWEEP_LAMBDAS,
                  data: RegressionData | None = None) -> BatchedResult:
    """All λ in one tensor computation; the gradients are written out, which is what autograd computes."""
    cfg.validate()
    if not lambdas or any(not (math.isfinite(lam) and lam >= 0) for lam in lambdas):
        raise ValueError("λ values must be finite numbers >= 0")
    data = data or make_data(cfg)
    lam = torch.tensor(lambdas, dtype=data.init_w.dtype)[:, None]
    W = data.init_w.expand(len(lambdas), -1).clone()  # every model starts from the same weights
    b = torch.zeros(len(lambdas), dtype=W.dtype)
    l2, rows = cfg.penalty == "l2", []
    for batches in batch_order(cfg):
        for idx in batches:
            X, y = data.train_x[idx], data.train_y[idx]
            residual = X @ W.T + b - y[:, None]  # (batch, n_lambdas)
            W -= cfg.lr * (residual.T @ X / len(idx) + (lam * W if l2 else 0))
            b -= cfg.lr * residual.mean(0)
            if not l2:
                W = soft_threshold(W, cfg.lr * lam)
        rows.append(evaluate(data, W, b))
    train_loss, test_loss, w_norm = (torch.stack([r[key] for r in rows]) for key in rows[0])
    return BatchedResult(tuple(lambdas), train_loss, test_loss, w_norm, W, b)


def sweep(cfg: WeightDecayConfig, lambdas: tuple[float, ...] = SWEEP_LAMBDAS) -> pd.DataFrame:
    """Final train/test loss and ‖w‖₂ per λ; ``best`` marks the lowest finite test loss."""
    result = train_batched(cfg, lambdas)
    df = pd.DataFrame({"lambd": list(lambdas), "train_loss": result.train_loss[-1].tolist(),
                       "test_loss": result.test_loss[-1].tolist(), "w_norm": result.w_norm[-1].tolist()})
    df = df.replace([math.inf, -math.inf], math.nan)  # a diverged run is "no number", not a best candidate
    df["best"] = df.index == df["test_loss"].idxmin() if df["test_loss"].notna().any() else False
    return df


def compare(cfg: WeightDecayConfig, lambdas: list[float]) -> tuple[pd.DataFrame, dict[float, list[float]]]:
    """Side by side: one run per λ with ``cfg.impl``; (history with a ``lambd`` column, final weights per λ)."""
    data = make_data(cfg)  # made once: every λ sees the same examples and initial weights
    frames, weights = [], {}
    for lam in lambdas:
        run = train(replace(cfg, lambd=float(lam)), data)
        frames.append(pd.DataFrame(run.history).assign(lambd=float(lam)))
        weights[float(lam)] = run.weights.tolist()
    return pd.concat(frames, ignore_index=True).replace([math.inf, -math.inf], math.nan), weights


def compare_penalties(cfg: WeightDecayConfig) -> dict[str, list[float]]:
    """Final weights with L2 and with L1 at ``cfg``'s λ, same data and start: spread versus sparse."""
    data = make_data(cfg)
    return {penalty: train(replace(cfg, penalty=penalty), data).weights.tolist() for penalty in PENALTIES}


def near_zero_share(weights: list[float] | torch.Tensor, tol: float = NEAR_ZERO) -> float:
    """Fraction of weights with |w| < tol (L1's proximal steps put many at exactly 0)."""
    w = torch.as_tensor(weights)
    return (w.abs() < tol).double().mean().item()


def scratch_vs_concise(cfg: WeightDecayConfig) -> tuple[pd.DataFrame, float]:
    """Both implementations with ``cfg``'s λ; (histories with an ``impl`` column, largest relative difference).

    Run it in float64 to compare the algorithms, not float32 rounding (λ = 0 drives the train loss to 1e-7).
    """
    data = make_data(cfg)
    runs = {impl: pd.DataFrame(train(replace(cfg, impl=impl), data).history) for impl in IMPLEMENTATIONS}
    a, c = runs.values()
    gap = max(((a[k] - c[k]).abs() / a[k].abs().clip(lower=1e-300)).max() for k in ("train_loss", "test_loss"))
    return pd.concat([df.assign(impl=impl) for impl, df in runs.items()], ignore_index=True), float(gap)
