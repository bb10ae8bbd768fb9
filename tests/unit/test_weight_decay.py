"""Weight decay (d2l 4.5): the book's effect, scratch == concise, batched sweep == one model at a time."""

import json
import math
from dataclasses import replace

import pytest
import torch

from explorer.lessons import weight_decay as wd
from explorer.lessons import weight_decay_sweeps as wds
from explorer.cli import main

D2L = wd.WeightDecayConfig()  # d2l's setting: 200 features, 20 examples, batch 5, lr 0.003, 100 epochs
F64 = replace(D2L, dtype="float64")


@pytest.fixture(scope="module")
def d2l_runs():
    data = wd.make_data(D2L)
    return {lam: wd.train_scratch(replace(D2L, lambd=lam), data) for lam in (0.0, 3.0)}


def test_weight_decay_closes_the_gap_and_shrinks_the_norm(d2l_runs):
    free, decayed = d2l_runs[0.0].final, d2l_runs[3.0].final
    assert decayed["test_loss"] < free["test_loss"]
    assert free["w_norm"] >= 5 * decayed["w_norm"]
    # λ = 0 memorises the 20 examples: train loss far below test loss.
    assert free["train_loss"] < 1e-3 * free["test_loss"]
    # The book's orders of magnitude: test ≈ 100 and ‖w‖ ≈ 13 without decay, far smaller with λ = 3.
    assert 10 < free["test_loss"] < 1000 and 5 < free["w_norm"] < 30
    assert decayed["test_loss"] < 1 and decayed["w_norm"] < 1


def test_history_has_one_row_per_epoch(d2l_runs):
    history = d2l_runs[3.0].history
    assert [row["epoch"] for row in history] == list(range(1, D2L.epochs + 1))
    assert history[-1]["w_norm"] == pytest.approx(d2l_runs[3.0].weights.norm().item(), rel=1e-6)


def test_data_is_seeded_and_the_same_in_both_precisions():
    a, b = wd.make_data(D2L), wd.make_data(D2L)
    assert torch.equal(a.train_x, b.train_x) and torch.equal(a.init_w, b.init_w)
    c = wd.make_data(F64)
    assert a.train_x.shape == (20, 200) and a.test_x.shape == (100, 200) and c.init_w.dtype == torch.float64
    assert torch.allclose(a.test_y.double(), c.test_y, atol=1e-6)
    assert not torch.equal(a.train_x, wd.make_data(replace(D2L, seed=1)).train_x)


def test_evaluate_is_d2l_squared_loss_by_hand():
    data = wd.make_data(F64)
    W, b = torch.stack([data.init_w, 0.5 * data.init_w]), torch.tensor([0.0, 0.1], dtype=torch.float64)
    got = wd.evaluate(data, W, b)
    for k in range(2):
        residual = data.test_x @ W[k] + b[k] - data.test_y
        assert got["test_loss"][k].item() == pytest.approx((residual**2).sum().item() / 2 / len(residual), rel=1e-12)
    # nn.MSELoss halved is the same number as the mean of d2l's squared loss.
    y_hat, y = data.train_x @ data.init_w, data.train_y
    assert (torch.nn.MSELoss()(y_hat, y) / 2).item() == pytest.approx(wd.squared_loss(y_hat, y).mean().item())


def test_one_step_matches_the_gradient_written_out():
    # One batch covering the whole training set: exactly one SGD step.
    cfg = replace(F64, n_train=5, epochs=1, lambd=2.0)
    data = wd.make_data(cfg)
    w0 = data.init_w
    residual = data.train_x @ w0 - data.train_y  # the bias starts at zero
    expected_w = w0 - cfg.lr * (data.train_x.T @ residual / 5 + cfg.lambd * w0)
    expected_b = -cfg.lr * residual.mean()
    for impl in wd.IMPLEMENTATIONS:
        run = wd.train(replace(cfg, impl=impl), data)
        assert torch.allclose(run.weights, expected_w, rtol=0, atol=1e-13)
        assert run.bias == pytest.approx(expected_b.item(), abs=1e-13)


def reference_sgd(cfg, data) -> tuple[torch.Tensor, float]:
    """d2l's minibatch SGD written out by hand: the penalty's gradient (or L1's proximal step) acts on w
    only; the bias follows the squared loss alone."""
    w, b = data.init_w.clone(), data.init_b
    for batches in wd.batch_order(cfg):
        for idx in batches:
            X, y = data.train_x[idx], data.train_y[idx]
            residual = X @ w + b - y
            grad_w, grad_b = X.T @ residual / len(idx), float(residual.mean())
            if cfg.penalty == "l2":
                w = w - cfg.lr * (grad_w + cfg.lambd * w)
            else:
                w = wd.soft_threshold(w - cfg.lr * grad_w, cfg.lr * cfg.lambd)
            b -= cfg.lr * grad_b
    return w, b


@pytest.mark.parametrize("penalty", wd.PENALTIES)
@pytest.mark.parametrize("impl", wd.IMPLEMENTATIONS)
def test_bias_is_not_decayed(impl, penalty):
    # From a bias far from 0, over 12 steps, with a strong penalty: decaying the bias would pull it to 0.
    cfg = replace(F64, n_train=20, epochs=3, lambd=20.0, lr=0.01, impl=impl, penalty=penalty)
    data = replace(wd.make_data(cfg), init_b=5.0)
    w, b = reference_sgd(cfg, data)
    result = wd.train(cfg, data)
    assert result.bias == pytest.approx(b, rel=1e-12)
    assert torch.allclose(result.weights, w, rtol=1e-10, atol=1e-12)
    decayed_b = 5.0 * (1 - cfg.lr * cfg.lambd) ** 12  # what a decayed bias would be without the data
    assert abs(result.bias - decayed_b) > 1.0


@pytest.mark.parametrize("penalty", wd.PENALTIES)
@pytest.mark.parametrize("lambd", [0.0, 0.5, 3.0])
def test_scratch_equals_concise(penalty, lambd):
    cfg = replace(F64, lambd=lambd, penalty=penalty, epochs=30)
    data = wd.make_data(cfg)
    scratch, concise = wd.train_scratch(cfg, data), wd.train_concise(cfg, data)
    for a, c in zip(scratch.history, concise.history, strict=True):
        for key in ("train_loss", "test_loss", "w_norm"):
            assert c[key] == pytest.approx(a[key], rel=1e-9, abs=1e-14)
    assert torch.allclose(scratch.weights, concise.weights, rtol=1e-10, atol=1e-12)
    assert concise.bias == pytest.approx(scratch.bias, rel=1e-9, abs=1e-14)


def test_scratch_vs_concise_reports_a_tiny_gap():
    history, gap = wds.scratch_vs_concise(replace(F64, lambd=3.0, epochs=20))
    assert set(history["impl"]) == set(wd.IMPLEMENTATIONS) and len(history) == 40
    assert gap < 1e-9


@pytest.mark.parametrize("penalty", wd.PENALTIES)
def test_batched_sweep_equals_individual_runs(penalty):
    lambdas = (0.0, 0.01, 0.5, 3.0, 30.0)
    cfg = replace(F64, penalty=penalty, epochs=40, n_train=23)  # 23: a short last batch too
    data = wd.make_data(cfg)
    batched = wds.train_batched(cfg, lambdas, data)
    assert batched.weights.shape == (len(lambdas), cfg.num_inputs)
    assert batched.test_loss.shape == (cfg.epochs, len(lambdas))
    for k, lam in enumerate(lambdas):
        single = wd.train_scratch(replace(cfg, lambd=lam), data)
        assert torch.allclose(batched.weights[k], single.weights, rtol=1e-9, atol=1e-12)
        for key in ("train_loss", "test_loss", "w_norm"):
            expected = torch.tensor([row[key] for row in single.history], dtype=torch.float64)
            assert torch.allclose(getattr(batched, key)[:, k], expected, rtol=1e-8, atol=1e-13)


def test_sweep_grid_and_best_lambda():
    table = wds.sweep(D2L)
    assert len(table) == 31 and table["lambd"].iloc[0] == 0
    assert table["lambd"].iloc[1] == pytest.approx(1e-3) and table["lambd"].iloc[-1] == pytest.approx(1e2)
    assert table["best"].sum() == 1
    assert table.loc[table["best"], "test_loss"].item() == table["test_loss"].min()
    # More decay, smaller weights: the norm falls monotonically along the grid.
    assert (table["w_norm"].diff().dropna() < 0).all()


def test_l1_leaves_many_weights_near_zero_and_l2_does_not():
    weights = wds.compare_penalties(replace(D2L, lambd=1.0))
    l1, l2 = wds.near_zero_share(weights["l1"]), wds.near_zero_share(weights["l2"])
    assert l1 > 0.5 and l2 < 0.2


def test_compare_runs_every_lambda_on_the_same_data():
    history, weights = wds.compare(replace(D2L, epochs=10), [0, 3])
    assert sorted(weights) == [0.0, 3.0] and len(weights[3.0]) == 200
    assert len(history) == 20
    first = history[history["epoch"] == 1].set_index("lambd")
    assert first.loc[3.0, "w_norm"] < first.loc[0.0, "w_norm"]


def test_invalid_settings_are_rejected():
    for bad, message in ((dict(lr=0.0), "learning rate"), (dict(lambd=-1.0), "λ must be"), (dict(impl="keras"), "impl"),
                         (dict(penalty="l3"), "penalty must be"), (dict(epochs=0), "epochs must be at least 1")):
        with pytest.raises(ValueError, match=message):
            replace(D2L, **bad).validate()
    with pytest.raises(ValueError, match="λ values must be finite numbers >= 0"):
        wds.train_batched(D2L, (0.0, -1.0))


def test_cli_json(capsys):
    code = main(["weight-decay", "--lambd", "3", "--epochs", "7", "--impl", "concise", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and set(out) == {"config", "history", "final"}
    assert out["config"]["lambd"] == 3 and out["config"]["impl"] == "concise" and out["config"]["n_train"] == 20
    assert [row["epoch"] for row in out["history"]] == list(range(1, 8))
    assert set(out["history"][0]) == {"epoch", "train_loss", "test_loss"}
    assert set(out["final"]) == {"train_loss", "test_loss", "w_norm"}
    assert out["final"]["test_loss"] == out["history"][-1]["test_loss"]


def test_cli_text_output(capsys):
    argv = ["weight-decay", "--epochs", "3", "--num-inputs", "10", "--n-train", "8", "--lambd", "2"]
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # One line per epoch (3 epochs: every one shown), then the summary, with the same numbers as --json.
    assert lines[:3] == [f"epoch {r['epoch']:4d}  train loss {r['train_loss']:.4g}  test loss {r['test_loss']:.4g}"
                         for r in doc["history"]]
    final = doc["final"]
    assert lines[3] == (f"λ = 2 (l2, scratch): train loss {final['train_loss']:.4g}, test loss "
                        f"{final['test_loss']:.4g}, L2 norm of w {final['w_norm']:.4g}")
    assert len(lines) == 4 and final["w_norm"] > 0


def test_cli_divergence_is_null_not_nan(capsys):
    code = main(["weight-decay", "--lr", "0.5", "--epochs", "60", "--json"])
    out = json.loads(capsys.readouterr().out)  # strict JSON: NaN would not be valid
    assert code == 1 and out["final"]["test_loss"] is None and not math.isnan(out["history"][0]["train_loss"])


@pytest.mark.parametrize("argv", [["--lambd", "-1"], ["--lambd", "abc"], ["--impl", "keras"], ["--epochs", "0"],
                                  ["--penalty", "l3"]])
def test_cli_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["weight-decay", *argv])
    assert exc.value.code == 2
