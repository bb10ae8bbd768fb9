"""The training page's panels below the live chart: each a function of the runs and the data.

The page keeps the controls, the buttons and the live loop; these panels only show results.
"""

from __future__ import annotations

import streamlit as st

from explorer import diagnostics, mc_dropout, runs
from explorer.data import FashionMNISTData
from explorer.figures import labs
from explorer.figures import training as figs
from explorer.models import dropout_demo, first_layer_weights
from explorer.training import METRICS, predict
from ui.i18n import _


# Figures that are the same for everyone are built once per server: on a full class every click
# reruns the page, and building these two took ~120 ms of CPU per rerun, before training could start.
@st.cache_resource(max_entries=64, show_spinner=False)
def _dropout_figure(p: float, seed: int):
    demo = dropout_demo(p, seed=seed)
    return figs.dropout_figure(demo["X"], demo["kept"], demo["out"], p)


@st.cache_resource(show_spinner=False)
def _mosaic_figure(_data: FashionMNISTData):  # one dataset per server process (ui.dataset)
    return figs.class_mosaic(diagnostics.class_samples(_data), _data.classes)


def dropout_panel() -> None:
    """d2l's ``dropout_layer`` on a 2×8 tensor; works without the dataset."""
    with st.expander("🎲 Dropout, seen (d2l 4.6)", expanded=False):
        p = st.slider("Dropout probability p", 0.0, 1.0, 0.5, 0.1, key="dropout_demo_p")
        st.plotly_chart(_dropout_figure(p, st.session_state.get("dropout_demo_seed", 0)), key="dropout_demo_chart")
        st.caption(f"d2l's `dropout_layer` on a 2×8 tensor: each value is kept with probability {1 - p:g}; "
                   f"kept values are scaled by 1/(1−p) = "
                   f"{'∞ (all dropped)' if p == 1 else f'{1 / (1 - p):.2f}'} so the expected activation is "
                   "unchanged. At evaluation (`model.eval()`) dropout is off and X passes through.")
        if st.button("New mask", key="dropout_demo_resample"):
            st.session_state["dropout_demo_seed"] = st.session_state.get("dropout_demo_seed", 0) + 1
            st.rerun()


def what_the_model_learned(shown: runs.Run | None, data: FashionMNISTData) -> None:
    if shown is None or shown.trainer is None or not shown.history:
        st.info("Train a run to see its predictions, confusion matrix and weights.")
        return
    model = shown.trainer.model
    n_show = 16
    predicted = predict(model, data.test_images[:n_show])
    st.plotly_chart(figs.prediction_gallery(data.test_images[:n_show], data.test_labels[:n_show].tolist(),
                                            predicted.tolist(), data.classes))
    st.caption("The first test images with their true label; ✗ marks a mistake and names the guess.")
    matrix = diagnostics.confusion_matrix(model, data.test_images, data.test_labels)
    left, right = st.columns([3, 2])
    left.plotly_chart(figs.confusion_figure(matrix, data.classes))
    right.markdown("**Most confused pairs**")
    right.dataframe(diagnostics.most_confused(matrix, data.classes), hide_index=True)
    right.caption("What to notice: shirts, T-shirts, pullovers and coats are mixed up most — "
                  "they look alike at 28×28 pixels. Trousers and bags are almost never wrong.")
    weights = first_layer_weights(model)[:16].reshape(-1, 28, 28)
    st.plotly_chart(figs.image_grid(weights, [f"unit {i}" for i in range(len(weights))], diverging=True))
    st.caption("First-layer weights of 16 hidden units as 28×28 images (red positive, blue negative): "
               "each unit is a template the image is compared with. Train longer to see shapes emerge.")
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
    if st.button(_("Run {count} forward passes with dropout on").format(count=mc_dropout.MAX_PASSES),
                 key="run_mc_dropout"):
        with st.spinner(_("Averaging random subnetworks over the 10,000 test images…")):
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
                                                   data.classes, int(data.test_labels[image]), _),
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
        st.info("Every run you train is kept here (the last 12) to compare side by side.")
        return
    metric = st.selectbox("Metric", METRICS, index=3, key="compare_metric")
    names = [r.name for r in book]
    chosen = st.multiselect("Runs", names, default=names[-4:], key="compare_runs")
    frame = runs.history_frame(book)
    st.plotly_chart(figs.compare_figure(frame[frame["run"].isin(chosen)], metric))
    st.caption("What to notice: wider layers and a good learning rate rise faster; dropout lowers train "
               "accuracy but often not test accuracy.")
    st.dataframe(runs.comparison_table(book), hide_index=True)
    st.download_button("⬇ Histories as CSV", frame.to_csv(index=False), "mlp_runs.csv", "text/csv",
                       key="download_runs")


def dataset_mosaic(data: FashionMNISTData) -> None:
    st.plotly_chart(_mosaic_figure(data))
    st.caption("Eight training images per class, 28×28 grey pixels each: what the network sees.")
