"""Activation functions (d2l 4.1): their autograd gradients and three experiments.

The functions themselves are catalogued in :mod:`explorer.mlp.activations`.

* :func:`function_and_gradient` differentiates like d2l does: ``y.backward(torch.ones_like(x))``,
  then ``x.grad`` — no hand-written derivatives anywhere (the tests compare with closed forms).
* :func:`collapse_demo`: two linear layers are one affine map; an activation in between is not.
* :func:`fit_1d`: a few hidden units of a 1-hidden-layer MLP sum to a non-monotone curve.
* :func:`gradient_through_depth`: one backward pass through a deep MLP, gradient norm per layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd
import torch
from torch.nn import functional as F

from explorer.fields import Config, Scale, setting
from explorer.mlp.activations import CATALOGUE, NAMES, function  # noqa: F401 (the page reads CATALOGUE here)

def function_and_gradient(name: str, x: torch.Tensor, alpha: float = 0.25) -> tuple[torch.Tensor, torch.Tensor]:
    """(f(x), f'(x)) elementwise, the derivative from autograd exactly as d2l computes it."""
    x = x.detach().clone().requires_grad_(True)
    y = function(name, alpha)(x)
    y.backward(torch.ones_like(x))  # d(sum y)/dx = f'(x) elementwise, since y_i depends on x_i only
    return y.detach(), x.grad


def saturation_intervals(x: torch.Tensor, grad: torch.Tensor, threshold: float) -> list[tuple[float, float]]:
    """The x-intervals (on the grid) where |f'(x)| < threshold: there a unit passes almost no gradient."""
    flat = (grad.abs() < threshold).tolist()
    intervals, start = [], None
    for i, is_flat in enumerate(flat + [False]):
        if is_flat and start is None:
            start = i
        elif not is_flat and start is not None:
            intervals.append((float(x[start]), float(x[i - 1])))
            start = None
    return intervals


def curves(names: list[str], x_max: float = 8.0, alpha: float = 0.25, points: int = 801) -> pd.DataFrame:
    """Long table (name, x, f, grad) on a symmetric grid of 2 * (points // 2) + 1 points, x = 0 included
    exactly (``linspace`` alone can miss it by round-off, hiding ReLU's kink convention)."""
    half = torch.linspace(0, x_max, points // 2 + 1)
    x = torch.cat([-half.flip(0)[:-1], half])
    frames = []
    for name in names:
        y, grad = function_and_gradient(name, x, alpha)
        frames.append(pd.DataFrame({"name": name, "x": x.numpy(), "f": y.numpy(), "grad": grad.numpy()}))
    return pd.concat(frames, ignore_index=True)


def collapse_demo(name: str, alpha: float = 0.25, seed: int = 0, n: int = 512, d_in: int = 3, hidden: int = 16,
                  d_out: int = 2) -> dict:
    """Two linear layers vs the one affine map W = W2 W1, b = W2 b1 + b2; then with ``name`` in between.

    With the activation there is no W, b to collapse into, so we compare with the *best* affine map
    (least squares in float64): if even that misses, the network is genuinely nonlinear.
    """
    gen = torch.Generator().manual_seed(seed)
    X = 2 * torch.randn(n, d_in, generator=gen)  # wide enough to reach every function's curved parts
    W1, b1 = torch.randn(hidden, d_in, generator=gen) / math.sqrt(d_in), torch.randn(hidden, generator=gen)
    W2, b2 = torch.randn(d_out, hidden, generator=gen) / math.sqrt(hidden), torch.randn(d_out, generator=gen)
    W, b = W2 @ W1, W2 @ b1 + b2
    stacked = (X @ W1.T + b1) @ W2.T + b2
    collapsed = X @ W.T + b
    with_act = function(name, alpha)(X @ W1.T + b1) @ W2.T + b2
    design = torch.cat([X, torch.ones(n, 1)], dim=1).double()
    coef = torch.linalg.lstsq(design, with_act.double()).solution
    best_affine = (design @ coef).float()
    spread = (with_act - with_act.mean(0)).abs().max().item()
    return {
        "W": W, "b": b, "stacked": stacked, "collapsed": collapsed, "with_act": with_act,
        "best_affine": best_affine,
        "linear_gap": (stacked - collapsed).abs().max().item(),  # float32 round-off, ~1e-7 relative
        "nonlinear_gap": (with_act - best_affine).abs().max().item(),
        "nonlinear_gap_relative": (with_act - best_affine).abs().max().item() / spread,
    }


@dataclass(frozen=True)
class ActivationChoice(Config):
    """The page's one choice that both training experiments below share: a function of the catalogue, and
    pReLU's slope α for negative inputs. Their configs extend it, so it stays their first two fields."""

    activation: str = setting("relu", choices=NAMES, message="unknown activation {value!r}; choose from {choices}")
    alpha: float = setting(0.25, help="pReLU's negative slope", page=Scale(0.0, 1.0))


@dataclass(frozen=True)
class FitConfig(ActivationChoice):
    """A 1-hidden-layer MLP with ``units`` hidden units fitting sin(1.5 x) on [-3, 3]."""

    units: int = 4
    steps: int = 150
    lr: float = 0.05
    points: int = 200
    seed: int = 0


@torch.no_grad()
def adam_update(params, grads, moments, step: int, lr: float, betas=(0.9, 0.999), eps: float = 1e-8) -> None:
    """torch.optim.Adam's update written out: its first use in a process costs seconds of imports,
    a lag a slider should not have. ``moments`` holds one (m, v) pair per parameter; ``step`` counts from 1."""
    for p, g, (m, v) in zip(params, grads, moments):
        m.lerp_(g, 1 - betas[0])
        v.mul_(betas[1]).addcmul_(g, g, value=1 - betas[1])
        p.addcdiv_(m, (v / (1 - betas[1] ** step)).sqrt_().add_(eps), value=-lr / (1 - betas[0] ** step))


def fit_1d(config: FitConfig) -> dict:
    """Fit every weight with full-batch Adam; return the curve, each unit's share and the losses.

    Kinks/centres start spread over the range and the output layer starts at its least-squares
    solution, so 150 steps suffice and the fit stays fast enough for a slider (~60 ms).
    """
    act, h = function(config.activation, config.alpha), config.units
    gen = torch.Generator().manual_seed(config.seed)
    x = torch.linspace(-3, 3, config.points)
    target = torch.sin(1.5 * x)
    w1 = torch.randn(h, generator=gen).abs().add(0.5) * torch.sign(torch.randn(h, generator=gen))
    centres = torch.linspace(-2.5, 2.5, h) if h > 1 else torch.zeros(1)
    b1 = -w1 * centres
    hidden = torch.cat([act(x[:, None] * w1 + b1), torch.ones(config.points, 1)], dim=1)
    out = torch.linalg.lstsq(hidden.double(), target[:, None].double()).solution.float()[:, 0]
    # One flat parameter vector [w1, b1, w2, b2]: a quarter of the optimizer's tensor ops per step.
    theta = torch.cat([w1, b1, out]).requires_grad_(True)
    moments = [(torch.zeros_like(theta), torch.zeros_like(theta))]

    def unpack(theta):
        return theta[:h], theta[h:2 * h], theta[2 * h:3 * h], theta[3 * h]

    losses = []
    for step in range(1, config.steps + 1):
        w1_, b1_, w2_, b2_ = unpack(theta)
        loss = (act(x[:, None] * w1_ + b1_) @ w2_ + b2_ - target).square().mean()
        adam_update([theta], torch.autograd.grad(loss, [theta]), moments, step, config.lr)
        losses.append(loss.detach())
    with torch.no_grad():
        w1_, b1_, w2_, b2_ = unpack(theta)
        shares = act(x[:, None] * w1_ + b1_) * w2_  # unit j's contribution w2_j * act(w1_j x + b1_j)
        fit = shares.sum(1) + b2_
    slope, intercept = torch.linalg.lstsq(torch.stack([x, torch.ones_like(x)], 1), target[:, None]).solution[:, 0]
    line = slope * x + intercept
    frame = pd.DataFrame({"x": x.numpy(), "target": target.numpy(), "fit": fit.numpy(), "line": line.numpy()})
    for j in range(h):
        frame[f"unit {j + 1}"] = shares[:, j].numpy()
    return {"curves": frame, "bias": b2_.item(), "mse": (fit - target).square().mean().item(),
            "line_mse": (line - target).square().mean().item(), "losses": torch.stack(losses).tolist()}


SHAPE = "width must be >= 1 and init_scale > 0"


@dataclass(frozen=True)
class DepthConfig(ActivationChoice):
    """A deep MLP 784-width-...-width-10 (``depth`` linear layers), weights ~ N(0, init_scale² / fan_in)."""

    depth: int = setting(10, lo=2, hi=100, message="depth must be between {lo} and {hi} layers, got {value}",
                         help="linear layers (2-100)", page=Scale(2, 20))
    width: int = setting(128, lo=1, message=SHAPE, page=Scale(choices=(32, 64, 128, 256)))
    # 1 is LeCun's init; sqrt(2) is He's, made for ReLU
    init_scale: float = setting(1.0, gt=0, message=SHAPE, help="weights ~ N(0, scale^2 / fan_in)",
                                page=Scale(choices=(0.5, 0.71, 1.0, 1.41, 2.0, 3.0)))
    seed: int = setting(0, page=Scale(0, 999))


def deep_weights(config: DepthConfig, n_in: int) -> list[torch.Tensor]:
    """The ``depth`` weight matrices (outputs, inputs), seeded; biases are zero, so we leave them out."""
    gen = torch.Generator().manual_seed(config.seed)
    sizes = [n_in] + [config.width] * (config.depth - 1) + [10]
    return [torch.randn(n_out, n_in, generator=gen) * config.init_scale / math.sqrt(n_in)
            for n_in, n_out in pairwise(sizes)]


def gradient_through_depth(config: DepthConfig, X: torch.Tensor, y: torch.Tensor | None = None) -> pd.DataFrame:
    """One forward/backward pass of cross-entropy on the batch; per layer: ‖∂L/∂W‖ and the output spread.

    Layer 1 is next to the input: backpropagation reaches it last, so that is where gradients vanish.
    Without labels ``y`` the batch gets random ones (the gradient's size, not its direction, is the point).
    """
    config.validate()
    X = X.reshape(len(X), -1).float()
    if y is None:
        y = torch.randint(0, 10, (len(X),), generator=torch.Generator().manual_seed(config.seed + 1))
    weights = [W.requires_grad_(True) for W in deep_weights(config, X.shape[1])]
    act, H, spreads = function(config.activation, config.alpha), X, []
    for i, W in enumerate(weights):
        H = H @ W.T
        if i < len(weights) - 1:  # the last layer gives the logits: no activation
            H = act(H)
        spreads.append(H.detach().std().item())
    loss = F.cross_entropy(H, y)
    grads = torch.autograd.grad(loss, weights)
    return pd.DataFrame({"layer": range(1, config.depth + 1), "grad_norm": [g.norm().item() for g in grads],
                         "output_std": spreads, "loss": loss.item()})
