"""Polynomial regression (d2l 4.4): under- and overfitting with 1 to 20 features x^i/i!.

d2l draws x ~ N(0, 1) and y = 5 + 1.2x - 3.4x²/2! + 5.6x³/3! + ε with ε ~ N(0, σ²), then fits a
linear model without bias on the first ``degree`` features x^0/0!, ..., x^(degree-1)/(degree-1)! by
minibatch SGD. As in d2l, "degree" counts *features*: 4 is the cubic, 2 underfits, 20 overfits.

Loss: we report the mean squared error mean((ŷ - y)²) and train on it, as d2l's PyTorch code does
with ``nn.MSELoss``; its printed losses (≈ 0.011 ≈ σ² for the good fit) are on this scale.
d2l's ``squared_loss`` (with a 1/2) would halve every loss.

Speed: every experiment is one call of :func:`train_batched` (the sweeps live in
:mod:`explorer.lessons.poly_selection`), which trains M models at once as a stack of weight vectors.
Model m sees only its first ``degree`` features (the others are zeroed, so their weights stay 0)
and only its own training examples. All models share one shuffling stream: each epoch draws one
random key per example and every model visits its own examples in key order. So a model inside a
sweep takes exactly the batches it would take alone with the same seed, and a sweep gives the same
numbers as fitting each configuration alone (:func:`fit` is the case M = 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import torch

from explorer.fields import Config, Scale, setting

MAX_DEGREE = 20  # features x^0/0! ... x^19/19!
MAX_TRAIN = 1000  # the training pool; a smaller training set is its first n_train examples
TRUE_W = (5.0, 1.2, -3.4, 5.6)
LEARNING_CURVE_SIZES = (10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000)
# SGD steps a page's fit may take (each chart fits several models, each new seed or noise value refits):
# d2l's settings take 4,000-15,000; 1,000 examples in batches of 1 for 2,000 epochs would take 2 million.
MAX_STEPS = 60_000


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    return math.ceil(n_train / batch_size)


def bounded_epochs(n_train: int, batch_size: int, epochs: int, step: int = 1) -> int:
    """``epochs``, or fewer (a multiple of ``step``, at least ``step``) so a fit takes at most MAX_STEPS steps."""
    most = MAX_STEPS // steps_per_epoch(n_train, batch_size)
    return epochs if epochs <= most else max(step, most // step * step)


@dataclass(frozen=True)
class PolyConfig(Config):
    """Defaults are d2l's good fit: 4 features, 100/100 examples, SGD lr 0.01, batch 10, 400 epochs."""

    degree: int = setting(4, lo=1, hi=MAX_DEGREE, message="degree (number of features) must be {lo} to {hi}",
                          help="number of features x^i/i! used (4 = the cubic)")
    n_train: int = setting(100, lo=1, hi=MAX_TRAIN, message="training-set size must be {lo} to {hi}",
                           page=Scale(10, MAX_TRAIN, LEARNING_CURVE_SIZES))
    n_test: int = setting(100, lo=1, message="test-set size must be at least 1")
    epochs: int = setting(400, lo=1, message="epochs must be at least 1", page=Scale(10, 2000))
    lr: float = setting(0.01, gt=0, message="learning rate must be a positive number",
                        page=Scale(choices=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)))
    batch_size: int = setting(10, lo=1, message="batch size must be at least 1",
                              page=Scale(choices=(1, 2, 5, 10, 20, 50, 100)))
    noise: float = setting(0.1, lo=0, message="noise must be >= 0", help="std of the label noise",
                           page=Scale(0.0, 1.0))
    seed: int = setting(0, page=Scale(0, 9999))


def true_weights() -> torch.Tensor:
    """d2l's 20 true weights: [5, 1.2, -3.4, 5.6] and 16 zeros (float64)."""
    w = torch.zeros(MAX_DEGREE, dtype=torch.float64)
    w[:len(TRUE_W)] = torch.tensor(TRUE_W, dtype=torch.float64)
    return w


def poly_features(x: torch.Tensor, n_features: int = MAX_DEGREE) -> torch.Tensor:
    """x^i / i! for i < n_features, in float64: dividing by i! keeps x^19 from dwarfing the rest."""
    powers = torch.arange(n_features, dtype=torch.float64)
    return x.double().unsqueeze(-1) ** powers / torch.exp(torch.lgamma(powers + 1))


def true_function(x: torch.Tensor) -> torch.Tensor:
    return poly_features(x) @ true_weights()


def make_data(config: PolyConfig) -> dict[str, torch.Tensor]:
    """x and y of the training and test sets (float64). The draws do not depend on n_train: a
    smaller training set is a prefix of a larger one and the test set stays the same, and the
    noise is one standard-normal draw times σ, so moving a slider changes only what it names."""
    gen = torch.Generator().manual_seed(config.seed)
    x_pool = torch.randn(MAX_TRAIN, generator=gen, dtype=torch.float64)
    eps_pool = torch.randn(MAX_TRAIN, generator=gen, dtype=torch.float64)
    x_test = torch.randn(config.n_test, generator=gen, dtype=torch.float64)
    eps_test = torch.randn(config.n_test, generator=gen, dtype=torch.float64)
    x_train, eps_train = x_pool[:config.n_train], eps_pool[:config.n_train]
    return {"x_train": x_train, "y_train": true_function(x_train) + config.noise * eps_train,
            "x_test": x_test, "y_test": true_function(x_test) + config.noise * eps_test}


@contextmanager
def one_thread() -> Iterator[None]:
    """Run these tiny matmuls on one thread: splitting them costs more than it saves, and on a busy
    machine OpenMP's waiting threads made a sweep 20x slower. OpenMP's setting is per calling thread,
    so other sessions of the app keep theirs."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class BatchResult:
    weights: torch.Tensor  # (M, MAX_DEGREE), zeros beyond each model's degree
    train_loss: torch.Tensor  # (epochs, M): full-training-set MSE after each epoch
    test_loss: torch.Tensor  # (epochs, M)
    val_loss: torch.Tensor  # (M,): final MSE on the training examples a model did NOT train on (K-fold)


def train_batched(x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor,
                  degrees: list[int], train_sets: torch.Tensor | None = None, *, epochs: int, lr: float,
                  batch_size: int, seed: int, dtype: torch.dtype = torch.float32) -> BatchResult:
    """Minibatch SGD on MSE for M linear models at once (d2l: nn.Linear(degree, 1, bias=False)).

    ``train_sets`` is an (M, N) bool mask of the examples each model trains on (default: all).
    Initial weights follow nn.Linear, U(-1/√degree, 1/√degree), from one shared draw per seed.
    """
    degrees_t = torch.as_tensor(degrees)
    M, N, B = len(degrees), len(x_train), batch_size
    if N > MAX_TRAIN:
        raise ValueError(f"at most {MAX_TRAIN} training examples (the shuffling stream draws that many keys)")
    F = max(degrees)  # columns no model uses are left out altogether
    train_sets = torch.ones(M, N, dtype=torch.bool) if train_sets is None else train_sets
    gen = torch.Generator().manual_seed(seed)
    feature_mask = torch.arange(F) < degrees_t[:, None]  # (M, F)
    uniform = torch.rand(MAX_DEGREE, generator=gen, dtype=torch.float64)[:F] * 2 - 1
    w = (uniform * feature_mask / degrees_t[:, None].double().sqrt()).to(dtype).unsqueeze(-1)  # (M, F, 1)

    # Per-model features with unused columns zeroed, plus one all-zero example at index N: padded
    # batch slots point there, so their residual and gradient are exactly 0.
    X = poly_features(x_train, F).to(dtype) * feature_mask[:, None, :]  # (M, N, F)
    X_pad = torch.cat([X, X.new_zeros(M, 1, F)], 1)
    y_pad = torch.cat([y_train.to(dtype), y_train.new_zeros(1, dtype=dtype)]).expand(M, N + 1)
    X_test = poly_features(x_test, F).to(dtype) * feature_mask[:, None, :]
    y_col, y_test_col = y_train.to(dtype)[:, None], y_test.to(dtype)[:, None]

    n_each = train_sets.sum(1)  # (M,)
    steps = max(1, math.ceil(int(n_each.max()) / B))
    slot = torch.arange(steps * B)
    # Each step's gradient is the mean over the examples really in the batch (the last one may be short).
    counts = (n_each[None, :] - torch.arange(steps)[:, None] * B).clamp(0, B)  # (steps, M)
    step_scale = (2 * lr / counts.clamp(min=1).double()).to(dtype)[:, :, None, None]  # ∇ mean (xw-y)² = 2 mean (xw-y) x
    train_weight = (train_sets / n_each.clamp(min=1)[:, None].double()).to(dtype)
    held_out = ~train_sets
    val_weight = (held_out / held_out.sum(1).clamp(min=1)[:, None].double()).to(dtype)
    rows = torch.arange(M)[:, None]

    train_hist = torch.full((epochs, M), math.nan, dtype=torch.float64)
    test_hist = torch.full((epochs, M), math.nan, dtype=torch.float64)
    for epoch in range(epochs):
        # One key per example of the full pool, whatever N is, so the stream never depends on the sweep.
        keys = torch.rand(MAX_TRAIN, generator=gen, dtype=torch.float64)[:N]
        order = torch.where(train_sets, keys, math.inf).argsort(dim=1, stable=True)  # own examples first
        idx = torch.full((M, steps * B), N)
        idx[:, :min(N, steps * B)] = order[:, :steps * B]
        idx[slot >= n_each[:, None]] = N
        Xb = X_pad[rows, idx].view(M, steps, B, F).transpose(0, 1).contiguous()  # (steps, M, B, F)
        yb = y_pad[rows, idx].view(M, steps, B, 1).transpose(0, 1).contiguous()
        step_XT = step_scale * Xb.transpose(-1, -2)  # 2·lr/batch · Xᵀ, for every step at once
        for X_step, XT_step, y_step in zip(Xb.unbind(0), step_XT.unbind(0), yb.unbind(0)):
            residual = torch.baddbmm(y_step, X_step, w, beta=-1)  # X w - y, (M, B, 1)
            w = torch.baddbmm(w, XT_step, residual, alpha=-1)  # w - lr · ∇ mean (Xw - y)²
        # d2l's evaluate_loss: the whole training and test sets after each epoch.
        sq_err = (torch.bmm(X, w) - y_col).squeeze(-1) ** 2  # (M, N)
        train_hist[epoch] = (sq_err * train_weight).sum(1).double()
        test_hist[epoch] = ((torch.bmm(X_test, w) - y_test_col).squeeze(-1) ** 2).mean(1).double()
        if not torch.isfinite(train_hist[epoch]).any():
            break  # every model diverged; the rest of the history stays NaN
    val_loss = (sq_err * val_weight).sum(1).double()
    val_loss[held_out.sum(1) == 0] = math.nan
    weights = torch.zeros(M, MAX_DEGREE, dtype=torch.float64)
    weights[:, :F] = w.squeeze(-1).double()
    return BatchResult(weights, train_hist, test_hist, val_loss)


def train_models(config: PolyConfig, data: dict, degrees: list[int], train_sets=None,
                 dtype=torch.float32) -> BatchResult:
    """``train_batched`` with ``config``'s SGD settings, on one thread."""
    with one_thread():
        return train_batched(data["x_train"], data["y_train"], data["x_test"], data["y_test"], degrees, train_sets,
                             epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, seed=config.seed,
                             dtype=dtype)


def fit(config: PolyConfig, dtype: torch.dtype = torch.float32) -> dict:
    """One model: ``{"config", "history": [{"epoch", "train_loss", "test_loss"}], "final"}`` (JSON-ready)."""
    config.validate()
    data = make_data(config)
    result = train_models(config, data, [config.degree], dtype=dtype)
    finite = lambda v: v if math.isfinite(v) else None  # JSON has no NaN: a diverged loss becomes null
    history = [{"epoch": e + 1, "train_loss": finite(tr), "test_loss": finite(te)}
               for e, (tr, te) in enumerate(zip(result.train_loss[:, 0].tolist(), result.test_loss[:, 0].tolist()))]
    weights = result.weights[0, :config.degree].tolist()
    # Blown up: no longer a number, or far worse than predicting 0 everywhere (SGD's steps overshoot).
    blown_up = 100 * float((data["y_train"] ** 2).mean())
    diverged = history[-1]["train_loss"] is None or not history[-1]["train_loss"] < blown_up
    final = {"train_loss": history[-1]["train_loss"], "test_loss": history[-1]["test_loss"],
             "weights": [finite(w) for w in weights], "diverged": diverged}
    return {"config": asdict(config), "history": history, "final": final}


def least_squares(config: PolyConfig) -> torch.Tensor:
    """The exact minimiser of the training MSE (float64): where SGD should end up once converged."""
    data = make_data(config)
    X = poly_features(data["x_train"], config.degree)
    return torch.linalg.lstsq(X, data["y_train"][:, None]).solution.squeeze(1)
