"""The loader's real code path on tiny IDX files that the tests write."""

import pytest
import torch

from explorer.data import (
    CLASS_NAMES,
    DATASETS,
    TRAIN_SIZES,
    DatasetCorruptError,
    DatasetMissingError,
    dataset_status,
    load_fashion_mnist,
    max_train,
    raw_dir,
)
from tests.conftest import make_tiny_fashion


def test_loads_from_system_gz_copy_into_data_dir(tmp_path):
    system, data_dir = tmp_path / "debian", tmp_path / "data"
    written = make_tiny_fashion(system)
    assert dataset_status(data_dir, system)[0]

    data = load_fashion_mnist(data_dir, system, download=False)

    assert "Debian" in data.source
    assert (raw_dir(data_dir) / "train-images-idx3-ubyte").is_file()
    assert data.train_images.shape == (20, 1, 28, 28) and data.test_images.shape == (10, 1, 28, 28)
    assert data.train_images.dtype == torch.float32
    expected = written["train-images-idx3-ubyte"].float() / 255
    assert torch.allclose(data.train_images[:, 0], expected)
    assert data.train_labels.tolist() == written["train-labels-idx1-ubyte"].tolist()
    assert data.test_labels.tolist() == written["t10k-labels-idx1-ubyte"].tolist()
    assert data.classes == CLASS_NAMES and len(CLASS_NAMES) == 10


def test_second_load_uses_data_dir_without_system_copy(tmp_path):
    make_tiny_fashion(tmp_path / "debian")
    load_fashion_mnist(tmp_path / "data", tmp_path / "debian", download=False)
    data = load_fashion_mnist(tmp_path / "data", tmp_path / "nowhere", download=False)
    assert data.source.startswith("data dir") and len(data.train_labels) == 20


def test_missing_everywhere_names_both_remedies(tmp_path):
    assert not dataset_status(tmp_path / "data", tmp_path / "nowhere")[0]
    with pytest.raises(DatasetMissingError) as err:
        load_fashion_mnist(tmp_path / "data", tmp_path / "nowhere", download=False)
    message = str(err.value)
    assert "apt-get install dataset-fashion-mnist" in message and "internet" in message


def test_truncated_file_gives_clear_error(tmp_path):
    make_tiny_fashion(raw_dir(tmp_path / "data"), compress=False)
    images = raw_dir(tmp_path / "data") / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])
    with pytest.raises(DatasetCorruptError, match="truncated or corrupt"):
        load_fashion_mnist(tmp_path / "data", tmp_path / "nowhere", download=False)


def test_corrupt_system_gz_gives_clear_error(tmp_path):
    make_tiny_fashion(tmp_path / "debian")
    (tmp_path / "debian" / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(DatasetCorruptError, match="decompress"):
        load_fashion_mnist(tmp_path / "data", tmp_path / "debian", download=False)
    assert not list(raw_dir(tmp_path / "data").glob("*.partial"))


def test_subset_is_a_view_of_the_first_examples(tmp_path):
    make_tiny_fashion(tmp_path / "debian")
    data = load_fashion_mnist(tmp_path / "data", tmp_path / "debian", download=False)
    small = data.subset(max_train=5, max_test=3)
    assert len(small.train_labels) == 5 and len(small.test_labels) == 3
    assert small.train_images.data_ptr() == data.train_images.data_ptr()


def test_real_dataset_shapes(fashion):
    assert fashion.train_images.shape == (60000, 1, 28, 28)
    assert fashion.test_images.shape == (10000, 1, 28, 28)
    assert 0 <= fashion.train_images.min() and fashion.train_images.max() <= 1
    assert torch.bincount(fashion.train_labels).tolist() == [6000] * 10


def test_the_largest_training_size_means_every_image_the_dataset_has():
    assert TRAIN_SIZES == tuple(sorted(TRAIN_SIZES)) and TRAIN_SIZES[-1] == DATASETS["fashion-mnist"].train_size
    assert max_train(TRAIN_SIZES[-1]) is None  # the whole split, whatever its size (MNIST offline: 8,000)
    assert [max_train(n) for n in TRAIN_SIZES[:-1]] == list(TRAIN_SIZES[:-1])
