"""One step of learning (seed 002, d2l 4.7): the update, the loss along the step, and many steps.

:class:`StepConfig` holds every setting; :class:`Walk` is a model on its way, with its optimizer's
state and the trace of the steps it took. :func:`inspect` gathers everything about the next step
(the hand-written backward of :mod:`explorer.lessons.backprop`, the update of the chosen optimizer and of the
others for the same gradient, the loss along the step direction) without changing the model;
:func:`take_steps` takes steps. The updates of SGD, momentum and Adam are written out here as
torch.optim computes them (the tests check that), so the page can show a step before taking it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from explorer.lessons import backprop
from explorer.data import FashionMNISTData
from explorer.fields import Config, Scale, like, setting
from explorer.mlp.config import TrainConfig
from explorer.mlp.evaluation import evaluate
from explorer.mlp.models import build_mlp

BATCH_SIZES = (1, 2, 8, 32, 256)
SPLITS = ("train", "test")
OPTIMIZERS = ("sgd", "momentum", "adam")  # seed 002's three
# The page's scales: wider than the Train page's, to show a step that overshoots
LRS = (1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 50.0)
DECAYS = (0.0, 1e-4, 1e-3, 1e-2, 0.1)
MOMENTUM, BETAS, EPS = 0.9, (0.9, 0.999), 1e-8  # torch.optim's defaults (momentum as on the training page)
TEST_SUBSET = 1000  # test accuracy on the first 1,000 test images, every ACCURACY_EVERY steps
ACCURACY_EVERY = 10
LINE_POINTS = 51  # η from 0 to LINE_REACH × lr
LINE_REACH = 4


@dataclass(frozen=True)
class StepConfig(Config):
    """Defaults are d2l's MLP at d2l's initialisation: 784-256-10, ReLU, SGD lr 0.1, batch 256.
    The settings it shares with :class:`~explorer.mlp.config.TrainConfig` are declared there."""

    batch_size: int = setting(256, choices=BATCH_SIZES, message="batch size must be one of {choices}",
                              page=Scale(1, 256, BATCH_SIZES))
    lr: float = like(TrainConfig, "lr", page=Scale(LRS[0], LRS[-1], LRS))
    loss: str = setting("ce", choices=backprop.LOSSES, message="loss must be one of {choices}",
                        help="ce: cross-entropy; mse, l1: softmax against one-hot")
    optimizer: str = setting("sgd", choices=OPTIMIZERS, message="optimizer must be one of {choices}")
    layers: int = like(TrainConfig, "layers", help="hidden layers (0: softmax regression)")
    hidden: int = like(TrainConfig, "hidden")
    activation: str = like(TrainConfig, "activation")
    seed: int = like(TrainConfig, "seed", help="seeds the weights and every batch")
    split: str = setting("train", choices=SPLITS, message="split must be one of {choices}",
                         help="draw the batches from")
    weight_decay: float = like(TrainConfig, "weight_decay", help="L2 penalty λ/2 ‖W‖² on the weights",
                               page=Scale(0.0, DECAYS[-1], DECAYS))
    impl: str = like(TrainConfig, "impl")
    init_std: float = like(TrainConfig, "init_std", cli=False)

    def sizes(self) -> list[int]:
        return [784] + [self.hidden] * self.layers + [10]


def d2l_model(config: StepConfig) -> nn.Module:
    """The network at d2l's initialisation (weights ~ N(0, init_std²) from ``seed``, biases 0), no dropout."""
    config.validate()
    return build_mlp(config.impl, config.sizes(), config.activation, [0.0] * config.layers, config.init_std,
                     config.seed)


def draw_batch(data: FashionMNISTData, config: StepConfig, step: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Step ``step``'s minibatch: ``batch_size`` distinct images of the split, from its own generator
    seeded by (seed, step), so a step's batch is the same whatever happened before."""
    images, labels = (data.train_images, data.train_labels) if config.split == "train" else \
        (data.test_images, data.test_labels)
    gen = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
    idx = torch.randperm(len(labels), generator=gen)[:config.batch_size]
    return images[idx].reshape(len(idx), -1), labels[idx]


def optimizer_update(name: str, grads: list[torch.Tensor], lr: float, state: dict) -> tuple[list, dict]:
    """(Δ per parameter, the optimizer's next state) for gradients ``grads``; ``state`` is not changed.
    sgd: Δ = −η g. momentum: v ← 0.9 v + g, Δ = −η v. Adam: m ← β₁m + (1−β₁)g, s ← β₂s + (1−β₂)g²,
    Δ = −η m̂ / (√ŝ + ε) with the bias corrections m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ)."""
    if name == "sgd":
        return [-lr * g for g in grads], {}
    if name == "momentum":
        v = [g.clone() for g in grads] if "v" not in state else [MOMENTUM * v + g for v, g in zip(state["v"], grads)]
        return [-lr * x for x in v], {"v": v}
    if name == "adam":
        t = state.get("t", 0) + 1
        m = [BETAS[0] * m + (1 - BETAS[0]) * g for m, g in zip(state.get("m", [0.0] * len(grads)), grads)]
        s = [BETAS[1] * s + (1 - BETAS[1]) * g * g for s, g in zip(state.get("s", [0.0] * len(grads)), grads)]
        c1, c2 = 1 - BETAS[0] ** t, 1 - BETAS[1] ** t
        return [-lr * (mi / c1) / ((si / c2).sqrt() + EPS) for mi, si in zip(m, s)], {"t": t, "m": m, "s": s}
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


def flat_grads(back: backprop.Backward) -> list[torch.Tensor]:
    """[dW₁, db₁, dW₂, db₂, ...] in d2l's orientation: the order the optimizer states use."""
    return [g for dW, db in zip(back.dW, back.db) for g in (dW, db)]


def line(back: backprop.Backward, layers: list, activation: str, loss: str, lr: float,
         weight_decay: float = 0.0, points: int = LINE_POINTS) -> list[dict]:
    """The batch objective at w − η·g for ``points`` values of η from 0 to 4·lr, all at once: the first
    layer's pre-activations are linear in η, (XW + b) − η(X g_W + g_b), so X is multiplied only once."""
    grid = [LINE_REACH * lr * k / (points - 1) for k in range(points)]  # exact decimals in the JSON
    etas = torch.tensor(grid, dtype=back.logits.dtype)[:, None, None]
    (W, b), gW, gb = layers[0], back.dW[0], back.db[0]
    Z = (back.Z[0] if back.Z else back.logits)[None] - etas * (back.X @ gW + gb)[None]
    for (W, b), gW, gb in zip(layers[1:], back.dW[1:], back.db[1:]):
        H = backprop.activate(activation, Z)
        Z = (H @ W + b) - etas * (H @ gW + gb)
    values = backprop.loss_values(loss, Z, back.y)
    if weight_decay:  # λ/2 Σ‖W − η g‖² = λ/2 Σ (‖W‖² − 2η⟨W, g⟩ + η²‖g‖²)
        e = etas[:, 0, 0]
        for (W, _b), gW in zip(layers, back.dW):
            values = values + weight_decay / 2 * ((W * W).sum() - 2 * e * (W * gW).sum() + e * e * (gW * gW).sum())
    return [{"eta": e, "loss": float(v)} for e, v in zip(grid, values)]


@dataclass
class Walk:
    """A model on its way: the optimizer's state, the steps taken, batch losses and test accuracy."""

    model: nn.Module
    state: dict = field(default_factory=dict)
    optimizer: str = "sgd"
    steps: int = 0
    trace: list[dict] = field(default_factory=list)  # {"step", "loss"}: the batch loss before each step
    accuracy: list[dict] = field(default_factory=list)  # {"step", "test_acc"} every ACCURACY_EVERY steps
    last: dict | None = None  # the last step: {"step", "loss_before", "loss_after"}
    diverged: int | None = None  # the step whose batch loss was no longer a finite number


def test_accuracy(walk: Walk, data: FashionMNISTData) -> None:
    acc = evaluate(walk.model, data.test_images[:TEST_SUBSET], data.test_labels[:TEST_SUBSET])[1]
    walk.accuracy.append({"step": walk.steps, "test_acc": acc})


@dataclass
class Inspection:
    """Everything about the next step, before it is taken."""

    back: backprop.Backward
    layers: list  # (W, b) before the step, d2l's orientation
    deltas: list[torch.Tensor]  # the chosen optimizer's Δ, like flat_grads
    next_state: dict
    loss_after: float  # the batch objective after the step
    autograd_diff: float
    line: list[dict]
    compare: dict[str, list[torch.Tensor]]  # Δ of each optimizer for this gradient

    def followed(self) -> dict:
        """The followed weight of the last layer, with its value before and after the step."""
        f = self.back.followed(W=self.layers[-1][0])
        before = float(self.layers[-1][0][f["j"], f["k"]])
        return {**f, "before": before, "after": before + float(self.deltas[-2][f["j"], f["k"]])}

    def layer_rows(self) -> list[dict]:
        """One row per linear layer: the CLI's ``layers`` (weight shape, grad and update norms)."""
        return [{"name": f"layer {i}", "weight_shape": list(W.shape), "grad_norm": g,
                 "update_norm": float(torch.linalg.vector_norm(self.deltas[2 * (i - 1)]))}
                for i, ((W, _b), g) in enumerate(zip(self.layers, self.back.grad_norms), start=1)]


def inspect(walk: Walk, X: torch.Tensor, y: torch.Tensor, config: StepConfig) -> Inspection:
    """The backward pass on (X, y), the update each optimizer would make, the line; the model is unchanged."""
    back = backprop.backward(walk.model, X, y, config.loss, config.weight_decay)
    layers, act = backprop.weights(walk.model), backprop.activation_of(walk.model)
    grads = flat_grads(back)
    state = walk.state if walk.optimizer == config.optimizer else {}
    compare = {name: optimizer_update(name, grads, config.lr, state if name == config.optimizer else {})
               for name in OPTIMIZERS}
    deltas, next_state = compare[config.optimizer]
    moved = [(W + dW, b + db) for (W, b), dW, db in zip(layers, deltas[0::2], deltas[1::2])]
    with torch.no_grad():
        after = backprop.forward_loss(moved, act, back.X, y, config.loss, config.weight_decay)
    return Inspection(back, layers, deltas, next_state, float(after), backprop.autograd_max_abs_diff(
        walk.model, back, config.loss), line(back, layers, act, config.loss, config.lr, config.weight_decay),
        {name: d for name, (d, _s) in compare.items()})


@torch.no_grad()
def apply(walk: Walk, deltas: list[torch.Tensor], next_state: dict, optimizer: str) -> None:
    """w ← w + Δ for every parameter, in place in the model (scratch or ``nn.Sequential``)."""
    for (W, b, transposed), dW, db in zip(backprop.parameters(walk.model), deltas[0::2], deltas[1::2]):
        W.add_(dW.T if transposed else dW)
        b.add_(db)
    walk.state, walk.optimizer = next_state, optimizer


def take_steps(walk: Walk, data: FashionMNISTData, config: StepConfig, n: int = 1,
               batch: tuple[torch.Tensor, torch.Tensor] | None = None) -> Walk:
    """Take ``n`` steps on the seeded batches (or on ``batch`` every time); test accuracy on the
    fixed subset every 10 steps."""
    config.validate()
    if not walk.accuracy:
        test_accuracy(walk, data)
    for i in range(n):
        X, y = batch if batch is not None else draw_batch(data, config, walk.steps)
        back = backprop.backward(walk.model, X, y, config.loss, config.weight_decay)
        if not math.isfinite(back.total):  # the weights are no longer numbers: stop here
            walk.diverged = walk.steps
            break
        deltas, next_state = optimizer_update(config.optimizer, flat_grads(back), config.lr,
                                              walk.state if walk.optimizer == config.optimizer else {})
        apply(walk, deltas, next_state, config.optimizer)
        walk.steps += 1
        walk.trace.append({"step": walk.steps, "loss": back.total})
        if i == n - 1:  # the loss after the step, on the same batch, for the last step only
            with torch.no_grad():
                after = backprop.forward_loss(backprop.weights(walk.model), backprop.activation_of(walk.model),
                                              back.X, y, config.loss, config.weight_decay)
            walk.last = {"step": walk.steps, "loss_before": back.total, "loss_after": float(after)}
        if walk.steps % ACCURACY_EVERY == 0:
            test_accuracy(walk, data)
    return walk
