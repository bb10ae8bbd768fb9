"""Activation functions (d2l 4.1): the catalogue, their autograd gradients, and three experiments.

* :func:`function_and_gradient` differentiates like d2l does: ``y.backward(torch.ones_like(x))``,
  then ``x.grad`` — no hand-written derivatives anywhere (the tests compare with closed forms).
* :func:`collapse_demo`: two linear layers are one affine map; an activation in between is not.
* :func:`fit_1d`: a few hidden units of a 1-hidden-layer MLP sum to a non-monotone curve.
* :func:`gradient_through_depth`: one backward pass through a deep MLP, gradient norm per layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd
import torch
from torch.nn import functional as F

from explorer.i18n import N_

LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default


@dataclass(frozen=True)
class Activation:
    label: str
    fn: Callable[[torch.Tensor, float], torch.Tensor]  # (x, alpha); alpha only matters for pReLU
    latex: str
    about: str  # English, marked N_ for the catalogue; the app shows it translated
    uses_alpha: bool = False


CATALOGUE: dict[str, Activation] = {
    "relu": Activation(
        "ReLU", lambda x, a: F.relu(x), r"\operatorname{ReLU}(x) = \max(x, 0)",
        N_("Range [0, ∞). Gradient 1 for positive inputs and exactly 0 for negative ones (a unit stuck there is "
          "'dead'); not differentiable at 0, where PyTorch uses 0. The default in d2l and in most MLPs and CNNs.")),
    "sigmoid": Activation(
        "sigmoid", lambda x, a: torch.sigmoid(x), r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        N_("Range (0, 1), saturates on both sides. Its derivative σ(1 − σ) is at most 1/4, so every sigmoid layer "
          "shrinks gradients at least fourfold. Used for gates and probabilities, rarely in hidden layers now.")),
    "tanh": Activation(
        "tanh", lambda x, a: torch.tanh(x), r"\tanh(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}",
        N_("Range (−1, 1), zero-centred; derivative 1 − tanh² is 1 at 0 and saturates for |x| ≳ 3. "
          "Used in RNNs and older MLPs.")),
    "prelu": Activation(
        "pReLU", lambda x, a: F.prelu(x, torch.tensor([a], dtype=x.dtype)),
        r"\operatorname{pReLU}(x) = \max(0, x) + \alpha \min(0, x)",
        N_("ReLU with slope α for negative inputs (learned in a real network, a slider here), so negative units "
          "still pass gradient; kink at 0. With α = 1 it is the identity — and the network is linear again."),
        uses_alpha=True),
    "leaky_relu": Activation(
        "LeakyReLU", lambda x, a: F.leaky_relu(x, LEAKY_SLOPE),
        r"\operatorname{LeakyReLU}(x) = \max(0, x) + 0.01 \min(0, x)",
        N_("pReLU with a fixed small slope 0.01: the gradient is never exactly zero; kink at 0. "
          "A common fix for dead ReLUs (GANs, detection networks).")),
    "elu": Activation(
        "ELU", lambda x, a: F.elu(x), r"\operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0"
        r"\end{cases}",
        N_("Range (−1, ∞): linear for positive inputs, saturating at −1 for very negative ones, which pushes mean "
          "activations towards zero. Differentiable everywhere (with α = 1).")),
    "gelu": Activation(
        "GELU", lambda x, a: F.gelu(x), r"\operatorname{GELU}(x) = x\,\Phi(x)",
        N_("Φ is the standard normal CDF. A smooth ReLU that dips slightly below zero (minimum ≈ −0.17), so it is "
          "not monotone; differentiable everywhere. The default in Transformers (BERT, GPT).")),
    "silu": Activation(
        "SiLU / Swish", lambda x, a: F.silu(x), r"\operatorname{SiLU}(x) = x\,\sigma(x)",
        N_("Smooth and non-monotone (minimum ≈ −0.28 near x ≈ −1.28), unbounded above; saturates to 0 for "
          "very negative inputs. Used in EfficientNet and, as SwiGLU, in many large language models.")),
    "softplus": Activation(
        "Softplus", lambda x, a: F.softplus(x), r"\operatorname{softplus}(x) = \log(1 + e^{x})",
        N_("A smooth ReLU with range (0, ∞) whose derivative is exactly the sigmoid, so it saturates for negative "
          "inputs. Used where an output must stay positive (variances, rates).")),
    "mish": Activation(
        "Mish", lambda x, a: F.mish(x), r"\operatorname{Mish}(x) = x \tanh(\operatorname{softplus}(x))",
        N_("Smooth and non-monotone like SiLU (minimum ≈ −0.31), unbounded above, saturating to 0 on the left. "
          "Used in YOLOv4.")),
    "hardtanh": Activation(
        "HardTanh", lambda x, a: F.hardtanh(x), r"\operatorname{HardTanh}(x) = \max(-1, \min(1, x))",
        N_("tanh's piecewise-linear cousin: the identity on [−1, 1], flat (zero gradient) outside; kinks at ±1. "
          "Cheap; used in low-precision and quantised networks.")),
}
NAMES = tuple(CATALOGUE)


def function(name: str, alpha: float = 0.25) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation as a plain tensor function (alpha is pReLU's negative slope)."""
    if name not in CATALOGUE:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(NAMES)}")
    fn = CATALOGUE[name].fn
    return lambda x: fn(x, alpha)


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
class FitConfig:
    """A 1-hidden-layer MLP with ``units`` hidden units fitting sin(1.5 x) on [-3, 3]."""

    activation: str = "relu"
    alpha: float = 0.25
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


@dataclass(frozen=True)
class DepthConfig:
    """A deep MLP 784-width-...-width-10 (``depth`` linear layers), weights ~ N(0, init_scale² / fan_in)."""

    activation: str = "relu"
    alpha: float = 0.25
    depth: int = 10
    width: int = 128
    init_scale: float = 1.0  # 1 is LeCun's init; sqrt(2) is He's, made for ReLU
    seed: int = 0

    def validate(self) -> None:
        if self.activation not in CATALOGUE:
            raise ValueError(f"unknown activation {self.activation!r}; choose from {', '.join(NAMES)}")
        if not 2 <= self.depth <= 100:
            raise ValueError(f"depth must be between 2 and 100 layers, got {self.depth}")
        if self.width < 1 or not self.init_scale > 0:
            raise ValueError("width must be >= 1 and init_scale > 0")


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
