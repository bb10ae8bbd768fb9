"""explorer.lessons.inside: every number of the "Inside an MLP" page checked against the model itself."""

from dataclasses import replace

import plotly.graph_objects as go
import pytest
import torch
from torch.nn import functional as F

from explorer.lessons import inside
from explorer.figures import inside as figs
from explorer.mlp.models import build_mlp
from explorer.mlp.training import TrainConfig, Trainer

CLASSES = tuple(f"class {i}" for i in range(10))
DEPTHS = [0, 1, 2, 3]


def model_of(impl: str, layers: int, activation: str = "relu", hidden: int = 24, seed: int = 0):
    # init_std 0.3 and dropout: weights large enough for varied activations; dropout must be off in the trace
    return build_mlp(impl, [784] + [hidden] * layers + [10], activation, [0.5] * layers, 0.3, seed).train()


def image(seed: int = 1) -> torch.Tensor:
    return torch.rand(1, 28, 28, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("impl", ["scratch", "concise"])
@pytest.mark.parametrize("layers", DEPTHS)
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
def test_trace_reproduces_the_model_layer_by_layer(impl, layers, activation):
    model, x = model_of(impl, layers, activation), image()
    t = inside.trace(model, x)
    assert model.training  # the trace restores the mode it found
    model.eval()
    with torch.no_grad():
        assert torch.allclose(t.logits, model(x[None])[0], atol=1e-6)
        assert len(t.hidden) == layers and t.x.shape == (784,)
        H = x.reshape(1, 784)
        for h, layer in zip(t.hidden, t.layers):  # each step is x W + b, then the activation
            assert torch.allclose(h.pre, (H @ layer.W + layer.b)[0], atol=1e-5)
            H = h.post[None]
            assert h.pre.shape == h.post.shape == (24,)
    if activation == "relu" and layers:
        assert t.hidden[0].zeros == int((t.hidden[0].pre <= 0).sum()) > 0


def test_scratch_and_concise_give_the_same_trace():
    a, b = inside.trace(model_of("scratch", 2), image()), inside.trace(model_of("concise", 2), image())
    assert torch.allclose(a.logits, b.logits, atol=1e-4)  # x W vs x (Wᵀ)ᵀ: float32 rounding only
    assert all(torch.allclose(x.post, y.post, atol=1e-4) for x, y in zip(a.hidden, b.hidden))
    assert all(torch.equal(x.W, y.W) for x, y in zip(a.layers, b.layers))  # both read as (in, out)


@pytest.mark.parametrize("layers", DEPTHS)
def test_probabilities_sum_to_one_and_equal_softmax_of_the_model(layers):
    model, x = model_of("concise", layers), image(2)
    t = inside.trace(model, x)
    model.eval()
    logits = model(x[None]).detach()[0]
    probs = inside.softmax(t.logits)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert torch.allclose(probs, torch.softmax(logits, 0), atol=1e-7)
    hot, flat = inside.softmax(t.logits, 0.5), inside.softmax(t.logits, 5.0)
    assert hot.max() > probs.max() > flat.max() and hot.argmax() == probs.argmax() == flat.argmax()
    with pytest.raises(ValueError, match="temperature must be > 0"):
        inside.softmax(t.logits, 0.0)


@pytest.mark.parametrize("label", [0, 7])
def test_losses_equal_torch_and_cross_entropy_gradient_is_softmax_minus_one_hot(label):
    logits = torch.tensor([2.0, -1.0, 0.5, 0.0, 3.0, -2.0, 1.0, 0.2, -0.3, 0.9])
    out = inside.losses(logits, label)
    p, target = torch.softmax(logits, 0), F.one_hot(torch.tensor(label), 10).float()
    assert out["cross_entropy"]["value"] == pytest.approx(F.cross_entropy(logits[None], torch.tensor([label])).item())
    assert out["cross_entropy"]["value"] == pytest.approx(-torch.log(p[label]).item(), rel=1e-6)
    assert out["mse"]["value"] == pytest.approx(((p - target) ** 2).mean().item())
    assert out["l1"]["value"] == pytest.approx((p - target).abs().mean().item())
    assert torch.allclose(out["cross_entropy"]["grad"], p - target, atol=1e-6)
    # MSE through softmax, closed form: J^T (2/10)(p - y) with J = diag(p) - p p^T
    jac = torch.diag(p) - p[:, None] * p[None]
    assert torch.allclose(out["mse"]["grad"], jac.T @ (0.2 * (p - target)), atol=1e-6)


def test_parameter_counts_equal_numel_and_d2l_numbers():
    model = build_mlp("concise", [784, 256, 10], "relu", [0.0], 0.01, 0)
    counts = inside.parameter_counts(model)
    assert [row["total"] for row in counts] == [200_960, 2_570]
    assert sum(row["total"] for row in counts) == 203_530 == sum(p.numel() for p in model.parameters())
    assert counts[0]["formula"] == "784·256 + 256 = 200,960" and counts[1]["formula"] == "256·10 + 10 = 2,570"
    for impl in ("scratch", "concise"):
        for layers in DEPTHS:
            m = model_of(impl, layers)
            assert sum(r["total"] for r in inside.parameter_counts(m)) == sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize("impl", ["scratch", "concise"])
@pytest.mark.parametrize("layers", DEPTHS)
def test_contributions_plus_bias_reproduce_every_logit(impl, layers):
    model = model_of(impl, layers)
    with torch.no_grad():  # a nonzero output bias, so the test would notice it left out
        for p in model.parameters():
            p.add_(0.1)
    t = inside.trace(model, image(3))
    for cls in range(10):
        total = inside.contributions(t, cls).sum() + t.layers[-1].b[cls]
        assert total.item() == pytest.approx(t.logits[cls].item(), rel=1e-5, abs=1e-4)
    top = inside.top_units(t, t.predicted, k=5)
    values = [u["contribution"] for u in top]
    assert values == sorted(values, reverse=True) and values[0] == pytest.approx(
        inside.contributions(t, t.predicted).max().item())


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_unit_templates_are_first_layer_weights_or_input_gradients(layers):
    model = model_of("scratch", layers)
    t = inside.trace(model, image(4))
    pictures = inside.unit_templates(model, t, [0, 5])
    assert pictures.shape == (2, 28, 28)
    if layers == 1:
        assert torch.equal(pictures[1].flatten(), model.weights[0][:, 5].detach())
    else:  # gradient of the last hidden layer's unit 5 at this input
        x = t.x.clone().requires_grad_(True)
        H = x[None]
        for W, b in zip(model.weights[:-1], model.biases[:-1]):
            H = torch.relu(H @ W + b)
        (grad,) = torch.autograd.grad(H[0, 5], x)
        assert torch.allclose(pictures[1].flatten(), grad, atol=1e-6)


def test_softmax_regression_pixel_maps():
    model = model_of("concise", 0)
    t = inside.trace(model, image(5))
    maps = inside.pixel_maps(t, 3)
    assert torch.equal(maps[0].flatten(), model[1].weight[3].detach())
    assert maps[1].sum().item() + model[1].bias[3].item() == pytest.approx(t.logits[3].item(), abs=1e-4)


def test_diagram_picks_most_active_units_and_edges_into_the_predicted_class():
    model = model_of("concise", 2)
    t = inside.trace(model, image(6))
    d = inside.diagram(t, inside.softmax(t.logits), units_per_layer=6, edges_per_layer=5)
    assert [len(c["units"]) for c in d["columns"]] == [6, 6]
    strongest = set(t.hidden[0].post.abs().topk(6).indices.tolist())
    assert set(d["columns"][0]["units"]) == strongest
    assert len(d["edges"]) == 10 and d["predicted"] == t.predicted
    last = [e for e in d["edges"] if e["to"][0] == 2]
    assert all(e["to"] == (2, t.predicted) for e in last)
    e = last[0]  # an edge's value is activation × weight
    unit = d["columns"][1]["units"][e["from"][1]]
    assert e["value"] == pytest.approx((t.hidden[1].post[unit] * t.layers[2].W[unit, t.predicted]).item())


def test_next_mistake_wraps_round_and_class_positions():
    labels = torch.tensor([0, 1, 2, 1, 0, 2])
    predicted = torch.tensor([0, 2, 2, 1, 1, 2])
    assert inside.next_mistake(predicted, labels, after=-1) == 1
    assert inside.next_mistake(predicted, labels, after=1) == 4
    assert inside.next_mistake(predicted, labels, after=4) == 1
    assert inside.next_mistake(labels, labels) is None
    assert [p.tolist() for p in inside.class_positions(labels, 3)] == [[0, 4], [1, 3], [2, 5]]


def test_quick_config_is_d2ls_mlp_for_two_epochs():
    config = inside.quick_config()
    assert (config.layers, config.hidden, config.lr, config.batch_size, config.epochs) == (1, 256, 0.1, 256, 2)
    assert config.max_train is None and config.seed == 0


def test_layers_zero_is_softmax_regression_in_both_implementations():
    config = TrainConfig(layers=0, max_train=512, max_test=256, epochs=1)
    config.validate()
    assert config.sizes() == [784, 10] and config.dropouts() == []
    for impl in ("concise", "scratch"):
        trainer = Trainer(replace(config, impl=impl), _tiny_data())
        assert sum(p.numel() for p in trainer.model.parameters()) == 7850
        list(trainer.train())
        assert trainer.status == "finished"
    with pytest.raises(ValueError, match="hidden layers must be 0, 1, 2 or 3"):
        TrainConfig(layers=-1).validate()


def _tiny_data():
    from explorer.data import FashionMNISTData
    gen = torch.Generator().manual_seed(0)
    return FashionMNISTData(torch.rand(512, 1, 28, 28, generator=gen), torch.randint(0, 10, (512,), generator=gen),
                            torch.rand(256, 1, 28, 28, generator=gen), torch.randint(0, 10, (256,), generator=gen))


@pytest.mark.parametrize("layers", DEPTHS)
def test_every_figure_is_valid_plotly(layers):
    model = model_of("concise", layers)
    t = inside.trace(model, image(7))
    probs = inside.softmax(t.logits)
    figures = [figs.image_figure(t.x, "x"), figs.probability_figure(probs.tolist(), 3, CLASSES, 1.0),
               figs.diagram_figure(inside.diagram(t, probs), t.x, CLASSES, [len(h.post) for h in t.hidden]),
               figs.loss_curve_figure(0.3), figs.templates_figure(torch.randn(8, 28, 28), [str(i) for i in range(8)]),
               figs.gradient_figure({k: v["grad"].tolist() for k, v in inside.losses(t.logits, 3).items()}, CLASSES)]
    figures += [figs.histogram_figure(h.pre, i) for i, h in enumerate(t.hidden, 1)]
    for fig in figures:
        go.Figure(fig.to_dict())  # full validation: raises on any invalid property
    diagram = figures[2].to_dict()["data"]
    outputs = diagram[-2]
    assert outputs["text"][t.predicted].endswith(f"{probs[t.predicted]:.2f}") and len(outputs["x"]) == 10
    assert diagram[-1]["type"] == "heatmap"  # the input image at the left


def test_figures_pass_their_text_through_the_translation_function():
    def marked(message: str) -> str:
        return "» " + message

    fig = figs.loss_curve_figure(0.5, marked).to_dict()
    assert fig["layout"]["title"]["text"] == "» Cross-entropy −log p for the true class"
    bars = figs.probability_figure([0.1] * 10, 2, CLASSES, 1.0, marked).to_dict()
    assert bars["layout"]["annotations"][0]["text"] == "» true class"
    assert bars["layout"]["title"]["text"] == "» softmax(o / T) with T = 1"
