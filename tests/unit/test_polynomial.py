"""The polynomial lab (d2l 4.4): d2l's three regimes, and the batched trainer computed twice."""

import json
import math

import pytest
import torch
from torch import nn

from explorer.lessons import poly_selection as sel
from explorer.lessons import polynomial as poly
from explorer.cli import main
from explorer.lessons.polynomial import MAX_DEGREE, MAX_TRAIN, TRUE_W, PolyConfig


def test_features_are_powers_over_factorials():
    x = torch.tensor([-1.5, 0.0, 0.3, 2.0], dtype=torch.float64)
    expected = torch.stack([x ** i / math.factorial(i) for i in range(MAX_DEGREE)], dim=1)
    torch.testing.assert_close(poly.poly_features(x), expected, rtol=1e-12, atol=0)
    torch.testing.assert_close(poly.true_function(x), 5 + 1.2 * x - 3.4 * x ** 2 / 2 + 5.6 * x ** 3 / 6)


def test_data_prefixes_fixed_test_set_and_scaled_noise():
    small, large = poly.make_data(PolyConfig(n_train=30)), poly.make_data(PolyConfig(n_train=200))
    assert small["x_train"].shape == (30,) and large["x_test"].shape == (100,)
    torch.testing.assert_close(small["x_train"], large["x_train"][:30])
    torch.testing.assert_close(small["y_test"], large["y_test"])
    quiet, loud = poly.make_data(PolyConfig(noise=0.1)), poly.make_data(PolyConfig(noise=0.5))
    eps_quiet = quiet["y_train"] - poly.true_function(quiet["x_train"])
    eps_loud = loud["y_train"] - poly.true_function(loud["x_train"])
    torch.testing.assert_close(eps_loud, 5 * eps_quiet)
    assert 0.07 < float(eps_quiet.std()) < 0.13  # σ = 0.1
    assert not torch.equal(poly.make_data(PolyConfig(seed=1))["x_train"], quiet["x_train"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_good_fit_recovers_d2l_weights(seed):
    config = PolyConfig(seed=seed)  # d2l: 4 features, 400 epochs, lr 0.01, batch 10
    final = poly.fit(config)["final"]
    assert len(final["weights"]) == 4
    for learned, true in zip(final["weights"], TRUE_W):
        assert abs(learned - true) < 0.25
    # Both losses end near the noise floor σ² = 0.01 (d2l printed ≈ 0.011).
    assert final["train_loss"] < 0.02 and final["test_loss"] < 0.03


def test_good_fit_converges_to_least_squares():
    config = PolyConfig(epochs=800)
    learned = torch.tensor(poly.fit(config, dtype=torch.float64)["final"]["weights"], dtype=torch.float64)
    exact = poly.least_squares(config)
    assert torch.allclose(learned, exact, atol=0.1)
    # And the least-squares fit is itself close to the truth: 100 noisy points pin the cubic down.
    assert torch.allclose(exact, torch.tensor(TRUE_W, dtype=torch.float64), atol=0.3)


def test_two_features_underfit():
    under, good = poly.fit(PolyConfig(degree=2))["final"], poly.fit(PolyConfig(degree=4))["final"]
    assert under["train_loss"] >= 50 * good["train_loss"]
    assert under["test_loss"] >= 50 * good["test_loss"]


def test_twenty_features_overfit_and_starkly_with_few_points():
    d2l = poly.fit(PolyConfig(degree=20, epochs=1500))["final"]
    assert d2l["test_loss"] > d2l["train_loss"]
    for seed in (0, 1, 2):
        few = poly.fit(PolyConfig(degree=20, epochs=1500, n_train=10, seed=seed))["final"]
        assert few["test_loss"] > 5 * few["train_loss"]


def reference_fit(config: PolyConfig) -> tuple[list[float], list[float], torch.Tensor]:
    """An independent plain loop: nn.Linear + nn.MSELoss + torch.optim.SGD with autograd, in float64,
    fed the batches of the documented shuffling contract (a key per pool example per epoch)."""
    data = poly.make_data(config)
    X, y = poly.poly_features(data["x_train"], config.degree), data["y_train"][:, None]
    X_test, y_test = poly.poly_features(data["x_test"], config.degree), data["y_test"][:, None]
    gen = torch.Generator().manual_seed(config.seed)
    init = (torch.rand(MAX_DEGREE, generator=gen, dtype=torch.float64) * 2 - 1)[:config.degree]
    net = nn.Linear(config.degree, 1, bias=False).double()
    with torch.no_grad():
        net.weight.copy_(init / math.sqrt(config.degree))
    loss, opt = nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=config.lr)
    train_losses, test_losses = [], []
    for _ in range(config.epochs):
        keys = torch.rand(MAX_TRAIN, generator=gen, dtype=torch.float64)[:config.n_train]
        order = keys.argsort(stable=True)
        for start in range(0, config.n_train, config.batch_size):
            batch = order[start:start + config.batch_size]
            opt.zero_grad()
            loss(net(X[batch]), y[batch]).backward()
            opt.step()
        with torch.no_grad():
            train_losses.append(loss(net(X), y).item())
            test_losses.append(loss(net(X_test), y_test).item())
    return train_losses, test_losses, net.weight.detach()[0]


@pytest.mark.parametrize("config", [
    PolyConfig(epochs=30),
    PolyConfig(degree=7, n_train=25, batch_size=4, epochs=20, lr=0.02, seed=3),  # a short last batch
])
def test_fit_matches_plain_autograd_loop(config):
    ours = poly.fit(config, dtype=torch.float64)
    train_ref, test_ref, weights_ref = reference_fit(config)
    assert [row["train_loss"] for row in ours["history"]] == pytest.approx(train_ref, rel=1e-9)
    assert [row["test_loss"] for row in ours["history"]] == pytest.approx(test_ref, rel=1e-9)
    assert ours["final"]["weights"] == pytest.approx(weights_ref.tolist(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("dtype, rel", [(torch.float64, 1e-9), (torch.float32, 1e-5)])
def test_complexity_sweep_equals_fitting_each_degree_alone(dtype, rel):
    config = PolyConfig(epochs=60, n_train=30)
    sweep = sel.complexity_sweep(config, dtype=dtype)
    assert list(sweep["degree"]) == list(range(1, MAX_DEGREE + 1))
    for row in sweep.itertuples():
        alone = poly.fit(PolyConfig(**{**config.__dict__, "degree": row.degree}), dtype=dtype)["final"]
        assert row.train_loss == pytest.approx(alone["train_loss"], rel=rel)
        assert row.test_loss == pytest.approx(alone["test_loss"], rel=rel)


def test_float32_like_d2l_is_accurate_enough_for_twenty_features():
    # x^19/19! is tiny (≈ 1e-7 at x = 2), but float32 still resolves it: the d2l-style float32 run
    # matches the float64 one closely.
    config = PolyConfig(degree=20, epochs=300)
    single, double = poly.fit(config)["final"], poly.fit(config, dtype=torch.float64)["final"]
    assert single["weights"] == pytest.approx(double["weights"], abs=1e-4)
    assert single["test_loss"] == pytest.approx(double["test_loss"], rel=1e-4)


def test_learning_curve_equals_fitting_each_size_alone():
    config = PolyConfig(epochs=40)
    sizes = (10, 23, 100, 250)
    curve = sel.learning_curve(config, sizes, dtype=torch.float64)
    for row in curve.itertuples():
        alone = poly.fit(PolyConfig(**{**config.__dict__, "n_train": row.n_train}), dtype=torch.float64)["final"]
        assert row.train_loss == pytest.approx(alone["train_loss"], rel=1e-9)
        assert row.test_loss == pytest.approx(alone["test_loss"], rel=1e-9)


def test_kfold_validation_loss_is_the_held_out_fold_loss():
    config, k = PolyConfig(epochs=30, n_train=20), 4
    table, _ = sel.kfold_selection(config, k, dtype=torch.float64)
    data = poly.make_data(config)
    fold_losses = []
    for fold in range(k):  # fold 1 of 4 over 20 examples is examples 5..9
        held_out = torch.zeros(20, dtype=torch.bool)
        held_out[5 * fold:5 * fold + 5] = True
        alone = poly.train_batched(data["x_train"], data["y_train"], data["x_test"], data["y_test"], [3],
                                   ~held_out[None, :], epochs=30, lr=config.lr, batch_size=config.batch_size,
                                   seed=config.seed, dtype=torch.float64)
        w = alone.weights[0, :3]
        pred = poly.poly_features(data["x_train"][held_out], 3) @ w
        fold_losses.append(float(((pred - data["y_train"][held_out]) ** 2).mean()))
    assert table.loc[table.degree == 3, "val_loss"].item() == pytest.approx(sum(fold_losses) / k, rel=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_kfold_selects_about_four_features_on_d2l_data(seed):
    table, selected = sel.kfold_selection(PolyConfig(seed=seed), k=5)
    assert abs(selected - 4) <= 1
    # One-standard-error rule: the fewest features within one standard error of the best mean.
    best = table.val_loss.idxmin()
    within = table.val_loss <= table.val_loss[best] + table.val_std[best] / math.sqrt(5)
    assert selected == table.degree[within].min() and selected <= table.degree[best]
    # Validation and test agree that 1-3 features underfit badly.
    assert (table.val_loss[:3] > 10 * table.val_loss.min()).all()
    assert (table.test_loss[:3] > 10 * table.test_loss.min()).all()


def test_divergence_is_reported_not_hidden():
    result = poly.fit(PolyConfig(degree=20, lr=0.1, batch_size=1, epochs=60))
    assert result["final"]["diverged"]
    json.dumps(result, allow_nan=False)  # nulls, never NaN, in the JSON
    assert not poly.fit(PolyConfig(epochs=5))["final"]["diverged"]


@pytest.mark.parametrize("bad, message", [
    (dict(degree=0), "degree"), (dict(degree=21), "degree"), (dict(n_train=MAX_TRAIN + 1), "training-set size"),
    (dict(lr=0.0), "learning rate"), (dict(noise=-1.0), "noise"), (dict(batch_size=0), "batch size")])
def test_bad_configs_raise(bad, message):
    with pytest.raises(ValueError, match=message):
        poly.fit(PolyConfig(**bad))


def test_kfold_rejects_bad_k():
    with pytest.raises(ValueError, match=r"K must be between 2 and the training-set size \(10\)"):
        sel.kfold_selection(PolyConfig(n_train=10), k=11)


def test_cli_prints_one_json_document(capsys):
    assert main(["poly", "--degree", "3", "--epochs", "7", "--n-train", "40", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"config", "history", "final"}
    assert doc["config"]["degree"] == 3 and doc["config"]["n_train"] == 40
    assert [row["epoch"] for row in doc["history"]] == list(range(1, 8))
    assert set(doc["history"][0]) == {"epoch", "train_loss", "test_loss"}
    assert len(doc["final"]["weights"]) == 3
    assert doc["final"]["train_loss"] == doc["history"][-1]["train_loss"]


@pytest.mark.parametrize("argv", [["--degree", "999"], ["--degree", "0"], ["--lr", "abc"], ["--n-train", "5000"]])
def test_cli_rejects_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["poly", *argv])
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err
