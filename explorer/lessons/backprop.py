"""Backpropagation by hand (d2l 4.7): the chain rule for one minibatch, written as plain tensor code.

One small function per layer kind (a linear layer, each activation the training page offers, each
loss), run on the weights of a model from :mod:`explorer.mlp.models` (scratch or ``nn.Sequential``, 0-3
hidden layers). :func:`backward` returns every tensor the Backpropagation page shows, so the page
never recomputes one; :func:`autograd_max_abs_diff` checks them against PyTorch's autograd. Weights
are read in d2l's orientation, W as (inputs, outputs), whichever way the model stores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from explorer.mlp.activations import LEAKY_SLOPE, MLP_ACTIVATIONS
from explorer.mlp.models import ScratchMLP

LOSSES = ("ce", "mse", "l1")


# --- The model's parameters, in d2l's orientation ------------------------------------------------
def parameters(model: nn.Module) -> list[tuple[nn.Parameter, nn.Parameter, bool]]:
    """(weight, bias, stored transposed?) per linear layer, in order; ``nn.Linear`` stores (out, in)."""
    if isinstance(model, ScratchMLP):
        return [(W, b, False) for W, b in zip(model.weights, model.biases)]
    return [(m.weight, m.bias, True) for m in model.modules() if isinstance(m, nn.Linear)]


def weights(model: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(W as (in, out), b) per layer, detached views of the model's own parameters."""
    return [(W.detach().T if t else W.detach(), b.detach()) for W, b, t in parameters(model)]


def activation_of(model: nn.Module) -> str:
    """The name of the model's activation (``relu`` for softmax regression, which has none)."""
    if isinstance(model, ScratchMLP):  # a plain function: recognise it by its values
        x = torch.linspace(-3, 3, 13)
        return next((n for n in MLP_ACTIVATIONS if torch.allclose(model.act(x), activate(n, x))), "relu")
    names = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.LeakyReLU: "leaky_relu", nn.GELU: "gelu"}
    return next((names[type(m)] for m in model.modules() if type(m) in names), "relu")


# --- One function per layer kind: forward, and backward given the gradient from above --------------
def linear_backward(H: torch.Tensor, W: torch.Tensor, dZ: torch.Tensor,
                    need_dH: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Z = H W + b: ∂L/∂W = Hᵀ·∂L/∂Z, ∂L/∂b = Σ_rows ∂L/∂Z, ∂L/∂H = ∂L/∂Z·Wᵀ (skipped for the pixels,
    which have no use for it: a third of the first layer's work)."""
    return H.T @ dZ, dZ.sum(0), dZ @ W.T if need_dH else None


def activate(name: str, Z: torch.Tensor) -> torch.Tensor:
    """The activation as the models compute it (``explorer.mlp.activations``)."""
    if name == "relu":
        return torch.clamp_min(Z, 0)
    if name == "sigmoid":
        return torch.sigmoid(Z)
    if name == "tanh":
        return torch.tanh(Z)
    if name == "leaky_relu":
        return F.leaky_relu(Z, LEAKY_SLOPE)
    if name == "gelu":
        return F.gelu(Z)
    raise ValueError(f"unknown activation {name!r}; choose from {', '.join(MLP_ACTIVATIONS)}")


def gate(name: str, Z: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """σ'(Z), the factor ∂L/∂Z = ∂L/∂H ⊙ σ'(Z); for ReLU it is the gate 1[Z > 0]."""
    if name == "relu":
        return (Z > 0).to(Z.dtype)
    if name == "sigmoid":
        return H * (1 - H)
    if name == "tanh":
        return 1 - H * H
    if name == "leaky_relu":
        return torch.where(Z > 0, torch.ones_like(Z), torch.full_like(Z, LEAKY_SLOPE))
    if name == "gelu":  # x Φ(x): Φ(x) + x φ(x)
        return 0.5 * (1 + torch.erf(Z / math.sqrt(2))) + Z * torch.exp(-0.5 * Z * Z) / math.sqrt(2 * math.pi)
    raise ValueError(f"unknown activation {name!r}; choose from {', '.join(MLP_ACTIVATIONS)}")


def loss_values(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean loss over the last two dimensions (examples × classes) of the logits ``O``.
    ce: −log softmax(O)_y; mse and l1 compare softmax(O) with the one-hot Y (mean over b×10, as
    ``F.mse_loss``/``F.l1_loss`` do)."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose from {', '.join(LOSSES)}")
    Y = F.one_hot(y, logits.shape[-1]).to(logits.dtype)
    if name == "ce":
        return -(torch.log_softmax(logits, dim=-1) * Y).sum(-1).mean(-1)
    P = torch.softmax(logits, dim=-1)
    return ((P - Y) ** 2 if name == "mse" else (P - Y).abs()).mean((-2, -1))


def loss_and_grad(name: str, logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The batch's mean loss and ∂L/∂O. ce: ∂L/∂O = (softmax(O) − Y)/b. mse and l1: the gradient to
    P = softmax(O) goes back through softmax, ∂L/∂O = P ⊙ (∂L/∂P − Σ_k ∂L/∂P_k P_k)."""
    Y = F.one_hot(y, logits.shape[1]).to(logits.dtype)
    P = torch.softmax(logits, dim=1)
    if name == "ce":
        dO = (P - Y) / len(y)
    else:
        dP = 2 * (P - Y) / P.numel() if name == "mse" else torch.sign(P - Y) / P.numel()
        dO = P * (dP - (dP * P).sum(1, keepdim=True))
    return loss_values(name, logits, y), dO


def forward_loss(layers: list[tuple[torch.Tensor, torch.Tensor]], activation: str, X: torch.Tensor,
                 y: torch.Tensor, loss: str, weight_decay: float = 0.0) -> torch.Tensor:
    """The objective L + λ/2 Σ‖W‖² (weights only, d2l 3.7) for given weights, without the backward."""
    H = X
    for W, b in layers[:-1]:
        H = activate(activation, H @ W + b)
    W, b = layers[-1]
    value = loss_and_grad(loss, H @ W + b, y)[0]
    return value + weight_decay / 2 * sum((W * W).sum() for W, _ in layers) if weight_decay else value


@dataclass
class Backward:
    """Every tensor of one forward and backward pass; lists run over the layers, first to last."""

    X: torch.Tensor  # b×784
    y: torch.Tensor  # b labels
    Z: list[torch.Tensor]  # pre-activations of each hidden layer, b×h
    H: list[torch.Tensor]  # activations, b×h
    logits: torch.Tensor  # O, b×10
    loss: float  # the data term
    l2: float  # λ/2 Σ‖W‖², 0 without weight decay
    dO: torch.Tensor
    dW: list[torch.Tensor]  # per linear layer, (in, out), the L2 term λW included
    db: list[torch.Tensor]
    dH: list[torch.Tensor]  # per hidden layer
    dZ: list[torch.Tensor]
    gates: list[torch.Tensor]  # σ'(Z) per hidden layer
    weight_decay: float = 0.0

    @property
    def total(self) -> float:
        return self.loss + self.l2

    @property
    def dead(self) -> list[int]:
        """Per hidden layer: units whose gate is 0 for every example, so no gradient reaches them."""
        return [int((g == 0).all(0).sum()) for g in self.gates]

    @property
    def grad_norms(self) -> list[float]:
        """Frobenius norm of each layer's weight gradient."""
        return [float(torch.linalg.vector_norm(d)) for d in self.dW]

    @property
    def grad_sq_norm(self) -> float:
        """‖g‖² over every parameter, weights and biases: minus the slope of the loss along −g."""
        return float(sum((d * d).sum() for d in self.dW + self.db))

    def shapes(self) -> dict[str, list[int]]:
        out = {"x": list(self.X.shape)}
        for i, (Z, H) in enumerate(zip(self.Z, self.H), start=1):
            out[f"z{i}"], out[f"h{i}"] = list(Z.shape), list(H.shape)
        out["o"] = list(self.logits.shape)
        return out

    def followed(self, layer: int | None = None, j: int | None = None, k: int | None = None,
                 W: torch.Tensor | None = None) -> dict:
        """One weight w[j, k] of ``layer`` (default: the last) through the chain rule:
        ∂L/∂w[j,k] = Σᵢ h[i,j]·δ[i,k] (+ λ w[j,k]), with every term. Default j, k: the largest |gradient|."""
        layer = len(self.dW) - 1 if layer is None else layer
        inputs = self.X if layer == 0 else self.H[layer - 1]
        delta = self.dO if layer == len(self.dW) - 1 else self.dZ[layer]
        if j is None or k is None:
            j, k = divmod(int(self.dW[layer].abs().argmax()), self.dW[layer].shape[1])
        h, d = inputs[:, j], delta[:, k]
        l2 = self.weight_decay * float(W[j, k]) if W is not None else 0.0
        return {"layer": layer, "j": j, "k": k, "h": h.tolist(), "delta": d.tolist(),
                "terms": (h * d).tolist(), "sum": float((h * d).sum()), "l2": l2,
                "grad": float(self.dW[layer][j, k])}


def backward(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss: str = "ce",
             weight_decay: float = 0.0) -> Backward:
    """The forward pass and the hand-written backward pass of ``model`` on the batch (X, y)."""
    layers, act = weights(model), activation_of(model)
    X = X.reshape(len(X), -1).to(layers[0][0].dtype)
    Zs, Hs, H = [], [], X
    for W, b in layers[:-1]:
        Zs.append(H @ W + b)
        H = activate(act, Zs[-1])
        Hs.append(H)
    logits = H @ layers[-1][0] + layers[-1][1]
    value, dO = loss_and_grad(loss, logits, y)
    dWs, dbs, dHs, dZs, gates = [], [], [], [], []
    delta = dO
    for i in range(len(layers) - 1, -1, -1):
        inputs = X if i == 0 else Hs[i - 1]
        dW, db, dH = linear_backward(inputs, layers[i][0], delta, need_dH=i > 0)
        dWs.insert(0, dW + weight_decay * layers[i][0] if weight_decay else dW)
        dbs.insert(0, db)
        if i > 0:  # through the activation of hidden layer i
            g = gate(act, Zs[i - 1], Hs[i - 1])
            delta = dH * g
            dHs.insert(0, dH)
            gates.insert(0, g)
            dZs.insert(0, delta)
    l2 = weight_decay / 2 * float(sum((W * W).sum() for W, _ in layers))
    return Backward(X, y, Zs, Hs, logits, float(value), l2, dO, dWs, dbs, dHs, dZs, gates, weight_decay)


def model_grads(back: Backward, model: nn.Module) -> list[torch.Tensor]:
    """The hand-written gradients in the order and orientation of ``model.parameters()``' layers:
    [dW₁, db₁, dW₂, db₂, ...], each shaped like its parameter."""
    out = []
    for (_W, _b, transposed), dW, db in zip(parameters(model), back.dW, back.db):
        out += [dW.T if transposed else dW, db]
    return out


def autograd_max_abs_diff(model: nn.Module, back: Backward, loss: str = "ce") -> float:
    """max |hand-written − autograd| over every weight and bias, autograd running the model itself."""
    params = [p for W, b, _ in parameters(model) for p in (W, b)]
    was_training = model.training
    model.eval()  # no dropout: the page and the hand-written pass see the whole network
    try:
        logits = model(back.X)
    finally:
        model.train(was_training)
    Y = F.one_hot(back.y, logits.shape[1]).to(logits.dtype)
    if loss == "ce":
        value = F.cross_entropy(logits, back.y)
    else:
        value = (F.mse_loss if loss == "mse" else F.l1_loss)(torch.softmax(logits, 1), Y)
    if back.weight_decay:
        value = value + back.weight_decay / 2 * sum((W * W).sum() for W, _b, _t in parameters(model))
    grads = torch.autograd.grad(value, params)
    return max(float((a - g).abs().max()) for a, g in zip(grads, model_grads(back, model)))
