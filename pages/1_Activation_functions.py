"""Activation functions (d2l 4.1): the curves and their autograd gradients, why a nonlinearity, depth."""

import streamlit as st
import torch

import ui
from explorer.lessons import activations as act
from explorer.figures import activations as figs
from explorer.i18n import N_
from ui.i18n import _, current_language
from ui.pages import DEPTH_ANCHOR
from ui.phone import sidebar_hint

NAMES, LABEL = act.NAMES, (lambda name: act.CATALOGUE[name].label)
PARAMS = {
    "acts": ui.Param(["relu", "sigmoid", "tanh"], choices=NAMES, kind=list),
    "focus": ui.Param("relu", choices=NAMES, kind=str),
    "alpha": ui.Param.of(act.DepthConfig, "alpha"),
    "x_max": ui.Param(8, 1, 20, kind=int),
    "threshold": ui.Param(0.05, choices=(0.001, 0.01, 0.05, 0.1, 0.2)),
    "units": ui.Param(4, 1, 12, kind=int),
    # the deep network's settings: default and scale from DepthConfig's fields (explorer/lessons/activations.py)
    **{key: ui.Param.of(act.DepthConfig, key) for key in ("depth", "width", "init_scale", "seed")},
}
PRESETS = {
    "d2l: ReLU·sigmoid·tanh": {"acts": ["relu", "sigmoid", "tanh"]},
    N_("vanishing sigmoid"): {"acts": ["sigmoid", "relu"], "focus": "sigmoid", "depth": 15},
    N_("ReLU deep (He)"): {"acts": ["relu", "sigmoid", "tanh"], "depth": 20, "init_scale": 1.41},
    "GELU·SiLU·Mish": {"acts": ["relu", "gelu", "silu", "mish"], "focus": "gelu"},
    N_("pReLU α=1: linear"): {"acts": ["prelu", "relu"], "focus": "prelu", "alpha": 1.0},
}
s = ui.page(__file__, PARAMS, _("Activation functions"), "📈", _("📈 Activation functions"), _(
    "Between two linear layers an MLP applies a fixed elementwise function. Below: each function and its "
    "derivative (computed by autograd, as d2l does), why the network would be a single affine map without one, "
    "and what the derivative does to gradients flowing back through a deep network."))
ui.preset_buttons(PRESETS, PARAMS, container=st)
st.multiselect(_("Functions to compare"), NAMES, format_func=LABEL, key="acts")  # the page's first choice
sidebar_hint("activations")

side = st.sidebar
side.selectbox(_("Activation for the experiments (sections 2 and 3)"), NAMES, format_func=LABEL, key="focus")
side.slider(_("pReLU slope α for x < 0"), *PARAMS["alpha"].span, step=0.05, key="alpha")
side.slider(_("x range ±"), 1, 20, key="x_max")
side.select_slider(_("Saturated where |f′| <"), PARAMS["threshold"].choices, key="threshold")
side.slider(_("Hidden units in the 1-D fit"), 1, 12, key="units")
side.slider(_("Depth (linear layers)"), *PARAMS["depth"].span, key="depth")
side.select_slider(_("Width (units per hidden layer)"), PARAMS["width"].choices, key="width")
side.select_slider(_("Init scale (weights ~ N(0, scale²/fan-in))"), PARAMS["init_scale"].choices, key="init_scale",
                   format_func=lambda s: {1.0: "1 (LeCun)", 1.41: "1.41 (He)"}.get(s, f"{s:g}"))
side.number_input(_("Seed"), *PARAMS["seed"].span, step=1, key="seed")
ui.settings_link(PARAMS)

chosen, focus, label, lang = list(s.acts), s.focus, LABEL(s.focus), current_language()


def alpha_for(*names):
    # α only changes pReLU: leave it out of the other cache keys, so the α slider recomputes pReLU only.
    return s.alpha if "prelu" in names else 0.25


# Figures are cached as objects (cache_resource: shared, never mutated, no pickling), keyed on only the
# settings each one depends on (and the language of their labels), so a slider move rebuilds just the chart
# it changes.
@st.cache_resource(show_spinner=False, max_entries=64)
def function_figures(names, x_max, alpha, threshold, lang):
    table = act.curves(list(names), x_max, alpha)
    flat = {n: act.saturation_intervals(torch.tensor(part["x"].values), torch.tensor(part["grad"].values), threshold)
            for n, part in table.groupby("name", sort=False)}
    return figs.curves_figure(table, threshold, _), figs.small_multiples_figure(table, flat, threshold, _=_)


@st.cache_resource(show_spinner=False, max_entries=64)
def nonlinearity_figures(name, alpha, units, seed, lang):
    demo, fit = act.collapse_demo(name, alpha, seed), act.fit_1d(act.FitConfig(name, alpha, units, seed=seed))
    gaps = demo["linear_gap"], demo["nonlinear_gap"]
    return gaps, figs.collapse_figure(demo, LABEL(name), _), figs.fit_figure(fit, LABEL(name), _)


@st.cache_data(show_spinner=False, max_entries=500)
def depth_run(name, alpha, depth, width, init_scale, seed, source, _X, _y):
    # _X/_y are not hashed (leading underscore); ``source`` tells the cache which batch they are.
    return act.gradient_through_depth(act.DepthConfig(name, alpha, depth, width, init_scale, seed), _X, _y)


st.header(_("1 · The functions and their gradients"))
if not chosen:
    st.info(_("Pick at least one function above to compare."), icon="👆")
else:
    curves_fig, grid_fig = function_figures(tuple(chosen), s.x_max, alpha_for(*chosen), s.threshold, lang)
    cards = st.columns(min(len(chosen), 4))
    for i, name in enumerate(chosen):
        with cards[i % len(cards)]:
            st.markdown(f"**{LABEL(name)}**")
            st.latex(act.CATALOGUE[name].latex)
            st.caption(_(act.CATALOGUE[name].about))
    st.plotly_chart(curves_fig, width="stretch", key="curves_chart")
    st.caption(_("**What to notice:** sigmoid's derivative never exceeds 0.25 while ReLU's is exactly 1 for every "
                 "positive input; away from 0, sigmoid and tanh enter the grey band where |f′| is tiny (saturated). "
                 "ReLU's derivative at 0 is 0, as d2l notes."))
    with st.expander(_("One panel per function, saturated regions shaded"), expanded=len(chosen) <= 4):
        st.plotly_chart(grid_fig, width="stretch", key="grid_chart")
        st.caption(_("**What to notice:** grey = inputs where this unit passes (almost) no gradient back. ReLU is "
                     "flat on the whole negative side, sigmoid and tanh on both sides, pReLU nowhere once α is above "
                     "the threshold. The thin stripes of GELU, SiLU and Mish mark their minimum, where f′ crosses 0."))

st.header(_("2 · Why a nonlinearity at all — {label}").format(label=label))
(linear_gap, nonlinear_gap), collapse_fig, fit_fig = nonlinearity_figures(focus, alpha_for(focus), s.units, s.seed,
                                                                          lang)
st.latex(r"W_2(W_1 x + b_1) + b_2 = \underbrace{W_2 W_1}_{W}\,x + \underbrace{W_2 b_1 + b_2}_{b}")
left, right = st.columns(2)
left.metric(_("Two linear layers vs one affine map: max |difference|"), f"{linear_gap:.1e}",
            help=_("Float32 round-off on outputs of size ~10: a relative difference of ~1e-7."))
right.metric(_("With {label} in between vs the best affine map").format(label=label), f"{nonlinear_gap:.3g}",
             help=_("Least-squares affine fit of the network's outputs; 0 would mean the network is affine."))
st.plotly_chart(collapse_fig, width="stretch", key="collapse_chart")
st.caption(_("**What to notice:** without an activation every point lies on the diagonal — the two layers *are* "
             "one affine map, up to float32 round-off (~1e-7). With the activation no affine map fits; depth "
             "only adds expressive power when there is a nonlinearity (try pReLU with α = 1: linear again)."))
st.plotly_chart(fit_fig, width="stretch", key="fit_chart")
st.caption(_("**What to notice:** {units} {label} units (dotted), each a shifted and scaled copy of the "
             "function, add up (plus a bias) to the red curve — non-monotone, which no straight line can follow. "
             "All weights fitted with 150 full-batch Adam steps from a least-squares start.").format(
    units=s.units, label=label))

st.header(_("3 · Gradients through depth — {label}").format(label=label), anchor=DEPTH_ANCHOR)
data = ui.dataset(quiet=True)
if data is not None:
    X, y, source = data.train_images[:256], data.train_labels[:256], N_("256 Fashion-MNIST training images")
else:
    X, y = torch.rand(256, 784, generator=torch.Generator().manual_seed(s.seed)), None
    source = N_("256 random inputs (Fashion-MNIST is not installed)")
# The chosen activation, with ReLU and sigmoid as faint references: the contrast d2l describes, at a fixed cost.
runs = {name: depth_run(name, alpha_for(name), s.depth, s.width, s.init_scale, s.seed, source, X, y)
        for name in dict.fromkeys([focus, "relu", "sigmoid"])}
st.plotly_chart(figs.depth_figure(runs, focus, _), width="stretch", key="depth_chart")
st.caption(_("One forward and backward pass of cross-entropy on {source} through {depth} layers of width "
             "{width}; thick: {label}, thin: ReLU and sigmoid for reference. **What to notice:** each sigmoid "
             "layer multiplies the gradient by at most 0.25, so it shrinks by orders of magnitude towards layer 1; "
             "ReLU's stays within a small factor. With init scale 1.41 (He) ReLU keeps both gradients and "
             "activations steady at every depth.").format(source=_(source), depth=s.depth, width=s.width, label=label))
