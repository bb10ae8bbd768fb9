"""The training page's panels below the live chart: each a function of the runs and the data.

The page keeps the controls, the buttons and the live loop; these panels only show results.
"""

from __future__ import annotations

import streamlit as st

from explorer.fair_share import budget

from explorer.lessons import mc_dropout

from explorer.mlp import diagnostics, runs
from explorer.data import DATASETS, FashionMNISTData
from explorer.figures import labs
from explorer.figures import training as figs
from explorer.mlp.models import dropout_demo, first_layer_weights
from explorer.mlp.precision import bf16_support, offered
from explorer.i18n import N_
from explorer.mlp.evaluation import predict
from explorer.mlp.training import METRIC_NAMES, METRICS, TrainConfig
from ui.i18n import _, current_language, label_func

# Column headers of the tables shown on screen (the CSV download keeps the English ones).
TABLE_HEADERS = {name: name for name in (  # msgid = the column's English name, so English stays as it was
    N_("run"), N_("hidden"), N_("layers"), N_("lr"), N_("dropout"), N_("batch"), N_("activation"), N_("optimizer"),
    N_("weight decay"), N_("init std"), N_("impl"), N_("seed"), N_("train images"), N_("epochs"), N_("status"),
    N_("true"), N_("predicted as"), N_("count"), N_("share of true class"), N_("nickname"), N_("rank"),
    N_("dataset"))} | METRIC_NAMES
# Option values stay English (URL, CLI); these are what the widgets show for them.
IMPL_NAMES = {"concise": N_("concise"), "scratch": N_("from scratch")}
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": N_("SGD with momentum"), "adam": "Adam", "rmsprop": "RMSProp",
                   "adagrad": "AdaGrad"}
PRECISION_NAMES = {"fp32": N_("float32 (the book's numbers)"), "bf16": N_("bfloat16 (faster)")}
STATUS_NAMES = {"running": N_("running"), "stopped": N_("stopped"), "finished": N_("finished"),
                "diverged": N_("diverged"), "ready": N_("ready")}


def on_screen(table):
    """The same table with translated headers (and run statuses) for st.dataframe."""
    table = table.copy()
    if "status" in table:
        table["status"] = [_(STATUS_NAMES.get(v, v)) for v in table["status"]]
    return table.rename(columns=lambda c: _(TABLE_HEADERS.get(c, c)))


def introduction(dataset: str) -> None:
    """The page's title and first paragraph: which dataset, which network, what to expect."""
    st.title(_("🏋️ Train an MLP on {dataset}").format(dataset=DATASETS[dataset].title))
    if dataset == "mnist":
        st.markdown(_("Handwritten digits, trained live. Seed 002's network (784 pixels in, 512 hidden ReLU units, "
                      "10 digits out: the preset **MNIST, seed 002**) reaches about **90 % test accuracy in 10 "
                      "epochs** with one hidden layer. Change the width, learning rate or dropout, train again, and "
                      "compare."))
    else:
        st.markdown(
            _("d2l's multilayer perceptron — 784 pixels in, hidden ReLU units, 10 clothing classes out — trained "
              "live on the real 60,000 images. With the defaults it reaches about **84 % test accuracy in 10 "
              "epochs**, as in the book. Change the width, learning rate or dropout, train again, and compare."))


def class_names(data: FashionMNISTData) -> tuple[str, ...]:
    """d2l-zh's names in Chinese (T恤, 裤子, …), the English ones otherwise."""
    return tuple(_(name) for name in data.classes)


# Figures that are the same for everyone are built once per server: on a full class every click
# reruns the page, and building these two took ~120 ms of CPU per rerun, before training could start.
# The language is part of the key, so each language gets its own labels.
@st.cache_resource(max_entries=64, show_spinner=False)
def _dropout_figure(p: float, seed: int, lang: str):
    demo = dropout_demo(p, seed=seed)
    return figs.dropout_figure(demo["X"], demo["kept"], demo["out"], p, _)


@st.cache_resource(show_spinner=False)
def _mosaic_figure(_data: FashionMNISTData, name: str, lang: str):  # one copy of each dataset per server (ui.dataset)
    return figs.class_mosaic(diagnostics.class_samples(_data), class_names(_data), title=_data.describe(_))


def diverged_message(run: runs.Run) -> str:
    if run.trainer is None:
        return _("This run diverged.")
    optimizer = run.trainer.config.optimizer
    return run.trainer.divergence(_, _(OPTIMIZER_NAMES.get(optimizer, optimizer)))


def advanced_settings(side) -> None:
    """The precision (float32 or bfloat16) under "Advanced"; where bfloat16 is not native, why not."""
    with side.expander(_("Advanced")):
        st.radio(_("Precision"), offered(), key="precision", format_func=label_func(PRECISION_NAMES),
                 help=_("bfloat16 keeps float32's range (8 exponent bits) but only 7 mantissa bits: the matrix "
                        "multiplies run faster on this CPU, the weights stay float32. float32 gives the book's "
                        "numbers."))
        if len(offered()) == 1:
            st.caption(_("bfloat16 is not offered: {reason}.").format(reason=bf16_support()[1]))


def budget_epochs(config: TrainConfig, data: FashionMNISTData, done: int = 0) -> tuple[int, float]:
    """(epochs this server's budget still allows a run with ``config`` that has trained ``done``, FLOP per epoch)."""
    n_train = min(config.max_train or len(data.train_labels), len(data.train_labels))
    per_epoch = budget.epoch_flops(config.sizes(), n_train, len(data.test_labels))
    return budget.allowed_epochs(per_epoch, budget.run_budget(), done), per_epoch


def budget_text(per_epoch: float) -> str:
    """What the budget allows and why, for the caption and the notices."""
    allowed = budget.allowed_epochs(per_epoch, budget.run_budget())
    return _("Each run here may do {budget} TFLOP of work, so that everyone training on this server gets a fair "
             "share of its cores. These settings cost {epoch} TFLOP per epoch (images × a cost of width and "
             "depth), so a run may train {allowed} epochs in all, ⏩ Continue included. Fewer images or a smaller "
             "network allow more.").format(budget=f"{budget.run_budget() / 1e12:g}",
                                           epoch=f"{per_epoch / 1e12:.3g}", allowed=allowed)


def within_budget(config: TrainConfig, data: FashionMNISTData, wanted: int, done: int = 0) -> tuple[int, str | None]:
    """(epochs to train, notice or None): ``wanted`` more epochs, as many as the budget allows."""
    left, per_epoch = budget_epochs(config, data, done)
    if left == 0:
        return 0, _("This run has used its whole budget; train a new run instead.") + " " + budget_text(per_epoch)
    if wanted > left:
        return left, _("Epochs reduced to {allowed}.").format(allowed=left) + " " + budget_text(per_epoch)
    return wanted, None


def dropout_panel() -> None:
    """d2l's ``dropout_layer`` on a 2×8 tensor; works without the dataset."""
    with st.expander(_("🎲 Dropout, seen (d2l 4.6)"), expanded=False):
        p = st.slider(_("Dropout probability p"), 0.0, 1.0, 0.5, 0.1, key="dropout_demo_p")
        st.plotly_chart(_dropout_figure(p, st.session_state.get("dropout_demo_seed", 0), current_language()),
                        key="dropout_demo_chart")
        st.caption(_("d2l's `dropout_layer` on a 2×8 tensor: each value is kept with probability {keep}; kept values "
                     "are scaled by 1/(1−p) = {scale} so the expected activation is unchanged. At evaluation "
                     "(`model.eval()`) dropout is off and X passes through.").format(
            keep=f"{1 - p:g}", scale=_("∞ (all dropped)") if p == 1 else f"{1 / (1 - p):.2f}"))
        if st.button(_("New mask"), key="dropout_demo_resample"):
            st.session_state["dropout_demo_seed"] = st.session_state.get("dropout_demo_seed", 0) + 1
            st.rerun()


def what_the_model_learned(shown: runs.Run | None, data: FashionMNISTData) -> None:
    if shown is None or shown.trainer is None or not shown.history:
        st.info(_("Train a run to see its predictions, confusion matrix and weights."))
        return
    model = shown.trainer.model
    n_show, classes = 16, class_names(data)
    title = data.describe(_)  # every figure says which dataset it shows
    predicted = predict(model, data.test_images[:n_show])
    st.plotly_chart(figs.prediction_gallery(data.test_images[:n_show], data.test_labels[:n_show].tolist(),
                                            predicted.tolist(), classes, title=title))
    st.caption(_("The first test images with their true label; ✗ marks a mistake and names the guess."))
    cache = st.session_state.setdefault("confusion", {})
    key = (shown.id, len(shown.history))  # computed once per run and epoch, not on every rerun
    if key not in cache:
        cache.clear()
        cache[key] = diagnostics.confusion_matrix(model, data.test_images, data.test_labels)
    matrix = cache[key]
    left, right = st.columns([3, 2])
    left.plotly_chart(figs.confusion_figure(matrix, classes, _, title=title))
    right.markdown(_("**Most confused pairs**"))
    right.dataframe(on_screen(diagnostics.most_confused(matrix, classes)), hide_index=True)
    if data.name == "mnist":
        right.caption(_("What to notice: the mix-ups are digits that share strokes — 4 and 9, 3 and 5, 7 and 9, "
                        "2 and 7. 0s and 1s are almost never wrong."))
    else:
        right.caption(_("What to notice: shirts, T-shirts, pullovers and coats are mixed up most — "
                        "they look alike at 28×28 pixels. Trousers and bags are almost never wrong."))
    weights = first_layer_weights(model)[:16].reshape(-1, 28, 28)
    st.plotly_chart(figs.image_grid(weights, [_("unit {i}").format(i=i) for i in range(len(weights))], diverging=True,
                                    title=title))
    st.caption(_("First-layer weights of 16 hidden units as 28×28 images (red positive, blue negative): "
                 "each unit is a template the image is compared with. Train longer to see shapes emerge."))
    dropout_ensemble(shown, data)


def dropout_ensemble(shown: runs.Run, data: FashionMNISTData) -> None:
    """MC dropout vs dropout off for the shown run: a button, a spinner, a result kept per run."""
    st.subheader(_("Dropout as an ensemble (d2l 4.6)"))
    model = shown.trainer.model
    if not mc_dropout.has_dropout(model):
        st.info(_("This run has no dropout. Train one with dropout (preset **d2l dropout**) to compare "
                  "evaluation with dropout off against averaging many random subnetworks."))
        return
    store = st.session_state.setdefault("mc_dropout", {})
    key = (shown.id, len(shown.history))  # a run trained further is a different model
    # Computed once per run (and epoch count): a second click shows the same result without the 33 passes.
    if st.button(_("Run {count} forward passes with dropout on").format(count=mc_dropout.MAX_PASSES),
                 key="run_mc_dropout", disabled=key in store):
        with st.spinner(_("Averaging random subnetworks over the {n} test images…").format(
                n=f"{len(data.test_labels):,}")):
            store.clear()  # one result per session is enough; models are large
            store[key] = mc_dropout.mc_dropout(model, data.test_images, data.test_labels, seed=shown.id)
    if key not in store:
        st.caption(_("Each training step trained a random subnetwork. Compare the whole network with dropout off "
                     "(d2l's `model.eval()`) against the average prediction of K random subnetworks."))
        return
    result = store[key]
    st.plotly_chart(labs.mc_accuracy_figure(result["table"], result["eval_acc"], _), key="chart_mc_accuracy")
    image = st.slider(_("Test image"), 0, mc_dropout.KEPT_IMAGES - 1, 0, key="mc_image")
    st.plotly_chart(labs.probability_spread_figure(result["probs"][:, image], result["eval_probs"][image],
                                                   class_names(data), int(data.test_labels[image]), _),
                    key="chart_mc_spread")
    best = result["table"]["mc_acc"].iloc[-1]
    st.caption(_("**What to notice:** one pass (K = 1) is a single random subnetwork and does worse than dropout "
                 "off; averaging more passes approaches it ({mc} with K = {k} vs {eval} off). d2l 4.6 explains "
                 "dropout as training an ensemble of subnetworks that share weights; `eval()` approximates the "
                 "ensemble's average in one pass by scaling. The spread of the dots shows how much the "
                 "subnetworks disagree about this image: a measure of the model's uncertainty.")
               .format(mc=f"{best:.4f}", k=mc_dropout.MAX_PASSES, eval=f"{result['eval_acc']:.4f}"))


def compare_runs(book: list[runs.Run]) -> None:
    if not book:
        st.info(_("Every run you train is kept here (the last 12) to compare side by side."))
        return
    metric = st.selectbox(_("Metric"), METRICS, index=3, key="compare_metric",
                          format_func=label_func(METRIC_NAMES))
    st.session_state["_kept_compare_metric"] = metric  # restored after a language switch (ui.language)
    names = [r.name for r in book]
    chosen = st.multiselect(_("Runs"), names, default=names[-4:], key="compare_runs")
    frame = runs.history_frame(book)
    st.plotly_chart(figs.compare_figure(frame[frame["run"].isin(chosen)], metric, _(METRIC_NAMES[metric]), _))
    st.caption(_("What to notice: wider layers and a good learning rate rise faster; dropout lowers train "
                 "accuracy but often not test accuracy."))
    st.dataframe(on_screen(runs.comparison_table(book)), hide_index=True)
    st.download_button(_("⬇ Histories as CSV"), frame.to_csv(index=False), "mlp_runs.csv", "text/csv",
                       key="download_runs")


def dataset_mosaic(data: FashionMNISTData) -> None:
    st.plotly_chart(_mosaic_figure(data, data.name, current_language()))
    st.caption(_("Eight training images per class, 28×28 grey pixels each: what the network sees."))
