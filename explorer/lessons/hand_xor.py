"""XOR built by hand (d2l 4.1's claim, made concrete): two ReLU units and an output are enough.

A linear model cannot separate XOR's classes; one hidden layer of two ReLU units can, with weights
a person can set: :func:`hand_built_xor` turns nine numbers into that 2-2-1 network.
"""

from __future__ import annotations

import torch

from explorer.lessons.playground import PlaygroundMLP

# The classic construction (Goodfellow et al., Deep Learning 6.1, moved to corners at ±1): unit 1 fires
# where x1 + x2 > 0, unit 2 where x1 + x2 < 0; together they give |x1 + x2|, and the output
# 1 − |x1 + x2| is positive (class 1, "exactly one coordinate positive") only near the other diagonal.
HAND_XOR = {"w11": 1.0, "w12": 1.0, "b1": 0.0, "w21": -1.0, "w22": -1.0, "b2": 0.0,
            "v1": -1.0, "v2": -1.0, "c": 1.0}
CORNERS = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
CORNER_LABELS = torch.tensor([0.0, 1.0, 1.0, 0.0])


def hand_built_xor(weights: dict[str, float] | None = None) -> PlaygroundMLP:
    """A 2-2-1 ReLU network with the given weights (default: :data:`HAND_XOR`)."""
    w = {**HAND_XOR, **(weights or {})}
    model = PlaygroundMLP([2], "relu")
    with torch.no_grad():
        model.layers[0].weight.copy_(torch.tensor([[w["w11"], w["w12"]], [w["w21"], w["w22"]]]))
        model.layers[0].bias.copy_(torch.tensor([w["b1"], w["b2"]]))
        model.layers[1].weight.copy_(torch.tensor([[w["v1"], w["v2"]]]))
        model.layers[1].bias.copy_(torch.tensor([w["c"]]))
    return model
