"""Weight decay on d2l's high-dimensional linear regression (d2l 4.5).

y = 0.05 + Σ 0.01·x_i + ε, ε ~ N(0, 0.01²), with 200 features and only 20 training examples, so a
linear model overfits on purpose. Three trainers, one set of numbers:

* :func:`train_scratch`, d2l's from-scratch version: the penalty λ‖w‖²/2 is added to every
  example's squared loss (ŷ − y)²/2, ``sum().backward()``, then ``param -= lr · grad / batch size``;
* :func:`train_concise`: ``nn.Linear`` and ``torch.optim.SGD`` with ``weight_decay=λ`` on the weight
  only (the bias is not decayed);
* :func:`explorer.lessons.weight_decay_sweeps.train_batched`: every λ of a sweep at once, as one
  (n_lambdas × num_inputs) weight matrix with the same data, initial weights and shuffle order.

L1 is a proximal step, not a subgradient: after the data-gradient step every weight is soft-thresholded,
w ← sign(w)·max(|w| − lr·λ, 0). That is the exact minimiser of the step's linearised loss plus lr·λ‖w‖₁,
so small weights become exactly 0, as the theory says; the subgradient sign(w) only makes them
jitter around 0 (d2l 4.5 has no L1; this is ours).

Loss scaling: ``nn.MSELoss`` is mean (ŷ − y)², twice d2l's ``squared_loss``, so d2l's concise version
takes data-gradient steps twice as large and reports losses twice as big. We use ``MSELoss / 2``: both
versions then follow the gradient mean((ŷ − y)·x) + λw and the same trajectory. Every loss we report
is d2l's ``evaluate_loss`` with ``squared_loss``, the mean of (ŷ − y)²/2 (λ = 0: test loss ≈ 100).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from explorer.fields import Config, Scale, setting

IMPLEMENTATIONS = ("scratch", "concise")
PENALTIES = ("l2", "l1")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
SIZES = "need at least one training and one test example"
TRUE_W, TRUE_B, NOISE_STD = 0.01, 0.05, 0.01  # d2l: true_w = ones * 0.01, true_b = 0.05


# Work a page may ask for: SGD steps × features × models trained side by side. d2l's λ 0 vs 3 is 160,000;
# 200 examples, 300 epochs, 1,000 features and 12 λ would be 144 million (minutes of a shared server).
MAX_WORK = 5_000_000


def bounded_epochs(n_train: int, batch_size: int, num_inputs: int, fits: int, epochs: int) -> int:
    """``epochs``, or fewer (at least 1) so that steps × features × fits stays within MAX_WORK."""
    per_epoch = math.ceil(n_train / batch_size) * num_inputs * max(fits, 1)
    return min(epochs, max(1, MAX_WORK // per_epoch))


@dataclass(frozen=True)
class WeightDecayConfig(Config):
    """Defaults are d2l 4.5: 200 features, 20 training and 100 test examples, batch 5, SGD lr 0.003."""

    lambd: float = setting(0.0, lo=0, message="λ must be a finite number >= 0", help="penalty strength λ")
    epochs: int = setting(100, lo=1, message="epochs must be at least 1", page=Scale(1, 300))
    lr: float = setting(0.003, gt=0, message="learning rate must be a positive number", help="learning rate",
                        page=Scale(choices=(0.0003, 0.001, 0.003, 0.01, 0.03)))
    n_train: int = setting(20, lo=1, message=SIZES, help="training examples", page=Scale(1, 200))
    n_test: int = setting(100, lo=1, message=SIZES)
    num_inputs: int = setting(200, lo=1, message="need at least one feature", help="features",
                              page=Scale(choices=(10, 20, 50, 100, 200, 500, 1000)))
    batch_size: int = setting(5, lo=1, message="batch size must be at least 1")
    seed: int = setting(0, page=Scale(0, 10_000))
    impl: str = setting("scratch", choices=IMPLEMENTATIONS, message="impl must be 'scratch' or 'concise'",
                        help="scratch: penalty in the loss; concise: optimizer weight_decay")
    penalty: str = setting("l2", choices=PENALTIES, message="penalty must be 'l2' or 'l1'")
    dtype: str = setting("float32", choices=tuple(DTYPES), message="dtype must be 'float32' or 'float64'", cli=False)


@dataclass(frozen=True)
class RegressionData:
    """The training and test sets plus the initial weights (one seed fixes the whole experiment)."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    init_w: torch.Tensor  # ~ N(0, 1), d2l's init_params
    init_b: float = 0.0  # d2l's bias starts at zero (tests start elsewhere to see that it is not decayed)


def make_data(cfg: WeightDecayConfig) -> RegressionData:
    """d2l's ``synthetic_data`` twice, drawn in float64 so float32 and float64 runs see the same data."""
    gen = torch.Generator().manual_seed(cfg.seed)
    init_w = torch.randn(cfg.num_inputs, generator=gen, dtype=torch.float64)
    true_w = torch.full((cfg.num_inputs,), TRUE_W, dtype=torch.float64)

    def synthetic(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        X = torch.randn(n, cfg.num_inputs, generator=gen, dtype=torch.float64)
        y = X @ true_w + TRUE_B + NOISE_STD * torch.randn(n, generator=gen, dtype=torch.float64)
        return X, y

    dtype = DTYPES[cfg.dtype]
    tensors = (*synthetic(cfg.n_train), *synthetic(cfg.n_test), init_w)
    return RegressionData(*(t.to(dtype) for t in tensors))


def batch_order(cfg: WeightDecayConfig) -> list[list[torch.Tensor]]:
    """Index batches of every epoch; all trainers use this list, hence the same shuffle order."""
    gen = torch.Generator().manual_seed(cfg.seed)
    return [list(torch.randperm(cfg.n_train, generator=gen).split(cfg.batch_size)) for _ in range(cfg.epochs)]


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d2l's squared loss, per example."""
    return (y_hat - y) ** 2 / 2


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    return torch.sum(w.pow(2)) / 2


def soft_threshold(w: torch.Tensor, threshold: float | torch.Tensor) -> torch.Tensor:
    """The proximal map of threshold·‖w‖₁: shrink every weight towards 0 by ``threshold``, stopping at 0."""
    return torch.sign(w) * (w.abs() - threshold).clamp(min=0)


@torch.no_grad()
def evaluate(data: RegressionData, W: torch.Tensor, b: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mean squared loss on both sets and ‖w‖₂ for every row of W (n_models × num_inputs)."""
    train = squared_loss(data.train_x @ W.T + b, data.train_y[:, None]).mean(0)
    test = squared_loss(data.test_x @ W.T + b, data.test_y[:, None]).mean(0)
    return {"train_loss": train, "test_loss": test, "w_norm": W.norm(dim=1)}


@dataclass
class RunResult:
    """One model: its history (a row per epoch), final weights and bias."""

    config: WeightDecayConfig
    history: list[dict]
    weights: torch.Tensor
    bias: float

    @property
    def final(self) -> dict:
        return {k: self.history[-1][k] for k in ("train_loss", "test_loss", "w_norm")}

    def to_dict(self) -> dict:
        """The CLI's JSON document; a diverged (non-finite) number becomes null."""
        history = [{"epoch": r["epoch"], "train_loss": _finite_or_none(r["train_loss"]),
                    "test_loss": _finite_or_none(r["test_loss"])} for r in self.history]
        return {"config": self.config.to_dict(), "history": history,
                "final": {k: _finite_or_none(v) for k, v in self.final.items()}}


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _history_row(epoch: int, data: RegressionData, w: torch.Tensor, b: torch.Tensor) -> dict:
    metrics = evaluate(data, w.detach().reshape(1, -1), b.detach().reshape(-1))
    return {"epoch": epoch, **{k: v.item() for k, v in metrics.items()}}


def train_scratch(cfg: WeightDecayConfig, data: RegressionData | None = None) -> RunResult:
    """d2l's ``train(lambd)``: the penalty joins each example's loss; hand-written SGD."""
    cfg.validate()
    data = data or make_data(cfg)
    w = data.init_w.clone().requires_grad_(True)
    b = torch.full((1,), data.init_b, dtype=w.dtype, requires_grad=True)
    l2 = cfg.penalty == "l2"
    history = []
    for epoch, batches in enumerate(batch_order(cfg), start=1):
        for idx in batches:
            X, y = data.train_x[idx], data.train_y[idx]
            # Broadcasting adds λ·penalty(w) to every example's loss, as in d2l; L1 is applied after the step.
            loss = squared_loss(X @ w + b, y) + (cfg.lambd * l2_penalty(w) if l2 else 0)
            loss.sum().backward()
            with torch.no_grad():  # d2l.sgd; dividing by the real batch size keeps a short last batch a mean
                for param in (w, b):
                    param -= cfg.lr * param.grad / len(idx)
                    param.grad.zero_()
                if not l2:
                    w.copy_(soft_threshold(w, cfg.lr * cfg.lambd))
        history.append(_history_row(epoch, data, w, b))
    return RunResult(cfg, history, w.detach(), b.item())


def train_concise(cfg: WeightDecayConfig, data: RegressionData | None = None) -> RunResult:
    """d2l's ``train_concise(wd)``: ``weight_decay`` on the weight's parameter group, none on the bias."""
    cfg.validate()
    data = data or make_data(cfg)
    # skip_init: nn.Linear's own random init would draw from torch's global generator, for nothing.
    net = nn.utils.skip_init(nn.Linear, cfg.num_inputs, 1).to(data.init_w.dtype)
    with torch.no_grad():  # same start as the scratch version (d2l's concise one also draws the bias)
        net.weight.copy_(data.init_w[None])
        net.bias.fill_(data.init_b)
    decay = cfg.lambd if cfg.penalty == "l2" else 0.0
    trainer = torch.optim.SGD([{"params": net.weight, "weight_decay": decay}, {"params": net.bias}], lr=cfg.lr)
    mse = nn.MSELoss()
    history = []
    for epoch, batches in enumerate(batch_order(cfg), start=1):
        for idx in batches:
            X, y = data.train_x[idx], data.train_y[idx]
            trainer.zero_grad()
            loss = mse(net(X).squeeze(-1), y) / 2  # MSELoss has no 1/2; halving it matches squared_loss
            loss.backward()
            trainer.step()
            if cfg.penalty == "l1":  # optimizers only offer L2 decay: L1's proximal step follows the SGD step
                with torch.no_grad():
                    net.weight.copy_(soft_threshold(net.weight, cfg.lr * cfg.lambd))
        history.append(_history_row(epoch, data, net.weight, net.bias))
    return RunResult(cfg, history, net.weight.detach()[0].clone(), net.bias.item())


def train(cfg: WeightDecayConfig, data: RegressionData | None = None) -> RunResult:
    return (train_scratch if cfg.impl == "scratch" else train_concise)(cfg, data)
