"""Training an MLP on in-memory tensors: a :class:`~explorer.mlp.config.TrainConfig`, one resumable :class:`Trainer`.

The hot loop slices batches out of preloaded tensors with a random permutation, so an epoch
costs little more than its matrix multiplies (``bench/train_speed.py`` measures how close).
The trainer is a generator of events, so a CLI, a notebook and a Streamlit page can all watch
it learn, stop it between batches and continue it later without resetting the weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import torch
from torch import nn

from explorer.fair_share import budget, threads
from explorer.data import FashionMNISTData
from explorer.mlp.config import TrainConfig
from explorer.mlp.evaluation import evaluate
from explorer.i18n import N_, Translate, no_translation
from explorer.mlp.precision import autocast
from explorer.mlp.models import build_mlp, set_dropout_generator
from explorer.mlp.optimizers import make_optimizer

__all__ = ["TrainConfig", "Trainer", "run_training", "pick_device", "METRICS", "METRIC_NAMES"]

METRICS = ("train_loss", "train_acc", "test_loss", "test_acc")
# How the metrics are named on screen (English msgids; whoever shows them translates them).
METRIC_NAMES = {"train_loss": N_("train loss"), "train_acc": N_("train acc"), "test_loss": N_("test loss"),
                "test_acc": N_("test acc")}
# Why a run stopped with NaN, and what to try: the CLI prints it in English, the page translates it.
DIVERGED = N_("Training diverged at epoch {epoch}: the loss became NaN or infinite, so the weights are no longer "
              "numbers. Learning rate {lr} is too large for {optimizer}; try a value about 10x smaller.")


def pick_device() -> torch.device:
    """The one place that chooses where tensors live."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class PartialEpoch:
    """Where the trainer is inside the epoch it has not finished, so a paused run resumes mid-epoch."""

    perm: torch.Tensor | None = None
    position: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    seconds: float = 0.0


class Trainer:
    """A model, its optimizer and its history; call :meth:`train` as often as you like."""

    def __init__(self, config: TrainConfig, data: FashionMNISTData, device: torch.device | None = None):
        config.validate()
        if data.name != config.dataset:  # a digits config on clothes would train, and mean nothing
            raise ValueError(f"the config is for {config.dataset}, but the data is {data.name}")
        self.config = config
        self.device = device or pick_device()
        self.history: list[dict] = []
        self.status = "ready"  # ready → running → finished | stopped | diverged
        self.message = ""
        data = data.subset(config.max_train, config.max_test)
        self.train_x, self.train_y = data.train_images.to(self.device), data.train_labels.to(self.device)
        self.test_x, self.test_y = data.test_images.to(self.device), data.test_labels.to(self.device)
        # The run's own random streams (weights, shuffling, dropout masks), all from its seed: other
        # sessions training in the same process cannot reseed or consume them.
        self.model = build_mlp(config.impl, config.sizes(), config.activation, config.dropouts(),
                               config.init_std, config.seed).to(self.device)
        self.dropout_gen = torch.Generator(device=self.device).manual_seed(config.seed)
        set_dropout_generator(self.model, self.dropout_gen)
        self.shuffle_gen = torch.Generator().manual_seed(config.seed)
        self.optimizer = make_optimizer(config.optimizer, self.model, config.lr, config.weight_decay)
        self.partial_epoch = PartialEpoch()
        self._batch_x = self._batch_y = None

    @property
    def epoch_flops(self) -> float:
        """The work of one epoch of this run (explorer.fair_share.budget): what a server's budget counts."""
        return budget.epoch_flops(self.config.sizes(), len(self.train_y), len(self.test_y))

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def epoch_progress(self) -> float:
        """Completed epochs plus the fraction of the current one, e.g. 3.4."""
        return self.epochs_done + self.partial_epoch.position / len(self.train_y)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate of a run in place (Continue with a new lr keeps the weights)."""
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError("learning rate must be a positive number")
        self.config = replace(self.config, lr=lr)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def stop(self) -> None:
        """Mark a running run stopped (a UI that abandons :meth:`train` between batches calls this);
        the weights and the position inside the epoch are kept, so :meth:`train` resumes there."""
        if self.status == "running":
            self.status = "stopped"

    def train(self, until_epoch: int | None = None, should_stop: Callable[[], bool] | None = None,
              progress_every: float = 0.25, max_batches: int | None = None) -> Iterator[dict]:
        """Train until ``until_epoch`` epochs are complete, yielding events as they happen.

        Events: ``{"kind": "progress", "epoch", "train_loss", "train_acc"}`` at most every
        ``progress_every`` seconds within an epoch; ``{"kind": "epoch", **history row}`` when an
        epoch ends; ``{"kind": "diverged", "epoch", "message"}`` if the loss stops being finite.
        ``should_stop`` is asked between batches; ``max_batches`` caps the batches of this call.
        While it runs, the training counts towards :mod:`explorer.fair_share.threads`' share of the cores.
        """
        if self.status == "diverged":
            return
        with threads.training_threads():
            yield from self._train(self.config.epochs if until_epoch is None else until_epoch,
                                   should_stop, progress_every, max_batches)

    def _train(self, until_epoch: int, should_stop: Callable[[], bool] | None, progress_every: float,
               max_batches: int | None) -> Iterator[dict]:
        self.status = "running"
        self.model.train()
        n, bs, batches = len(self.train_y), self.config.batch_size, 0
        last_report = time.perf_counter()
        while self.epochs_done < until_epoch:
            state = self.partial_epoch
            if state.perm is None:
                state.perm = torch.randperm(n, generator=self.shuffle_gen).to(self.device)
            tic = time.perf_counter()
            while state.position < n:
                if (should_stop and should_stop()) or (max_batches is not None and batches >= max_batches):
                    state.seconds += time.perf_counter() - tic
                    self.status = "stopped"
                    return
                threads.use_my_share()  # another training may have started or ended meanwhile
                X, y = self._batch(state.perm[state.position:state.position + bs])
                with autocast(self.config.precision, self.device):
                    logits = self.model(X)
                loss = nn.functional.cross_entropy(logits.float(), y)  # the loss and softmax in float32
                loss_value = loss.item()
                if not math.isfinite(loss_value):
                    state.seconds += time.perf_counter() - tic
                    yield self._diverge()
                    return
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                state.position += len(y)
                state.loss_sum += loss_value * len(y)
                state.correct += (logits.argmax(1) == y).sum().item()
                state.seen += len(y)
                batches += 1
                now = time.perf_counter()
                if now - last_report >= progress_every and state.position < n:
                    last_report = now
                    yield {"kind": "progress", "epoch": self.epoch_progress,
                           "train_loss": state.loss_sum / state.seen, "train_acc": state.correct / state.seen}
            with autocast(self.config.precision, self.device):
                test_loss, test_acc = evaluate(self.model, self.test_x, self.test_y)
            if not math.isfinite(test_loss):
                yield self._diverge()
                return
            row = {"epoch": self.epochs_done + 1, "train_loss": state.loss_sum / state.seen,
                   "train_acc": state.correct / state.seen, "test_loss": test_loss, "test_acc": test_acc,
                   "seconds": state.seconds + time.perf_counter() - tic}
            self.history.append(row)
            self.partial_epoch = PartialEpoch()
            last_report = time.perf_counter()
            yield {"kind": "epoch", **row}
        self.status = "finished"

    def _batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch's images and labels, gathered into two buffers that every batch reuses: a fresh
        800 KB tensor per batch costs more than the copy. (Autograd frees its view of the last batch
        in ``backward``, before the next gather overwrites it.)"""
        if self._batch_x is None or len(self._batch_x) < len(idx):
            self._batch_x = self.train_x.new_empty((len(idx), *self.train_x.shape[1:]))
            self._batch_y = self.train_y.new_empty(len(idx))
        n = len(idx)
        return (torch.index_select(self.train_x, 0, idx, out=self._batch_x[:n]),
                torch.index_select(self.train_y, 0, idx, out=self._batch_y[:n]))

    def _diverge(self) -> dict:
        self.status = "diverged"
        self.message = self.divergence()
        return {"kind": "diverged", "epoch": self.epoch_progress, "message": self.message}

    def divergence(self, _: Translate = no_translation, optimizer: str | None = None) -> str:
        """:data:`DIVERGED` filled in for this run; ``optimizer`` names it as shown (default: the config's)."""
        return _(DIVERGED).format(epoch=f"{self.epoch_progress:.2f}", lr=f"{self.config.lr:g}",
                                  optimizer=optimizer or self.config.optimizer)

    def run(self, on_event: Callable[[dict], None] | None = None) -> dict:
        """Train to ``config.epochs`` in one go and return :meth:`result`; ``on_event`` sees every event."""
        for event in self.train():
            if on_event:
                on_event(event)
        return self.result()

    def result(self) -> dict:
        """``{"config", "history", "final"}``: the JSON the CLI prints."""
        final = dict(self.history[-1]) if self.history else {"epoch": 0}
        final["status"] = self.status
        return {"config": self.config.to_dict(), "history": list(self.history), "final": final}


def run_training(config: TrainConfig, data: FashionMNISTData,
                 on_event: Callable[[dict], None] | None = None) -> dict:
    """A new :class:`Trainer`'s :meth:`Trainer.run`: the whole training, as JSON."""
    return Trainer(config, data).run(on_event)
