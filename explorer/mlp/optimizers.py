"""The optimizers the training page offers, built the same way for every model."""

from __future__ import annotations

import torch
from torch import nn

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")


def make_optimizer(name: str, model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    # Decay weights only, never biases (d2l 4.5 does the same with its concise weight decay).
    weights = [p for p in model.parameters() if p.ndim > 1]
    biases = [p for p in model.parameters() if p.ndim <= 1]
    # foreach: one fused update for all parameters instead of a Python loop (torch's default on GPUs only).
    groups = [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, foreach=True)
    if name == "momentum":
        return torch.optim.SGD(groups, lr=lr, momentum=0.9, foreach=True)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr, foreach=True)
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, foreach=True)
    if name == "adagrad":
        return torch.optim.Adagrad(groups, lr=lr, foreach=True)
    raise ValueError(f"unknown optimizer {name!r}")
