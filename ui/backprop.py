"""Streamlit helpers for "Backpropagation": the controls, the model the steps start from, the batch,
and the session's walk (the model on its way, kept in ``st.session_state`` across reruns).
"""

from __future__ import annotations

import copy
from dataclasses import replace

import streamlit as st
import torch

import ui
from explorer.lessons import backprop_step as steps
from explorer.data import DEFAULT_DATASET, FashionMNISTData
from explorer.i18n import N_
from ui import inside as inside_ui
from ui.i18n import _, label_func
from ui.phone import sidebar_hint
from ui.training_panels import IMPL_NAMES, OPTIMIZER_NAMES

STARTS = ("d2l", "run", "quick")
BATCHES = ("train", "test", "inside")
# Keys start with bp_: the training page's lr, seed, layers… have other ranges, and session state is shared.
# Each control's default and scale come from StepConfig, the config the CLI uses too.
FIELDS = {"bp_layers": "layers", "bp_hidden": "hidden", "bp_act": "activation", "bp_impl": "impl", "bp_seed": "seed",
          "bp_batch": "split", "bp_b": "batch_size", "bp_loss": "loss", "bp_opt": "optimizer", "bp_lr": "lr",
          "bp_wd": "weight_decay"}
PARAMS = {
    "dataset": ui.DATASET_PARAM,  # shared with the other pages: ?dataset=mnist
    "bp_start": ui.Param("d2l", choices=STARTS, kind=str),
    **{key: ui.Param.of(steps.StepConfig, name) for key, name in FIELDS.items()},
}
PARAMS["bp_batch"] = ui.Param.of(steps.StepConfig, "split", choices=BATCHES)  # or the image from Inside an MLP
START_NAMES = {"d2l": N_("d2l's initialisation (std 0.01)"), "run": N_("the latest run of this session"),
               "quick": N_("the quick model")}
BATCH_NAMES = {"train": N_("training images"), "test": N_("test images"), "inside": N_("the image from Inside an MLP")}
LOSS_NAMES = {"ce": N_("cross-entropy"), "mse": N_("MSE against one-hot"), "l1": N_("L1 against one-hot")}


def controls() -> steps.StepConfig:
    """The sidebar, drawn from PARAMS' keys; returns the settings as a StepConfig."""
    side, state = st.sidebar, st.session_state
    ui.dataset_choice()
    side.subheader(_("Network"))
    side.radio(_("Start from"), STARTS, key="bp_start", format_func=label_func(START_NAMES))
    own = state["bp_start"] == "d2l"  # a trained model brings its own architecture
    side.slider(_("Hidden layers"), *PARAMS["bp_layers"].span, key="bp_layers", disabled=not own,
                help=_("0 hidden layers is softmax regression (d2l 3.6)."))
    side.slider(_("Hidden units per layer"), *PARAMS["bp_hidden"].span, step=16, key="bp_hidden",
                disabled=not own or state["bp_layers"] == 0)
    side.selectbox(_("Activation"), PARAMS["bp_act"].choices, key="bp_act", disabled=not own or state["bp_layers"] == 0)
    side.radio(_("Implementation"), PARAMS["bp_impl"].choices, key="bp_impl", horizontal=True, disabled=not own,
               format_func=label_func(IMPL_NAMES))
    side.number_input(_("Seed"), *PARAMS["bp_seed"].span, step=1, key="bp_seed",
                      help=_("Seeds the weights and every batch."))
    side.subheader(_("The step"))
    side.radio(_("Minibatch of"), BATCHES, key="bp_batch", format_func=label_func(BATCH_NAMES))
    side.select_slider(_("Batch size b"), PARAMS["bp_b"].choices, key="bp_b", disabled=state["bp_batch"] == "inside")
    side.selectbox(_("Loss"), PARAMS["bp_loss"].choices, key="bp_loss", format_func=label_func(LOSS_NAMES))
    side.selectbox(_("Optimizer"), PARAMS["bp_opt"].choices, key="bp_opt", format_func=label_func(OPTIMIZER_NAMES),
                   help=_("momentum = SGD with momentum 0.9"))
    side.select_slider(_("Learning rate η (log scale)"), PARAMS["bp_lr"].choices, key="bp_lr")
    side.select_slider(_("Weight decay λ (L2, weights only)"), PARAMS["bp_wd"].choices, key="bp_wd")
    ui.settings_link(PARAMS)
    sidebar_hint("backprop")
    return steps.StepConfig(batch_size=1 if state["bp_batch"] == "inside" else state["bp_b"], lr=state["bp_lr"],
                            loss=state["bp_loss"], optimizer=state["bp_opt"], layers=state["bp_layers"],
                            hidden=state["bp_hidden"], activation=state["bp_act"], seed=state["bp_seed"],
                            split="test" if state["bp_batch"] == "test" else "train", weight_decay=state["bp_wd"],
                            impl=state["bp_impl"])


def _d(name: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {name}}}"


def layer_formulas(i: int, hidden: int, activation: str, weight_decay: float) -> tuple[str, str | None]:
    """LaTeX for layer ``i`` (1-based) of the backward pass: its weight and bias gradients, and, below a
    hidden layer, the way back through the activation (None for the first layer)."""
    inp = r"\mathbf{X}" if i == 1 else rf"\mathbf{{H}}_{i - 1}"
    delta = _d(r"\mathbf{O}") if i == hidden + 1 else _d(rf"\mathbf{{Z}}_{i}")
    decay = rf" + \lambda \mathbf{{W}}_{i}" if weight_decay else ""
    dW, db = _d(rf"\mathbf{{W}}_{i}"), _d(rf"\mathbf{{b}}_{i}")
    linear = rf"{dW} = {inp}^\top {delta}{decay},\quad {db} = \mathbf{{1}}^\top {delta}"
    if i == 1:
        return linear, None
    z, h = rf"\mathbf{{Z}}_{i - 1}", rf"\mathbf{{H}}_{i - 1}"
    gate = rf"\mathbb{{1}}[{z} > 0]" if activation == "relu" else rf"\sigma'({z})"
    return linear, rf"{_d(h)} = {delta}\,\mathbf{{W}}_{i}^\top,\quad {_d(z)} = {_d(h)} \odot {gate}"


def _trained(data: FashionMNISTData, start: str):
    """(model, its config dict, its name, an id that does not depend on the language) of the session's
    latest run or of the quick model, else None."""
    if start == "run":
        run = next((r for r in reversed(st.session_state.get("runs", [])) if r.trainer and r.trainer.history
                    and r.config.get("dataset", DEFAULT_DATASET) == data.name), None)
        if run is None:
            st.info(_("No run with weights in this session yet: train one on the **Train an MLP** page, "
                      "or start from d2l's initialisation."))
            return None
        return run.trainer.model, run.trainer.config.to_dict(), run.name, f"run {run.id}"
    shown = inside_ui._quick_model(data.name).shown
    if shown is None:
        st.info(_("The quick model is d2l's MLP after 2 epochs, shared by everyone on this server."))
        if st.button(_("⚡ Train a quick model"), key="bp_quick_train", type="primary"):
            inside_ui.train_quick_model(data)
            st.rerun()
        return None
    return shown.model, shown.config, _(shown.name), "quick"


def walk(data: FashionMNISTData, config: steps.StepConfig) -> tuple[steps.Walk, steps.StepConfig, str] | None:
    """The session's walk for these settings, made when the start or the network changes (or on Reset)."""
    state, start = st.session_state, st.session_state["bp_start"]
    name, ident = _("d2l's MLP at its initialisation (std 0.01, seed {seed})").format(seed=config.seed), "d2l"
    if start != "d2l":
        trained = _trained(data, start)
        if trained is None:
            return None
        model, c, name, ident = trained
        config = replace(config, layers=c["layers"], hidden=c["hidden"], activation=c["activation"], impl=c["impl"])
    key = (data.name, ident, config.layers, config.hidden, config.activation, config.impl, config.seed)
    if state.get("bp_walk_key") != key or "bp_walk" not in state:
        # A copy: steps here never change the training page's run or the shared quick model.
        fresh = steps.d2l_model(config) if start == "d2l" else copy.deepcopy(model).cpu().float()
        state["bp_walk"], state["bp_walk_key"] = steps.Walk(fresh.eval()), key
    return state["bp_walk"], config, name


def inside_position(data: FashionMNISTData) -> int:
    """The test image Inside an MLP shows: its class and index keys, while or after that page was open."""
    state = st.session_state
    cls = int(state.get("cls", state.get("_kept_cls", 0)))
    positions = inside_ui._class_positions(data, data.name)[cls]
    return int(positions[min(int(state.get("index", state.get("_kept_index", 0))), len(positions) - 1)])


def batch(data: FashionMNISTData, config: steps.StepConfig, w: steps.Walk) -> tuple[torch.Tensor, torch.Tensor]:
    """The next step's minibatch: a seeded draw, or the test image chosen on Inside an MLP."""
    if st.session_state["bp_batch"] != "inside":
        return steps.draw_batch(data, config, w.steps)
    position = inside_position(data)
    return data.test_images[position].reshape(1, -1), data.test_labels[position:position + 1]


def take(data: FashionMNISTData, config: steps.StepConfig, n: int) -> None:
    """A button's callback: ``n`` steps, before the page is drawn again."""
    w = st.session_state.get("bp_walk")
    if w is not None:
        fixed = batch(data, config, w) if st.session_state["bp_batch"] == "inside" else None
        steps.take_steps(w, data, config, n, batch=fixed)


def reset() -> None:
    st.session_state.pop("bp_walk", None)
