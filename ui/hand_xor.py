"""Hidden layers' "Build it by hand" (pages/8_Hidden_layers.py): nine sliders are the weights of a 2-2-1 ReLU
network; its units' maps, its output over the plane and the four XOR corners show whether they solve XOR, and
one button hands those weights to the playground above (ui/hidden_layers.py) to train from."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from explorer.figures import playground as figs
from explorer.i18n import N_
from explorer.lessons import hand_xor
from explorer.lessons import playground as pg
from ui.hidden_layers import GRID
from ui.i18n import _

HAND_KEYS = tuple(hand_xor.HAND_XOR)
HAND_LABELS = {"w11": N_("unit 1: weight of x₁"), "w12": N_("unit 1: weight of x₂"), "b1": N_("unit 1: bias"),
               "w21": N_("unit 2: weight of x₁"), "w22": N_("unit 2: weight of x₂"), "b2": N_("unit 2: bias"),
               "v1": N_("output: weight of unit 1"), "v2": N_("output: weight of unit 2"),
               "c": N_("output: bias")}


def _textbook() -> None:
    for key, value in hand_xor.HAND_XOR.items():
        st.session_state[f"hand_{key}"] = value


def hand_weights() -> dict[str, float]:
    return {key: float(st.session_state[f"hand_{key}"]) for key in HAND_KEYS}


def _let_gradient_descent_find_it() -> None:
    """Start the playground from the hand-built weights: XOR, one layer of 2 ReLU units."""
    state = st.session_state
    state.update(dataset="xor", layers=1, hidden=2, activation="relu")
    state["pg_start_model"] = hand_xor.hand_built_xor(hand_weights())
    state.pop("pg_trainer", None)
    state["pg_playing"] = True
    state.pop("pg_until", None)


def hand_built(data: tuple) -> None:
    """Sliders for a 2-2-1 ReLU network, its maps and surface on the XOR data, and the four corners."""
    cols = st.columns(3)
    for i, key in enumerate(HAND_KEYS):
        cols[i // 3].slider(_(HAND_LABELS[key]), -3.0, 3.0, step=0.1, key=f"hand_{key}")
    buttons = st.columns(2)
    buttons[0].button(_("💡 Show the textbook construction"), key="hand_hint", on_click=_textbook,
                      use_container_width=True)
    buttons[1].button(_("⬆ Let gradient descent find it (from these weights)"), key="hand_descend", type="primary",
                      on_click=_let_gradient_descent_find_it, use_container_width=True,
                      help=_("Trains the playground above from your weights, on XOR with 2 ReLU units."))
    model = hand_xor.hand_built_xor(hand_weights())
    maps = pg.unit_maps(model, GRID)
    with torch.no_grad():
        hidden, logits = model.trace(hand_xor.CORNERS)
    right = int(((logits > 0).float() == hand_xor.CORNER_LABELS).sum())
    X = torch.cat([data[0], data[2]])
    y = torch.cat([data[1], data[3]])
    acc = pg.evaluate(model, X, y)[1]
    left, mid = st.columns([3, 2])
    left.plotly_chart(figs.surface_figure(maps["output"], maps["axis"], data, _("Your network's output"),
                                          (0.0, 1.0), _=_, height=460), key="hand_surface")
    with mid:
        st.plotly_chart(figs.network_figure(maps, [layer.weight for layer in model.layers], _=_), key="hand_net")
        corners = pd.DataFrame({
            "x₁, x₂": [f"{int(a):+d}, {int(b):+d}" for a, b in hand_xor.CORNERS.tolist()],
            "h₁": hidden[0][:, 0].round(decimals=2).tolist(), "h₂": hidden[0][:, 1].round(decimals=2).tolist(),
            _("output"): logits.round(decimals=2).tolist(), _("class"): (logits > 0).int().tolist(),
            _("XOR"): hand_xor.CORNER_LABELS.int().tolist()})
        st.dataframe(corners, hide_index=True, width="stretch")
    verdict = st.success if right == 4 else st.warning
    verdict(_("{right} of the 4 corners right; {acc} of the XOR points.").format(right=right, acc=f"{acc:.1%}"))
