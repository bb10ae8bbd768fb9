"""Trained weights on disk, keyed by the training config: train once, explain many times.

``python -m explorer explain`` and the page's quick model are seeded, so the same config always
gives the same weights; keeping them in ``$EXPLORER_CACHE_DIR`` (default ``~/.cache/mlp-explorer``)
turns a retrain of seconds into a load of milliseconds. A missing or unreadable file just retrains.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from explorer.data import DEFAULT_DATASET, FashionMNISTData
from explorer.mlp.models import build_mlp
from explorer.mlp.training import TrainConfig, Trainer
from explorer import settings


def cache_dir() -> Path:
    return settings.get("EXPLORER_CACHE_DIR")


def cache_path(config: TrainConfig) -> Path:
    settings = config.to_dict()
    if settings["dataset"] == DEFAULT_DATASET:
        del settings["dataset"]  # Fashion-MNIST models cached before datasets had a name keep their file
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir() / f"model-{key}.pt"


def load(config: TrainConfig) -> tuple[nn.Module, list[dict]] | None:
    """The cached model (eval mode) and its history, or None when there is no usable file."""
    path = cache_path(config)
    try:
        saved = torch.load(path, weights_only=True)
        model = build_mlp(config.impl, config.sizes(), config.activation, config.dropouts(), config.init_std,
                          config.seed)
        model.load_state_dict(saved["state_dict"])
        history = list(saved["history"])
    # absent, truncated, or written by another version of the code
    except (OSError, RuntimeError, KeyError, EOFError, ValueError, pickle.UnpicklingError):
        return None
    return model.eval(), history


def save(config: TrainConfig, model: nn.Module, history: list[dict]) -> None:
    path = cache_path(config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        torch.save({"state_dict": model.state_dict(), "history": history, "config": config.to_dict()}, partial)
        partial.replace(path)  # atomic: a reader never sees half a file
    except OSError:
        pass  # a read-only home only costs a retrain next time


def train_or_load(config: TrainConfig, data: FashionMNISTData,
                  on_event: Callable[[dict], None] | None = None) -> tuple[nn.Module, list[dict], bool]:
    """(model, history, loaded_from_cache); trains to ``config.epochs`` and saves when not cached."""
    cached = load(config)
    if cached is not None:
        return (*cached, True)
    trainer = Trainer(config, data)
    trainer.run(on_event)
    if trainer.status == "finished":
        save(config, trainer.model, trainer.history)
    return trainer.model.eval(), trainer.history, False
