"""The labs beyond d2l: bias and variance, double descent, L1's geometry, and L1 as a proximal step."""

import json
import math

import pytest
import torch

from explorer.lessons import bias_variance as bv
from explorer.lessons import double_descent as dd
from explorer.lessons import l1_geometry as geo
from explorer.lessons import weight_decay as wd
from explorer.lessons import weight_decay_sweeps as wds
from explorer.cli import main
from explorer.lessons.polynomial import MAX_DEGREE, PolyConfig, make_data, poly_features


# --- bias and variance ------------------------------------------------------------------------------------------

def test_batched_fits_equal_fitting_each_degree_and_set_alone():
    config = PolyConfig(n_train=15)
    x, y = bv.training_sets(config, 6)
    batched = bv.fit_all(x, y, list(range(1, MAX_DEGREE + 1)))
    x_test = poly_features(make_data(config)["x_test"])
    for degree in (1, 4, 9, 15, 20):  # 15 and 20: as many or more features than points (minimum norm)
        for r in (0, 5):
            alone = bv.fit_one(x[r], y[r], degree)
            assert (batched[degree - 1, r, degree:] == 0).all()
            torch.testing.assert_close(x_test[:, :degree] @ batched[degree - 1, r, :degree], x_test[:, :degree] @ alone,
                                       rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n_train, seed", [(100, 0), (100, 1), (20, 0), (30, 2)])
def test_bias2_plus_variance_plus_noise_is_the_mean_test_mse(n_train, seed):
    config = PolyConfig(n_train=n_train, seed=seed)
    result = bv.bias_variance(config, 50)
    table = result["table"]
    x_test, y_test = make_data(config)["x_test"], make_data(config)["y_test"]
    for row in table.itertuples():
        # Monte-Carlo error of the test MSE: the spread over test inputs of the per-input squared error.
        w = bv.fit_all(*bv.training_sets(config, 50), [row.degree])[0]
        per_input = ((w @ poly_features(x_test).T - y_test) ** 2).mean(0)
        standard_error = float(per_input.std() / math.sqrt(len(per_input)))
        assert abs(row.bias2 + row.variance + row.noise - row.test_mse) <= 4 * standard_error + 1e-12


def test_bias_is_zero_from_four_features_on_and_large_below():
    for n_train in (100, 20):
        table = bv.bias_variance(PolyConfig(n_train=n_train), 50)["table"].set_index("degree")
        assert (table.loc[1:3, "bias2"] > 0.4 * table.loc[1:3, "test_mse"]).all()  # the cubic is out of reach
        assert (table.loc[4:, "bias2"].abs() <= 0.05 * table.loc[4:, "test_mse"]).all()
        assert table.loc[4, "bias2"] < 1e-3 * table.loc[3, "bias2"]


def test_variance_grows_with_the_number_of_features_when_n_is_small():
    table = bv.bias_variance(PolyConfig(n_train=20), 50)["table"].set_index("degree")
    variance = table["variance"]
    assert (variance.loc[4:12].diff().dropna() > 0).all()
    assert variance.loc[12] > 1e6 * variance.loc[4]
    # With many examples the same features barely vary: small n is what makes variance explode.
    large = bv.bias_variance(PolyConfig(n_train=100), 50)["table"].set_index("degree")["variance"]
    assert large.loc[12] < 1e-3 * variance.loc[12]


def test_resampled_curves_have_one_row_per_training_set():
    result = bv.bias_variance(PolyConfig(n_train=30), 12)
    assert result["curves"].shape == (MAX_DEGREE, 12, bv.GRID_POINTS)
    torch.testing.assert_close(result["mean_curve"][3], result["curves"][3].mean(0))
    assert float((result["mean_curve"][3] - result["truth"]).abs().max()) < 0.5
    with pytest.raises(ValueError, match="resampled training sets must be 2 to 200"):
        bv.bias_variance(PolyConfig(), 1)


def test_cli_bias_variance_json(capsys):
    assert main(["poly", "--bias-variance", "--n-train", "20", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["degree"] for row in rows] == list(range(1, 21))
    assert set(rows[0]) == {"degree", "bias2", "variance", "noise", "test_mse"}
    assert all(abs(r["bias2"]) <= 0.05 * r["test_mse"] for r in rows[3:])
    assert rows[3]["variance"] < rows[7]["variance"] < rows[11]["variance"]
    for r in rows:
        assert r["bias2"] + r["variance"] + r["noise"] == pytest.approx(r["test_mse"], rel=0.05, abs=0.01)


# --- double descent ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ridge", [0.0, 1e-3])
def test_double_descent_batch_equals_one_width_at_a_time(ridge):
    config = dd.DoubleDescentConfig(n_train=12, ridge=ridge)
    table = dd.double_descent(config).set_index("p")
    assert list(table.index) == list(range(1, 121))
    for p in (1, 5, 11, 12, 13, 40, 120):
        assert table.loc[p, "test_mse"] == pytest.approx(dd.one_width(config, p), rel=1e-5)


def test_legendre_features_follow_the_closed_forms():
    x = torch.linspace(-1, 1, 7, dtype=torch.float64)
    features = dd.legendre_features(x, 4)
    torch.testing.assert_close(features, torch.stack([x ** 0, x, (3 * x ** 2 - 1) / 2, (5 * x ** 3 - 3 * x) / 2], 1))


@pytest.mark.parametrize("n_train", [10, 20])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_test_error_peaks_at_the_interpolation_threshold_and_falls_beyond(n_train, seed):
    table = dd.double_descent(dd.DoubleDescentConfig(n_train=n_train, noise=0.1, seed=seed))
    peak = dd.peak(table)
    assert abs(peak - n_train) <= 2
    worst = table["test_mse"].max()
    assert table["test_mse"].iloc[-1] < 1e-2 * worst  # p = 10·n
    assert table["train_mse"].iloc[n_train + 5:].max() < 1e-12  # beyond the threshold every fit interpolates


def test_ridge_flattens_the_peak():
    plain = dd.double_descent(dd.DoubleDescentConfig(n_train=20, noise=0.1))
    ridge = dd.double_descent(dd.DoubleDescentConfig(n_train=20, noise=0.1, ridge=1e-4))
    assert ridge["test_mse"].max() < 1e-6 * plain["test_mse"].max()
    assert ridge["test_mse"].max() < 50


def test_cli_double_descent_json(capsys):
    assert main(["poly", "--double-descent", "--dd-n", "15", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["p"] for r in rows] == list(range(1, 151)) and set(rows[0]) == {"p", "test_mse"}
    peak = max(rows, key=lambda r: r["test_mse"])
    assert abs(peak["p"] - 15) <= 2 and rows[-1]["test_mse"] < peak["test_mse"]
    assert main(["poly", "--double-descent", "--dd-n", "500"]) == 2  # a clear message, no traceback
    assert "training-set size" in capsys.readouterr().err


# --- L1 and L2 geometry -----------------------------------------------------------------------------------------

def test_l2_path_is_the_closed_form_and_never_zero():
    lambdas = geo.PATH_LAMBDAS
    path = geo.l2_path(lambdas)
    for k in (0, 20, 80):
        lam = lambdas[k]
        exact = torch.linalg.solve(geo.H + lam * torch.eye(2, dtype=torch.float64), geo.H @ geo.W_STAR)
        torch.testing.assert_close(path[k], exact, rtol=1e-12, atol=1e-14)
        # Stationarity of L(w) + λ‖w‖²/2: H(w − w*) + λw = 0.
        torch.testing.assert_close(geo.H @ (path[k] - geo.W_STAR) + lam * path[k], torch.zeros(2, dtype=torch.float64),
                                   rtol=0, atol=1e-12)
    assert (path != 0).all()


def test_l1_path_has_exact_zeros_from_a_finite_lambda():
    first_zero, index = geo.l1_first_zero()
    assert index == 1 and 0 < first_zero < 1
    lambdas = torch.linspace(0, 3, 301, dtype=torch.float64)
    path = geo.l1_path(lambdas)
    zero = path[:, 1] == 0.0  # exactly, not approximately
    assert (zero == (lambdas >= first_zero - 1e-9)).all()
    assert (path[lambdas < first_zero - 1e-9, 1] > 0).all()
    assert (path[lambdas >= float(geo.B[0]), 0] == 0.0).all()  # and w1 from λ = b1 on
    # KKT for L(w) + λ‖w‖₁: gradient = −λ·sign(w) where w ≠ 0, |gradient| ≤ λ where w = 0.
    gradient = (path - geo.W_STAR) @ geo.H
    for w, g, lam in zip(path, gradient, lambdas):
        for i in (0, 1):
            if w[i] != 0:
                assert float(g[i]) == pytest.approx(-float(lam) * math.copysign(1, float(w[i])), abs=1e-10)
            else:
                assert abs(float(g[i])) <= float(lam) + 1e-10


def test_cli_path_json(capsys):
    assert main(["weight-decay", "--path", "--penalty", "l1", "--json"]) == 0
    l1 = json.loads(capsys.readouterr().out)
    assert set(l1[0]) == {"lambd", "w1", "w2", "loss", "l1_norm", "l2_norm"} and len(l1) == len(geo.PATH_LAMBDAS)
    first_zero, _ = geo.l1_first_zero()
    assert all((r["w2"] == 0) == (r["lambd"] >= first_zero) for r in l1)
    assert main(["weight-decay", "--path", "--penalty", "l2", "--json"]) == 0
    l2 = json.loads(capsys.readouterr().out)
    assert all(r["w1"] != 0 and r["w2"] != 0 for r in l2)
    assert l2[-1]["w1"] == pytest.approx(float(geo.l2_path([l2[-1]["lambd"]])[0, 0]), rel=1e-12)


# --- L1 on d2l's problem: proximal steps give exact zeros -------------------------------------------------------

def test_soft_threshold():
    w = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    torch.testing.assert_close(wd.soft_threshold(w, 0.5), torch.tensor([-1.5, 0.0, 0.0, 0.0, 1.0]))


def test_l1_weights_are_exactly_zero_and_l2_weights_are_not():
    weights = wds.compare_penalties(wd.WeightDecayConfig(lambd=1.0))
    exact_zero = {p: sum(w == 0.0 for w in ws) / len(ws) for p, ws in weights.items()}
    assert exact_zero["l1"] > 0.5 and exact_zero["l2"] == 0


def test_one_l1_step_is_sgd_then_soft_thresholding():
    cfg = wd.WeightDecayConfig(n_train=5, epochs=1, lambd=2.0, penalty="l1", dtype="float64")
    data = wd.make_data(cfg)
    residual = data.train_x @ data.init_w - data.train_y
    expected = wd.soft_threshold(data.init_w - cfg.lr * data.train_x.T @ residual / 5, cfg.lr * cfg.lambd)
    for impl in wd.IMPLEMENTATIONS:
        torch.testing.assert_close(wd.train(wd.WeightDecayConfig(**{**cfg.to_dict(), "impl": impl}), data).weights,
                                   expected, rtol=0, atol=1e-13)
