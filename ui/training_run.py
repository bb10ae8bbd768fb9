"""The training page's run: ▶ Train, ■ Stop and ⏩ Continue (button callbacks on the session's runs,
``st.session_state["runs"]``), the live chart and metrics, and the loop that trains the active run.

Training runs last in the page's script, so the rest of the page is drawn already and only the slots
above the tabs update; any click (even Stop) reruns the script, which resumes the run where it left off.
"""

from __future__ import annotations

import itertools
import time
from contextlib import closing
from dataclasses import replace
from collections.abc import Callable

import streamlit as st

import ui
from explorer.data import FashionMNISTData
from explorer.figures import training as figs
from explorer.mlp import runs
from explorer.mlp.training import METRICS, TrainConfig
from ui import training_panels as panels
from ui.i18n import _


def find(run_id) -> runs.Run | None:
    return next((r for r in st.session_state["runs"] if r.id == run_id), None)


def start(current_config: Callable[[], TrainConfig], data: FashionMNISTData) -> None:
    state = st.session_state
    stop()  # a run interrupted by this click is stopped, not left "running" for ever
    config = current_config()
    epochs, notice = panels.within_budget(config, data, config.epochs)  # a fair share for everyone
    config = replace(config, epochs=epochs)
    try:
        state["active_run"] = runs.new_run(state["runs"], config, data).id
    except ValueError as err:
        state["error"] = str(err)
        return
    state["budget_notice"] = (state["active_run"], notice)  # said beside the run, while it trains and after


def stop() -> None:
    run = find(st.session_state["active_run"])
    if run and run.trainer:
        run.trainer.stop()
    st.session_state["active_run"] = None


def resume(data: FashionMNISTData) -> None:
    state = st.session_state
    run = state["runs"][-1] if state["runs"] else None
    if run is None or run.trainer is None or run.status == "diverged":
        state["error"] = _("Nothing to continue: train a run first (a diverged run cannot continue).")
        return
    extra, notice = panels.within_budget(run.trainer.config, data, state["epochs"], run.trainer.epochs_done)
    if extra == 0:
        state["error"] = notice
        return
    state["budget_notice"] = (run.id, notice)
    runs.continue_run(run, state["lr"], extra)
    state["active_run"] = run.id


def buttons(current_config: Callable[[], TrainConfig], data: FashionMNISTData) -> None:
    """▶ Train, ■ Stop, ⏩ Continue in a row, with what one epoch costs of this server's fair share."""
    row = st.columns([1, 1, 1, 3])
    row[0].button(_("▶ Train"), key="train", type="primary", on_click=start, args=(current_config, data),
                  use_container_width=True)
    row[1].button(_("■ Stop"), key="stop", on_click=stop, use_container_width=True)
    row[2].button(_("⏩ Continue"), key="continue", on_click=resume, args=(data,), use_container_width=True,
                  help=_("Train the latest run further with the current learning rate, for 'Epochs' more epochs."))
    if "error" in st.session_state:
        st.warning(st.session_state.pop("error"))
    row[3].caption(panels.budget_text(panels.budget_epochs(current_config(), data)[1]))


class Slots:
    """The progress bar, the curves and the metrics: drawn once per run of the script, redrawn while it trains."""

    def __init__(self) -> None:
        self.progress, self.chart, self.metrics = st.empty(), st.empty(), st.empty()
        self.redraws = itertools.count()  # each redraw of the live chart needs its own element key

    def draw(self, run: runs.Run) -> None:
        self.chart.plotly_chart(figs.curves_figure(run.points, run.target_epoch, run.name, _),
                                key=f"curves{next(self.redraws)}")
        if run.history:
            last = run.history[-1]
            with self.metrics.container():
                for col, metric in zip(st.columns(4), METRICS):
                    col.metric(_(panels.METRIC_NAMES[metric]), f"{last[metric]:.4f}")
        if run.status == "diverged":
            st.error(panels.diverged_message(run), icon="💥")


def train_live(live: runs.Run, slots: Slots) -> None:
    """Train ``live`` in this server's turns, redrawing its curves; then a rerun draws the finished run."""
    trainer = live.trainer
    # closing(): a click that interrupts this run closes the training at once (its core share and slot
    # go back), not when the garbage collector gets to the interrupted script's frame.
    with ui.training_slot(slots.progress) as turn, closing(turn.train(trainer, live.target_epoch, 0.5)) as events:
        started, start_epoch = time.perf_counter(), trainer.epoch_progress
        for event in events:
            live.record(event)
            rate = (trainer.epoch_progress - start_epoch) / (time.perf_counter() - started)
            left = (live.target_epoch - trainer.epoch_progress) / max(rate, 1e-9)
            slots.progress.progress(min(trainer.epoch_progress / live.target_epoch, 1.0),
                                    text=_("Epoch {epoch} of {total} · about {seconds} s left").format(
                                        epoch=f"{trainer.epoch_progress:.1f}", total=live.target_epoch,
                                        seconds=f"{left:.0f}"))
            slots.draw(live)
    if not turn.replaced:  # else a newer script run of this session (a fast rerun) carries the training on
        st.session_state["active_run"] = None
        st.rerun()  # draw the finished run's predictions, confusion matrix and comparison
