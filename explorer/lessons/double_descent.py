"""Double descent (beyond d2l): the minimum-norm least-squares polynomial with p Legendre features.

n training points x ~ U(−1, 1), y = d2l's cubic + σε; the features are the Legendre polynomials
P_0 … P_{p−1}, the polynomial lab's model in an orthogonal basis, for p = 1 … 10·n.

Why Legendre and not random ReLU features: with a single input a ReLU unit is a kink at one place,
and units whose kinks fall between the same two training points are linearly dependent there, so
the feature matrix loses rank at random widths and the interpolation threshold wanders away from
p = n. n distinct points and p Legendre polynomials always give rank min(n, p): the threshold is
exactly p = n. The inputs are uniform on [−1, 1], where |P_k| ≤ 1; d2l's Gaussian inputs would put
points where high-degree polynomials explode.

For p < n the fit is ordinary least squares. At p = n the polynomial must pass through all n noisy
points and the weights (and the test error) blow up: the interpolation threshold. For p > n many
polynomials interpolate and the pseudo-inverse picks the one with the smallest weights, which gets
tamer as p grows (P_k's own norm shrinks with k): the error falls again. A ridge penalty λ‖w‖²
(weight decay, d2l 4.5) flattens the peak.

All widths are one batched SVD of the 10·n-column matrix with the columns beyond p zeroed (a zero
column gets weight 0 in the minimum-norm solution): w = V diag(s / (s² + nλ)) Uᵀ y, which is
``torch.linalg.pinv`` at λ = 0 and the ridge solution (XᵀX + nλI)⁻¹Xᵀy otherwise (tests check both,
one width at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch

from explorer.fields import Config, setting
from explorer.lessons.polynomial import one_thread, true_function

WIDTH_FACTOR = 10  # p runs up to 10·n
MAX_N = 30


@dataclass(frozen=True)
class DoubleDescentConfig(Config):
    n_train: int = setting(20, lo=2, hi=MAX_N, message="training-set size must be {lo} to {hi}")
    noise: float = setting(0.5, lo=0, message="noise must be >= 0")
    # λ of (1/n)‖Xw − y‖² + λ‖w‖²
    ridge: float = setting(0.0, lo=0, message="the ridge λ must be a finite number >= 0")
    n_test: int = setting(500, lo=1, message="test-set size must be at least 1")
    seed: int = setting(0)

    @property
    def max_features(self) -> int:
        return WIDTH_FACTOR * self.n_train


def make_data(config: DoubleDescentConfig) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(config.seed)
    x_train = torch.rand(config.n_train, generator=gen, dtype=torch.float64) * 2 - 1
    y_train = true_function(x_train) + config.noise * torch.randn(config.n_train, generator=gen, dtype=torch.float64)
    x_test = torch.rand(config.n_test, generator=gen, dtype=torch.float64) * 2 - 1
    y_test = true_function(x_test) + config.noise * torch.randn(config.n_test, generator=gen, dtype=torch.float64)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def legendre_features(x: torch.Tensor, p: int) -> torch.Tensor:
    """(len(x), p): P_0(x) … P_{p−1}(x) by Bonnet's recursion (k+1)P_{k+1} = (2k+1)x P_k − k P_{k−1}."""
    columns = [torch.ones_like(x), x]
    for k in range(1, p - 1):
        columns.append(((2 * k + 1) * x * columns[k] - k * columns[k - 1]) / (k + 1))
    return torch.stack(columns[:p], dim=1)


def ridge_solve(X: torch.Tensor, y: torch.Tensor, ridge: float) -> torch.Tensor:
    """argmin (1/n)‖Xw − y‖² + λ‖w‖² for (…, n, p) X; the minimum-norm solution when λ = 0."""
    U, s, Vh = torch.linalg.svd(X, full_matrices=False)
    if ridge > 0:
        gain = s / (s ** 2 + X.shape[-2] * ridge)
    else:  # pinv's cut-off: singular values below rtol·s_max are rounding noise (rank < columns)
        cutoff = s[..., :1] * max(X.shape[-2:]) * torch.finfo(X.dtype).eps
        gain = torch.where(s > cutoff, 1 / s.clamp(min=torch.finfo(X.dtype).tiny), 0.0)
    return (Vh.mT * gain[..., None, :]) @ (U.mT @ y[:, None])


def double_descent(config: DoubleDescentConfig) -> pd.DataFrame:
    """Test and training MSE of the fit with p = 1 … 10·n features, all widths in one batched SVD."""
    config.validate()
    data = make_data(config)
    P = config.max_features
    widths = torch.arange(1, P + 1)
    with one_thread():
        keep = (torch.arange(P) < widths[:, None]).double()  # (models, features)
        X = legendre_features(data["x_train"], P)[None] * keep[:, None, :]  # (models, n, P)
        w = ridge_solve(X, data["y_train"], config.ridge)[..., 0]  # (models, P)
        test_pred = legendre_features(data["x_test"], P) @ w.T  # (T, models)
        train_pred = (X @ w[..., None])[..., 0]  # (models, n)
    return pd.DataFrame({"p": widths.numpy(),
                         "test_mse": ((test_pred - data["y_test"][:, None]) ** 2).mean(0).numpy(),
                         "train_mse": ((train_pred - data["y_train"]) ** 2).mean(1).numpy()})


def one_width(config: DoubleDescentConfig, p: int) -> float:
    """Test MSE of width p alone, by ``torch.linalg.pinv`` or the ridge normal equations (the reference)."""
    data = make_data(config)
    X, X_test = legendre_features(data["x_train"], p), legendre_features(data["x_test"], p)
    if config.ridge > 0:
        A = X.T @ X + config.n_train * config.ridge * torch.eye(p, dtype=X.dtype)
        w = torch.linalg.solve(A, X.T @ data["y_train"])
    else:
        w = torch.linalg.pinv(X) @ data["y_train"]
    return float(((X_test @ w - data["y_test"]) ** 2).mean())


def peak(table: pd.DataFrame) -> int:
    """The number of features with the largest test error."""
    return int(table.loc[table["test_mse"].idxmax(), "p"])
