"""Fashion-MNIST (Xiao et al., 2017), d2l's dataset for the chapter.

Where its four IDX files come from, in order:
1. the data dir (``$EXPLORER_DATA_DIR``, default ``./data``) in torchvision's layout,
   ``<data dir>/FashionMNIST/raw/train-images-idx3-ubyte`` and friends;
2. Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``), whose
   ``.gz`` files we decompress ourselves: their gzip headers differ from upstream's, so
   torchvision's checksum of the ``.gz`` would reject them;
3. torchvision's own download (needs the internet);
4. otherwise a :class:`DatasetMissingError` that says how to get the data.
"""

from __future__ import annotations

from pathlib import Path

from explorer import settings
from explorer.data.common import (
    CLASS_NAMES, RAW_FILES, Dataset, DatasetMissingError, default_data_dir, gunzip, read_idx, to_float,
)
from explorer.i18n import N_, Translate, no_translation

# torch and torchvision are imported inside the functions that need them: the landing page asks
# dataset_status() and must not wait ~3 s for those imports.
REMEDY = N_(
    "To get it: install Debian's copy with `sudo apt-get install dataset-fashion-mnist` "
    "(works offline once installed), or connect to the internet so torchvision can "
    "download it; then run `python -m explorer data`."
)


def system_data_dir() -> Path:
    # Overridable so tests (and odd installs) can point at another copy of the .gz files.
    return settings.get("EXPLORER_SYSTEM_DATA_DIR")


def raw_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "FashionMNIST" / "raw"


def _has_raw_files(data_dir: Path) -> bool:
    return all((raw_dir(data_dir) / name).is_file() for name in RAW_FILES)


def _copy_from_system(system_dir: Path, data_dir: Path) -> bool:
    """Decompress the system's four ``.gz`` files into the data dir; False if they are not there."""
    sources = [system_dir / f"{name}.gz" for name in RAW_FILES]
    if not all(src.is_file() for src in sources):
        return False
    target = raw_dir(data_dir)
    target.mkdir(parents=True, exist_ok=True)
    for src, name in zip(sources, RAW_FILES):
        gunzip(src, target / name, "Reinstall the package (`sudo apt-get install --reinstall dataset-fashion-mnist`).")
    return True


def ensure_fashion_mnist(data_dir: Path | str | None = None, system_dir: Path | str | None = None,
                         download: bool | None = None) -> str:
    """Make sure the raw files are in ``data_dir``; return where they came from."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    system_dir = Path(system_dir) if system_dir is not None else system_data_dir()
    if download is None:
        download = not settings.get("EXPLORER_NO_DOWNLOAD")
    if _has_raw_files(data_dir):
        return f"data dir {data_dir}"
    if _copy_from_system(system_dir, data_dir):
        return f"Debian package copy in {system_dir}"
    if download:
        from torchvision.datasets import FashionMNIST

        try:
            for train in (True, False):
                FashionMNIST(str(data_dir), train=train, download=True)
            return "torchvision download"
        except Exception as err:  # any network or checksum failure means the same to the user
            raise DatasetMissingError(
                f"Fashion-MNIST is not in {raw_dir(data_dir)} and the download failed ({err}). {REMEDY}"
            ) from err
    raise DatasetMissingError(f"Fashion-MNIST is not in {raw_dir(data_dir)}. {REMEDY}")


def load_fashion_mnist(data_dir: Path | str | None = None, system_dir: Path | str | None = None,
                       download: bool | None = None) -> Dataset:
    """Load both splits into memory (about 220 MB as float32); raises :class:`DatasetError`."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    source = ensure_fashion_mnist(data_dir, system_dir, download)
    from torchvision.datasets import FashionMNIST

    (train_x, train_y), (test_x, test_y) = (
        read_idx(FashionMNIST, data_dir, raw_dir(data_dir), train, "Fashion-MNIST", "python -m explorer data")
        for train in (True, False))
    # Scale once here, so the training loop slices ready tensors instead of converting per sample.
    return Dataset(to_float(train_x), train_y.long(), to_float(test_x), test_y.long(), CLASS_NAMES, source)


def dataset_status(data_dir: Path | str | None = None, system_dir: Path | str | None = None,
                   _: Translate = no_translation) -> tuple[bool, str]:
    """(ready, sentence) without loading anything: cheap enough for the landing page."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    system_dir = Path(system_dir) if system_dir is not None else system_data_dir()
    if _has_raw_files(data_dir):
        return True, _("Fashion-MNIST is ready in `{path}`.").format(path=raw_dir(data_dir))
    if all((system_dir / f"{name}.gz").is_file() for name in RAW_FILES):
        return True, _("Fashion-MNIST will be unpacked from Debian's copy in `{path}` on first use.").format(
            path=system_dir)
    return False, _("Fashion-MNIST is not on this machine yet. {remedy}").format(remedy=_(REMEDY))
