"""A trained model on a set of images: its loss and accuracy, and its predicted classes (dropout off)."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 10_000) -> tuple[float, float]:
    """Mean cross-entropy and accuracy with the model in eval mode (dropout off)."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(labels), chunk):
        logits = model(images[start:start + chunk]).float()  # the loss in float32 under bfloat16 autocast
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
