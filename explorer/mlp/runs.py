"""A bounded book of training runs: what the training page keeps per session, and compares.

A :class:`Run` wraps a :class:`~explorer.mlp.training.Trainer` with a name, a target epoch and the
points a live chart needs (train loss/accuracy within epochs, as d2l's Animator draws them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from explorer.data import DATASETS, DEFAULT_DATASET, FashionMNISTData
from explorer.mlp.training import METRICS, TrainConfig, Trainer

MAX_RUNS = 12
MAX_LIVE_MODELS = 3  # older runs keep their numbers but not their weights: bounded memory per session


@dataclass
class Run:
    id: int
    trainer: Trainer | None  # dropped when the run falls out of the book, to free the model
    target_epoch: int
    train_images: int  # how many the run trained on: the data's size, or max_train (MNIST's offline split: 8,000)
    points: list[dict] = field(default_factory=list)  # every progress and epoch event, in order
    retired_config: dict = field(default_factory=dict)  # what a retired run keeps of its trainer
    retired_history: list[dict] = field(default_factory=list)
    retired_status: str = "ready"

    @property
    def config(self) -> dict:
        """The trainer's settings as JSON (its learning rate is the latest one, after a Continue)."""
        return self.trainer.config.to_dict() if self.trainer else self.retired_config

    @property
    def name(self) -> str:
        c = self.config
        # Fashion-MNIST is the default and unnamed; any other dataset is part of the name, so runs on
        # different datasets are never mistaken for each other in a chart or a list.
        on = "" if c.get("dataset", DEFAULT_DATASET) == DEFAULT_DATASET else f" · {DATASETS[c['dataset']].title}"
        if c["layers"] == 0:
            return f"#{self.id} softmax regression lr {c['lr']:g} {c['optimizer']}{on}"
        drop = "/".join(f"{p:g}" for p in c["dropout"])
        return (f"#{self.id} {c['layers']}×{c['hidden']} {c['activation']} lr {c['lr']:g} "
                f"drop {drop} {c['optimizer']}{on}")

    @property
    def dataset(self) -> str:
        return self.config.get("dataset", DEFAULT_DATASET)

    @property
    def history(self) -> list[dict]:
        return self.trainer.history if self.trainer else self.retired_history

    @property
    def status(self) -> str:
        return self.trainer.status if self.trainer else self.retired_status

    def record(self, event: dict) -> None:
        self.points.append(event)

    def retire(self) -> None:
        """Forget the model but keep the numbers."""
        if self.trainer:
            self.retired_config, self.retired_status = self.trainer.config.to_dict(), self.trainer.status
            self.retired_history = list(self.trainer.history)
            self.trainer = None


def new_run(runs: list[Run], config: TrainConfig, data: FashionMNISTData) -> Run:
    """Start a run (validates the config); keep ``MAX_RUNS`` runs and ``MAX_LIVE_MODELS`` models."""
    trainer = Trainer(config, data)
    run = Run(id=max((r.id for r in runs), default=0) + 1, trainer=trainer, target_epoch=config.epochs,
              train_images=len(trainer.train_y))
    runs.append(run)
    del runs[:-MAX_RUNS]
    for old in runs[:-MAX_LIVE_MODELS]:
        old.retire()
    return run


def continue_run(run: Run, lr: float, extra_epochs: int) -> None:
    """Train the same model further: new learning rate, ``extra_epochs`` more complete epochs."""
    run.trainer.set_lr(lr)
    # A run stopped mid-epoch finishes that epoch first; it counts as the first of the extra ones.
    run.target_epoch = run.trainer.epochs_done + extra_epochs


def history_frame(runs: list[Run]) -> pd.DataFrame:
    """Long format, one row per run and epoch: what the overlay chart and the CSV download use."""
    rows = [{"run": r.name, "run_id": r.id, **row} for r in runs for row in r.history]
    return pd.DataFrame(rows, columns=["run", "run_id", "epoch", *METRICS, "seconds"])


def comparison_table(runs: list[Run]) -> pd.DataFrame:
    """One row per run: its settings and where it ended."""
    rows = []
    for r in runs:
        c, last = r.config, (r.history[-1] if r.history else {})
        rows.append({
            "run": r.id, "dataset": DATASETS[r.dataset].title, "hidden": c["hidden"], "layers": c["layers"],
            "lr": c["lr"],
            "dropout": "/".join(f"{p:g}" for p in c["dropout"]), "batch": c["batch_size"],
            "activation": c["activation"], "optimizer": c["optimizer"], "weight decay": c["weight_decay"],
            "init std": c["init_std"], "impl": c["impl"], "seed": c["seed"],
            "train images": r.train_images, "epochs": len(r.history), "status": r.status,
            **{m: last.get(m) for m in METRICS},
        })
    return pd.DataFrame(rows)
