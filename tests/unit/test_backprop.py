"""The hand-written backward pass against autograd in float64, and one step of learning checked by its numbers."""

import copy

import pytest
import torch
from torch.nn import functional as F

from explorer.lessons import backprop
from explorer.lessons import backprop_step as steps
from explorer.mlp.activations import MLP_ACTIVATIONS
from explorer.mlp.models import build_mlp
from explorer.mlp.optimizers import make_optimizer


def batch(n=6, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(n, 784, generator=gen, dtype=dtype), torch.randint(0, 10, (n,), generator=gen)


def model(impl="concise", layers=1, activation="relu", hidden=24, std=0.2, seed=1):
    return build_mlp(impl, [784] + [hidden] * layers + [10], activation, [0.0] * layers, std, seed).double()


@pytest.mark.parametrize("impl", ["concise", "scratch"])
@pytest.mark.parametrize("layers", [0, 1, 2, 3])
@pytest.mark.parametrize("activation", MLP_ACTIVATIONS)
@pytest.mark.parametrize("loss", backprop.LOSSES)
def test_hand_written_backward_equals_autograd(impl, layers, activation, loss):
    m = model(impl, layers, activation)
    X, y = batch()
    back = backprop.backward(m, X, y, loss, weight_decay=0.03)
    assert backprop.autograd_max_abs_diff(m, back, loss) < 1e-10
    # and the data loss is the one torch computes
    logits = m(X).detach()
    expected = F.cross_entropy(logits, y) if loss == "ce" else \
        (F.mse_loss if loss == "mse" else F.l1_loss)(torch.softmax(logits, 1), F.one_hot(y, 10).double())
    assert back.loss == pytest.approx(float(expected), abs=1e-12)
    if layers:
        assert backprop.activation_of(m) == activation


def test_the_tensors_have_the_shapes_of_d2l_and_ce_gradient_is_softmax_minus_one_hot():
    m = model(hidden=256, std=0.01)
    X, y = batch(8)
    back = backprop.backward(m, X, y)
    assert back.shapes() == {"x": [8, 784], "z1": [8, 256], "h1": [8, 256], "o": [8, 10]}
    torch.testing.assert_close(back.dO, (torch.softmax(back.logits, 1) - F.one_hot(y, 10)) / 8)
    assert [tuple(d.shape) for d in back.dW] == [(784, 256), (256, 10)]
    torch.testing.assert_close(back.dZ[0], back.dH[0] * (back.Z[0] > 0))  # ReLU's gate
    assert back.dead == [int((back.Z[0] <= 0).all(0).sum())]
    f = back.followed()
    assert f["sum"] == pytest.approx(f["grad"], abs=1e-12) and len(f["terms"]) == 8
    assert abs(f["grad"]) == pytest.approx(float(back.dW[1].abs().max()))


def test_a_layer_that_gets_no_gradient_is_counted_dead():
    m = model(hidden=5)
    with torch.no_grad():
        m[1].bias[:2] = -1e3  # units 0 and 1 never switch on
    back = backprop.backward(m, *batch())
    assert back.dead == [2] and float(back.dW[0][:, :2].abs().max()) == 0


def test_weight_decay_adds_lambda_w_and_the_l2_term():
    m = model()
    X, y = batch()
    plain, decayed = backprop.backward(m, X, y), backprop.backward(m, X, y, weight_decay=0.1)
    W = backprop.weights(m)
    torch.testing.assert_close(decayed.dW[0] - plain.dW[0], 0.1 * W[0][0])
    torch.testing.assert_close(decayed.db[0], plain.db[0])
    assert decayed.l2 == pytest.approx(0.05 * sum(float((w * w).sum()) for w, _ in W))
    f = decayed.followed(W=W[-1][0])
    assert f["l2"] == pytest.approx(0.1 * float(W[-1][0][f["j"], f["k"]]))
    assert f["sum"] + f["l2"] == pytest.approx(f["grad"], abs=1e-12)


@pytest.mark.parametrize("name", steps.OPTIMIZERS)
def test_written_out_optimizers_match_torch_optim(name):
    m = model()
    reference = copy.deepcopy(m)
    opt = make_optimizer(name, reference, 0.05, 0.0)
    walk = steps.Walk(m, optimizer=name)
    for seed in range(3):
        X, y = batch(seed=seed)
        back = backprop.backward(m, X, y)
        deltas, state = steps.optimizer_update(name, steps.flat_grads(back), 0.05, walk.state)
        steps.apply(walk, deltas, state, name)
        opt.zero_grad()
        F.cross_entropy(reference(X), y).backward()
        opt.step()
    for a, b in zip(m.parameters(), reference.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_adam_first_step_moves_every_weight_by_about_lr():
    m = model()
    back = backprop.backward(m, *batch())
    deltas, _ = steps.optimizer_update("adam", steps.flat_grads(back), 0.01, {})
    moved = deltas[0][back.dW[0] != 0].abs()
    assert float(moved.max()) <= 0.01 + 1e-12 and float(moved.median()) > 0.009


@pytest.fixture
def d2l_walk():
    config = steps.StepConfig(hidden=256, seed=0)
    return config, steps.Walk(steps.d2l_model(config).double())


def test_sgd_update_norm_is_lr_times_grad_norm(d2l_walk):
    config, walk = d2l_walk
    ins = steps.inspect(walk, *batch(32), config)
    for row in ins.layer_rows():
        assert row["update_norm"] == pytest.approx(config.lr * row["grad_norm"], rel=1e-12)
    f = ins.followed()
    assert f["after"] == pytest.approx(f["before"] - config.lr * f["grad"], abs=1e-15)


def test_small_lr_lowers_the_batch_loss_and_lr_50_raises_it(d2l_walk):
    config, walk = d2l_walk
    X, y = batch(32)
    small = steps.inspect(walk, X, y, steps.StepConfig(lr=0.01))
    assert small.loss_after < small.back.total
    big = steps.inspect(walk, X, y, steps.StepConfig(lr=50.0))
    assert big.loss_after > big.back.total


@pytest.mark.parametrize("loss", backprop.LOSSES)
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_line_is_the_objective_at_w_minus_eta_g_and_its_slope_at_0_is_minus_grad_norm_squared(loss, weight_decay):
    m = model(layers=2, activation="tanh")
    X, y = batch()
    config = steps.StepConfig(lr=0.001, loss=loss, weight_decay=weight_decay, layers=2, activation="tanh")
    ins = steps.inspect(steps.Walk(m), X, y, config)
    assert len(ins.line) >= 50 and ins.line[0]["eta"] == 0 and ins.line[-1]["eta"] == pytest.approx(4 * config.lr)
    for point in (ins.line[7], ins.line[-1]):  # against a forward pass of the moved weights
        moved = [(W - point["eta"] * gW, b - point["eta"] * gb)
                 for (W, b), gW, gb in zip(ins.layers, ins.back.dW, ins.back.db)]
        direct = backprop.forward_loss(moved, "tanh", X, y, loss, weight_decay)
        assert point["loss"] == pytest.approx(float(direct), abs=1e-12)
    slope = (ins.line[1]["loss"] - ins.line[0]["loss"]) / ins.line[1]["eta"]
    assert slope == pytest.approx(-ins.back.grad_sq_norm, rel=0.02)


def test_a_too_large_step_overshoots_along_the_line(d2l_walk):
    config, walk = d2l_walk
    ins = steps.inspect(walk, *batch(32), steps.StepConfig(lr=1.0))  # the line reaches η = 4
    losses = [p["loss"] for p in ins.line]
    assert min(losses) < losses[0] < losses[-1]  # down first, then past the valley and up again


def test_batches_are_seeded_per_step_and_steps_are_reproducible(fashion):
    config = steps.StepConfig(batch_size=8, seed=3)
    X0, y0 = steps.draw_batch(fashion, config, 0)
    assert X0.shape == (8, 784) and torch.equal(y0, steps.draw_batch(fashion, config, 0)[1])
    assert not torch.equal(X0, steps.draw_batch(fashion, config, 1)[0])
    runs = [steps.take_steps(steps.Walk(steps.d2l_model(config)), fashion, config, 12) for _ in range(2)]
    assert runs[0].trace == runs[1].trace and len(runs[0].trace) == 12
    assert [a["step"] for a in runs[0].accuracy] == [0, 10]
    assert runs[0].last["step"] == 12 and runs[0].last["loss_after"] < runs[0].last["loss_before"]


def test_config_is_validated():
    for bad, message in (({"batch_size": 3}, "batch size must be one of"), ({"lr": 0.0}, "learning rate"),
                         ({"loss": "hinge"}, "loss must be one of"), ({"optimizer": "rmsprop"}, "optimizer must be"),
                         ({"layers": 4}, "hidden layers must be"), ({"split": "valid"}, "split must be"),
                         ({"weight_decay": -1.0}, "weight decay must be"), ({"activation": "swish"}, "activation")):
        with pytest.raises(ValueError, match=message):
            steps.StepConfig(**bad).validate()
