"""Fixtures the page tests share."""

import pytest

from explorer.lessons import inside
from explorer.mlp.training import TrainConfig
from ui import inside as panel


@pytest.fixture
def quick_recipe(monkeypatch, tmp_path):
    """``quick_recipe(epochs, max_train)`` makes the quick model that small (seconds, not the full data),
    trained into an empty cache."""
    def use(epochs: int, max_train: int) -> None:
        monkeypatch.setenv("EXPLORER_CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(inside, "quick_config", lambda dataset="fashion-mnist": TrainConfig(
            epochs=epochs, seed=0, max_train=max_train, dataset=dataset))
        panel._quick_model.clear()

    yield use
    panel._quick_model.clear()


@pytest.fixture
def small_quick_model(quick_recipe):
    """The quick model's recipe on 2,000 Fashion-MNIST images, one epoch."""
    quick_recipe(epochs=1, max_train=2000)
