"""The activation functions (d2l 4.1), catalogued once: for each, the tensor function, the
``nn.Module`` a concise model uses, its formula in LaTeX and a few words on where it is used.

Pages, the CLI, the models and the experiments all take their names and choices from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from explorer.i18n import N_

LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default


@dataclass(frozen=True)
class Activation:
    label: str
    fn: Callable[[torch.Tensor, float], torch.Tensor]  # (x, alpha); alpha only matters for pReLU
    latex: str
    about: str  # English, marked N_ for the catalogue; the app shows it translated
    module: Callable[[float], nn.Module]  # alpha -> the layer ``nn.Sequential`` uses
    uses_alpha: bool = False


CATALOGUE: dict[str, Activation] = {
    "relu": Activation(
        "ReLU", lambda x, a: F.relu(x), r"\operatorname{ReLU}(x) = \max(x, 0)",
        N_("Range [0, ∞). Gradient 1 for positive inputs and exactly 0 for negative ones (a unit stuck there is "
          "'dead'); not differentiable at 0, where PyTorch uses 0. The default in d2l and in most MLPs and CNNs."),
        module=lambda a: nn.ReLU()),
    "sigmoid": Activation(
        "sigmoid", lambda x, a: torch.sigmoid(x), r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        N_("Range (0, 1), saturates on both sides. Its derivative σ(1 − σ) is at most 1/4, so every sigmoid layer "
          "shrinks gradients at least fourfold. Used for gates and probabilities, rarely in hidden layers now."),
        module=lambda a: nn.Sigmoid()),
    "tanh": Activation(
        "tanh", lambda x, a: torch.tanh(x), r"\tanh(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}",
        N_("Range (−1, 1), zero-centred; derivative 1 − tanh² is 1 at 0 and saturates for |x| ≳ 3. "
          "Used in RNNs and older MLPs."),
        module=lambda a: nn.Tanh()),
    "prelu": Activation(
        "pReLU", lambda x, a: F.prelu(x, torch.tensor([a], dtype=x.dtype)),
        r"\operatorname{pReLU}(x) = \max(0, x) + \alpha \min(0, x)",
        N_("ReLU with slope α for negative inputs (learned in a real network, a slider here), so negative units "
          "still pass gradient; kink at 0. With α = 1 it is the identity — and the network is linear again."),
        module=lambda a: nn.PReLU(init=a), uses_alpha=True),
    "leaky_relu": Activation(
        "LeakyReLU", lambda x, a: F.leaky_relu(x, LEAKY_SLOPE),
        r"\operatorname{LeakyReLU}(x) = \max(0, x) + 0.01 \min(0, x)",
        N_("pReLU with a fixed small slope 0.01: the gradient is never exactly zero; kink at 0. "
          "A common fix for dead ReLUs (GANs, detection networks)."),
        module=lambda a: nn.LeakyReLU(LEAKY_SLOPE)),
    "elu": Activation(
        "ELU", lambda x, a: F.elu(x), r"\operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0"
        r"\end{cases}",
        N_("Range (−1, ∞): linear for positive inputs, saturating at −1 for very negative ones, which pushes mean "
          "activations towards zero. Differentiable everywhere (with α = 1)."),
        module=lambda a: nn.ELU()),
    "gelu": Activation(
        "GELU", lambda x, a: F.gelu(x), r"\operatorname{GELU}(x) = x\,\Phi(x)",
        N_("Φ is the standard normal CDF. A smooth ReLU that dips slightly below zero (minimum ≈ −0.17), so it is "
          "not monotone; differentiable everywhere. The default in Transformers (BERT, GPT)."),
        module=lambda a: nn.GELU()),
    "silu": Activation(
        "SiLU / Swish", lambda x, a: F.silu(x), r"\operatorname{SiLU}(x) = x\,\sigma(x)",
        N_("Smooth and non-monotone (minimum ≈ −0.28 near x ≈ −1.28), unbounded above; saturates to 0 for "
          "very negative inputs. Used in EfficientNet and, as SwiGLU, in many large language models."),
        module=lambda a: nn.SiLU()),
    "softplus": Activation(
        "Softplus", lambda x, a: F.softplus(x), r"\operatorname{softplus}(x) = \log(1 + e^{x})",
        N_("A smooth ReLU with range (0, ∞) whose derivative is exactly the sigmoid, so it saturates for negative "
          "inputs. Used where an output must stay positive (variances, rates)."),
        module=lambda a: nn.Softplus()),
    "mish": Activation(
        "Mish", lambda x, a: F.mish(x), r"\operatorname{Mish}(x) = x \tanh(\operatorname{softplus}(x))",
        N_("Smooth and non-monotone like SiLU (minimum ≈ −0.31), unbounded above, saturating to 0 on the left. "
          "Used in YOLOv4."),
        module=lambda a: nn.Mish()),
    "hardtanh": Activation(
        "HardTanh", lambda x, a: F.hardtanh(x), r"\operatorname{HardTanh}(x) = \max(-1, \min(1, x))",
        N_("tanh's piecewise-linear cousin: the identity on [−1, 1], flat (zero gradient) outside; kinks at ±1. "
          "Cheap; used in low-precision and quantised networks."),
        module=lambda a: nn.Hardtanh()),
}
NAMES = tuple(CATALOGUE)
# The ones the training page and ``python -m explorer train`` offer for an MLP on Fashion-MNIST.
MLP_ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "gelu")


def function(name: str, alpha: float = 0.25) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation as a plain tensor function (alpha is pReLU's negative slope)."""
    if name not in CATALOGUE:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(NAMES)}")
    fn = CATALOGUE[name].fn
    return lambda x: fn(x, alpha)


def module(name: str, alpha: float = 0.25) -> nn.Module:
    """A fresh ``nn.Module`` computing :func:`function` (pReLU's slope starts at alpha and is learnable)."""
    if name not in CATALOGUE:
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(NAMES)}")
    return CATALOGUE[name].module(alpha)
