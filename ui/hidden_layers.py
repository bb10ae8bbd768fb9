"""Streamlit helpers for "Hidden layers": the live playground ("build it by hand" is ui/hand_xor.py).

The model and its trainer live in ``st.session_state`` (one per session). While ▶ Train runs, the
page's last step trains and redraws the playground's placeholders ten times a second, as the
training page does: the rest of the page is not run again until the next click. Those pictures are
PNGs (a browser cannot rebuild two plotly charts ten times a second); the charts return when it stops.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace

import pandas as pd
import streamlit as st
import torch

from explorer.lessons import playground as pg
from explorer.fair_share import threads
from explorer.figures import playground as figs
from explorer.figures import playground_live as live_figs
from ui.i18n import _
from ui.server import session_lock

PICTURES_PER_SECOND = 12  # the target is 10 a second: pace above it, so a quiet machine shows >= 10
LOSS_EVERY = 5  # while training live, the loss curves are redrawn every 5th picture
GRID = 50  # points per side of every map
PICTURE = 450  # pixels: the live surface's width (9 per grid point)


def _state():
    return st.session_state


def current_trainer(config: pg.PlaygroundConfig) -> pg.PlaygroundTrainer:
    """This session's trainer, rebuilt when the data or the network changed (a new learning rate
    is applied to the running one, as in TensorFlow Playground)."""
    state, key = _state(), replace(config, lr=0.0, epochs=0)
    trainer = state.get("pg_trainer")
    if trainer is None or state.get("pg_key") != key:
        trainer = pg.PlaygroundTrainer(config, model=state.pop("pg_start_model", None))
        state["pg_trainer"], state["pg_key"] = trainer, key
    elif trainer.config.lr != config.lr:
        trainer.set_lr(config.lr)
    return trainer


def _train() -> None:
    state = _state()
    state["pg_playing"] = True
    state.pop("pg_until", None)  # set when the training starts: this many epochs from where it is


def _stop() -> None:
    state = _state()
    state["pg_playing"] = False
    state.pop("pg_until", None)
    if state.get("pg_trainer") is not None:
        state["pg_trainer"].stop()


def _step() -> None:
    state = _state()
    state["pg_playing"] = False
    trainer = state.get("pg_trainer")
    if trainer is not None and trainer.status != "diverged":
        with session_lock("playground"):
            trainer.step()


def _reset() -> None:
    state = _state()
    state["pg_playing"] = False
    state.pop("pg_until", None)
    state.pop("pg_trainer", None)


def _unit_names(config: pg.PlaygroundConfig) -> dict:
    units = {None: _("none")}
    for layer in range(1, config.layers + 1):
        for unit in range(1, config.hidden + 1):
            units[(layer, unit)] = _("unit {layer}.{unit}").format(layer=layer, unit=unit)
    return units


def playground(config: pg.PlaygroundConfig) -> Callable[[int, int], None]:
    """Buttons, the decision surface, every unit's map and the losses, drawn now; returns ``live``,
    which the page calls LAST: while ▶ Train runs it trains and redraws these placeholders in a loop.

    Any click (Stop, Step, a slider) reruns the script, which interrupts the loop between two
    pictures; the training resumes where it was if it should go on. (A loop inside an ``st.fragment``
    would not do: Streamlit holds a click inside a running fragment until the loop ends.)
    """
    state = _state()
    trainer = current_trainer(config)
    cols = st.columns([1, 1, 1, 1, 2])
    cols[0].button(_("▶ Train"), key="pg_train", type="primary", on_click=_train, use_container_width=True)
    cols[1].button(_("■ Stop"), key="pg_stop", on_click=_stop, use_container_width=True)
    cols[2].button(_("Step"), key="pg_step", on_click=_step, use_container_width=True,
                   help=_("One full-batch gradient step (one epoch)."))
    cols[3].button(_("↺ Reset"), key="pg_reset", on_click=_reset, use_container_width=True,
                   help=_("New random weights from the seed."))
    names = _unit_names(config)
    if state.get("pg_enlarge") not in names:
        state["pg_enlarge"] = None
    cols[4].selectbox(_("Enlarge a unit's map"), list(names), key="pg_enlarge", format_func=names.get,
                      disabled=config.layers == 0)
    status = st.empty()
    left, right = st.columns([3, 2])
    surface_slot, unit_slot = left.empty(), right.empty()
    loss_slot = right.empty()
    st.markdown(_("**Every hidden unit's output over the plane**, and the weights into the next layer"))
    network_slot = st.empty()
    redraws = itertools.count()  # every redraw within one run needs its own element keys

    def draw(final: bool = True) -> None:
        n = next(redraws)
        enlarge = state.get("pg_enlarge")
        if final:  # the interactive figures: hover, colour bar, legend
            shown = figs.live_figures(trainer, GRID, enlarge, _=_)
            surface_slot.plotly_chart(shown["surface"], key=f"pg_surface{n}")
            if "unit" in shown:
                unit_slot.plotly_chart(shown["unit"], key=f"pg_unit{n}")
            network_slot.plotly_chart(shown["network"], key=f"pg_network{n}")
        else:  # while it trains: pictures, which a browser draws ten times a second (charts it cannot)
            shown = live_figs.live_pictures(trainer, GRID, enlarge)
            surface_slot.image(shown["surface"], width=PICTURE, alt=_("The network's output while it trains"),
                               caption=_("The output: probability of class 1 (x₁ across, x₂ up, both from −1.5 "
                                         "to 1.5). Hover the chart when the training stops."))
            if "unit" in shown:
                unit_slot.image(shown["unit"], width=PICTURE, alt=_("Unit {layer}.{unit}: its output over the "
                                                                    "plane").format(layer=enlarge[0], unit=enlarge[1]))
            network_slot.image(shown["network"], alt=_("Every hidden unit's output while it trains"), caption=_(
                "Left to right: the inputs x₁ and x₂, each hidden layer, the output. Solid orange lines are "
                "positive weights, dashed blue ones negative; thicker is larger."))
        if final or n % LOSS_EVERY == 0:  # the slow-moving curves: a browser has less to redraw
            loss_slot.plotly_chart(figs.loss_figure(trainer.history or [
                {"epoch": 0, "train_loss": float("nan"), "test_loss": float("nan")}], _), key=f"pg_loss{n}")
        with status.container():
            _status(trainer)

    def live(epochs: int, speed: int) -> None:
        if not state.get("pg_playing"):
            return
        state.setdefault("pg_until", trainer.epochs_done + epochs)
        steps = max(1, speed // PICTURES_PER_SECOND)
        # Counted as a running training, so trainings of other sessions in this server share the cores;
        # but one thread: these tensors are tiny, and on a busy machine two threads spinning against
        # other processes make a step 20-100x slower (bench/playground_speed.py).
        with threads.training_threads():
            while state.get("pg_playing"):
                tick = time.perf_counter()
                torch.set_num_threads(1)
                _train_some(trainer, steps)
                draw(final=not state.get("pg_playing"))
                time.sleep(max(0.0, 1 / PICTURES_PER_SECOND - (time.perf_counter() - tick)))

    draw()
    return live


def _train_some(trainer: pg.PlaygroundTrainer, steps: int) -> None:
    """Up to ``steps`` epochs towards the target; at the target (or on divergence) the training ends."""
    state = _state()
    with session_lock("playground"), closing(trainer.train(until_epoch=state["pg_until"])) as events:
        for _event in itertools.islice(events, steps):
            pass
    if trainer.epochs_done >= state["pg_until"] or trainer.status == "diverged":
        trainer.status = "diverged" if trainer.status == "diverged" else "finished"
        state["pg_playing"] = False
        state.pop("pg_until", None)


def _status(trainer: pg.PlaygroundTrainer) -> None:
    if trainer.status == "diverged":
        st.error(_("Training diverged: the loss is no longer a number. Try a learning rate about 10x smaller."),
                 icon="💥")
    if not trainer.history:
        st.info(_("Press **▶ Train** (or **Step**) to train; the maps change as the network learns."))
        return
    last = trainer.history[-1]
    cols = st.columns(4)
    cols[0].metric(_("epoch"), last["epoch"])
    cols[1].metric(_("training loss"), f"{last['train_loss']:.3f}")
    cols[2].metric(_("training accuracy"), f"{last['train_acc']:.3f}")
    cols[3].metric(_("test accuracy"), f"{last['test_acc']:.3f}")


def parameter_table(config: pg.PlaygroundConfig) -> None:
    counts = pg.parameter_counts(pg.PlaygroundMLP(config.widths(), config.activation))
    table = pd.DataFrame([{_("layer"): _("output") if row["layer"] == len(counts) else
                           _("hidden layer {layer}").format(layer=row["layer"]),
                           _("shape"): f"{row['inputs']} → {row['outputs']}", _("weights"): row["weights"],
                           _("biases"): row["biases"], _("parameters"): row["total"]} for row in counts])
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(_("{total} parameters in all.").format(total=sum(row["total"] for row in counts)))
