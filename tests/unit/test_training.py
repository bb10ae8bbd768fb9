"""The training loop: it learns, it reports divergence, it stops and resumes, it is reproducible."""

import json
import math
import subprocess
import sys
import threading

import pytest
import torch

from explorer.data import FashionMNISTData
from explorer.mlp.training import TrainConfig, Trainer, run_training


def synthetic_data(n_train=512, n_test=256, seed=0) -> FashionMNISTData:
    """Images whose class is which of ten pixel blocks is bright: learnable in a few steps."""
    gen = torch.Generator().manual_seed(seed)

    def make(n):
        labels = torch.randint(0, 10, (n,), generator=gen)
        images = torch.rand(n, 1, 28, 28, generator=gen) * 0.2
        for i, label in enumerate(labels.tolist()):
            images[i, 0, 2 * label:2 * label + 2, :] += 0.8
        return images, labels

    (train_x, train_y), (test_x, test_y) = make(n_train), make(n_test)
    return FashionMNISTData(train_x, train_y, test_x, test_y)


def test_short_training_on_real_subset_lowers_the_loss(fashion):
    config = TrainConfig(epochs=3, max_train=6000, max_test=2000)
    trainer = Trainer(config, fashion)
    events = list(trainer.train())
    epochs = [e for e in events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"] < math.log(10)
    assert epochs[-1]["test_acc"] > 0.5  # chance is 0.1
    assert trainer.status == "finished"


def test_every_optimizer_and_activation_learns_synthetic_data():
    data = synthetic_data()
    for optimizer, lr in [("sgd", 0.5), ("momentum", 0.1), ("adam", 0.01), ("rmsprop", 0.01), ("adagrad", 0.1)]:
        result = run_training(TrainConfig(epochs=3, batch_size=64, optimizer=optimizer, lr=lr), data)
        assert result["final"]["test_acc"] > 0.9, optimizer
    for activation in ("sigmoid", "tanh", "leaky_relu", "gelu"):
        config = TrainConfig(epochs=5, batch_size=32, activation=activation, lr=0.5, init_std=0.1,
                             impl="scratch", layers=2, dropout=(0.1, 0.2))
        result = run_training(config, data)
        assert result["final"]["test_acc"] > 0.8, activation


def test_huge_learning_rate_reports_diverged_instead_of_raising():
    trainer = Trainer(TrainConfig(lr=1e4, epochs=5, batch_size=64, init_std=1.0), synthetic_data())
    events = list(trainer.train())
    assert trainer.status == "diverged"
    assert events[-1]["kind"] == "diverged" and "too large" in events[-1]["message"]
    assert all(math.isfinite(row["test_loss"]) for row in trainer.history)
    assert trainer.result()["final"]["status"] == "diverged"


def test_same_seed_same_history_other_seed_differs():
    data = synthetic_data()
    run = lambda seed: run_training(TrainConfig(epochs=2, batch_size=32, seed=seed), data)["history"]  # noqa: E731
    strip = lambda h: [{k: v for k, v in row.items() if k != "seconds"} for row in h]  # noqa: E731
    assert strip(run(1)) == strip(run(1))
    assert strip(run(1)) != strip(run(2))


def _without_seconds(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


@pytest.mark.parametrize("impl", ["concise", "scratch"])
def test_same_seed_same_run_while_another_session_trains(fashion, impl):
    # Two sessions on one server train in two threads of one process; each run owns its generators.
    config = lambda: TrainConfig(epochs=1, dropout=(0.5,), impl=impl, max_train=5000, max_test=2000)  # noqa: E731
    alone = Trainer(config(), fashion)
    list(alone.train())
    together = [Trainer(config(), fashion) for _ in range(2)]
    start = threading.Barrier(2)

    def train(trainer):
        start.wait()
        for _ in trainer.train(progress_every=0.0):
            pass

    threads = [threading.Thread(target=train, args=(t,)) for t in together]
    global_state = torch.get_rng_state()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [t.status for t in together] == ["finished", "finished"]
    assert _without_seconds(together[0].history) == _without_seconds(alone.history)
    assert _without_seconds(together[1].history) == _without_seconds(alone.history)
    assert torch.equal(torch.get_rng_state(), global_state)  # the library never touched the global RNG


def test_stop_between_batches_then_resume_equals_uninterrupted_run():
    data = synthetic_data()
    whole = Trainer(TrainConfig(epochs=2, batch_size=32), data)
    list(whole.train())

    paused = Trainer(TrainConfig(epochs=2, batch_size=32), data)
    calls = iter(range(1000))
    list(paused.train(should_stop=lambda: next(calls) >= 21))  # stop inside epoch 2
    assert paused.status == "stopped" and paused.epochs_done == 1
    assert 1 < paused.epoch_progress < 2
    list(paused.train())
    assert paused.status == "finished"
    for a, b in zip(whole.history, paused.history, strict=True):
        assert a["test_loss"] == pytest.approx(b["test_loss"], rel=1e-6)


def test_continue_trains_further_without_resetting_weights():
    trainer = Trainer(TrainConfig(epochs=1, batch_size=32), synthetic_data())
    list(trainer.train())
    weights = trainer.model[1].weight.detach().clone()
    trainer.set_lr(0.05)
    list(trainer.train(until_epoch=3))
    assert [row["epoch"] for row in trainer.history] == [1, 2, 3]
    assert trainer.optimizer.param_groups[0]["lr"] == 0.05
    assert not torch.equal(weights, trainer.model[1].weight)
    assert trainer.history[2]["train_loss"] < trainer.history[0]["train_loss"]


def test_progress_events_arrive_within_an_epoch():
    trainer = Trainer(TrainConfig(epochs=1, batch_size=8), synthetic_data(n_train=2048))
    events = list(trainer.train(progress_every=0.0))
    progress = [e for e in events if e["kind"] == "progress"]
    assert len(progress) > 100
    assert all(0 < e["epoch"] < 1 for e in progress)
    assert events[-1]["kind"] == "epoch"


@pytest.mark.parametrize(("bad", "message"), [
    (dict(layers=4), "hidden layers must be 0, 1, 2 or 3"),
    (dict(lr=float("nan")), "learning rate must be a positive number"),
    (dict(dropout=(1.0,)), r"dropout must be in \[0, 1\)"),
    (dict(dropout=(0.1, 0.2, 0.3)), "give 1 or 1 dropout values"),
    (dict(optimizer="lbfgs"), "optimizer must be one of sgd, momentum, adam, rmsprop, adagrad"),
    (dict(activation="swish9"), "activation must be one of relu, sigmoid, tanh, leaky_relu, gelu"),
    (dict(impl="keras"), "impl must be one of concise, scratch"),
])
def test_bad_config_is_rejected_with_a_message(bad, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        TrainConfig(**bad).validate()
    with pytest.raises(ValueError, match=f"^{message}$"):  # the trainer checks before it builds anything
        Trainer(TrainConfig(**bad), synthetic_data(n_train=8, n_test=8))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=300)


def test_cli_json_shape(fashion):
    out = _cli("train", "--epochs", "2", "--max-train", "3000", "--max-test", "1000", "--impl", "scratch",
               "--dropout", "0.2", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)  # exactly one JSON document on stdout
    assert set(doc) == {"config", "history", "final"}
    assert doc["config"]["impl"] == "scratch" and doc["config"]["dropout"] == [0.2]
    keys = {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"}
    assert [set(row) for row in doc["history"]] == [keys, keys]
    assert set(doc["final"]) == keys | {"status"} and doc["final"]["status"] == "finished"


@pytest.mark.parametrize("args", [["train", "--lr", "abc"], ["train", "--hidden", "-5"], ["train", "--layers", "7"],
                                  ["train", "--dropout", "1.5"], ["train", "--activation", "swish9"], ["fly"]])
def test_cli_bad_arguments_are_argparse_errors(args):
    out = _cli(*args)
    assert out.returncode == 2
    assert "error:" in out.stderr and "Traceback" not in out.stderr


def test_concurrent_trainings_share_the_cores_and_hand_them_back():
    from explorer.fair_share import threads

    seen = []
    trainer = Trainer(TrainConfig(epochs=1, batch_size=32), synthetic_data())
    with threads.training_threads():  # another training is running in this process
        assert threads.running_trainings() == 1
        # should_stop is asked between batches, in the training's own thread, after it took its share
        list(trainer.train(should_stop=lambda: seen.append(torch.get_num_threads()) or False))
        assert threads.running_trainings() == 1
    assert threads.running_trainings() == 0
    assert set(seen[1:]) == {max(1, threads.CORES // 2)}  # two at once: half the cores each
    assert torch.get_num_threads() == threads.CORES  # the last one to finish hands every core back
    assert trainer.status == "finished"


def test_stop_marks_a_running_run_stopped_and_train_resumes_it():
    trainer = Trainer(TrainConfig(epochs=1, batch_size=32), synthetic_data())
    trainer.stop()
    assert trainer.status == "ready"  # nothing to stop yet
    events = trainer.train(progress_every=0.0)
    next(events)  # a UI draws the first progress event, then the user clicks Stop
    trainer.stop()
    events.close()
    assert trainer.status == "stopped" and 0 < trainer.epoch_progress < 1
    list(trainer.train())
    assert trainer.status == "finished" and trainer.epochs_done == 1


def test_retired_run_keeps_its_numbers_in_declared_fields():
    from explorer.mlp import runs

    book = []
    first = runs.new_run(book, TrainConfig(epochs=1, batch_size=64), synthetic_data())
    list(first.trainer.train())
    history = list(first.trainer.history)
    for _ in range(runs.MAX_LIVE_MODELS):
        runs.new_run(book, TrainConfig(epochs=1, batch_size=64), synthetic_data())
    assert first.trainer is None
    assert first.history == first.retired_history == history and first.status == first.retired_status == "finished"


@pytest.mark.parametrize("weight_decay", [0.0, 0.5])
def test_weight_decay_is_the_hand_computed_sgd_step_on_weights_only(weight_decay):
    """One full-batch SGD step: W ← W − η(∇W + λW) for every weight matrix, b ← b − η∇b for every bias."""
    data = synthetic_data(n_train=64, n_test=16)
    config = TrainConfig(hidden=16, layers=2, lr=0.5, batch_size=64, epochs=1, weight_decay=weight_decay,
                         optimizer="sgd", init_std=0.5, seed=3)
    trainer = Trainer(config, data)
    with torch.no_grad():  # biases start at 0, where decaying them would change nothing: move them away
        for bias in (p for p in trainer.model.parameters() if p.ndim == 1):
            bias.copy_(torch.linspace(-1, 1, len(bias)))
    before = [p.detach().clone() for p in trainer.model.parameters()]
    loss = torch.nn.functional.cross_entropy(trainer.model(trainer.train_x), trainer.train_y)
    grads = torch.autograd.grad(loss, list(trainer.model.parameters()))
    for _ in trainer.train():
        pass
    for old, grad, new in zip(before, grads, trainer.model.parameters(), strict=True):
        decay = weight_decay * old if old.ndim > 1 else 0  # biases are never decayed
        assert torch.allclose(new.detach(), old - config.lr * (grad + decay), rtol=1e-5, atol=1e-6)
    moved = [float((new.detach() - old).norm()) for old, new in zip(before, trainer.model.parameters())]
    assert all(m > 0 for m in moved)
