"""The weight-decay page's tabs: λ side by side, the λ sweep, L1 vs L2, scratch vs concise, L1's geometry.

Each takes the page's config (and what the page already computed); the page keeps the controls, but
for the two-weight picture: a fragment with its own λ slider, so a move reruns that tab alone.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from explorer.lessons import l1_geometry as geometry
from explorer.lessons import weight_decay as wd
from explorer.lessons import weight_decay_sweeps as wds
from explorer.figures import labs
from explorer.figures import weight_decay as figs
from ui import Param, sync_url
from ui.i18n import _

GEO_LAMBDAS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0)


@st.cache_data(max_entries=64, show_spinner=False)
def run_sweep(config: dict):
    return wds.sweep(wd.WeightDecayConfig(**config))


@st.cache_data(max_entries=64, show_spinner=False)
def run_penalties(config: dict):
    return wds.compare_penalties(wd.WeightDecayConfig(**config))


@st.cache_data(max_entries=64, show_spinner=False)
def run_impls(config: dict):
    return wds.scratch_vs_concise(wd.WeightDecayConfig(**config))


@st.cache_data(max_entries=64, show_spinner=False)
def run_geometry(lambd: float) -> dict:
    return geometry.geometry(lambd)


def compare_tab(history: pd.DataFrame, weights: dict) -> None:
    st.plotly_chart(figs.loss_curves(history, _), key="loss_curves")
    st.caption(_("**What to notice:** without decay the training loss dives towards zero while the test loss stays "
                 "high (≈ 100 in d2l's setting): the model memorises its examples. With enough decay (d2l: λ = 3) "
                 "the test loss follows the training loss down and the gap shrinks by orders of magnitude."))
    left, right = st.columns([1, 2])
    left.plotly_chart(figs.norm_bars(history, _), key="norm_bars")
    left.caption(_("**What to notice:** decay shrinks ‖w‖₂ (d2l: ≈ 14 at λ = 0, ≈ 0.4 at λ = 3). Without it the "
                   "random start never moves in the 180 directions that 20 examples cannot see."))
    right.plotly_chart(figs.weight_histograms({figs.lambda_label(k): v for k, v in weights.items()}, _=_),
                       key="weight_hist")
    right.caption(_("**What to notice:** without decay the weights keep their N(0, 1) start; with decay they "
                    "collapse towards the true value 0.01 — mind the different x ranges."))


def sweep_tab(config: wd.WeightDecayConfig) -> None:
    with st.spinner(_("Training all 31 λ at once…")):
        table = run_sweep(config.to_dict())
    st.plotly_chart(figs.sweep_figure(table, config.lambd or None, _), key="sweep")
    if not table["best"].any():
        # Not st.stop(): that would also hide every tab after this one.
        st.error(_("Every λ diverged; lower the learning rate."))
        return
    best = table[table["best"]].iloc[0]
    best_col, loss_col, _spacer = st.columns([1, 1, 2])
    best_col.metric(_("best λ (lowest final test loss)"), f"{best['lambd']:.3g}")
    loss_col.metric(_("its final test loss"), f"{best['test_loss']:.3g}")
    if best["lambd"] == table["lambd"].max():
        st.caption(_("**What to notice:** left, too little decay overfits (test ≈ 100). Here the right arm stays "
                     "flat: every true weight is only 0.01, so with 20 examples shrinking all weights to zero is "
                     "nearly the best possible model. Try **More data (n = 100)**: then too much decay underfits "
                     "and the test loss rises again — a U."))
    else:
        st.caption(_("**What to notice:** a U: too little decay overfits (left), too much underfits (right); the "
                     "star marks the λ with the lowest final test loss."))
    st.caption(_("All {count} values of λ (0 and 30 from 10⁻³ to 10²) train as one (λ × features) weight matrix "
                 "with the same data, start and shuffle order: one tensor computation, not a loop.")
               .format(count=len(table)))


def l1_tab(config: wd.WeightDecayConfig) -> None:
    by_penalty = run_penalties(config.to_dict())
    labelled = {f"{p.upper()}, λ = {config.lambd:g}": w for p, w in by_penalty.items()}
    st.plotly_chart(figs.weight_histograms(labelled, shared_x=True, _=_), key="l1_vs_l2")
    zeros = {p: sum(w == 0.0 for w in weights) for p, weights in by_penalty.items()}
    cols = st.columns(2)
    cols[0].metric(_("L1: weights exactly 0"), _("{zeros} of {total}").format(zeros=zeros["l1"], total=len(
        by_penalty["l1"])))
    cols[1].metric(_("L2: weights exactly 0"), _("{zeros} of {total}").format(zeros=zeros["l2"], total=len(
        by_penalty["l2"])))
    st.caption(_("**What to notice:** L2 shrinks every weight by the same factor, so they stay spread out; L1 pulls "
                 "each weight towards zero by the same step lr·λ = {step}, and a weight that would cross zero stops "
                 "there: many are exactly 0 while a few stay large. L1 selects features. Needs λ > 0.")
               .format(step=f"{config.lr * config.lambd:.2g}"))
    st.caption(_("L1 is trained with a proximal step: after each SGD step on the data loss, every weight is "
                 "soft-thresholded, w ← sign(w)·max(|w| − lr·λ, 0). A plain subgradient step λ·sign(w) would "
                 "overshoot zero and leave the weights jittering within ±lr·λ of it, never exactly 0."))


def impl_tab(config: wd.WeightDecayConfig) -> None:
    impl_history, gap = run_impls(replace(config, dtype="float64").to_dict())
    st.plotly_chart(figs.impl_overlay(impl_history, _), key="impl_overlay")
    st.metric(_("largest relative difference, scratch vs concise (float64)"), f"{gap:.1e}")
    st.caption(_("**What to notice:** the circles (concise) sit on the lines (scratch): same seed, same "
                 "trajectory, equal up to rounding in float64."))
    st.markdown(_(
        "Scratch adds λ‖w‖²/2 to each example's loss (ŷ − y)²/2, so its gradient is mean((ŷ − y)x) + λw. "
        "Concise uses `torch.optim.SGD([{'params': net.weight, 'weight_decay': λ}, {'params': net.bias}])` — the "
        "bias is not decayed — with `nn.MSELoss() / 2`: `MSELoss` has no ½, so without halving (as in d2l's "
        "concise code) the data gradient and the reported losses would be twice as large. L1 has no optimizer "
        "option, so both versions follow the SGD step with the same soft-thresholding step."))


@st.fragment
def geometry_tab(params: dict[str, Param]) -> None:
    st.markdown(_("A least-squares problem with two correlated weights, drawn as its loss contours. Penalising "
                  "with λ is the same as constraining w to a ball: a circle for L2, a diamond for L1, of the radius "
                  "the penalised optimum has. The optimum is where the lowest contour touches the ball."))
    lambd = st.select_slider(_("λ of the two-weight picture"), options=GEO_LAMBDAS, key="geo_lambda",
                             format_func="{:g}".format, help=_("Moves the optimum along both regularisation paths."))
    sync_url(params)  # a fragment rerun skips the page's own call
    geo = run_geometry(float(lambd))
    st.plotly_chart(labs.geometry_figure(geo, _), key="chart_geometry")
    first_zero, index = geometry.l1_first_zero()
    l1, l2 = geo["optimum"]["l1"].tolist(), geo["optimum"]["l2"].tolist()
    cols = st.columns(3)
    cols[0].metric(_("L1 optimum (w₁, w₂)"), f"({l1[0]:.3f}, {l1[1]:.3f})")
    cols[1].metric(_("L2 optimum (w₁, w₂)"), f"({l2[0]:.3f}, {l2[1]:.3f})")
    cols[2].metric(_("λ at which L1 zeroes w{index}").format(index=index + 1), f"{first_zero:.3f}")
    st.plotly_chart(labs.path_figure(geo["paths"], lambd, _), key="chart_paths")
    st.caption(_("**What to notice:** the diamond's corners stick out along the axes, so once λ passes {lam} the "
                 "contours first touch it at a corner: w₂ is exactly 0 (coordinate descent's soft threshold "
                 "returns an exact 0), and at λ = {lam1} w₁ follows. The circle has no corners: L2's path, "
                 "(H + λI)⁻¹Hw*, bends towards the origin but no weight is ever exactly 0.")
               .format(lam=f"{first_zero:.2f}", lam1=f"{float(geometry.B[0]):.2f}"))
