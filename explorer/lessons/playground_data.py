"""The playground's data (d2l 4.1, :mod:`explorer.lessons.playground`): four seeded 2-D problems — XOR,
two circles, two spirals and two Gaussian blobs (the linearly separable control) — with noise, and
a seeded train/test split.
"""

from __future__ import annotations

import math

import torch

from explorer.i18n import N_, Explained

DATASETS = ("xor", "circles", "spirals", "blobs")


def make_dataset(name: str, points: int = 400, noise: float = 0.05, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(X of shape (points, 2), y of 0/1 labels as float), from the seed's own generator.

    XOR: class 1 where exactly one coordinate is positive (points keep 0.1 away from the axes, as in
    TensorFlow Playground); circles: class 1 inside radius 0.5, class 0 in a ring from 0.7 to 1.1;
    spirals: two interleaved arms of 1.75 turns; blobs: two Gaussians around (±0.5, ±0.5).
    """
    gen = torch.Generator().manual_seed(seed)
    half = points // 2
    if name == "xor":
        X = torch.rand(points, 2, generator=gen) * 2 - 1
        X = X + 0.1 * torch.sign(X)
        y = ((X[:, 0] > 0) != (X[:, 1] > 0)).float()
    elif name == "circles":
        r = torch.cat([0.5 * torch.rand(half, generator=gen), 0.7 + 0.4 * torch.rand(points - half, generator=gen)])
        angle = 2 * math.pi * torch.rand(points, generator=gen)
        X = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], 1)
        y = torch.cat([torch.ones(half), torch.zeros(points - half)])
    elif name == "spirals":
        t = torch.cat([torch.linspace(0, 1, half), torch.linspace(0, 1, points - half)])
        shift = torch.cat([torch.zeros(half), torch.full((points - half,), math.pi)])
        angle = 1.75 * 2 * math.pi * t + shift
        X = torch.stack([t * torch.sin(angle), t * torch.cos(angle)], 1)
        y = torch.cat([torch.ones(half), torch.zeros(points - half)])
    elif name == "blobs":
        centres = torch.cat([torch.full((half, 2), 0.5), torch.full((points - half, 2), -0.5)])
        X = centres + 0.25 * torch.randn(points, 2, generator=gen)
        y = torch.cat([torch.ones(half), torch.zeros(points - half)])
    else:
        raise Explained(N_("Unknown dataset {value}; choose one of {choices}."), value=name,
                        choices=", ".join(DATASETS))
    return X + noise * torch.randn(points, 2, generator=gen), y


def split(X: torch.Tensor, y: torch.Tensor, test_fraction: float, seed: int):
    """(train X, train y, test X, test y): a seeded shuffle, the last ``test_fraction`` held out."""
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed + 1))
    n_test = max(1, min(len(y) - 1, round(len(y) * test_fraction)))
    train, test = order[n_test:], order[:n_test]
    return X[train], y[train], X[test], y[test]
