"""Under- and overfitting (d2l 4.4): fit d2l's cubic with 1 to 20 polynomial features."""

from dataclasses import asdict

import streamlit as st

import ui
from explorer import polynomial as poly
from explorer.figures import polynomial as figures
from explorer.i18n import N_
from ui.i18n import _

st.set_page_config(page_title=_("Under- and overfitting"), page_icon="〰️", layout="wide")
st.title(_("〰️ Under- and overfitting"))
st.markdown(
    _("d2l's data come from a cubic plus noise. We fit a linear model on the first *d* features "
      "$x^i/i!$ (up to 20) with minibatch SGD and watch training and test loss. Too few features "
      "cannot bend like the cubic (**underfitting**); too many, with too few examples, chase the noise "
      "(**overfitting**). Losses are the mean squared error, as printed by d2l.")
)
st.latex(r"y = 5 + 1.2x - 3.4\frac{x^2}{2!} + 5.6\frac{x^3}{3!} + \epsilon,\quad "
         r"x \sim \mathcal{N}(0, 1),\ \epsilon \sim \mathcal{N}(0, \sigma^2)")

N_TRAIN_OPTIONS = poly.LEARNING_CURVE_SIZES
LR_OPTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
BATCH_OPTIONS = (1, 2, 5, 10, 20, 50, 100)
PARAMS = {
    "degree": ui.Param(4, 1, poly.MAX_DEGREE, kind=int),
    "n_train": ui.Param(100, 10, poly.MAX_TRAIN, choices=N_TRAIN_OPTIONS, kind=int),
    "noise": ui.Param(0.1, 0.0, 1.0),
    "epochs": ui.Param(400, 10, 2000, kind=int),
    "lr": ui.Param(0.01, choices=LR_OPTIONS),
    "batch_size": ui.Param(10, choices=BATCH_OPTIONS, kind=int),
    "seed": ui.Param(0, 0, 9999, kind=int),
    "k_folds": ui.Param(5, 2, 10, kind=int),
}
PRESETS = {
    N_("underfit"): {"degree": 2},
    N_("good fit"): {"degree": 4},
    N_("overfit"): {"degree": 20, "epochs": 1500},  # d2l's own setting: a mild overfit
    N_("overfit, 10 points"): {"degree": 20, "epochs": 1500, "n_train": 10},
}

ui.init_state(PARAMS)
s = st.session_state
st.markdown(_("**Presets** — d2l's three regimes, and overfitting made stark with a tiny training set:"))
ui.preset_buttons(PRESETS, PARAMS, container=st)

with st.sidebar:
    st.header(_("Model and data"))
    st.slider(_("Number of features d (degree)"), 1, poly.MAX_DEGREE, key="degree",
              help=_("Uses x^0/0! … x^(d-1)/(d-1)!; 4 features describe the cubic exactly."))
    st.select_slider(_("Training examples"), N_TRAIN_OPTIONS, key="n_train")
    st.slider(_("Noise σ"), 0.0, 1.0, step=0.01, key="noise")
    st.header(_("SGD"))
    st.slider(_("Epochs"), 10, 2000, step=10, key="epochs")
    st.select_slider(_("Learning rate"), LR_OPTIONS, key="lr")
    st.select_slider(_("Batch size"), BATCH_OPTIONS, key="batch_size")
    st.number_input(_("Seed (data, initial weights, shuffling)"), 0, 9999, step=1, key="seed")
    # A new draw is the next seed, so the URL still reproduces what is on screen.
    st.button(_("🎲 New data"), key="new_data", on_click=lambda: st.session_state.update(seed=(s.seed + 1) % 10000))
    st.header(_("Cross-validation"))
    st.slider(_("K (folds)"), 2, 10, key="k_folds")
ui.sync_url(PARAMS)
ui.share_link(PARAMS)

config = poly.PolyConfig(degree=s.degree, n_train=s.n_train, noise=s.noise, epochs=s.epochs, lr=s.lr,
                         batch_size=s.batch_size, seed=s.seed)


# Everything below is a pure function of the settings, so each result is cached on them.
@st.cache_data(max_entries=64, show_spinner=False)
def fit(cfg: dict) -> tuple[dict, dict]:
    config = poly.PolyConfig(**cfg)
    return poly.fit(config), poly.make_data(config)


@st.cache_data(max_entries=16, show_spinner=_("Training all the models at once…"))
def sweep(kind: str, cfg: dict, k: int = 5):
    config = poly.PolyConfig(**cfg)
    if kind == "complexity":
        return poly.complexity_sweep(config)
    if kind == "learning":
        return poly.learning_curve(config)
    return poly.kfold_selection(config, k)


result, data = fit(asdict(config))
final = result["final"]
live, tab_complexity, tab_learning, tab_kfold = st.tabs(
    [_("Live fit"), _("Complexity sweep"), _("Learning curve"), _("K-fold model selection")])

with live:
    if final["diverged"]:
        st.warning(_("SGD diverged: the loss blew up. Learning rate {lr} is too large for {degree} features and "
                     "batch {batch}; try a smaller one.").format(lr=f"{config.lr:g}", degree=config.degree,
                                                                  batch=config.batch_size), icon="💥")
    cols = st.columns(3)
    fmt = lambda v: _("diverged") if v is None else f"{v:.4g}"
    cols[0].metric(_("Final training loss (MSE)"), fmt(final["train_loss"]))
    cols[1].metric(_("Final test loss (MSE)"), fmt(final["test_loss"]))
    if final["train_loss"] and final["test_loss"]:
        cols[2].metric(_("Test / training loss"), f"{final['test_loss'] / final['train_loss']:.2f}×")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(figures.loss_curves(result["history"], _), width="stretch", key="chart_loss")
        st.caption(_("**Notice:** a good fit takes both curves down to the noise floor σ² = {floor}. Underfitting "
                     "leaves both high; overfitting pushes the training loss below the test loss.").format(
            floor=f"{config.noise ** 2:.3g}"))
    with right:
        st.plotly_chart(figures.fitted_curve(data, final["weights"], _), width="stretch", key="chart_fit")
        st.caption(_("**Notice:** 2 features can only draw a line; 4 trace the dashed cubic; 20 features with "
                     "few points wiggle through the training dots and miss the test crosses, mostly at the edges."))
    st.plotly_chart(figures.weight_bars(final["weights"], _), width="stretch", key="chart_weights")
    st.caption(_("**Notice:** with 4 features SGD recovers ≈ [5, 1.2, −3.4, 5.6]. Extra features should get weight "
                 "0; with few examples they pick up noise instead. With too few features the others compensate."))


def stored_sweep(kind: str, button: str, label: str, settings: dict):
    """Run on click, keep the result across reruns, and say when the settings have changed since."""
    if st.button(label, key=button):
        s[f"poly_{kind}"] = (settings, sweep(kind, asdict(config), s.k_folds if kind == "kfold" else 0))
    if f"poly_{kind}" not in s:
        return None
    ran_with, out = s[f"poly_{kind}"]
    if ran_with != settings:
        st.info(_("These results are for earlier settings; click the button to update them."), icon="🔁")
    return out


sweep_settings = {k: v for k, v in asdict(config).items() if k != "degree"}
with tab_complexity:
    st.markdown(_("All 20 models, 1 to 20 features, trained at once on the same data with your SGD settings."))
    df = stored_sweep("complexity", "run_complexity", _("Run the complexity sweep"), sweep_settings)
    if df is not None:
        st.plotly_chart(figures.complexity(df, config.degree, _), width="stretch", key="chart_complexity")
        st.caption(_("**Notice:** the test loss plunges up to 4 features, then rises and stays above the training "
                     "loss: the U of model selection. Plain SGD barely moves the tiny high-order weights, so the rise "
                     "is mild with 100 examples; shrink the training set to deepen it."))
with tab_learning:
    st.markdown(_("{degree} features trained on 10 to 1000 examples (each a prefix of the next), at once.").format(
        degree=config.degree))
    df = stored_sweep("learning", "run_learning", _("Run the learning curve"), asdict(config))
    if df is not None:
        st.plotly_chart(figures.learning_curve(df, config.n_train, _), width="stretch", key="chart_learning")
        st.caption(_("**Notice:** with few examples the training loss is low and the test loss high; more data "
                     "close the gap towards σ². Underfit models stay high however much data they get."))
with tab_kfold:
    st.markdown(_("Split the {n} training examples into K = {k} folds and train every degree K times, each time "
                  "validating on the held-out fold. We pick the fewest features whose mean validation loss is "
                  "within one standard error of the best (the one-SE rule); the test set is never looked at.").format(
        n=config.n_train, k=s.k_folds))
    out = stored_sweep("kfold", "run_kfold", _("Run K-fold cross-validation"), {**sweep_settings, "k": s.k_folds})
    if out is not None:
        table, selected = out
        st.metric(_("Selected number of features"), selected)
        st.plotly_chart(figures.kfold(table, selected, s.k_folds, _), width="stretch", key="chart_kfold")
        st.caption(_("**Notice:** the validation curve, computed from training data only, has its minimum where "
                     "the test curve does, near 4 features: cross-validation estimates the test loss."))
        st.dataframe(table.round(5).rename(columns={
            "degree": _("features"), "val_loss": _("validation MSE"), "val_std": _("std over folds"),
            "train_loss": _("training MSE (all data)"), "test_loss": _("test MSE (all data)")}),
            hide_index=True, key="table_kfold")
