"""The datasets, loaded once into memory as tensors: Fashion-MNIST (the default) and MNIST.

:data:`DATASETS` names each one, its classes and where it comes from; :func:`load_dataset` loads one by
name into a :class:`Dataset`. Each dataset's sources live in a module of its own
(:mod:`explorer.data.fashion_mnist`, :mod:`explorer.data.mnist`); this package's names are the ones to
import.
"""

from __future__ import annotations

from pathlib import Path

from explorer.data.common import (  # noqa: F401 (re-exported: the package's names)
    CLASS_NAMES, DATASET_NAMES, DATASETS, DEFAULT_DATASET, FULL_DIGITS, FULL_IMAGES, OFFLINE_DIGITS, RAW_FILES,
    Dataset, DatasetCorruptError, DatasetError, DatasetInfo, DatasetMissingError, FashionMNISTData,
    TRAIN_SIZES, default_data_dir, max_train, to_float,
)
from explorer.data.fashion_mnist import (  # noqa: F401
    REMEDY, dataset_status, ensure_fashion_mnist, load_fashion_mnist, raw_dir, system_data_dir,
)
from explorer.data.mnist import load_mnist, mnist_status  # noqa: F401


def load_dataset(name: str = DEFAULT_DATASET, data_dir: Path | str | None = None,
                 download: bool | None = None, prefer_download: bool = False) -> Dataset:
    """The dataset called ``name`` (see :data:`DATASETS`); raises :class:`DatasetError`.

    ``prefer_download``: MNIST tries torchvision's download even when its offline subset is there."""
    if name == "mnist":
        return load_mnist(data_dir, download=download, prefer_download=prefer_download)
    if name != "fashion-mnist":
        raise DatasetMissingError(f"There is no dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}.")
    return load_fashion_mnist(data_dir, download=download)
