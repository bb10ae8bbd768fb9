"""What a trained classifier learned: predictions, confusion matrix, most-confused pairs, samples."""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from explorer.mlp.evaluation import predict
from explorer.data import FashionMNISTData


def confusion_matrix(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
                     num_classes: int = 10) -> torch.Tensor:
    """Counts, rows = true class, columns = predicted class."""
    predicted = predict(model, images)
    return torch.bincount(labels * num_classes + predicted, minlength=num_classes**2).reshape(num_classes, num_classes)


def most_confused(matrix: torch.Tensor, classes: tuple[str, ...], k: int = 5) -> pd.DataFrame:
    """The k largest off-diagonal cells: which true class is most often taken for which."""
    off = matrix.clone()
    off.fill_diagonal_(0)
    counts, flat = off.flatten().topk(k)
    n = len(classes)
    per_class = matrix.sum(1)
    return pd.DataFrame([
        {"true": classes[i // n], "predicted as": classes[i % n], "count": int(c),
         "share of true class": float(c) / max(int(per_class[i // n]), 1)}
        for c, i in zip(counts.tolist(), flat.tolist()) if c > 0
    ])


def class_samples(data: FashionMNISTData, per_class: int = 8) -> torch.Tensor:
    """(classes, per_class, 28, 28): the first training images of each class."""
    # Indices, not boolean masks: a mask copies every image of the class (~190 MB in all), per call.
    picks = [(data.train_labels == c).nonzero()[:per_class, 0] for c in range(len(data.classes))]
    per_class = min(len(p) for p in picks)  # a small subset may hold fewer of some class
    idx = torch.cat([p[:per_class] for p in picks])
    return data.train_images[idx, 0].reshape(len(data.classes), per_class, 28, 28)
