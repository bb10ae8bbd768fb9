"""Activation gradients by autograd vs closed forms (float64), and the three experiments' behaviour."""

import json
import math

import plotly.graph_objects as go
import pytest
import torch
from torch import nn

from explorer.mlp import activations as catalogue
from explorer.lessons import activations as act
from explorer.cli import build_parser
from explorer.figures import activations as figs

ALPHA = 0.3


def _phi(x):
    return torch.exp(-x**2 / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


def _step(x, left):
    # scalars in torch.where would come out float32; build the slopes in x's dtype
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, left))


# (f(x), f'(x)) written out from the formulas the page shows; autograd must agree with both.
CLOSED_FORMS = {
    "relu": (lambda x: x.clamp(min=0), lambda x: (x > 0).double()),
    "sigmoid": (lambda x: 1 / (1 + torch.exp(-x)), lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
    "tanh": (lambda x: (1 - torch.exp(-2 * x)) / (1 + torch.exp(-2 * x)), lambda x: 1 - torch.tanh(x) ** 2),
    "prelu": (lambda x: x.clamp(min=0) + ALPHA * x.clamp(max=0), lambda x: _step(x, ALPHA)),
    "leaky_relu": (lambda x: x.clamp(min=0) + 0.01 * x.clamp(max=0), lambda x: _step(x, 0.01)),
    "elu": (lambda x: torch.where(x > 0, x, torch.exp(x) - 1), lambda x: torch.where(x > 0, 1.0, torch.exp(x))),
    "gelu": (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x)),
    "silu": (lambda x: x * torch.sigmoid(x), lambda x: torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x)))),
    "softplus": (lambda x: torch.log1p(torch.exp(x)), torch.sigmoid),
    "mish": (lambda x: x * torch.tanh(torch.log1p(torch.exp(x))),
             lambda x: torch.tanh(torch.log1p(torch.exp(x)))
             + x * (1 - torch.tanh(torch.log1p(torch.exp(x))) ** 2) * torch.sigmoid(x)),
    "hardtanh": (lambda x: x.clamp(-1, 1), lambda x: (x.abs() < 1).double()),
}


# What the left-hand side of each catalogued formula must name.
SYMBOLS = {"sigmoid": r"\sigma(x)", "tanh": r"\tanh(x)", "silu": r"\operatorname{SiLU}(x)",
           "softplus": r"\operatorname{softplus}(x)"}


def test_every_catalogued_function_has_a_closed_form_check():
    assert set(CLOSED_FORMS) == set(catalogue.NAMES) == set(act.NAMES)
    assert set(catalogue.MLP_ACTIVATIONS) <= set(catalogue.NAMES)
    x = torch.linspace(-6, 6, 1000, dtype=torch.float64)
    for name, entry in catalogue.CATALOGUE.items():
        f, _ = CLOSED_FORMS[name]
        torch.testing.assert_close(catalogue.function(name, ALPHA)(x), f(x), rtol=1e-12, atol=1e-12)
        layer = catalogue.module(name, ALPHA)  # the layer a concise model uses computes the same function
        assert isinstance(layer, nn.Module)
        with torch.no_grad():  # pReLU's slope is a float32 parameter: α to 1e-7 only
            torch.testing.assert_close(layer.double()(x), f(x), rtol=1e-6, atol=1e-7)
        lhs, _, rhs = entry.latex.partition(" = ")
        assert lhs == SYMBOLS.get(name, rf"\operatorname{{{entry.label}}}(x)"), name
        assert rhs and rhs.count("{") == rhs.count("}"), name
        depends_on_alpha = not torch.equal(catalogue.function(name, 0.1)(x), catalogue.function(name, 0.9)(x))
        assert depends_on_alpha == entry.uses_alpha, name
        assert len(entry.about) > 40


@pytest.mark.parametrize("name", act.NAMES)
def test_autograd_gradient_matches_closed_form_in_float64(name):
    # 1000 points on [-6, 6]: the grid misses the kinks at 0 and ±1, where derivatives are conventions.
    x = torch.linspace(-6, 6, 1000, dtype=torch.float64)
    assert not torch.isin(x, torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64)).any()
    f, df = CLOSED_FORMS[name]
    y, grad = act.function_and_gradient(name, x, ALPHA)
    assert y.dtype == grad.dtype == torch.float64
    torch.testing.assert_close(y, f(x), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(grad, df(x), rtol=1e-10, atol=1e-12)


def test_derivative_conventions_at_kinks():
    zero = torch.zeros(1, dtype=torch.float64)
    assert act.function_and_gradient("relu", zero)[1].item() == 0.0  # d2l: "we use the left-hand derivative"
    assert act.function_and_gradient("prelu", torch.tensor([-2.0]), alpha=0.7)[1].item() == pytest.approx(0.7)
    sigmoid_grad = act.function_and_gradient("sigmoid", zero)[1].item()
    assert sigmoid_grad == pytest.approx(0.25, abs=1e-15)  # the largest σ' can be


def test_batched_gradient_equals_one_point_at_a_time():
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    for name in act.NAMES:
        _, batched = act.function_and_gradient(name, x, ALPHA)
        single = torch.cat([act.function_and_gradient(name, x[i:i + 1], ALPHA)[1] for i in range(len(x))])
        torch.testing.assert_close(batched, single, rtol=0, atol=0)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swoosh'"):
        act.function("swoosh")


def test_saturation_intervals_of_sigmoid_and_relu():
    table = act.curves(["sigmoid", "relu"], x_max=8, points=1601)
    step = 16 / 1600
    parts = {name: part for name, part in table.groupby("name")}
    x = torch.tensor(parts["sigmoid"]["x"].values)
    flat = act.saturation_intervals(x, torch.tensor(parts["sigmoid"]["grad"].values), 0.05)
    # σ(1-σ) = 0.05  <=>  σ = (1 + sqrt(0.8)) / 2, so |x| > logit of that
    edge = math.log((1 + math.sqrt(0.8)) / (1 - math.sqrt(0.8)))
    assert len(flat) == 2
    assert flat[0][0] == pytest.approx(-8) and flat[1][1] == pytest.approx(8)
    assert abs(flat[0][1] + edge) <= step and abs(flat[1][0] - edge) <= step
    relu_flat = act.saturation_intervals(x, torch.tensor(parts["relu"]["grad"].values), 0.05)
    assert relu_flat == [(pytest.approx(-8), pytest.approx(0, abs=1e-6))]  # relu'(0) = 0 is flat too


def test_two_linear_layers_collapse_and_an_activation_breaks_it():
    for name in act.NAMES:
        demo = act.collapse_demo(name, alpha=0.25, seed=1)
        scale = demo["stacked"].abs().max().item()
        assert demo["linear_gap"] < 1e-6 * scale  # float32 round-off only
        assert demo["nonlinear_gap_relative"] > 0.05, name
    # The same collapse computed in float64 is exact to round-off at that precision.
    demo = act.collapse_demo("relu", seed=1)
    W64, b64 = demo["W"].double(), demo["b"].double()
    assert torch.allclose(demo["collapsed"].double(), demo["stacked"].double(), atol=1e-5)
    assert W64.shape == (2, 3) and b64.shape == (2,)


def test_prelu_with_slope_one_is_linear_again():
    demo = act.collapse_demo("prelu", alpha=1.0, seed=2)
    assert demo["nonlinear_gap_relative"] < 1e-5


def test_adam_update_equals_torch_adam():
    gen = torch.Generator().manual_seed(0)
    ours = [torch.randn(3, 2, generator=gen, dtype=torch.float64), torch.randn(4, generator=gen, dtype=torch.float64)]
    theirs = [p.clone().requires_grad_(True) for p in ours]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in ours]
    opt = torch.optim.Adam(theirs, lr=0.05)
    for step in range(1, 6):
        grads = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in ours]
        act.adam_update(ours, grads, moments, step, lr=0.05)
        for p, g in zip(theirs, grads):
            p.grad = g.clone()
        opt.step()
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b.detach(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_a_few_hidden_units_fit_a_non_monotone_curve(name):
    fit = act.fit_1d(act.FitConfig(activation=name, units=4, seed=0))
    frame = fit["curves"]
    assert fit["mse"] < fit["line_mse"] / 10  # far better than any straight line
    assert fit["losses"][-1] <= fit["losses"][0]
    shares = frame[[f"unit {j}" for j in range(1, 5)]].sum(axis=1) + fit["bias"]
    assert (shares - frame["fit"]).abs().max() < 1e-5  # the curve is exactly the units' sum plus the bias
    assert fit["mse"] == pytest.approx(((frame["fit"] - frame["target"]) ** 2).mean(), rel=1e-4)


def test_depth_gradients_match_nn_sequential():
    config = act.DepthConfig("tanh", depth=5, width=16, init_scale=1.5, seed=3)
    X = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    y = torch.arange(32) % 10
    table = act.gradient_through_depth(config, X, y)
    weights = act.deep_weights(config, 784)
    layers: list[nn.Module] = [nn.Flatten()]
    for i, W in enumerate(weights):
        linear = nn.Linear(W.shape[1], W.shape[0], bias=False)
        linear.weight.data.copy_(W)
        layers += [linear] + ([nn.Tanh()] if i < len(weights) - 1 else [])
    model = nn.Sequential(*layers).double()
    nn.functional.cross_entropy(model(X.double()), y).backward()
    expected = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    assert list(table["layer"]) == [1, 2, 3, 4, 5]
    assert table["grad_norm"].tolist() == pytest.approx(expected, rel=1e-4)


def test_sigmoid_gradients_vanish_with_depth_and_relu_ones_do_not():
    X = torch.rand(256, 784, generator=torch.Generator().manual_seed(0))

    def first_over_last(name, scale=1.0):
        grad = act.gradient_through_depth(act.DepthConfig(name, depth=15, init_scale=scale), X)["grad_norm"]
        return grad.iloc[0] / grad.iloc[-1]

    assert first_over_last("sigmoid") < 1e-4  # at most 1/4 per layer, compounded over 14 layers
    assert first_over_last("relu") > 1e-2
    assert 0.1 < first_over_last("relu", scale=1.41) < 10  # He init: about level


def test_depth_experiment_on_fashion_mnist(fashion):
    X, y = fashion.train_images[:256], fashion.train_labels[:256]
    sigmoid = act.gradient_through_depth(act.DepthConfig("sigmoid", depth=15), X, y)["grad_norm"]
    relu = act.gradient_through_depth(act.DepthConfig("relu", depth=15), X, y)["grad_norm"]
    assert sigmoid.iloc[0] / sigmoid.iloc[-1] < 1e-4 < relu.iloc[0] / relu.iloc[-1]


@pytest.mark.parametrize("bad, message", [({"depth": 1}, "depth must be between 2 and 100"),
                                          ({"activation": "swish"}, "unknown activation 'swish'"),
                                          ({"init_scale": 0.0}, "init_scale > 0"),
                                          ({"width": 0}, "width must be >= 1")])
def test_depth_config_rejects_bad_settings(bad, message):
    with pytest.raises(ValueError, match=message):
        act.gradient_through_depth(act.DepthConfig(**bad), torch.rand(4, 784))


def _parser():
    return build_parser()


def test_cli_prints_one_json_document(capsys):
    args = _parser().parse_args(["activations", "--data", "random", "--depth", "4", "--width", "8", "--json"])
    assert args.func(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["data"] == "random inputs" and doc["config"]["depth"] == 4
    assert [row["layer"] for row in doc["layers"]] == [1, 2, 3, 4]


@pytest.mark.parametrize(("argv", "complaint"), [
    (["--depth", "0"], "argument --depth: '0' must be at least 1"),
    (["--activation", "swish"], "argument --activation: invalid choice: 'swish'"),
    (["--init-scale", "-1"], "argument --init-scale: '-1' must be a positive, finite number"),
])
def test_cli_rejects_bad_arguments(argv, complaint, capsys):
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["activations", *argv])
    assert exit_.value.code == 2  # argparse's usage error, not a clean exit
    err = capsys.readouterr().err
    assert complaint in err and "usage:" in err


def test_cli_depth_out_of_range_is_a_message_not_a_traceback(capsys):
    args = _parser().parse_args(["activations", "--data", "random", "--depth", "101"])
    assert args.func(args) == 2
    assert "depth must be between 2 and 100" in capsys.readouterr().err


def test_figures_are_valid_plotly_and_log_scaled_where_promised():
    table = act.curves(["relu", "sigmoid", "tanh"], x_max=5, points=201)
    flat = {n: act.saturation_intervals(torch.tensor(p["x"].values), torch.tensor(p["grad"].values), 0.05)
            for n, p in table.groupby("name")}
    X = torch.rand(16, 784, generator=torch.Generator().manual_seed(0))
    runs = {n: act.gradient_through_depth(act.DepthConfig(n, depth=4, width=8), X) for n in ("relu", "sigmoid")}
    built = [figs.curves_figure(table, 0.05), figs.small_multiples_figure(table, flat, 0.05),
             figs.collapse_figure(act.collapse_demo("relu"), "ReLU"),
             figs.fit_figure(act.fit_1d(act.FitConfig(steps=5)), "ReLU"), figs.depth_figure(runs, "relu")]
    for fig in built:
        go.Figure(fig.to_dict())  # full validation: the builders skip it for speed
    grid = built[1]
    assert len(grid.data) == 6 and len(grid.layout.shapes) == sum(len(v) for v in flat.values())
    depth = built[4]
    assert depth.layout.yaxis.type == "log" and depth.layout.yaxis2.type == "log"
    assert len(depth.data) == 4
