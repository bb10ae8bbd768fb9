"""Train d2l's MLP on Fashion-MNIST (or seed 002's on MNIST's digits) live, then look inside it and compare runs."""

import streamlit as st

import ui
from explorer.data import TRAIN_SIZES, max_train
from explorer.mlp.precision import default_precision, offered
from explorer.mlp.training import TrainConfig
from explorer.i18n import N_
from ui import classroom as classroom_ui
from ui import training_panels as panels
from ui import training_run as run
from ui.i18n import _, label_func

# Every setting of a run: its default and the page's scale come from TrainConfig's fields (explorer/mlp/config.py)
PARAMS = {
    **{key: ui.Param.of(TrainConfig, key) for key in ("hidden", "layers", "lr")},
    **{f"dropout{i}": ui.Param.of(TrainConfig, "dropout") for i in (1, 2, 3)},
    **{key: ui.Param.of(TrainConfig, key) for key in ("batch_size", "epochs", "activation", "optimizer",
                                                      "weight_decay", "init_std", "impl", "seed")},
    "train_size": ui.Param(TRAIN_SIZES[-1], choices=TRAIN_SIZES, kind=int, lo=TRAIN_SIZES[0], hi=TRAIN_SIZES[-1]),
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
s = ui.page(__file__, PARAMS, _("Train an MLP"), "🏋️")  # its heading names the dataset: introduction below
klass = classroom_ui.join()  # ?class=MLP-4821: a class's defaults apply before the widgets are drawn
panels.introduction(s["dataset"])  # the title and what to expect, for the chosen dataset
s.setdefault("runs", [])  # every run of this session: config, history, the last few models
s.setdefault("active_run", None)  # id of the run that should be training right now

if klass:  # the class and your nickname first: on a phone the sidebar is out of sight
    classroom_ui.sidebar(klass, s["runs"], where=st.container(border=True))
# The controls a newcomer needs first sit above the results, where a phone shows them too (no sidebar to
# discover; ui/phone.py); the rest stay in the sidebar.
no_hidden = s["layers"] == 0  # softmax regression: no width, activation or dropout to set
with st.expander(_("⚙️ Width, depth, learning rate and dropout"), expanded=True):
    width, depth = st.columns(2)
    width.slider(_("Hidden units per layer"), *PARAMS["hidden"].span, step=16, key="hidden", disabled=no_hidden)
    depth.slider(_("Hidden layers"), *PARAMS["layers"].span, key="layers",
                 help=_("0 hidden layers is softmax regression (d2l 3.6)."))
    st.select_slider(_("Learning rate (log scale)"), PARAMS["lr"].choices, key="lr")
    for col, i in zip(st.columns(max(s["layers"], 1)), range(1, max(s["layers"], 1) + 1)):
        col.slider(_("Dropout after hidden layer {i}").format(i=i), *PARAMS[f"dropout{i}"].span, step=0.05,
                   key=f"dropout{i}", disabled=no_hidden)
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
ui.settings_link(PARAMS)


def current_config() -> TrainConfig:
    # Read at call time: button callbacks run before the script, after the widgets' new values land.
    return TrainConfig(
        hidden=s["hidden"], layers=s["layers"], lr=s["lr"], batch_size=s["batch_size"],
        epochs=s["epochs"], dropout=tuple(s[f"dropout{i}"] for i in range(1, s["layers"] + 1)),
        weight_decay=s["weight_decay"], activation=s["activation"], optimizer=s["optimizer"],
        init_std=s["init_std"], impl=s["impl"], seed=s["seed"],
        max_train=max_train(s["train_size"]), dataset=s["dataset"],
        precision=s["precision"])


data = ui.dataset(s["dataset"])
panels.dropout_panel()
if data is None:
    st.stop()  # the message above says how to get the data; the other pages keep working
st.caption(_("Data: {description}.").format(description=data.describe(_)))

run.buttons(current_config, data)
live = run.find(s["active_run"])
shown = live or (s["runs"][-1] if s["runs"] else None)
if shown and s.get("budget_notice", (None, None))[0] == shown.id and s["budget_notice"][1]:
    st.warning(s["budget_notice"][1], icon="⚖️")
slots = run.Slots()

if shown is None:
    st.info(_("Press **▶ Train** to train d2l's MLP with the settings above; curves appear as it learns."))
else:
    slots.draw(shown)
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
    panels.compare_runs(s["runs"])
with glance:
    panels.dataset_mosaic(data)

if live is not None:
    run.train_live(live, slots)  # last, so the rest of the page is drawn already (ui/training_run.py)
