"""`python -m explorer step`: the issue's JSON document, its numbers, and bad flags."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_shapes_layers_and_line_of_one_sgd_step(capsys, fashion):
    rc, out, err = run_cli(capsys, "step", "--batch-size", "8", "--lr", "0.1", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"config", "shapes", "loss_before", "loss_after", "layers", "autograd_max_abs_diff", "line"}
    assert doc["config"]["batch_size"] == 8 and doc["config"]["optimizer"] == "sgd"
    assert doc["shapes"] == {"x": [8, 784], "z1": [8, 256], "h1": [8, 256], "o": [8, 10]}
    assert doc["loss_before"] == pytest.approx(2.3026, abs=0.01)  # log 10 at d2l's initialisation
    assert doc["loss_after"] < doc["loss_before"]
    assert [row["name"] for row in doc["layers"]] == ["layer 1", "layer 2"]
    assert [row["weight_shape"] for row in doc["layers"]] == [[784, 256], [256, 10]]
    for row in doc["layers"]:
        assert row["update_norm"] == pytest.approx(0.1 * row["grad_norm"], rel=1e-5)
    assert doc["autograd_max_abs_diff"] < 1e-6
    etas = [p["eta"] for p in doc["line"]]
    assert len(etas) >= 50 and etas[0] == 0 and etas[-1] == pytest.approx(0.4) and etas == sorted(etas)
    assert doc["line"][0]["loss"] == pytest.approx(doc["loss_before"], abs=1e-5)


def test_steps_deep_net_and_adam(capsys, fashion):
    rc, out, err = run_cli(capsys, "step", "--steps", "10", "--layers", "3", "--hidden", "32", "--activation",
                           "tanh", "--optimizer", "adam", "--lr", "0.001", "--loss", "mse", "--batch-size", "32",
                           "--seed", "4", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert list(doc["shapes"]) == ["x", "z1", "h1", "z2", "h2", "z3", "h3", "o"]
    assert len(doc["layers"]) == 4 and doc["layers"][3]["weight_shape"] == [32, 10]
    assert [t["step"] for t in doc["trace"]] == list(range(1, 11))
    assert [a["step"] for a in doc["test_accuracy"]] == [0, 10]
    assert doc["trace"][-1]["loss"] == pytest.approx(doc["loss_before"], rel=1e-6)


def test_text_output_and_bad_values(capsys, fashion):
    rc, out, _ = run_cli(capsys, "step", "--batch-size", "2", "--layers", "0")
    assert rc == 0 and "autograd agrees" in out and "after the step" in out and "o (2, 10)" in out
    for bad in (["--batch-size", "3"], ["--lr", "-1"], ["--loss", "hinge"], ["--optimizer", "rmsprop"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["step", *bad])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {bad[0]}" in err and "Traceback" not in err


def test_step_on_handwritten_digits(capsys, mnist):
    rc, out, err = run_cli(capsys, "step", "--dataset", "mnist", "--batch-size", "32", "--steps", "3", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["config"]["dataset"] == "mnist" and doc["shapes"]["x"] == [32, 784]
    assert doc["loss_before"] == pytest.approx(2.3026, abs=0.02) and doc["autograd_max_abs_diff"] < 1e-6
    rc, out, _ = run_cli(capsys, "step", "--batch-size", "32", "--json")
    assert json.loads(out)["config"]["dataset"] == "fashion-mnist"
