"""Why hidden layers (d2l 4.1): a 2-D playground in the spirit of TensorFlow Playground.

* :mod:`explorer.lessons.playground_data`: its four seeded 2-D problems (XOR, circles, spirals, blobs).
* :class:`PlaygroundMLP`: 0-3 hidden layers of 1-8 units and one output logit; :meth:`~PlaygroundMLP.trace`
  keeps every layer's output, so one batched forward pass over a grid draws every unit's map.
* :class:`PlaygroundTrainer`: full-batch training as a generator of events (like
  :class:`explorer.mlp.training.Trainer`), so a UI can draw between steps and stop when asked.
  (XOR built by hand with two ReLU units: :mod:`explorer.lessons.hand_xor`.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import torch
from torch import nn
from torch.nn import functional as F

from explorer.fields import Config, Scale, setting
from explorer.i18n import N_
from explorer.lessons.playground_data import DATASETS, make_dataset, split

ACTIVATIONS = ("relu", "tanh", "sigmoid")
OPTIMIZERS = ("adam", "sgd")
MAX_LAYERS, MAX_WIDTH = 3, 8
LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # the page's scale
EXTENT = 1.5  # the plane shown is [-EXTENT, EXTENT]²; the data lies within about [-1.2, 1.2]²
ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


@dataclass(frozen=True)
class PlaygroundConfig(Config):
    """One playground run: the data, the network and its training (full batch: one step is one epoch)."""

    explained = True
    dataset: str = setting("xor", choices=DATASETS, message=N_("Unknown dataset {value}; choose one of {choices}."))
    # std of the Gaussian jitter added to every point (the plane is about 2 wide)
    noise: float = setting(0.05, lo=0, hi=1, message=N_("Noise must be between 0 and 1, not {value}."),
                           page=Scale(0.0, 0.5))
    points: int = setting(400, lo=8, hi=5000,
                          message=N_("The number of points must be between 8 and 5000, not {value}."))
    test_fraction: float = setting(0.5, lo=0.05, hi=0.95, page=Scale(0.1, 0.9),
                                   message=N_("The test fraction must be between 0.05 and 0.95, not {value}."))
    layers: int = setting(1, lo=0, hi=MAX_LAYERS, message=N_("Hidden layers must be between 0 and {hi}, not {value}."),
                          help=f"hidden layers (0-{MAX_LAYERS}; 0 is logistic regression)")
    hidden: int = setting(4, lo=1, hi=MAX_WIDTH, help=f"units per hidden layer (1-{MAX_WIDTH})",
                          message=N_("Units per hidden layer must be between 1 and {hi}, not {value}."))
    activation: str = setting("relu", choices=ACTIVATIONS,
                              message=N_("Unknown activation {value}; choose one of {choices}."))
    lr: float = setting(0.03, gt=0, message=N_("The learning rate must be a positive number, not {value}."),
                        page=Scale(LRS[0], LRS[-1], LRS))
    optimizer: str = setting("adam", choices=OPTIMIZERS,
                             message=N_("Unknown optimizer {value}; choose one of {choices}."))
    epochs: int = setting(300, lo=0, message=N_("Epochs must be 0 or more, not {value}."), help="full-batch steps")
    seed: int = setting(0, page=Scale(0, 999))

    def widths(self) -> list[int]:
        return [self.hidden] * self.layers


class PlaygroundMLP(nn.Module):
    """2 inputs → ``widths`` hidden units → 1 logit (class 1 where it is positive)."""

    def __init__(self, widths: list[int], activation: str = "relu", seed: int = 0) -> None:
        super().__init__()
        sizes = [2, *widths, 1]
        gen = torch.Generator().manual_seed(seed)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        with torch.no_grad():  # PyTorch's default init, but from this run's generator
            for layer in self.layers:
                bound = 1 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)
        self.activation = activation

    def trace(self, X: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """(every hidden layer's output, each (n, width); the logits, (n,)) in one forward pass."""
        act, hidden, H = ACT[self.activation], [], X
        for layer in self.layers[:-1]:
            H = act(layer(H))
            hidden.append(H)
        return hidden, self.layers[-1](H)[:, 0]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.trace(X)[1]


def grid(size: int = 50, extent: float = EXTENT) -> tuple[torch.Tensor, torch.Tensor]:
    """(the axis values, the size² points of the plane, row by row: y outer, x inner)."""
    axis = torch.linspace(-extent, extent, size)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    return axis, torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)


@torch.no_grad()
def unit_maps(model: PlaygroundMLP, size: int = 50, extent: float = EXTENT) -> dict:
    """Every unit's output over the plane, from one batched forward pass over a size × size grid.

    ``{"axis": (size,), "hidden": [(width, size, size) per layer], "output": (size, size) probability}``.
    """
    axis, points = grid(size, extent)
    hidden, logits = model.trace(points)
    return {"axis": axis, "hidden": [h.T.reshape(-1, size, size) for h in hidden],
            "output": torch.sigmoid(logits).reshape(size, size)}


def parameter_counts(model: PlaygroundMLP) -> list[dict]:
    """Per layer: its shape and its weights, biases and total."""
    return [{"layer": i, "inputs": layer.in_features, "outputs": layer.out_features,
             "weights": layer.weight.numel(), "biases": layer.bias.numel(),
             "total": layer.weight.numel() + layer.bias.numel()} for i, layer in enumerate(model.layers, start=1)]


@torch.no_grad()
def evaluate(model: PlaygroundMLP, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    logits = model(X)
    return F.binary_cross_entropy_with_logits(logits, y).item(), ((logits > 0).float() == y).float().mean().item()


class PlaygroundTrainer:
    """The data, the model, its optimizer and its history; :meth:`train` yields one event per step."""

    def __init__(self, config: PlaygroundConfig, model: PlaygroundMLP | None = None) -> None:
        config.validate()
        self.config = config
        X, y = make_dataset(config.dataset, config.points, config.noise, config.seed)
        self.train_x, self.train_y, self.test_x, self.test_y = split(X, y, config.test_fraction, config.seed)
        self.model = model or PlaygroundMLP(config.widths(), config.activation, config.seed)
        self.history: list[dict] = []
        self.status = "ready"  # ready → running → finished | stopped | diverged
        self.optimizer = self._optimizer()

    def _optimizer(self) -> torch.optim.Optimizer:
        params, lr = self.model.parameters(), self.config.lr
        return torch.optim.Adam(params, lr=lr) if self.config.optimizer == "adam" else torch.optim.SGD(params, lr=lr)

    def set_lr(self, lr: float) -> None:
        config = replace(self.config, lr=lr)
        config.validate()  # a learning rate that is not a positive number is explained
        self.config = config
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    epochs_done = property(lambda self: len(self.history))

    def step(self) -> dict:
        """One full-batch step; returns (and records) the epoch's row."""
        self.model.train()
        logits = self.model(self.train_x)
        loss = F.binary_cross_entropy_with_logits(logits, self.train_y)
        if not math.isfinite(loss.item()):
            self.status = "diverged"
            return {"kind": "diverged", "epoch": self.epochs_done}
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        train_acc = ((logits.detach() > 0).float() == self.train_y).float().mean().item()
        test_loss, test_acc = evaluate(self.model, self.test_x, self.test_y)
        row = {"epoch": self.epochs_done + 1, "train_loss": loss.item(), "train_acc": train_acc,
               "test_loss": test_loss, "test_acc": test_acc}
        self.history.append(row)
        return {"kind": "epoch", **row}

    def train(self, until_epoch: int | None = None, should_stop: Callable[[], bool] | None = None) -> Iterator[dict]:
        """Step until ``until_epoch`` epochs are done (default: the config's), yielding every step's event;
        ``should_stop`` is asked before each step. Stopped runs resume where they were."""
        until = self.config.epochs if until_epoch is None else until_epoch
        if self.status == "diverged":
            return
        self.status = "running"
        while self.epochs_done < until:
            if should_stop and should_stop():
                self.status = "stopped"
                return
            event = self.step()
            yield event
            if event["kind"] == "diverged":
                return
        self.status = "finished"

    def stop(self) -> None:  # a UI that abandons train() between steps says so
        self.status = "stopped" if self.status == "running" else self.status

    def result(self) -> dict:
        """``{"config", "history", "final"}``: the JSON ``python -m explorer playground`` prints."""
        keys = ("epoch", "train_loss", "train_acc", "test_acc")
        final = {k: self.history[-1][k] for k in ("train_acc", "test_acc")} if self.history else \
            {"train_acc": evaluate(self.model, self.train_x, self.train_y)[1],
             "test_acc": evaluate(self.model, self.test_x, self.test_y)[1]}
        return {"config": self.config.to_dict(), "history": [{k: row[k] for k in keys} for row in self.history],
                "final": final}
