"""d2l's numbers on the full dataset: 784-256-10, SGD 0.1, batch 256, 10 epochs → test acc ≥ 0.82."""

import pytest

from explorer.mlp.training import TrainConfig, run_training


@pytest.mark.slow
@pytest.mark.parametrize("impl", ["concise", "scratch"])
def test_d2l_mlp_defaults_reach_reference_accuracy(fashion, impl):
    result = run_training(TrainConfig(impl=impl), fashion)
    final = result["final"]
    assert final["status"] == "finished" and final["epoch"] == 10
    assert final["test_acc"] >= 0.82  # d2l: 0.82-0.85
    assert 0.30 < final["train_loss"] < 0.45  # d2l: about 0.38
    assert final["train_acc"] > 0.84


@pytest.mark.slow
def test_d2l_dropout_preset_reaches_reference_accuracy(fashion):
    # d2l 4.6: two hidden layers of 256, dropout 0.2 then 0.5, lr 0.5, 10 epochs.
    result = run_training(TrainConfig(layers=2, dropout=(0.2, 0.5), lr=0.5, impl="scratch"), fashion)
    assert result["final"]["test_acc"] >= 0.82
