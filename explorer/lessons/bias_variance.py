"""Bias and variance on the polynomial lab: the same model fitted on R resampled training sets.

Each of the R training sets is a fresh draw of d2l's data (n points x ~ N(0, 1), y = cubic + σε);
the test inputs are the lab's fixed test set. Every fit is the exact (minimum-norm) least-squares
solution on the first ``degree`` features x^i/i!: where the page's SGD ends up once converged. SGD
itself would need 400 epochs per fit (seconds for 1000 fits), and stopping it early acts as a
regulariser that hides the variance of the many-feature fits.

At a test input x, with f̂_r the fit on training set r, f̂ their mean and f the true cubic:

    variance(x) = Σ_r (f̂_r(x) − f̂(x))² / (R − 1),   bias²(x) = (f̂(x) − f(x))² − variance(x) / R

both unbiased estimates (the plain (f̂ − f)² carries an extra variance/R of Monte-Carlo noise, which
would show a bias that is not there). Their sum is exactly mean_r (f̂_r(x) − f(x))², and the
expected test MSE against a noisy label is bias² + variance + σ² (the noise floor). We report each
averaged over the test inputs; a bias² estimate can dip slightly below 0 where the bias is 0.

All 20 × R fits are one batched ``torch.linalg.lstsq``: model (degree d, set r) sees the first d
feature columns, the others zeroed. A zero column gets weight 0 in the minimum-norm solution, so
each row equals fitting that degree alone (:func:`fit_one`; tests check it).
"""

from __future__ import annotations

import pandas as pd
import torch

from explorer.lessons.polynomial import MAX_DEGREE, PolyConfig, make_data, one_thread, poly_features, true_function

GRID_POINTS = 200
MAX_RESAMPLES = 200
DRIVER = "gelsd"  # SVD-based: the minimum-norm solution even when degree > n or the features are nearly dependent


def training_sets(config: PolyConfig, resamples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """R independent training sets (x, y), each (R, n), from their own generator (float64)."""
    config.validate()
    if not 2 <= resamples <= MAX_RESAMPLES:
        raise ValueError(f"the number of resampled training sets must be 2 to {MAX_RESAMPLES}")
    gen = torch.Generator().manual_seed(config.seed + 1_000_003)  # not the lab's own training draw
    x = torch.randn(resamples, config.n_train, generator=gen, dtype=torch.float64)
    eps = torch.randn(resamples, config.n_train, generator=gen, dtype=torch.float64)
    return x, true_function(x) + config.noise * eps


def fit_one(x: torch.Tensor, y: torch.Tensor, degree: int) -> torch.Tensor:
    """Least-squares weights of ``degree`` features on one training set (n,): the reference for the batch."""
    return torch.linalg.lstsq(poly_features(x, degree), y[:, None], driver=DRIVER).solution[:, 0]


def fit_all(x: torch.Tensor, y: torch.Tensor, degrees: list[int]) -> torch.Tensor:
    """Weights (D, R, MAX_DEGREE) of every degree on every training set (R, n), in one lstsq call."""
    mask = torch.arange(MAX_DEGREE) < torch.tensor(degrees)[:, None]  # (D, F)
    X = poly_features(x)[None] * mask[:, None, None, :]  # (D, R, n, F)
    with one_thread():
        w = torch.linalg.lstsq(X, y.expand(len(degrees), -1, -1)[..., None], driver=DRIVER).solution[..., 0]
    return w * mask[:, None, :]  # a zero column's weight is 0 up to rounding: make it exactly 0


def decompose(pred: torch.Tensor, truth: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-degree averages over test inputs from predictions (D, R, T), f(x) (T,) and noisy labels (T,)."""
    R = pred.shape[1]
    variance = pred.var(1, correction=1)  # (D, T)
    bias2 = (pred.mean(1) - truth) ** 2 - variance / R
    return {"bias2": bias2.mean(-1), "variance": variance.mean(-1), "test_mse": ((pred - y) ** 2).mean((1, 2))}


def bias_variance(config: PolyConfig, resamples: int = 50) -> dict:
    """``{"table": DataFrame[degree, bias2, variance, noise, test_mse], "grid", "curves", "mean_curve", "truth"}``.

    ``curves[d - 1]`` holds the R fitted curves of d features on ``grid`` (R, G); ``mean_curve`` their mean.
    Of ``config`` only n_train, noise, n_test and seed matter: every number of features 1-20 is fitted exactly.
    """
    degrees = list(range(1, MAX_DEGREE + 1))
    x, y = training_sets(config, resamples)
    w = fit_all(x, y, degrees)
    test = make_data(config)
    parts = decompose(w @ poly_features(test["x_test"]).T, true_function(test["x_test"]), test["y_test"])
    table = pd.DataFrame({"degree": degrees, "bias2": parts["bias2"].numpy(), "variance": parts["variance"].numpy(),
                          "noise": config.noise ** 2, "test_mse": parts["test_mse"].numpy()})
    grid = torch.linspace(-2.5, 2.5, GRID_POINTS, dtype=torch.float64)
    curves = w @ poly_features(grid).T  # (D, R, G)
    return {"table": table, "grid": grid, "curves": curves, "mean_curve": curves.mean(1), "truth": true_function(grid),
            "x_train": x, "y_train": y}
