"""Why L1 gives zeros: a two-weight least-squares problem and its exact regularisation paths.

The loss is least squares on two correlated features, written through its normal equations:
L(w) = ½(w − w*)ᵀH(w − w*) with H = XᵀX/n and w* the unregularised optimum. With a penalty:

* L2, L(w) + λ‖w‖²/2: the closed form w(λ) = (H + λI)⁻¹Hw*. Every weight shrinks smoothly and
  reaches 0 only as λ → ∞.
* L1, L(w) + λ‖w‖₁: no closed form in general; exact coordinate descent, each step an exact
  one-weight minimisation, w_i ← S(b_i − Σ_{j≠i} H_ij w_j, λ)/H_ii with b = Hw* and the soft
  threshold S(z, λ) = sign(z)·max(|z| − λ, 0). S returns an exact 0, and from a finite λ on one
  weight stays exactly 0 (:func:`l1_first_zero` gives that λ in closed form).

Each penalised optimum is also the optimum of the loss constrained to a ball whose radius is the
optimum's own norm (‖w‖₂ for the circle, ‖w‖₁ for the diamond): the loss contour through it
touches the ball there. A diamond's corners sit on the axes, so the contour usually touches a
corner: a weight is exactly 0. All λ of a path are computed at once, as a batch.
"""

from __future__ import annotations

import pandas as pd
import torch

H = torch.tensor([[1.0, 0.6], [0.6, 0.8]], dtype=torch.float64)  # XᵀX/n: correlated features
W_STAR = torch.tensor([1.6, 0.4], dtype=torch.float64)  # the least-squares optimum without a penalty
B = H @ W_STAR
PATH_LAMBDAS = (0.0, *torch.logspace(-3, 1, 80, dtype=torch.float64).tolist())
SWEEPS = 100  # coordinate-descent sweeps; the error shrinks by ≈ H12²/(H11 H22) = 0.45 per sweep


def loss(w: torch.Tensor) -> torch.Tensor:
    """½(w − w*)ᵀH(w − w*) for (…, 2) weights."""
    d = w - W_STAR
    return 0.5 * torch.einsum("...i,ij,...j->...", d, H, d)


def l2_path(lambdas) -> torch.Tensor:
    """(L, 2): the exact ridge solutions (H + λI)⁻¹Hw* for every λ at once."""
    lam = torch.as_tensor(lambdas, dtype=torch.float64)
    return torch.linalg.solve(H + lam[:, None, None] * torch.eye(2, dtype=torch.float64), B.expand(len(lam), 2))


def soft_threshold(z: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    return torch.sign(z) * (z.abs() - threshold).clamp(min=0)


def l1_path(lambdas, sweeps: int = SWEEPS) -> torch.Tensor:
    """(L, 2): the lasso solutions by coordinate descent, every λ updated together."""
    lam = torch.as_tensor(lambdas, dtype=torch.float64)
    w = torch.zeros(len(lam), 2, dtype=torch.float64)
    for _ in range(sweeps):
        for i in (0, 1):
            j = 1 - i
            w[:, i] = soft_threshold(B[i] - H[i, j] * w[:, j], lam) / H[i, i]
    return w


def l1_first_zero() -> tuple[float, int]:
    """(λ, index): the smallest λ at which L1 sets a weight exactly to 0, and which weight.

    While both weights are non-zero, Hw = b − λ·sign(w), so w(λ) = w* − λH⁻¹s is a straight line;
    weight i reaches 0 where w*_i = λ (H⁻¹s)_i. The first such crossing is the answer.
    """
    s = torch.sign(W_STAR)
    direction = torch.linalg.solve(H, s)
    crossings = [(float(W_STAR[i] / direction[i]), i) for i in (0, 1) if W_STAR[i] * direction[i] > 0]
    return min(crossings)


def path_table(penalty: str, lambdas=PATH_LAMBDAS) -> pd.DataFrame:
    """The path as rows {lambd, w1, w2, loss, l1_norm, l2_norm} (penalty "l1" or "l2")."""
    if penalty not in ("l1", "l2"):
        raise ValueError("penalty must be 'l1' or 'l2'")
    w = (l1_path if penalty == "l1" else l2_path)(lambdas)
    return pd.DataFrame({"lambd": list(lambdas), "w1": w[:, 0].tolist(), "w2": w[:, 1].tolist(),
                         "loss": loss(w).tolist(), "l1_norm": w.abs().sum(1).tolist(),
                         "l2_norm": w.norm(dim=1).tolist()})


def geometry(lambd: float) -> dict:
    """Everything the picture needs at one λ: both paths, both optima, the balls' radii, contour grid."""
    optimum = {"l2": l2_path([lambd])[0], "l1": l1_path([lambd])[0]}
    grid = torch.linspace(-0.6, 2.2, 141, dtype=torch.float64)
    w1, w2 = torch.meshgrid(grid, grid, indexing="xy")
    return {
        "lambd": lambd, "grid": grid, "loss_grid": loss(torch.stack([w1, w2], -1)),
        "paths": {p: path_table(p) for p in ("l2", "l1")}, "optimum": optimum,
        "radius": {"l2": float(optimum["l2"].norm()), "l1": float(optimum["l1"].abs().sum())},
        "level": {p: float(loss(w)) for p, w in optimum.items()}, "w_star": W_STAR,
    }
