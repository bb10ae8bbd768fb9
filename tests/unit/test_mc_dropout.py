"""MC dropout: K passes with dropout on, from a seeded generator, vs dropout off."""

import pytest
import torch

from explorer.lessons import mc_dropout
from explorer.mlp.models import build_mlp


def tiny(impl: str):
    model = build_mlp(impl, [784, 64, 32, 10], "relu", [0.5, 0.5], 0.1, seed=0)
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(300, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (300,), generator=gen)
    return model, images, labels


@pytest.mark.parametrize("impl", ["scratch", "concise"])
def test_running_means_equal_k_passes_run_alone(impl):
    model, images, labels = tiny(impl)
    full = mc_dropout.mc_dropout(model, images, labels, passes=8, seed=3)
    for k in (1, 3, 8):
        alone = mc_dropout.mc_dropout(model, images, labels, passes=k, seed=3)
        assert alone["table"]["mc_acc"].iloc[-1] == full["table"]["mc_acc"].iloc[k - 1]
        torch.testing.assert_close(alone["probs"], full["probs"][:k])
    assert full["probs"].shape == (8, mc_dropout.KEPT_IMAGES, 10)
    torch.testing.assert_close(full["probs"].sum(-1), torch.ones(8, mc_dropout.KEPT_IMAGES))
    # Passes differ from each other (dropout is on) and from dropout off.
    assert not torch.allclose(full["probs"][0], full["probs"][1])
    assert not torch.allclose(full["probs"][0], full["eval_probs"])


def test_eval_accuracy_is_dropout_off_and_nothing_global_changes():
    model, images, labels = tiny("scratch")
    run_generator = torch.Generator().manual_seed(42)
    model.generator = run_generator
    model.train()
    global_state = torch.get_rng_state()
    result = mc_dropout.mc_dropout(model, images, labels, passes=4)
    assert torch.equal(torch.get_rng_state(), global_state)  # the global RNG was never touched
    assert model.training and model.generator is run_generator  # the run continues as before
    model.eval()
    with torch.no_grad():
        expected = (model(images).argmax(1) == labels).float().mean().item()
    assert result["eval_acc"] == pytest.approx(expected)


def test_has_dropout_and_bad_passes():
    model, images, labels = tiny("concise")
    assert mc_dropout.has_dropout(model)
    assert not mc_dropout.has_dropout(build_mlp("concise", [784, 16, 10], "relu", [0.0], 0.1, seed=0))
    assert not mc_dropout.has_dropout(build_mlp("scratch", [784, 16, 10], "relu", [0.0], 0.1, seed=0))
    with pytest.raises(ValueError, match="the number of passes must be 1 to 256"):
        mc_dropout.mc_dropout(model, images, labels, passes=0)
