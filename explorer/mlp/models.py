"""The MLP twice: from scratch (d2l 4.2/4.6) and concisely with ``nn.Sequential`` (d2l 4.3).

Both draw their initial weights from :func:`init_params`, so the same seed and sizes give the
same weights and (with dropout off) the same logits; the tests check that, the micrograd way.
Every random draw takes its own ``torch.Generator``: two sessions training at once on one
server never reseed or consume each other's random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import torch
from torch import nn

from explorer.mlp import activations as activation_catalogue
from explorer.mlp.activations import MLP_ACTIVATIONS

IMPLEMENTATIONS = ("concise", "scratch")


def relu(X: torch.Tensor) -> torch.Tensor:
    """d2l's hand-written ReLU: the elementwise max with zero (the scratch MLP uses it)."""
    a = torch.zeros_like(X)
    return torch.max(X, a)


def scratch_activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    return relu if name == "relu" else activation_catalogue.function(name)


def dropout_layer(X: torch.Tensor, dropout: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """d2l's dropout: zero each element with probability ``dropout``, scale the rest by 1/(1-p).

    The mask is drawn from ``generator`` (on ``X``'s device); None means torch's global one.
    """
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, generator=generator, device=X.device) > dropout).float()
    return mask * X / (1.0 - dropout)


class Dropout(nn.Module):
    """``nn.Dropout`` with its own generator (``nn.Dropout`` always draws from the global one)."""

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None):
        super().__init__()
        self.p, self.generator = p, generator

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return dropout_layer(X, self.p, self.generator) if self.training else X

    def extra_repr(self) -> str:
        return f"p={self.p}"


def set_dropout_generator(model: nn.Module, generator: torch.Generator) -> None:
    """Point every dropout in ``model`` (scratch or concise) at ``generator``."""
    for module in model.modules():
        if isinstance(module, (Dropout, ScratchMLP)):
            module.generator = generator


def init_params(sizes: list[int], init_std: float, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Weights ~ normal(0, init_std) with shape (inputs, outputs), biases zero; one (W, b) per layer."""
    gen = torch.Generator().manual_seed(seed)
    return [(torch.randn(n_in, n_out, generator=gen) * init_std, torch.zeros(n_out))
            for n_in, n_out in pairwise(sizes)]


class ScratchMLP(nn.Module):
    """Explicit W and b per layer, as d2l writes it: H = act(X W1 + b1), O = H W2 + b2."""

    def __init__(self, sizes: list[int], activation: str, dropouts: list[float], init_std: float, seed: int,
                 generator: torch.Generator | None = None):
        super().__init__()
        self.num_inputs = sizes[0]
        self.act = scratch_activation(activation)
        self.dropouts = list(dropouts)
        self.generator = generator  # for the dropout masks
        params = init_params(sizes, init_std, seed)
        self.weights = nn.ParameterList([nn.Parameter(W) for W, _ in params])
        self.biases = nn.ParameterList([nn.Parameter(b) for _, b in params])

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        H = X.reshape(-1, self.num_inputs)
        for W, b, p in zip(self.weights[:-1], self.biases[:-1], self.dropouts):
            H = self.act(H @ W + b)
            if self.training:  # dropout only while training; evaluation sees the whole network
                H = dropout_layer(H, p, self.generator)
        return H @ self.weights[-1] + self.biases[-1]


def concise_mlp(sizes: list[int], activation: str, dropouts: list[float], init_std: float, seed: int,
                generator: torch.Generator | None = None) -> nn.Sequential:
    """``nn.Sequential(Flatten, Linear, act, [Dropout], ..., Linear)`` with the scratch weights."""
    layers: list[nn.Module] = [nn.Flatten()]
    params = init_params(sizes, init_std, seed)
    for i, (W, b) in enumerate(params):
        # skip_init: nn.Linear's own random init would draw from the global generator, for nothing.
        linear = nn.utils.skip_init(nn.Linear, W.shape[0], W.shape[1])
        with torch.no_grad():  # nn.Linear stores weight as (outputs, inputs)
            linear.weight.copy_(W.T)
            linear.bias.copy_(b)
        layers.append(linear)
        if i < len(params) - 1:
            layers.append(activation_catalogue.module(activation))
            if dropouts[i] > 0:
                layers.append(Dropout(dropouts[i], generator))
    return nn.Sequential(*layers)


def build_mlp(impl: str, sizes: list[int], activation: str, dropouts: list[float], init_std: float,
              seed: int, generator: torch.Generator | None = None) -> nn.Module:
    """The MLP with weights from ``seed``; dropout masks come from ``generator`` (default: a new
    one seeded with ``seed``, so even a bare model never touches the global generator)."""
    if activation not in MLP_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose from {', '.join(MLP_ACTIVATIONS)}")
    if len(dropouts) != len(sizes) - 2:
        raise ValueError(f"need one dropout per hidden layer ({len(sizes) - 2}), got {len(dropouts)}")
    generator = generator or torch.Generator().manual_seed(seed)
    if impl == "scratch":
        return ScratchMLP(sizes, activation, dropouts, init_std, seed, generator)
    if impl == "concise":
        return concise_mlp(sizes, activation, dropouts, init_std, seed, generator)
    raise ValueError(f"unknown implementation {impl!r}; choose from {', '.join(IMPLEMENTATIONS)}")


def first_layer_weights(model: nn.Module) -> torch.Tensor:
    """First-layer weights as (hidden units, inputs), whichever implementation built the model."""
    if isinstance(model, ScratchMLP):
        return model.weights[0].detach().T
    return next(m for m in model if isinstance(m, nn.Linear)).weight.detach()


def dropout_demo(dropout: float, seed: int = 0) -> dict[str, torch.Tensor]:
    """d2l's example: ``dropout_layer`` on arange(16) as 2×8 (shifted by one so no input is 0)."""
    X = torch.arange(1, 17, dtype=torch.float32).reshape(2, 8)
    out = dropout_layer(X, dropout, torch.Generator().manual_seed(seed))  # a fixed mask per seed
    return {"X": X, "kept": out != 0, "out": out}
