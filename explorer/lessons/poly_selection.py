"""Model selection on the polynomial lab (d2l 4.4.3): sweeps over features and data, K-fold.

Each function is one call of :func:`explorer.lessons.polynomial.train_batched`: every model of the sweep
trains at once, and row k equals fitting configuration k alone (tests check this).
"""

from __future__ import annotations

import math
from dataclasses import asdict

import pandas as pd
import torch

from explorer.lessons.polynomial import LEARNING_CURVE_SIZES, MAX_DEGREE, PolyConfig, make_data, train_models


def complexity_sweep(config: PolyConfig, dtype: torch.dtype = torch.float32) -> pd.DataFrame:
    """Final train and test MSE for 1..20 features, all trained in one batch on the same data."""
    config.validate()
    degrees = list(range(1, MAX_DEGREE + 1))
    result = train_models(config, make_data(config), degrees, dtype=dtype)
    return pd.DataFrame({"degree": degrees, "train_loss": result.train_loss[-1].numpy(),
                         "test_loss": result.test_loss[-1].numpy()})


def learning_curve(config: PolyConfig, sizes: tuple[int, ...] = LEARNING_CURVE_SIZES,
                   dtype: torch.dtype = torch.float32) -> pd.DataFrame:
    """Final train and test MSE of ``config.degree`` features vs training-set size (nested prefixes)."""
    config.validate()
    sizes = sorted(set(sizes))
    data = make_data(PolyConfig(**{**asdict(config), "n_train": max(sizes)}))
    train_sets = torch.arange(max(sizes))[None, :] < torch.tensor(sizes)[:, None]
    result = train_models(config, data, [config.degree] * len(sizes), train_sets, dtype)
    return pd.DataFrame({"n_train": sizes, "train_loss": result.train_loss[-1].numpy(),
                         "test_loss": result.test_loss[-1].numpy()})


def kfold_selection(config: PolyConfig, k: int = 5, dtype: torch.dtype = torch.float32) -> tuple[pd.DataFrame, int]:
    """K-fold cross-validation over 1..20 features (d2l 4.4.3); returns (table, selected degree).

    The training set is cut into K contiguous folds; model (degree, fold) trains on the other K-1
    and is validated on the held-out one. The same batch also trains every degree on the whole
    training set, for the test-loss column (which the selection never sees). Selection uses the
    one-standard-error rule: the fewest features whose mean validation loss is within one standard
    error of the lowest. Beyond 4 features the means differ by less than the fold-to-fold noise, and
    a plain argmin would pick among them at random.
    """
    config.validate()
    if not 2 <= k <= config.n_train:
        raise ValueError(f"K must be between 2 and the training-set size ({config.n_train})")
    degrees = list(range(1, MAX_DEGREE + 1))
    fold_of = torch.arange(config.n_train) * k // config.n_train  # fold sizes differ by at most 1
    fold_sets = fold_of[None, :] != torch.arange(k)[:, None]  # (k, N): train on all folds but one
    train_sets = torch.cat([fold_sets.repeat(MAX_DEGREE, 1), torch.ones(MAX_DEGREE, config.n_train, dtype=bool)])
    all_degrees = [d for d in degrees for _ in range(k)] + degrees
    result = train_models(config, make_data(config), all_degrees, train_sets, dtype)
    val = result.val_loss[:MAX_DEGREE * k].view(MAX_DEGREE, k)
    table = pd.DataFrame({"degree": degrees, "val_loss": val.mean(1).numpy(), "val_std": val.std(1).numpy(),
                          "train_loss": result.train_loss[-1, MAX_DEGREE * k:].numpy(),
                          "test_loss": result.test_loss[-1, MAX_DEGREE * k:].numpy()})
    val_loss = table["val_loss"].fillna(math.inf)  # a diverged degree is never the best
    best = val_loss.idxmin()
    threshold = val_loss[best] + table["val_std"][best] / math.sqrt(k)
    return table, int(table["degree"][val_loss <= threshold].min())
