"""One input through a trained MLP: every number the "Inside an MLP" page shows (d2l 4.1-4.3, 3.4-3.6).

Works for both implementations in :mod:`explorer.mlp.models` (scratch W as (in, out), ``nn.Linear``
as (out, in)) and any depth, 0 hidden layers being softmax regression. The trace runs the model's
own layers, so the tests can check every step against ``model(x)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from explorer.mlp.models import ScratchMLP
from explorer.mlp.training import TrainConfig


def quick_config(dataset: str = "fashion-mnist") -> TrainConfig:
    """The page's quick model: d2l's MLP (784-256-10, SGD 0.1, batch 256), 2 epochs on all data, seed 0.

    On MNIST, 10 epochs on 8,000 digits (all of the offline split, the first 8,000 of the full one):
    about as many steps as Fashion-MNIST's 2 epochs, and it reads drawn digits reliably."""
    if dataset == "mnist":
        return TrainConfig(epochs=10, seed=0, max_train=8000, dataset="mnist")
    return TrainConfig(epochs=2, seed=0, dataset=dataset)


def class_positions(labels: torch.Tensor, n_classes: int = 10) -> list[torch.Tensor]:
    """Positions of each class's images in the test set, in order: "the i-th Sandal" is one click."""
    return [(labels == c).nonzero()[:, 0] for c in range(n_classes)]


def next_mistake(predicted: torch.Tensor, labels: torch.Tensor, after: int = -1) -> int | None:
    """The first misclassified position after ``after``, wrapping round; None if there is none."""
    wrong = (predicted != labels).nonzero()[:, 0]
    if len(wrong) == 0:
        return None
    later = wrong[wrong > after]
    return int(later[0] if len(later) else wrong[0])


@dataclass
class Layer:
    """One fully connected layer as d2l writes it: ``W`` (inputs, outputs) and ``b`` (outputs)."""

    W: torch.Tensor
    b: torch.Tensor


@dataclass
class Hidden:
    """A hidden layer for one input: pre-activations ``x W + b`` and activations after the nonlinearity."""

    pre: torch.Tensor
    post: torch.Tensor

    @property
    def zeros(self) -> int:
        return int((self.post == 0).sum())


@dataclass
class Trace:
    x: torch.Tensor  # (784,)
    hidden: list[Hidden]
    logits: torch.Tensor  # (10,)
    layers: list[Layer]

    @property
    def last_input(self) -> torch.Tensor:
        """What the output layer multiplies: the last hidden activations, or the pixels (0 layers)."""
        return self.hidden[-1].post if self.hidden else self.x

    @property
    def predicted(self) -> int:
        return int(self.logits.argmax())


def linear_layers(model: nn.Module) -> list[Layer]:
    """Every fully connected layer, weights turned to d2l's (in, out) whichever way they are stored."""
    if isinstance(model, ScratchMLP):
        return [Layer(W.detach(), b.detach()) for W, b in zip(model.weights, model.biases)]
    return [Layer(m.weight.detach().T, m.bias.detach()) for m in model.modules() if isinstance(m, nn.Linear)]


@torch.no_grad()
def trace(model: nn.Module, image: torch.Tensor) -> Trace:
    """Run one image (28×28, 1×28×28 or 784 values in [0, 1]) through the model in eval mode."""
    was_training = model.training
    model.eval()
    x = image.reshape(1, -1).float()
    hidden: list[Hidden] = []
    if isinstance(model, ScratchMLP):
        H = x
        for W, b in zip(model.weights[:-1], model.biases[:-1]):
            pre = H @ W + b
            H = model.act(pre)
            hidden.append(Hidden(pre[0], H[0]))
        logits = H @ model.weights[-1] + model.biases[-1]
    else:  # nn.Sequential: Flatten, Linear, activation, [Dropout], ..., Linear
        H, modules = x, list(model)
        for i, module in enumerate(modules):
            H = module(H)
            if isinstance(module, nn.Linear) and i < len(modules) - 1:
                hidden.append(Hidden(H[0].clone(), H[0]))
            elif hidden and not isinstance(module, (nn.Linear, nn.Flatten, nn.Dropout)):
                hidden[-1].post = H[0]
        logits = H
    model.train(was_training)
    return Trace(x[0], hidden, logits[0], linear_layers(model))


def softmax(logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """softmax(o / T): T = 1 is the model itself; larger T flattens, smaller T sharpens."""
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    return torch.softmax(logits / temperature, dim=-1)


def parameter_counts(model: nn.Module) -> list[dict]:
    """Per layer: inputs, outputs, weights, biases, total and the formula ``in·out + out = total``."""
    rows = []
    for i, layer in enumerate(linear_layers(model), start=1):
        n_in, n_out = layer.W.shape
        total = layer.W.numel() + layer.b.numel()
        rows.append({"layer": i, "inputs": n_in, "outputs": n_out, "weights": layer.W.numel(),
                     "biases": layer.b.numel(), "total": total, "formula": f"{n_in}·{n_out} + {n_out} = {total:,}"})
    return rows


def contributions(t: Trace, cls: int) -> torch.Tensor:
    """activation_j × W[j, cls] for every unit j feeding the output layer; their sum + b[cls] is logit cls."""
    return t.last_input * t.layers[-1].W[:, cls]


def top_units(t: Trace, cls: int, k: int = 8) -> list[dict]:
    """The ``k`` units that raise logit ``cls`` most, largest contribution first."""
    contrib = contributions(t, cls)
    values, units = contrib.topk(min(k, len(contrib)))
    return [{"unit": int(u), "contribution": float(v)} for u, v in zip(units, values)]


def unit_templates(model: nn.Module, t: Trace, units: list[int]) -> torch.Tensor:
    """A 28×28 picture per unit of the layer before the output (pixels for softmax regression).

    One hidden layer: the unit's first-layer weights (its template, W₁[:, j]). Deeper: what the unit
    responds to around this input, the gradient of its activation with respect to the pixels.
    """
    layers = linear_layers(model)
    if len(layers) == 1:
        raise ValueError("softmax regression has no hidden units; see pixel_maps")
    if len(layers) == 2:
        return torch.stack([layers[0].W[:, j] for j in units]).reshape(-1, 28, 28)
    x = t.x.clone().requires_grad_(True)
    pictures = []
    for j in units:
        H = x[None]
        for layer in layers[:-1]:
            H = _activation_like(model, H @ layer.W + layer.b)
        (grad,) = torch.autograd.grad(H[0, j], x)
        pictures.append(grad.reshape(28, 28))
    return torch.stack(pictures).detach()


def pixel_maps(t: Trace, cls: int) -> torch.Tensor:
    """Softmax regression: the class's weights W[:, cls] and each pixel's contribution x · W[:, cls]."""
    W = t.layers[-1].W[:, cls]
    return torch.stack([W, t.x * W]).reshape(2, 28, 28)


def _activation_like(model: nn.Module, pre: torch.Tensor) -> torch.Tensor:
    if isinstance(model, ScratchMLP):
        return model.act(pre)
    act = next(m for m in model if not isinstance(m, (nn.Linear, nn.Flatten, nn.Dropout)))
    return act(pre)


def losses(logits: torch.Tensor, label: int) -> dict:
    """Cross-entropy, MSE and L1 against the one-hot target, and the gradient each sends to the logits.

    MSE and L1 compare the probabilities softmax(o) with the one-hot vector (mean over the 10
    classes, as ``nn.MSELoss``/``nn.L1Loss`` do); cross-entropy is −log p_y = ``F.cross_entropy``.
    """
    o = logits.detach().clone().requires_grad_(True)
    target = F.one_hot(torch.tensor(label), len(logits)).float()
    out = {}
    for name, fn in (("cross_entropy", lambda: F.cross_entropy(o[None], torch.tensor([label]))),
                     ("mse", lambda: F.mse_loss(torch.softmax(o, -1), target)),
                     ("l1", lambda: F.l1_loss(torch.softmax(o, -1), target))):
        value = fn()
        (grad,) = torch.autograd.grad(value, o)
        out[name] = {"value": float(value.detach()), "grad": grad}
    return out


def diagram(t: Trace, probabilities: torch.Tensor, units_per_layer: int = 8, edges_per_layer: int = 12) -> dict:
    """What the network diagram draws: per hidden layer its most active units, then the 10 outputs.

    Edges are the strongest contributions (activation × weight) along the paths into the predicted
    class: into each shown unit of the next column, and into the predicted output.
    """
    columns = []
    for h in t.hidden:
        k = min(units_per_layer, len(h.post))
        units = sorted(h.post.abs().topk(k).indices.tolist())
        columns.append({"units": units, "activations": h.post[units].tolist()})
    cls = t.predicted
    edges = []
    for col in range(len(columns)):
        source = columns[col]
        W = t.layers[col + 1].W
        a = torch.tensor(source["activations"])
        if col + 1 < len(columns):
            targets = columns[col + 1]["units"]
            contrib = a[:, None] * W[source["units"]][:, targets]
        else:
            targets = [cls]
            contrib = (a * W[source["units"], cls])[:, None]
        flat = contrib.flatten()
        for idx in flat.abs().topk(min(edges_per_layer, len(flat))).indices.tolist():
            i, j = divmod(idx, contrib.shape[1])
            # positions in their columns; the last column is the 10 outputs, indexed by class
            edges.append({"from": (col, i), "to": (col + 1, j if col + 1 < len(columns) else cls),
                          "value": float(flat[idx])})
    return {"columns": columns, "probabilities": probabilities.tolist(), "predicted": cls, "edges": edges}
