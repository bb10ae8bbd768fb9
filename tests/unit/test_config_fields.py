"""explorer.fields: each setting declared once; the checks, the CLI's flags and the pages' controls read it."""

import argparse
import dataclasses

import pytest

from explorer import fields
from explorer.classroom import board
from explorer.cli import build_parser
from explorer.cli.common import add_config_options, config_from_args
from explorer.i18n import Explained
from explorer.lessons.activations import DepthConfig
from explorer.lessons.approximate import ApproxConfig
from explorer.lessons.backprop_step import StepConfig
from explorer.lessons.double_descent import DoubleDescentConfig
from explorer.lessons.playground import PlaygroundConfig
from explorer.lessons.polynomial import PolyConfig
from explorer.lessons.weight_decay import WeightDecayConfig
from explorer.mlp import runs
from explorer.mlp.config import TrainConfig
from tests.unit.test_training import synthetic_data
from ui.params import Param

CONFIGS = (TrainConfig, StepConfig, PolyConfig, DoubleDescentConfig, WeightDecayConfig, PlaygroundConfig,
           ApproxConfig, DepthConfig)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_is_frozen_valid_by_default_and_json_ready(config):
    c = config()
    c.validate()
    assert c.to_dict() == {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(c).items()} \
        or config is TrainConfig  # TrainConfig repeats one dropout per layer
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.seed = 1
    assert set(fields.settings(config)) == {f.name for f in dataclasses.fields(config)}


def test_a_refused_value_says_its_range_in_the_fields_message():
    with pytest.raises(ValueError, match="^degree \\(number of features\\) must be 1 to 20$"):
        PolyConfig(degree=21).validate()
    with pytest.raises(ValueError, match="^training-set size must be 2 to 30$"):
        DoubleDescentConfig(n_train=1).validate()
    with pytest.raises(ValueError, match="^learning rate must be a positive number$"):
        TrainConfig(lr=float("inf")).validate()  # not finite is refused too
    with pytest.raises(ValueError, match=r"^dropout must be in \[0, 1\)$"):
        TrainConfig(layers=2, dropout=(0.5, 1.0)).validate()  # every layer's value is checked
    with pytest.raises(Explained) as err:  # the playground's messages are translated in the app
        PlaygroundConfig(hidden=9).validate()
    assert err.value.template == "Units per hidden layer must be between 1 and {hi}, not {value}."
    assert err.value.fields["hi"] == 8 and err.value.fields["value"] == 9


def test_step_config_shares_the_training_settings():
    train, step = fields.settings(TrainConfig), fields.settings(StepConfig)
    for name in ("hidden", "layers", "activation", "impl", "init_std"):
        assert dataclasses.replace(step[name], help=None, cli=True) == dataclasses.replace(train[name], help=None)
    with pytest.raises(ValueError, match="^hidden layers must be 0, 1, 2 or 3$"):
        StepConfig(layers=4).validate()


def _parse(config, argv, **overrides):
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_config_options(parser, config, **overrides)
    return parser.parse_args(argv)


def test_flags_come_from_the_fields():
    assert config_from_args(TrainConfig, _parse(TrainConfig, [])) == TrainConfig()
    args = _parse(TrainConfig, ["--layers", "2", "--dropout", "0.2", "0.5", "--batch-size", "64", "--max-train", "9"])
    assert config_from_args(TrainConfig, args) == TrainConfig(layers=2, dropout=(0.2, 0.5), batch_size=64, max_train=9)
    for bad in (["--lr", "0"], ["--dropout", "1"], ["--hidden", "0"], ["--layers", "4"], ["--impl", "keras"]):
        with pytest.raises(argparse.ArgumentError):
            _parse(TrainConfig, bad)
    with pytest.raises(argparse.ArgumentError, match="'9' must be between 1 and 8"):
        _parse(PlaygroundConfig, ["--hidden", "9"])
    assert _parse(DepthConfig, [], depth={"default": 15}).depth == 15


def test_every_subcommand_keeps_its_defaults():
    parser = build_parser()
    train = vars(parser.parse_args(["train"]))
    assert {k: train[k] for k in ("hidden", "layers", "lr", "batch_size", "epochs", "dropout", "weight_decay",
                                  "activation", "optimizer", "init_std", "impl", "seed", "max_train", "max_test",
                                  "dataset", "precision")} == {
        "hidden": 256, "layers": 1, "lr": 0.1, "batch_size": 256, "epochs": 10, "dropout": [0.0], "weight_decay": 0.0,
        "activation": "relu", "optimizer": "sgd", "init_std": 0.01, "impl": "concise", "seed": 0, "max_train": None,
        "max_test": None, "dataset": "fashion-mnist", "precision": None}
    explain = vars(parser.parse_args(["explain", "--index", "3"]))
    assert (explain["epochs"], explain["hidden"], explain["layers"], explain["max_train"]) == (2, 256, 1, None)
    acts = vars(parser.parse_args(["activations"]))
    assert (acts["activation"], acts["depth"], acts["width"], acts["init_scale"]) == ("sigmoid", 15, 128, 1.0)
    wd = vars(parser.parse_args(["weight-decay"]))
    assert (wd["lambd"], wd["epochs"], wd["lr"], wd["n_train"], wd["num_inputs"]) == (0.0, 100, 0.003, 20, 200)
    poly = vars(parser.parse_args(["poly"]))
    assert (poly["degree"], poly["n_train"], poly["dd_n"], poly["ridge"]) == (4, 100, 20, 0.0)
    assert vars(parser.parse_args(["step"]))["batch_size"] == 256
    assert vars(parser.parse_args(["playground"]))["epochs"] == 300


def test_a_page_control_is_the_fields_default_and_the_pages_scale():
    lrs = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
    assert Param.of(TrainConfig, "hidden") == Param(256, 16, 1024, kind=int)
    assert Param.of(TrainConfig, "lr") == Param(0.1, lrs[0], lrs[-1], choices=lrs)
    assert Param.of(TrainConfig, "dropout") == Param(0.0, 0.0, 0.9)  # one layer's value
    assert Param.of(TrainConfig, "batch_size") == Param(256, 32, 1024, (32, 64, 128, 256, 512, 1024), kind=int)
    assert Param.of(TrainConfig, "activation") == Param("relu", choices=TrainConfig.__dataclass_fields__[
        "activation"].metadata["setting"].choices, kind=str)
    assert Param.of(TrainConfig, "precision", default="bf16").default == "bf16"
    assert Param.of(StepConfig, "batch_size") == Param(256, 1, 256, (1, 2, 8, 32, 256), kind=int)
    assert Param.of(PlaygroundConfig, "noise").span == (0.0, 0.5)  # the page offers less than the config takes


# What the pages declared by hand before their controls came from the fields: links must clamp the same way.
BEFORE = [
    (PolyConfig, "degree", Param(4, 1, 20, kind=int)), (PolyConfig, "noise", Param(0.1, 0.0, 1.0)),
    (PolyConfig, "n_train", Param(100, 10, 1000, (10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000), int)),
    (PolyConfig, "epochs", Param(400, 10, 2000, kind=int)), (PolyConfig, "seed", Param(0, 0, 9999, kind=int)),
    (PolyConfig, "lr", Param(0.01, choices=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1))),
    (PolyConfig, "batch_size", Param(10, choices=(1, 2, 5, 10, 20, 50, 100), kind=int)),
    (WeightDecayConfig, "penalty", Param("l2", choices=("l2", "l1"), kind=str)),
    (WeightDecayConfig, "impl", Param("scratch", choices=("scratch", "concise"), kind=str)),
    (WeightDecayConfig, "epochs", Param(100, 1, 300, kind=int)),
    (WeightDecayConfig, "lr", Param(0.003, choices=(0.0003, 0.001, 0.003, 0.01, 0.03))),
    (WeightDecayConfig, "n_train", Param(20, 1, 200, kind=int)),
    (WeightDecayConfig, "num_inputs", Param(200, choices=(10, 20, 50, 100, 200, 500, 1000), kind=int)),
    (WeightDecayConfig, "seed", Param(0, 0, 10_000, kind=int)),
    (PlaygroundConfig, "dataset", Param("xor", choices=("xor", "circles", "spirals", "blobs"), kind=str)),
    (PlaygroundConfig, "noise", Param(0.05, 0.0, 0.5)), (PlaygroundConfig, "test_fraction", Param(0.5, 0.1, 0.9)),
    (PlaygroundConfig, "seed", Param(0, 0, 999, kind=int)), (PlaygroundConfig, "layers", Param(1, 0, 3, kind=int)),
    (PlaygroundConfig, "hidden", Param(4, 1, 8, kind=int)),
    (PlaygroundConfig, "activation", Param("relu", choices=("relu", "tanh", "sigmoid"), kind=str)),
    (PlaygroundConfig, "lr", Param(0.03, 0.001, 1.0, (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0))),
    (ApproxConfig, "target", Param("sin", choices=("sin", "abs", "step", "bump"), kind=str)),
    (ApproxConfig, "units", Param(8, 1, 64, kind=int)),
    (ApproxConfig, "method", Param("lstsq", choices=("lstsq", "trained"), kind=str)),
    (DepthConfig, "alpha", Param(0.25, 0.0, 1.0)), (DepthConfig, "depth", Param(10, 2, 20, kind=int)),
    (DepthConfig, "width", Param(128, choices=(32, 64, 128, 256), kind=int)),
    (DepthConfig, "init_scale", Param(1.0, choices=(0.5, 0.71, 1.0, 1.41, 2.0, 3.0))),
    (DepthConfig, "seed", Param(0, 0, 999, kind=int)),
    (StepConfig, "layers", Param(1, 0, 3, kind=int)), (StepConfig, "hidden", Param(256, 16, 1024, kind=int)),
    (StepConfig, "seed", Param(0, 0, 10_000, kind=int)),
    (StepConfig, "lr", Param(0.1, 1e-4, 50.0, (1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 50.0))),
    (StepConfig, "weight_decay", Param(0.0, 0.0, 0.1, (0.0, 1e-4, 1e-3, 1e-2, 0.1))),
    (StepConfig, "loss", Param("ce", choices=("ce", "mse", "l1"), kind=str)),
    (StepConfig, "optimizer", Param("sgd", choices=("sgd", "momentum", "adam"), kind=str)),
    (TrainConfig, "layers", Param(1, 0, 3, kind=int)), (TrainConfig, "epochs", Param(10, 1, 50, kind=int)),
    (TrainConfig, "seed", Param(0, 0, 10_000, kind=int)),
    (TrainConfig, "weight_decay", Param(0.0, 0.0, 1e-2, (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2))),
    (TrainConfig, "init_std", Param(0.01, 0.001, 1.0, (0.001, 0.01, 0.05, 0.1, 0.5, 1.0))),
    (TrainConfig, "impl", Param("concise", choices=("concise", "scratch"), kind=str)),
    (TrainConfig, "optimizer", Param("sgd", choices=("sgd", "momentum", "adam", "rmsprop", "adagrad"), kind=str)),
]


@pytest.mark.parametrize(("config", "name", "before"), BEFORE, ids=[f"{c.__name__}.{n}" for c, n, _ in BEFORE])
def test_the_pages_controls_are_unchanged(config, name, before):
    assert Param.of(config, name) == before


def test_a_runs_config_is_its_trainers():
    book: list[runs.Run] = []
    run = runs.new_run(book, TrainConfig(epochs=1, batch_size=64), synthetic_data(n_train=128, n_test=64))
    assert run.config == run.trainer.config.to_dict() and run.train_images == 128
    runs.continue_run(run, 0.3, 1)
    assert run.config["lr"] == 0.3 == run.trainer.config.lr and "lr 0.3" in run.name
    run.retire()
    assert run.trainer is None and run.config["lr"] == 0.3
    assert runs.comparison_table(book)["train images"].tolist() == [128]


def test_the_board_counts_a_full_run_as_the_datasets_training_set():
    shared = {"runs": [{"run": 1, "nickname": "x", "status": "finished", "shared_at": "", "final": {},
                        "config": {"max_train": None, "dataset": "mnist"}},
                       {"run": 2, "nickname": "y", "status": "finished", "shared_at": "", "final": {},
                        "config": {"max_train": 5000}}]}
    assert board.runs_frame(shared)["train_size"].tolist() == [60_000, 5000]
