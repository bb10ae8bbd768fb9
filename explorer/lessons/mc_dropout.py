"""Dropout as an ensemble (d2l 4.6): evaluation with dropout off vs Monte-Carlo dropout.

d2l evaluates a dropout network with dropout off (``model.eval()``): the weights are used whole and
the 1/(1−p) scaling keeps each unit's expected input the same. Each training step, though, trained a
random *subnetwork*; averaging the predicted probabilities of K forward passes with dropout on
averages K subnetworks, an ensemble (MC dropout, Gal & Ghahramani 2016). K = 1 is one random
subnetwork; as K grows the average approaches the ensemble of all of them, which ``eval`` cheaply
approximates.

The masks come from a generator seeded here, never torch's global one, and the run's own dropout
generator is put back afterwards, so looking at a run does not change how it continues training.
All K = 1 … K_max accuracies come from one set of K_max passes (running means), and equal K passes
run on their own with the same seed (tests check it).
"""

from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import torch
from torch import nn

from explorer.mlp.models import Dropout, ScratchMLP, set_dropout_generator

MAX_PASSES = 32
KEPT_IMAGES = 100  # per-pass probabilities are kept for the first images only (the spread chart's choice)


@contextmanager
def stochastic(model: nn.Module, generator: torch.Generator):
    """Dropout on, drawing from ``generator``; afterwards the model's mode and generators are restored."""
    owners = [m for m in model.modules() if isinstance(m, (Dropout, ScratchMLP))]
    saved = [m.generator for m in owners]
    was_training = model.training
    set_dropout_generator(model, generator)
    model.train()
    try:
        yield model
    finally:
        for module, gen in zip(owners, saved):
            module.generator = gen
        model.train(was_training)


@torch.no_grad()
def mc_dropout(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, passes: int = MAX_PASSES,
               seed: int = 0, batch_size: int = 2500) -> dict:
    """``{"table": DataFrame[passes, mc_acc], "eval_acc", "probs": (passes, KEPT, 10), "eval_probs": (KEPT, 10)}``."""
    if not 1 <= passes <= 256:
        raise ValueError("the number of passes must be 1 to 256")
    was_training = model.training
    model.eval()
    eval_probs = torch.cat([model(chunk).softmax(1) for chunk in images.split(batch_size)])
    model.train(was_training)
    generator = torch.Generator().manual_seed(seed)
    running = torch.zeros_like(eval_probs)
    accuracy, kept = [], []
    with stochastic(model, generator):
        for _ in range(passes):
            probs = torch.cat([model(chunk).softmax(1) for chunk in images.split(batch_size)])
            running += probs
            accuracy.append(float((running.argmax(1) == labels).float().mean()))
            kept.append(probs[:KEPT_IMAGES])
    return {"table": pd.DataFrame({"passes": range(1, passes + 1), "mc_acc": accuracy}),
            "eval_acc": float((eval_probs.argmax(1) == labels).float().mean()),
            "probs": torch.stack(kept), "eval_probs": eval_probs[:KEPT_IMAGES]}


def has_dropout(model: nn.Module) -> bool:
    if isinstance(model, ScratchMLP):
        return any(p > 0 for p in model.dropouts)
    return any(isinstance(m, (Dropout, nn.Dropout)) and m.p > 0 for m in model.modules())
