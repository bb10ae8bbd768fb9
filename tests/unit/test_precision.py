"""bfloat16 training: offered only where native, reproducible, and as accurate as float32 on d2l's MLP."""

import pytest
import torch

from explorer.fair_share import threads

from explorer.mlp import precision
from explorer.mlp.training import TrainConfig, Trainer

SMALL = dict(hidden=64, layers=2, epochs=2, batch_size=64, max_train=1000, max_test=500)

needs_bf16 = pytest.mark.skipif(not precision.bf16_support()[0], reason="no native bfloat16 on this machine")


def test_support_is_read_from_the_cpu_flags(monkeypatch):
    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"avx2", "avx512f", "avx512_bf16"})
    assert precision.bf16_support(torch.device("cpu")) == (True, "this CPU has avx512_bf16")
    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"avx2", "fma"})
    ok, why = precision.bf16_support(torch.device("cpu"))
    assert not ok and "neither AVX512-BF16 nor AMX" in why
    assert precision.offered() == ("fp32",)
    monkeypatch.setenv("EXPLORER_PRECISION", "bf16")
    assert precision.default_precision() == "fp32"  # asked for, but not offered here
    with pytest.raises(ValueError, match="bf16 is not available here: this CPU has neither"):
        TrainConfig(precision="bf16").validate()


def test_the_server_default_comes_from_the_environment(monkeypatch):
    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.setenv("EXPLORER_PRECISION", "BF16")
    assert precision.default_precision() == "bf16"
    monkeypatch.setenv("EXPLORER_PRECISION", "fp8")
    assert precision.default_precision() == "fp32"
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16"):
        TrainConfig(precision="fp8").validate()


@needs_bf16
@pytest.mark.parametrize("impl", ["concise", "scratch"])
def test_bf16_same_seed_same_result(fashion, impl):
    runs = [Trainer(TrainConfig(**SMALL, impl=impl, precision="bf16", dropout=(0.2,)), fashion) for _ in range(2)]
    for trainer in runs:
        list(trainer.train())
    a, b = ([{k: v for k, v in row.items() if k != "seconds"} for row in t.history] for t in runs)
    assert a == b
    for p, q in zip(runs[0].model.parameters(), runs[1].model.parameters()):
        assert p.dtype == torch.float32 and torch.equal(p, q)  # float32 master weights, bit for bit


@needs_bf16
def test_bf16_matmuls_with_float32_weights_and_loss(fashion):
    trainer = Trainer(TrainConfig(**SMALL, precision="bf16"), fashion)
    with precision.autocast("bf16", trainer.device):
        logits = trainer.model(trainer.train_x[:8])
    assert logits.dtype == torch.bfloat16
    fp32 = Trainer(TrainConfig(**SMALL), fashion)
    list(trainer.train())
    list(fp32.train())
    # Different rounding, the same learning: within a point of accuracy after 2 epochs.
    assert abs(trainer.history[-1]["test_acc"] - fp32.history[-1]["test_acc"]) < 0.02
    assert trainer.history[-1]["test_loss"] < fp32.history[0]["test_loss"] * 1.2


def test_a_requested_thread_count_is_kept_by_trainings(fashion):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        trainer = Trainer(TrainConfig(**SMALL), fashion)
        seen = []
        for _ in trainer.train(max_batches=3):
            pass
        with threads.training_threads():
            seen.append(torch.get_num_threads())
        assert seen == [1] and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
@needs_bf16
def test_d2l_ten_epochs_in_bf16_end_within_half_a_point_of_fp32(fashion):
    accs = {}
    for p in ("fp32", "bf16"):
        trainer = Trainer(TrainConfig(precision=p), fashion)
        list(trainer.train())
        accs[p] = trainer.history[-1]["test_acc"]
    assert accs["fp32"] > 0.8 and abs(accs["bf16"] - accs["fp32"]) <= 0.005, accs


def test_the_cli_says_why_bf16_is_not_offered(monkeypatch, capsys, fashion):
    from explorer.cli import main

    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"avx2"})
    assert main(["train", "--precision", "bf16", "--epochs", "1", "--max-train", "100"]) == 2
    err = capsys.readouterr().err
    assert "error: bf16 is not available here: this CPU has neither AVX512-BF16 nor AMX" in err


@needs_bf16
def test_the_cli_trains_in_bf16(capsys, fashion):
    import json

    from explorer.cli import main

    assert main(["train", "--precision", "bf16", "--epochs", "1", "--max-train", "500", "--max-test", "200",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config"]["precision"] == "bf16" and doc["final"]["status"] == "finished"
