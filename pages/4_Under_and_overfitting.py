"""Under- and overfitting (d2l 4.4): fit d2l's cubic with 1 to 20 polynomial features."""

from dataclasses import asdict

import streamlit as st

import ui
from explorer.lessons import double_descent, polynomial as poly
from explorer.figures import polynomial as figures
from explorer.i18n import N_
from ui import polynomial_tabs as tabs
from ui.i18n import _

PARAMS = {  # a PolyConfig field's default and scale come from the field (explorer/lessons/polynomial.py)
    **{key: ui.Param.of(poly.PolyConfig, key) for key in ("degree", "n_train", "noise", "epochs", "lr", "batch_size",
                                                          "seed")},
    "k_folds": ui.Param(5, 2, 10, kind=int),
    "bias_variance": ui.Param(False, kind=bool),
    "resamples": ui.Param(50, 10, 200, kind=int),
    "double_descent": ui.Param(False, kind=bool),
    # The double-descent lab's defaults are its config's; the tab offers a few values of each
    **{key: ui.Param.of(double_descent.DoubleDescentConfig, name, lo=None, hi=None, choices=choices)
       for key, name, choices in (("dd_n", "n_train", tabs.DD_N_OPTIONS), ("dd_ridge", "ridge", tabs.RIDGE_OPTIONS))},
}
PRESETS = {
    N_("underfit"): {"degree": 2},
    N_("good fit"): {"degree": 4},
    N_("overfit"): {"degree": 20, "epochs": 1500},  # d2l's own setting: a mild overfit
    N_("overfit, 10 points"): {"degree": 20, "epochs": 1500, "n_train": 10},
    N_("bias vs variance, 20 points"): {"degree": 8, "n_train": 20, "bias_variance": True},
    N_("double descent"): {"double_descent": True},
    N_("ridge flattens the peak"): {"double_descent": True, "dd_ridge": 1e-4},
}
s = ui.page(__file__, PARAMS, _("Under- and overfitting"), "〰️", _("〰️ Under- and overfitting"), _(
    "d2l's data come from a cubic plus noise. We fit a linear model on the first *d* features "
    "$x^i/i!$ (up to 20) with minibatch SGD and watch training and test loss. Too few features "
    "cannot bend like the cubic (**underfitting**); too many, with too few examples, chase the noise "
    "(**overfitting**). Losses are the mean squared error, as printed by d2l."))
st.latex(r"y = 5 + 1.2x - 3.4\frac{x^2}{2!} + 5.6\frac{x^3}{3!} + \epsilon,\quad "
         r"x \sim \mathcal{N}(0, 1),\ \epsilon \sim \mathcal{N}(0, \sigma^2)")
if (bounded := poly.bounded_epochs(s.n_train, s.batch_size, s.epochs, step=10)) < s.epochs:
    # Bounded work: a fit is one page's share of a server used by a whole room (like other out-of-range values).
    st.info(_("Epochs reduced from {asked} to {epochs}: {n} examples in batches of {batch} make {steps} SGD steps "
              "per epoch, and a fit here takes at most {most} steps, so the page stays quick for everyone.").format(
        asked=s.epochs, epochs=bounded, n=s.n_train, batch=s.batch_size,
        steps=poly.steps_per_epoch(s.n_train, s.batch_size), most=f"{poly.MAX_STEPS:,}"), icon="⚖️")
    s.epochs = bounded
st.markdown(_("**Presets** — d2l's three regimes, overfitting made stark with a tiny training set, and the labs "
              "beyond the book:"))
ui.preset_buttons(PRESETS, PARAMS, container=st)

with st.sidebar:
    st.header(_("Model and data"))
    st.slider(_("Number of features d (degree)"), *PARAMS["degree"].span, key="degree",
              help=_("Uses x^0/0! … x^(d-1)/(d-1)!; 4 features describe the cubic exactly."))
    st.select_slider(_("Training examples"), PARAMS["n_train"].choices, key="n_train")
    st.slider(_("Noise σ"), *PARAMS["noise"].span, step=0.01, key="noise")
    st.header(_("SGD"))
    st.slider(_("Epochs"), *PARAMS["epochs"].span, step=10, key="epochs")
    st.select_slider(_("Learning rate"), PARAMS["lr"].choices, key="lr")
    st.select_slider(_("Batch size"), PARAMS["batch_size"].choices, key="batch_size")
    st.number_input(_("Seed (data, initial weights, shuffling)"), *PARAMS["seed"].span, step=1, key="seed")
    # A new draw is the next seed, so the URL still reproduces what is on screen.
    st.button(_("🎲 New data"), key="new_data", on_click=lambda: st.session_state.update(seed=(s.seed + 1) % 10000))
    st.header(_("Cross-validation"))
    st.slider(_("K (folds)"), 2, 10, key="k_folds")
ui.settings_link(PARAMS)

config = poly.PolyConfig(degree=s.degree, n_train=s.n_train, noise=s.noise, epochs=s.epochs, lr=s.lr,
                         batch_size=s.batch_size, seed=s.seed)


# Everything below is a pure function of the settings, so each result is cached on them.
@st.cache_data(max_entries=64, show_spinner=False)
def fit(cfg: dict) -> tuple[dict, dict]:
    config = poly.PolyConfig(**cfg)
    return poly.fit(config), poly.make_data(config)


result, data = fit(asdict(config))
final = result["final"]
live, tab_complexity, tab_learning, tab_kfold, tab_bv, tab_dd = st.tabs(
    [_("Live fit"), _("Complexity sweep"), _("Learning curve"), _("K-fold model selection"), _("Bias and variance"),
     _("Double descent (beyond d2l)")])

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


sweep_settings = {k: v for k, v in asdict(config).items() if k != "degree"}
with tab_complexity:
    tabs.complexity_tab(config, sweep_settings)
with tab_learning:
    tabs.learning_tab(config)
with tab_kfold:
    tabs.kfold_tab(config, sweep_settings)
with tab_bv:
    tabs.bias_variance_tab(config, PARAMS)
with tab_dd:
    tabs.double_descent_tab(config, PARAMS)
