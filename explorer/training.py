"""Training an MLP on in-memory tensors: one config dataclass, one resumable :class:`Trainer`.

The hot loop slices batches out of preloaded tensors with a random permutation, so an epoch
costs little more than its matrix multiplies (``bench/train_speed.py`` measures how close).
The trainer is a generator of events, so a CLI, a notebook and a Streamlit page can all watch
it learn, stop it between batches and continue it later without resetting the weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from explorer.data import FashionMNISTData
from explorer.models import ACTIVATIONS, build_mlp, set_dropout_generator

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
IMPLEMENTATIONS = ("concise", "scratch")
METRICS = ("train_loss", "train_acc", "test_loss", "test_acc")


def pick_device() -> torch.device:
    """The one place that chooses where tensors live."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class TrainConfig:
    """Defaults are d2l's MLP: 784-256-10, SGD lr 0.1, batch 256, 10 epochs, weights ~ N(0, 0.01)."""

    hidden: int = 256
    layers: int = 1  # 0 is softmax regression (d2l 3.6): hidden, activation and dropout are unused
    lr: float = 0.1
    batch_size: int = 256
    epochs: int = 10
    dropout: tuple[float, ...] = (0.0,)  # one value per hidden layer; a single value is repeated
    weight_decay: float = 0.0
    activation: str = "relu"
    optimizer: str = "sgd"
    init_std: float = 0.01
    impl: str = "concise"
    seed: int = 0
    max_train: int | None = None  # dry run: train on the first examples only
    max_test: int | None = None

    def dropouts(self) -> list[float]:
        values = list(self.dropout) if isinstance(self.dropout, (list, tuple)) else [self.dropout]
        return values * self.layers if len(values) == 1 else values

    def sizes(self) -> list[int]:
        return [784] + [self.hidden] * self.layers + [10]

    def validate(self) -> None:
        """Raise ValueError with a readable message for any setting the trainer cannot use."""
        checks = [
            (self.hidden >= 1, "hidden width must be at least 1"),
            (0 <= self.layers <= 3, "hidden layers must be 0, 1, 2 or 3"),
            (math.isfinite(self.lr) and self.lr > 0, "learning rate must be a positive number"),
            (self.batch_size >= 1, "batch size must be at least 1"),
            (self.epochs >= 1, "epochs must be at least 1"),
            (len(self.dropouts()) == self.layers, f"give 1 or {self.layers} dropout values"),
            (all(0 <= p < 1 for p in self.dropouts()), "dropout must be in [0, 1)"),
            (self.weight_decay >= 0, "weight decay must be >= 0"),
            (self.activation in ACTIVATIONS, f"activation must be one of {', '.join(ACTIVATIONS)}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (self.init_std > 0, "init std must be > 0"),
            (self.impl in IMPLEMENTATIONS, "impl must be 'concise' or 'scratch'"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["dropout"] = self.dropouts()
        return d


def make_optimizer(name: str, model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    # Decay weights only, never biases (d2l 4.5 does the same with its concise weight decay).
    weights = [p for p in model.parameters() if p.ndim > 1]
    biases = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(groups, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr)
    if name == "adagrad":
        return torch.optim.Adagrad(groups, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}")


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 10_000) -> tuple[float, float]:
    """Mean cross-entropy and accuracy with the model in eval mode (dropout off)."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(labels), chunk):
        logits = model(images[start:start + chunk])
        y = labels[start:start + chunk]
        loss_sum += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    model.train(was_training)
    return loss_sum / len(labels), correct / len(labels)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    out = model(images).argmax(1)
    model.train(was_training)
    return out


@dataclass
class _EpochState:
    """Where the trainer is inside the current epoch, so a paused run resumes mid-epoch."""

    perm: torch.Tensor | None = None
    position: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    seconds: float = 0.0


@dataclass
class Trainer:
    """A model, its optimizer and its history; call :meth:`train` as often as you like."""

    config: TrainConfig
    data: FashionMNISTData
    device: torch.device | None = None
    history: list[dict] = field(default_factory=list)
    status: str = "ready"  # ready → running → finished | stopped | diverged
    message: str = ""

    def __post_init__(self) -> None:
        cfg = self.config
        cfg.validate()
        self.device = self.device or pick_device()
        data = self.data.subset(cfg.max_train, cfg.max_test)
        self.train_x, self.train_y = data.train_images.to(self.device), data.train_labels.to(self.device)
        self.test_x, self.test_y = data.test_images.to(self.device), data.test_labels.to(self.device)
        # The run's own random streams (weights, shuffling, dropout masks), all from its seed: other
        # sessions training in the same process cannot reseed or consume them.
        self.model = build_mlp(cfg.impl, cfg.sizes(), cfg.activation, cfg.dropouts(), cfg.init_std, cfg.seed)
        self.model.to(self.device)
        self.dropout_gen = torch.Generator(device=self.device).manual_seed(cfg.seed)
        set_dropout_generator(self.model, self.dropout_gen)
        self.optimizer = make_optimizer(cfg.optimizer, self.model, cfg.lr, cfg.weight_decay)
        self.shuffle_gen = torch.Generator().manual_seed(cfg.seed)
        self.epoch = _EpochState()

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def epoch_progress(self) -> float:
        """Completed epochs plus the fraction of the current one, e.g. 3.4."""
        return self.epochs_done + self.epoch.position / len(self.train_y)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate of a run in place (Continue with a new lr keeps the weights)."""
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError("learning rate must be a positive number")
        self.config.lr = lr
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def train(self, until_epoch: int | None = None, should_stop: Callable[[], bool] | None = None,
              progress_every: float = 0.25, max_batches: int | None = None) -> Iterator[dict]:
        """Train until ``until_epoch`` epochs are complete, yielding events as they happen.

        Events: ``{"kind": "progress", "epoch", "train_loss", "train_acc"}`` at most every
        ``progress_every`` seconds within an epoch; ``{"kind": "epoch", **history row}`` when an
        epoch ends; ``{"kind": "diverged", "epoch", "message"}`` if the loss stops being finite.
        ``should_stop`` is asked between batches; ``max_batches`` caps the batches of this call.
        """
        until_epoch = self.config.epochs if until_epoch is None else until_epoch
        if self.status == "diverged":
            return
        self.status = "running"
        self.model.train()
        n, bs, batches = len(self.train_y), self.config.batch_size, 0
        last_report = time.perf_counter()
        while self.epochs_done < until_epoch:
            state = self.epoch
            if state.perm is None:
                state.perm = torch.randperm(n, generator=self.shuffle_gen).to(self.device)
            tic = time.perf_counter()
            while state.position < n:
                if (should_stop and should_stop()) or (max_batches is not None and batches >= max_batches):
                    state.seconds += time.perf_counter() - tic
                    self.status = "stopped"
                    return
                idx = state.perm[state.position:state.position + bs]
                X, y = self.train_x[idx], self.train_y[idx]
                logits = self.model(X)
                loss = nn.functional.cross_entropy(logits, y)
                loss_value = loss.item()
                if not math.isfinite(loss_value):
                    state.seconds += time.perf_counter() - tic
                    yield self._diverge()
                    return
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                state.position += len(idx)
                state.loss_sum += loss_value * len(idx)
                state.correct += (logits.argmax(1) == y).sum().item()
                state.seen += len(idx)
                batches += 1
                now = time.perf_counter()
                if now - last_report >= progress_every and state.position < n:
                    last_report = now
                    yield {"kind": "progress", "epoch": self.epoch_progress,
                           "train_loss": state.loss_sum / state.seen, "train_acc": state.correct / state.seen}
            test_loss, test_acc = evaluate(self.model, self.test_x, self.test_y)
            if not math.isfinite(test_loss):
                yield self._diverge()
                return
            row = {"epoch": self.epochs_done + 1, "train_loss": state.loss_sum / state.seen,
                   "train_acc": state.correct / state.seen, "test_loss": test_loss, "test_acc": test_acc,
                   "seconds": state.seconds + time.perf_counter() - tic}
            self.history.append(row)
            self.epoch = _EpochState()
            last_report = time.perf_counter()
            yield {"kind": "epoch", **row}
        self.status = "finished"

    def _diverge(self) -> dict:
        self.status = "diverged"
        self.message = (
            f"Training diverged at epoch {self.epoch_progress:.2f}: the loss became NaN or infinite, "
            f"so the weights are no longer numbers. Learning rate {self.config.lr:g} is too large for "
            f"{self.config.optimizer}; try a value about 10x smaller."
        )
        return {"kind": "diverged", "epoch": self.epoch_progress, "message": self.message}

    def result(self) -> dict:
        """``{"config", "history", "final"}``: the JSON the CLI prints."""
        final = dict(self.history[-1]) if self.history else {"epoch": 0}
        final["status"] = self.status
        return {"config": self.config.to_dict(), "history": list(self.history), "final": final}


def run_training(config: TrainConfig, data: FashionMNISTData,
                 on_event: Callable[[dict], None] | None = None) -> dict:
    """Train to ``config.epochs`` and return :meth:`Trainer.result`; ``on_event`` sees every event."""
    trainer = Trainer(config, data)
    for event in trainer.train():
        if on_event:
            on_event(event)
    return trainer.result()
