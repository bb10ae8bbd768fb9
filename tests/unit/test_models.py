"""Scratch and concise MLPs are the same maths: forward and backward compared in float64."""

import pytest
import torch
from torch import nn

from explorer.mlp.activations import MLP_ACTIVATIONS
from explorer.mlp.models import (
    Dropout, build_mlp, dropout_demo, dropout_layer, first_layer_weights, relu, set_dropout_generator,
)


def _pair(activation="relu", sizes=(784, 32, 16, 10), dropouts=(0.0, 0.0), seed=3):
    return [build_mlp(impl, list(sizes), activation, list(dropouts), 0.1, seed).double()
            for impl in ("scratch", "concise")]


@pytest.mark.parametrize("activation", MLP_ACTIVATIONS)
def test_scratch_equals_concise_forward_and_gradients(activation):
    scratch, concise = _pair(activation)
    X = torch.rand(8, 1, 28, 28, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.arange(8) % 10
    out_s, out_c = scratch(X), concise(X)
    torch.testing.assert_close(out_s, out_c, rtol=1e-10, atol=1e-12)

    nn.functional.cross_entropy(out_s, y).backward()
    nn.functional.cross_entropy(out_c, y).backward()
    concise_linears = [m for m in concise if isinstance(m, nn.Linear)]
    for W, b, linear in zip(scratch.weights, scratch.biases, concise_linears, strict=True):
        torch.testing.assert_close(W.grad, linear.weight.grad.T, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(b.grad, linear.bias.grad, rtol=1e-9, atol=1e-12)


def test_same_seed_same_init_different_seed_different_init():
    a = build_mlp("scratch", [784, 256, 10], "relu", [0.0], 0.01, seed=0)
    b = build_mlp("concise", [784, 256, 10], "relu", [0.0], 0.01, seed=0)
    c = build_mlp("concise", [784, 256, 10], "relu", [0.0], 0.01, seed=1)
    assert torch.equal(first_layer_weights(a), first_layer_weights(b))
    assert not torch.equal(first_layer_weights(b), first_layer_weights(c))
    assert first_layer_weights(a).shape == (256, 784)
    assert abs(first_layer_weights(a).std().item() - 0.01) < 1e-3  # d2l's normal(0, 0.01)
    assert all(torch.count_nonzero(bias) == 0 for bias in a.biases)


def test_dropout_is_off_in_eval_and_on_in_training():
    scratch, concise = _pair(dropouts=(0.5, 0.5))
    X = torch.rand(64, 784, dtype=torch.float64)
    for net in (scratch, concise):
        net.eval()
        assert torch.equal(net(X), net(X))
    torch.testing.assert_close(scratch(X), concise(X))
    scratch.train()
    assert not torch.equal(scratch(X), scratch(X))


def test_dropout_layer_d2l_properties():
    X = torch.arange(16, dtype=torch.float32).reshape(2, 8) + 1
    assert dropout_layer(X, 0.0) is X
    assert torch.count_nonzero(dropout_layer(X, 1.0)) == 0
    out = dropout_layer(X, 0.5, torch.Generator().manual_seed(0))
    kept = out != 0
    torch.testing.assert_close(out[kept], X[kept] * 2)  # survivors scaled by 1/(1-p)
    big = torch.ones(200_000)
    dropped = (dropout_layer(big, 0.3) == 0).float().mean().item()
    assert abs(dropped - 0.3) < 0.01
    assert abs(dropout_layer(big, 0.3).mean().item() - 1.0) < 0.01  # expectation preserved


def test_relu_matches_torch_and_bad_settings_are_rejected():
    x = torch.linspace(-3, 3, 101)
    assert torch.equal(relu(x), torch.relu(x))
    with pytest.raises(ValueError, match="activation"):
        build_mlp("concise", [784, 10, 10], "swish2", [0.0], 0.01, 0)
    with pytest.raises(ValueError, match="implementation"):
        build_mlp("keras", [784, 10, 10], "relu", [0.0], 0.01, 0)
    with pytest.raises(ValueError, match="dropout"):
        build_mlp("scratch", [784, 10, 10, 10], "relu", [0.0], 0.01, 0)


def test_dropout_masks_come_from_the_given_generator_only():
    X = torch.ones(4, 1000)
    global_state = torch.get_rng_state()
    a = dropout_layer(X, 0.5, torch.Generator().manual_seed(7))
    b = dropout_layer(X, 0.5, torch.Generator().manual_seed(7))
    c = dropout_layer(X, 0.5, torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    module = Dropout(0.5, torch.Generator().manual_seed(7))
    assert torch.equal(module(X), a)
    module.eval()
    assert module(X) is X
    assert torch.equal(dropout_demo(0.5, seed=3)["out"], dropout_demo(0.5, seed=3)["out"])
    assert torch.equal(torch.get_rng_state(), global_state)  # nobody else's random numbers were used


def test_scratch_and_concise_drop_the_same_units_from_the_same_generator():
    scratch, concise = _pair(dropouts=(0.5, 0.3))
    assert sum(isinstance(m, Dropout) for m in concise) == 2
    X = torch.rand(16, 784, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    global_state = torch.get_rng_state()
    for net in (scratch, concise):
        set_dropout_generator(net, torch.Generator().manual_seed(5))
    torch.testing.assert_close(scratch(X), concise(X), rtol=1e-10, atol=1e-12)
    assert not torch.equal(scratch(X), scratch(X))  # the generator moves on: a new mask each call
    assert torch.equal(torch.get_rng_state(), global_state)
