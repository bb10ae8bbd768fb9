"""Train d2l's MLP on Fashion-MNIST (or seed 002's on MNIST's digits) live, then look inside it and compare runs."""

import itertools
import time
from dataclasses import replace
from contextlib import closing

import streamlit as st

import ui
from explorer.mlp import runs
from explorer.figures import training as figs
from explorer.mlp.precision import default_precision, offered
from explorer.mlp.training import METRICS, TrainConfig
from explorer.i18n import N_
from ui import classroom as classroom_ui
from ui import training_panels as panels
from ui.i18n import _, label_func

st.set_page_config(page_title=_("Train an MLP"), page_icon="🏋️", layout="wide")

# Every setting of a run: its default and the page's scale come from TrainConfig's fields (explorer/mlp/config.py)
PARAMS = {
    **{key: ui.Param.of(TrainConfig, key) for key in ("hidden", "layers", "lr")},
    **{f"dropout{i}": ui.Param.of(TrainConfig, "dropout") for i in (1, 2, 3)},
    **{key: ui.Param.of(TrainConfig, key) for key in ("batch_size", "epochs", "activation", "optimizer",
                                                      "weight_decay", "init_std", "impl", "seed")},
    "train_size": ui.Param(60000, choices=(1000, 5000, 20000, 60000), kind=int, lo=1000, hi=60000),
    "precision": ui.Param.of(TrainConfig, "precision", default=default_precision(), choices=offered()),
    "dataset": ui.DATASET_PARAM,
}
PRESETS = {
    N_("d2l MLP"): {},
    N_("d2l dropout"): {"layers": 2, "dropout1": 0.2, "dropout2": 0.5, "lr": 0.5, "impl": "scratch"},
    N_("softmax regression (d2l 3.6)"): {"layers": 0},
    # Seed 002's digit recogniser: fc1 = nn.Linear(784, 512), ReLU, fc2 = nn.Linear(512, 10); d2l's SGD defaults.
    N_("MNIST, seed 002"): {"dataset": "mnist", "hidden": 512},
}
ui.init_state(PARAMS)
klass = classroom_ui.join()  # ?class=MLP-4821: a class's defaults apply before the widgets are drawn
state = st.session_state
panels.introduction(state["dataset"])  # the title and what to expect, for the chosen dataset
state.setdefault("runs", [])  # every run of this session: config, history, the last few models
state.setdefault("active_run", None)  # id of the run that should be training right now

if klass:  # the class and your nickname first: on a phone the sidebar is out of sight
    classroom_ui.sidebar(klass, state["runs"], where=st.container(border=True))
# The controls a newcomer needs first sit above the results, where a phone shows them too (no sidebar to
# discover; ui/phone.py); the rest stay in the sidebar.
no_hidden = state["layers"] == 0  # softmax regression: no width, activation or dropout to set
with st.expander(_("⚙️ Width, depth, learning rate and dropout"), expanded=True):
    width, depth = st.columns(2)
    width.slider(_("Hidden units per layer"), *PARAMS["hidden"].span, step=16, key="hidden", disabled=no_hidden)
    depth.slider(_("Hidden layers"), *PARAMS["layers"].span, key="layers",
                 help=_("0 hidden layers is softmax regression (d2l 3.6)."))
    st.select_slider(_("Learning rate (log scale)"), PARAMS["lr"].choices, key="lr")
    for col, i in zip(st.columns(max(state["layers"], 1)), range(1, max(state["layers"], 1) + 1)):
        col.slider(_("Dropout after hidden layer {i}").format(i=i), *PARAMS[f"dropout{i}"].span, step=0.05,
                   key=f"dropout{i}",
                   disabled=no_hidden)
    st.caption(_("More settings (presets, activation, optimizer, epochs, seed…) are in the sidebar: "
                 "the » button at the top left opens it on a phone."))

side = st.sidebar
side.subheader(_("Presets"))
ui.preset_buttons(PRESETS, PARAMS)
ui.dataset_choice()
side.subheader(_("Network"))
side.selectbox(_("Activation"), PARAMS["activation"].choices, key="activation", disabled=no_hidden)
side.select_slider(_("Weight init std  (normal(0, σ))"), PARAMS["init_std"].choices, key="init_std")
side.radio(_("Implementation"), PARAMS["impl"].choices, key="impl", horizontal=True,
           format_func=label_func(panels.IMPL_NAMES),
           help=_("scratch: explicit W, b and d2l's relu/dropout_layer; concise: nn.Sequential. Same maths."))
side.subheader(_("Training"))
side.selectbox(_("Optimizer"), PARAMS["optimizer"].choices, key="optimizer",
               format_func=label_func(panels.OPTIMIZER_NAMES), help=_("momentum = SGD with momentum 0.9"))
side.select_slider(_("Batch size"), PARAMS["batch_size"].choices, key="batch_size")
side.slider(_("Epochs"), *PARAMS["epochs"].span, key="epochs")
side.select_slider(_("Weight decay (L2, weights only)"), PARAMS["weight_decay"].choices, key="weight_decay")
side.select_slider(_("Training images (fewer = faster demo)"), PARAMS["train_size"].choices, key="train_size")
side.number_input(_("Seed"), *PARAMS["seed"].span, step=1, key="seed")
panels.advanced_settings(side)
ui.sync_url(PARAMS)
ui.share_link(PARAMS)


def current_config() -> TrainConfig:
    # Read at call time: button callbacks run before the script, after the widgets' new values land.
    return TrainConfig(
        hidden=state["hidden"], layers=state["layers"], lr=state["lr"], batch_size=state["batch_size"],
        epochs=state["epochs"], dropout=tuple(state[f"dropout{i}"] for i in range(1, state["layers"] + 1)),
        weight_decay=state["weight_decay"], activation=state["activation"], optimizer=state["optimizer"],
        init_std=state["init_std"], impl=state["impl"], seed=state["seed"],
        max_train=None if state["train_size"] >= 60000 else state["train_size"], dataset=state["dataset"],
        precision=state["precision"])


data = ui.dataset(state["dataset"])
panels.dropout_panel()
if data is None:
    st.stop()  # the message above says how to get the data; the other pages keep working
st.caption(_("Data: {description}.").format(description=data.describe(_)))


def find(run_id):
    return next((r for r in state["runs"] if r.id == run_id), None)


def start():
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


def stop():
    run = find(state["active_run"])
    if run and run.trainer:
        run.trainer.stop()
    state["active_run"] = None


def resume():
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


buttons = st.columns([1, 1, 1, 3])
buttons[0].button(_("▶ Train"), key="train", type="primary", on_click=start, use_container_width=True)
buttons[1].button(_("■ Stop"), key="stop", on_click=stop, use_container_width=True)
buttons[2].button(_("⏩ Continue"), key="continue", on_click=resume, use_container_width=True,
                  help=_("Train the latest run further with the current learning rate, for 'Epochs' more epochs."))
if "error" in state:
    st.warning(state.pop("error"))
buttons[3].caption(panels.budget_text(panels.budget_epochs(current_config(), data)[1]))

live = find(state["active_run"])
shown = live or (state["runs"][-1] if state["runs"] else None)
if shown and state.get("budget_notice", (None, None))[0] == shown.id and state["budget_notice"][1]:
    st.warning(state["budget_notice"][1], icon="⚖️")
progress_slot, chart_slot, metrics_slot = st.empty(), st.empty(), st.empty()


redraws = itertools.count()  # each redraw of the live chart needs its own element key


def draw(run):
    chart_slot.plotly_chart(figs.curves_figure(run.points, run.target_epoch, run.name, _), key=f"curves{next(redraws)}")
    if run.history:
        last = run.history[-1]
        with metrics_slot.container():
            cols = st.columns(4)
            for col, metric in zip(cols, METRICS):
                col.metric(_(panels.METRIC_NAMES[metric]), f"{last[metric]:.4f}")
    if run.status == "diverged":
        st.error(panels.diverged_message(run), icon="💥")


if shown is None:
    st.info(_("Press **▶ Train** to train d2l's MLP with the settings above; curves appear as it learns."))
else:
    draw(shown)
    if klass and live is None:
        classroom_ui.share_box(shown, klass)
    if shown.status == "stopped" and live is None:
        st.info(_("Stopped at epoch {epoch} of {total}. Everything trained so far is kept: ⏩ Continue resumes "
                  "from here.").format(epoch=f"{shown.trainer.epoch_progress:.1f}", total=shown.target_epoch),
                icon="⏸️")
    st.caption(_("What to notice: the loss falls fast in the first epoch and then slowly; when test accuracy "
                 "stops rising while train accuracy keeps climbing, the model starts to overfit."))

learned, compare, glance = st.tabs([_("🔍 What the model learned"), _("📊 Compare runs"), _("👕 The dataset")])
with learned:
    # The shown run's own dataset: it may be another one than the dataset chosen now.
    shown_data = data if shown is None or shown.dataset == data.name else ui.dataset(shown.dataset)
    if shown_data is not None:
        panels.what_the_model_learned(shown, shown_data)
with compare:
    panels.compare_runs(state["runs"])
with glance:
    panels.dataset_mosaic(data)

if live is not None:
    # Training runs last, so the rest of the page is drawn already; only the slots above update.
    # Any click (even Stop) reruns the script and resumes here exactly where it left off.
    trainer = live.trainer
    # closing(): a click that interrupts this run closes the training at once (its core share and slot
    # go back), not when the garbage collector gets to the interrupted script's frame.
    with ui.training_slot(progress_slot) as turn, closing(turn.train(trainer, live.target_epoch, 0.5)) as events:
        started, start_epoch = time.perf_counter(), trainer.epoch_progress
        for event in events:
            live.record(event)
            rate = (trainer.epoch_progress - start_epoch) / (time.perf_counter() - started)
            left = (live.target_epoch - trainer.epoch_progress) / max(rate, 1e-9)
            progress_slot.progress(min(trainer.epoch_progress / live.target_epoch, 1.0),
                                   text=_("Epoch {epoch} of {total} · about {seconds} s left").format(
                                       epoch=f"{trainer.epoch_progress:.1f}", total=live.target_epoch,
                                       seconds=f"{left:.0f}"))
            draw(live)
    if not turn.replaced:  # else a newer script run of this session (a fast rerun) carries the training on
        state["active_run"] = None
        st.rerun()  # draw the finished run's predictions, confusion matrix and comparison
