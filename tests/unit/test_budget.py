"""explorer.fair_share.budget: a run's work in FLOP, and how many epochs a server's budget allows."""

import pytest

from explorer.fair_share import budget
from explorer.mlp.training import TrainConfig, Trainer


def test_the_d2l_epoch_counts_no_input_gradient_for_the_first_layer():
    train, test = budget.sample_flops([784, 256, 10])
    assert train == 4 * 784 * 256 + 6 * 256 * 10  # the count
    assert test == 2 * (784 * 256 + 256 * 10)
    assert budget.epoch_flops([784, 256, 10], 60_000, 10_000) == train * 60_000 + test * 10_000


def test_width_and_depth_cost_more():
    d2l = budget.epoch_flops([784, 256, 10], 60_000, 10_000)
    heavy = budget.epoch_flops([784, 1024, 1024, 1024, 10], 60_000, 10_000)
    assert heavy / d2l == pytest.approx(19.0, abs=0.1)
    assert budget.epoch_flops([784, 10], 60_000, 10_000) < d2l  # softmax regression


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("EXPLORER_RUN_BUDGET", raising=False)
    assert budget.run_budget() == 5e12
    monkeypatch.setenv("EXPLORER_RUN_BUDGET", "0.5")
    assert budget.run_budget() == 0.5e12
    for bad in ("lots", "-1", "nan"):
        monkeypatch.setenv("EXPLORER_RUN_BUDGET", bad)
        assert budget.run_budget() == 5e12


def test_allowed_epochs_counts_what_was_trained():
    assert budget.allowed_epochs(1e12, 5e12) == 5
    assert budget.allowed_epochs(1e12, 5e12, done=3) == 2
    assert budget.allowed_epochs(1e12, 5e12, done=5) == 0
    assert budget.allowed_epochs(9e12, 5e12) == 1  # a new run always gets one epoch


def test_the_trainer_knows_its_epoch_work(fashion):
    trainer = Trainer(TrainConfig(max_train=1000, max_test=500), fashion)
    assert trainer.epoch_flops == budget.epoch_flops([784, 256, 10], 1000, 500)
