"""`python -m explorer playground` and `approximate`: the issue's flags and JSON, and bad arguments."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_playground_json(capsys):
    rc, out, _ = run_cli(capsys, "playground", "--dataset", "xor", "--layers", "1", "--hidden", "4",
                         "--activation", "relu", "--epochs", "300", "--seed", "0", "--json")
    assert rc == 0
    result = json.loads(out)
    assert set(result) == {"config", "history", "final"}
    assert len(result["history"]) == 300
    assert set(result["history"][0]) == {"epoch", "train_loss", "train_acc", "test_acc"}
    assert set(result["final"]) == {"train_acc", "test_acc"}
    assert result["final"]["test_acc"] >= 0.95
    assert result["config"]["layers"] == 1 and result["config"]["hidden"] == 4


def test_playground_without_hidden_layers_on_xor(capsys):
    rc, out, _ = run_cli(capsys, "playground", "--dataset", "xor", "--layers", "0", "--epochs", "300", "--json")
    assert rc == 0 and json.loads(out)["final"]["test_acc"] <= 0.65


def test_playground_text_output(capsys):
    rc, out, err = run_cli(capsys, "playground", "--dataset", "circles", "--epochs", "60")
    assert rc == 0 and "circles" in out and "test acc" in out and "60.00/60" in err


def test_approximate_json(capsys):
    rc, out, _ = run_cli(capsys, "approximate", "--target", "sin", "--units", "1,2,4,8,16,32,64", "--json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["units"] for r in rows] == [1, 2, 4, 8, 16, 32, 64]
    assert all(set(r) == {"units", "mse"} for r in rows)
    mse = {r["units"]: r["mse"] for r in rows}
    assert mse[32] * 10 <= mse[2]


@pytest.mark.parametrize("argv", [
    ["playground", "--dataset", "moons"], ["playground", "--layers", "4"], ["playground", "--hidden", "0"],
    ["playground", "--hidden", "9"], ["playground", "--activation", "gelu"], ["playground", "--epochs", "0"],
    ["approximate", "--target", "cos"], ["approximate", "--units", "0,2"], ["approximate", "--units", "65"],
    ["approximate", "--units", "two"],
])
def test_bad_arguments_are_refused_with_a_message(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err
