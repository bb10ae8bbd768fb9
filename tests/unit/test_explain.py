"""`python -m explorer explain --json`, and the model cache behind it, on the real dataset."""

import json
import subprocess
import sys

import pytest
import torch
from torch.nn import functional as F

from explorer.mlp import model_cache
from explorer.mlp.training import TrainConfig, Trainer, run_training


def _cli(*args, cache):
    env = {"EXPLORER_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=300,
                          env=env)


@pytest.mark.parametrize("layers", [0, 2])
def test_explain_json_matches_the_model(fashion, tmp_path, monkeypatch, layers):
    args = ["explain", "--index", "42", "--epochs", "1", "--layers", str(layers), "--hidden", "32",
            "--max-train", "3000", "--json"]
    out = _cli(*args, cache=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)  # exactly one JSON document
    assert {"index", "label", "predicted", "logits", "probabilities", "hidden", "top_units", "loss",
            "parameters"} <= set(doc)
    assert doc["index"] == 42 and doc["label"] == int(fashion.test_labels[42])
    config = TrainConfig(layers=layers, hidden=32, epochs=1, max_train=3000)
    monkeypatch.setenv("EXPLORER_CACHE_DIR", str(tmp_path))
    model, history = model_cache.load(config)
    logits = model(fashion.test_images[42:43]).detach()[0]
    assert doc["logits"] == pytest.approx(logits.tolist(), abs=1e-5)
    assert sum(doc["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    assert doc["probabilities"] == pytest.approx(torch.softmax(logits, 0).tolist(), abs=1e-6)
    assert doc["predicted"] == int(logits.argmax())
    ce = F.cross_entropy(logits[None], torch.tensor([doc["label"]])).item()
    assert doc["loss"]["cross_entropy"] == pytest.approx(ce, rel=1e-5)
    assert doc["parameters"]["total"] == sum(p.numel() for p in model.parameters())
    expected = [784 * 32 + 32, 32 * 32 + 32, 32 * 10 + 10] if layers else [784 * 10 + 10]
    assert [row["total"] for row in doc["parameters"]["per_layer"]] == expected
    assert [h["units"] for h in doc["hidden"]] == [32] * layers
    assert all(0 <= h["zero_fraction"] <= 1 for h in doc["hidden"])
    contributions = [u["contribution"] for u in doc["top_units"]]
    assert len(contributions) == 10 and contributions == sorted(contributions, reverse=True)
    assert doc["model"]["test_acc"] == history[-1]["test_acc"] and doc["model"]["from_cache"] is False

    again = _cli(*args, cache=tmp_path)  # the second call loads the cached weights: same numbers
    assert json.loads(again.stdout)["model"]["from_cache"] is True
    assert json.loads(again.stdout)["logits"] == doc["logits"]


@pytest.mark.parametrize("args", [["--index", "10000"], ["--index", "-1"], ["--index", "x"], [],
                                  ["--index", "0", "--layers", "4"], ["--index", "0", "--epochs", "0"],
                                  ["--index", "0", "--hidden", "abc"]])
def test_explain_bad_arguments_are_argparse_errors(tmp_path, args):
    out = _cli("explain", *args, cache=tmp_path)
    assert out.returncode == 2
    assert "error:" in out.stderr and "Traceback" not in out.stderr


def test_a_corrupt_cache_file_is_retrained_not_a_crash(fashion, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE_DIR", str(tmp_path))
    config = TrainConfig(layers=0, epochs=1, max_train=1000, max_test=500)
    model_cache.cache_path(config).parent.mkdir(parents=True, exist_ok=True)
    model_cache.cache_path(config).write_bytes(b"not a checkpoint")
    assert model_cache.load(config) is None
    model, history, cached = model_cache.train_or_load(config, fashion)
    assert not cached and len(history) == 1
    loaded, loaded_history, cached = model_cache.train_or_load(config, fashion)
    assert cached and loaded_history == history
    x = fashion.test_images[:5]
    assert torch.equal(loaded(x), model(x))


def test_the_cache_trains_as_the_trainer_does_bitwise_and_keeps_its_file_format(fashion, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE_DIR", str(tmp_path))
    config = TrainConfig(hidden=32, epochs=2, batch_size=64, dropout=(0.3,), max_train=1000, max_test=300, seed=5)
    model, history, cached = model_cache.train_or_load(config, fashion)
    reference = Trainer(TrainConfig(**config.to_dict()), fashion)
    result = reference.run()
    assert not cached and result["final"]["status"] == "finished"
    strip = lambda rows: [{k: v for k, v in row.items() if k != "seconds"} for row in rows]  # noqa: E731
    assert strip(history) == strip(result["history"])  # losses and accuracies to the last bit
    expected = reference.model.state_dict()
    assert all(torch.equal(tensor, expected[name]) for name, tensor in model.state_dict().items())
    saved = torch.load(model_cache.cache_path(config), weights_only=True)
    assert set(saved) == {"state_dict", "history", "config"} and saved["config"] == config.to_dict()
    assert saved["history"] == history and model_cache.cache_path(config).name.startswith("model-")
    loaded, loaded_history, cached = model_cache.train_or_load(config, fashion)
    assert cached and loaded_history == history
    assert all(torch.equal(tensor, expected[name]) for name, tensor in loaded.state_dict().items())


def test_a_diverged_run_says_why_and_is_not_cached(fashion, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE_DIR", str(tmp_path))
    config = TrainConfig(hidden=32, epochs=1, lr=1e38, batch_size=64, max_train=1000, max_test=300)
    events = []
    model, history, cached = model_cache.train_or_load(config, fashion, on_event=events.append)
    assert events[-1]["kind"] == "diverged" and not cached and history == []
    assert events[-1]["message"].startswith("Training diverged at epoch 0.")
    assert "Learning rate 1e+38 is too large for sgd; try a value about 10x smaller." in events[-1]["message"]
    assert not model_cache.cache_path(config).exists()


def test_train_cli_accepts_zero_layers(fashion):
    out = subprocess.run([sys.executable, "-m", "explorer", "train", "--layers", "0", "--epochs", "1",
                          "--max-train", "2000", "--max-test", "500", "--json"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["config"]["layers"] == 0 and doc["config"]["dropout"] == []
    assert doc["final"]["test_acc"] > 0.5


@pytest.mark.slow
@pytest.mark.parametrize("impl", ["concise", "scratch"])
def test_d2l_softmax_regression_reaches_reference_accuracy(fashion, impl):
    # d2l 3.6/3.7: lr 0.1, batch 256, 10 epochs, weights ~ normal(0, 0.01); d2l reports about 0.83.
    result = run_training(TrainConfig(layers=0, impl=impl), fashion)
    final = result["final"]
    assert final["status"] == "finished" and final["epoch"] == 10
    assert final["test_acc"] >= 0.80
    assert 0.40 < final["train_loss"] < 0.50  # d2l: about 0.45
