"""The polynomial page's tabs after the live fit: sweeps, K-fold, bias and variance, double descent.

Each is a function of the page's config; the page keeps its controls and the live fit. The two labs
are fragments with their own controls: moving one reruns that tab alone, not the SGD fit and the
other charts of the page (a whole-page rerun costs more than the 300 ms a slider move may take).
"""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from explorer.lessons import bias_variance as bv
from explorer.lessons import double_descent as dd
from explorer.lessons import poly_selection as sel
from explorer.lessons import polynomial as poly
from explorer.figures import labs
from explorer.figures import polynomial as figures
from ui import Param, sync_url
from ui.i18n import _

s = st.session_state
DD_N_OPTIONS = (10, 15, 20, 25)
RIDGE_OPTIONS = (0.0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)


# Everything here is a pure function of the settings, so each result is cached on them.
@st.cache_data(max_entries=16, show_spinner=False)
def sweep(kind: str, cfg: dict, k: int = 5):
    config = poly.PolyConfig(**cfg)
    if kind == "complexity":
        return sel.complexity_sweep(config)
    if kind == "learning":
        return sel.learning_curve(config)
    return sel.kfold_selection(config, k)


@st.cache_data(max_entries=32, show_spinner=False)
def resampled(cfg: dict, resamples: int) -> dict:
    return bv.bias_variance(poly.PolyConfig(**cfg), resamples)


@st.cache_data(max_entries=32, show_spinner=False)
def descent(n_train: int, noise: float, ridge: float, seed: int):
    return dd.double_descent(dd.DoubleDescentConfig(n_train=n_train, noise=noise, ridge=ridge, seed=seed))


def stored_sweep(config: poly.PolyConfig, kind: str, button: str, label: str, settings: dict):
    """Run on click, keep the result across reruns, and say when the settings have changed since."""
    if st.button(label, key=button):
        with st.spinner(_("Training all the models at once…")):
            s[f"poly_{kind}"] = (settings, sweep(kind, asdict(config), s.k_folds if kind == "kfold" else 0))
    if f"poly_{kind}" not in s:
        return None
    ran_with, out = s[f"poly_{kind}"]
    if ran_with != settings:
        st.info(_("These results are for earlier settings; click the button to update them."), icon="🔁")
    return out


def complexity_tab(config: poly.PolyConfig, sweep_settings: dict) -> None:
    st.markdown(_("All 20 models, 1 to 20 features, trained at once on the same data with your SGD settings."))
    df = stored_sweep(config, "complexity", "run_complexity", _("Run the complexity sweep"), sweep_settings)
    if df is not None:
        st.plotly_chart(figures.complexity(df, config.degree, _), width="stretch", key="chart_complexity")
        st.caption(_("**Notice:** the test loss plunges up to 4 features, then rises and stays above the training "
                     "loss: the U of model selection. Plain SGD barely moves the tiny high-order weights, so the "
                     "rise is mild with 100 examples; shrink the training set to deepen it."))


def learning_tab(config: poly.PolyConfig) -> None:
    st.markdown(_("{degree} features trained on 10 to 1000 examples (each a prefix of the next), at once.")
                .format(degree=config.degree))
    df = stored_sweep(config, "learning", "run_learning", _("Run the learning curve"), asdict(config))
    if df is not None:
        st.plotly_chart(figures.learning_curve(df, config.n_train, _), width="stretch", key="chart_learning")
        st.caption(_("**Notice:** with few examples the training loss is low and the test loss high; more data "
                     "close the gap towards σ². Underfit models stay high however much data they get."))


def kfold_tab(config: poly.PolyConfig, sweep_settings: dict) -> None:
    st.markdown(_("Split the {n} training examples into K = {k} folds and train every degree K times, each time "
                  "validating on the held-out fold. We pick the fewest features whose mean validation loss is "
                  "within one standard error of the best (the one-SE rule); the test set is never looked at.")
                .format(n=config.n_train, k=s.k_folds))
    out = stored_sweep(config, "kfold", "run_kfold", _("Run K-fold cross-validation"),
                       {**sweep_settings, "k": s.k_folds})
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


@st.fragment
def bias_variance_tab(config: poly.PolyConfig, params: dict[str, Param]) -> None:
    st.markdown(_("Draw {r} fresh training sets of {n} points from the same cubic, fit {degree} features on "
                  "each, and look at the spread. Each fit is the exact least-squares solution (where SGD ends up "
                  "once converged), so the SGD settings do not matter here; all 20 × {r} fits are one batched "
                  "`torch.linalg.lstsq`.").format(r=s.resamples, n=config.n_train, degree=config.degree))
    on = st.toggle(_("Compute bias and variance"), key="bias_variance")
    st.slider(_("Resampled training sets R"), 10, 200, step=10, key="resamples", disabled=not on)
    sync_url(params)  # a fragment rerun skips the page's own call
    if not on:
        return
    result = resampled(asdict(config), s.resamples)
    st.plotly_chart(labs.resampled_fits(result, config.degree, _), width="stretch", key="chart_resampled")
    st.caption(_("**What to notice:** with 1–3 features every fit misses the cubic in the same way: the mean is "
                 "off (bias). From 4 features on the mean sits on the cubic, and extra features only make the "
                 "fits disagree with each other (variance), wildly at the edges when n is small."))
    st.plotly_chart(labs.decomposition_bars(result["table"], config.degree, _), width="stretch",
                    key="chart_bias_variance")
    row = result["table"].iloc[config.degree - 1]
    st.caption(_("**What to notice:** bias² falls to ≈ 0 at 4 features and stays there; variance grows with every "
                 "feature, faster the fewer examples there are; σ² = {noise} is the floor no model beats. Here, "
                 "{degree} features: bias² {bias2}, variance {variance}, test MSE {mse} ≈ their sum.")
               .format(noise=f"{config.noise ** 2:.3g}", degree=config.degree, bias2=f"{row.bias2:.3g}",
                       variance=f"{row.variance:.3g}", mse=f"{row.test_mse:.3g}"))


@st.fragment
def double_descent_tab(config: poly.PolyConfig, params: dict[str, Param]) -> None:
    st.markdown(_("**Beyond d2l.** Fit n = {n} points x ~ U(−1, 1) with the first p Legendre polynomials, for p = 1 "
                  "to {p_max}, by minimum-norm least squares (the pseudo-inverse). Legendre rather than random ReLU "
                  "features: with one input, ReLU units whose kinks fall between the same two points are linearly "
                  "dependent, and the threshold would wander away from p = n.").format(n=s.dd_n, p_max=10 * s.dd_n))
    on = st.toggle(_("Compute the double-descent curve"), key="double_descent")
    left, right = st.columns(2)
    left.select_slider(_("Training points n"), DD_N_OPTIONS, key="dd_n", disabled=not on)
    right.select_slider(_("Ridge λ (weight decay)"), RIDGE_OPTIONS, key="dd_ridge", format_func="{:g}".format,
                        disabled=not on)
    sync_url(params)
    if not on:
        return
    table = descent(s.dd_n, config.noise, float(s.dd_ridge), config.seed)
    st.plotly_chart(labs.double_descent_figure(table, s.dd_n, _), width="stretch", key="chart_double_descent")
    st.metric(_("Worst number of features"), dd.peak(table))
    st.caption(_("**What to notice:** the classical U up to p = n, where the polynomial must pass through every "
                 "noisy point and its weights explode; beyond it the pseudo-inverse picks the smallest-weight "
                 "interpolant, and the test error falls again. Raise the ridge λ: a little weight decay (the "
                 "Weight decay page's λ‖w‖²) flattens the peak."))
