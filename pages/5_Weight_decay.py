"""Weight decay (d2l 4.5): 200 features, 20 examples, and a penalty λ that closes the overfitting gap."""

import streamlit as st

import ui
from explorer.lessons import weight_decay as wd
from explorer.lessons import weight_decay_sweeps as wds
from explorer.i18n import N_
from ui import weight_decay_tabs as tabs
from ui.i18n import _, label_func
from ui.phone import sidebar_hint

LAMBDAS = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)
PARAMS = {
    "lambd": ui.Param(3, choices=LAMBDAS),
    "compare": ui.Param([0, 3], choices=LAMBDAS, kind=list),
    # The run's settings: default and scale from WeightDecayConfig's fields (explorer/lessons/weight_decay.py)
    **{key: ui.Param.of(wd.WeightDecayConfig, key) for key in ("penalty", "impl", "epochs", "lr", "n_train",
                                                               "num_inputs", "seed")},
    "geo_lambda": ui.Param(0.3, choices=tabs.GEO_LAMBDAS),
}
PRESETS = {
    N_("d2l: λ 0 vs 3"): {"lambd": 3, "compare": [0, 3]},
    N_("L1 vs L2"): {"lambd": 1, "compare": [0, 1], "penalty": "l1"},
    N_("More data (n = 100)"): {"lambd": 1, "compare": [0, 1, 100], "n_train": 100},
    N_("Why L1 gives zeros"): {"geo_lambda": 0.7},
}
PENALTY_NAMES = {"l2": "L2: λ‖w‖²/2", "l1": "L1: λ‖w‖₁"}
IMPL_NAMES = {"scratch": N_("scratch: penalty in the loss"), "concise": N_("concise: optimizer weight_decay")}
fmt = "{:g}".format

s = ui.page(__file__, PARAMS, _("Weight decay"), "⚖️", _("⚖️ Weight decay"), _(
    "A linear model with **200 features learns from only 20 examples** (d2l 4.5), so it can fit the "
    "training set perfectly and still be wrong everywhere else. Weight decay adds a penalty "
    "λ·‖w‖²/2 to the loss, pulling every weight towards zero. Compare penalties side by side, sweep λ, "
    "and see how L1 differs from L2."))
fits = len({float(lam) for lam in s.compare} | {float(s.lambd)})
if (bounded := wd.bounded_epochs(s.n_train, 5, s.num_inputs, fits, s.epochs)) < s.epochs:
    # Bounded work, like other out-of-range values: one page's share of a server used by a whole room.
    st.info(_("Epochs reduced from {asked} to {epochs}: {fits} models × {features} features × {n} examples make "
              "too much work for one page (at most {most:,} feature-steps), so the page stays quick for everyone.")
            .format(asked=s.epochs, epochs=bounded, fits=fits, features=s.num_inputs, n=s.n_train,
                    most=wd.MAX_WORK), icon="⚖️")
    s.epochs = bounded
# The presets and λ above the results, where a phone shows them too; the rest in the sidebar.
ui.preset_buttons(PRESETS, PARAMS, container=st, columns=4)
st.select_slider(_("Your λ (penalty strength)"), options=LAMBDAS, key="lambd", format_func=fmt)
sidebar_hint("weight_decay")
side = st.sidebar
side.multiselect(_("Compare these λ side by side"), options=LAMBDAS, key="compare", format_func=fmt,
               help=_("Your λ always joins the comparison."))
side.radio(_("Penalty"), PARAMS["penalty"].choices, key="penalty", format_func=PENALTY_NAMES.get, horizontal=True)
side.radio(_("Implementation"), PARAMS["impl"].choices, key="impl", format_func=label_func(IMPL_NAMES))
with side.expander(_("Training and data"), expanded=True):
    st.slider(_("Epochs"), *PARAMS["epochs"].span, key="epochs")
    st.select_slider(_("Learning rate"), options=PARAMS["lr"].choices, key="lr", format_func=fmt)
    st.slider(_("Training examples"), *PARAMS["n_train"].span, key="n_train", help=_("d2l: 20 (the test set has 100)"))
    st.select_slider(_("Features"), options=PARAMS["num_inputs"].choices, key="num_inputs")
    st.number_input(_("Seed"), *PARAMS["seed"].span, step=1, key="seed")
ui.settings_link(PARAMS)
config = wd.WeightDecayConfig(lambd=float(s.lambd), epochs=s.epochs, lr=s.lr, n_train=s.n_train,
                              num_inputs=s.num_inputs, seed=s.seed, impl=s.impl, penalty=s.penalty)
lambdas = tuple(sorted({float(lam) for lam in s.compare} | {config.lambd}))


@st.cache_data(max_entries=64, show_spinner=_("Training one model per λ…"))
def run_compare(config: dict, lambdas: tuple[float, ...]):
    return wds.compare(wd.WeightDecayConfig(**config), list(lambdas))


history, weights = run_compare(config.to_dict(), lambdas)
final = history[history["epoch"] == config.epochs].set_index("lambd")
yours, cols = final.loc[config.lambd], st.columns(4)
baseline = final.loc[0.0] if 0.0 in final.index and config.lambd else None
labels = {"train_loss": _("train loss"), "test_loss": _("test loss"), "w_norm": "‖w‖₂"}
for col, (key, label) in zip(cols, labels.items(), strict=False):
    delta = (_("{delta} vs λ = 0").format(delta=f"{yours[key] - baseline[key]:+.3g}") if baseline is not None
             else None)
    col.metric(_("{label}, λ = {lambd}").format(label=label, lambd=f"{config.lambd:g}"), f"{yours[key]:.3g}", delta,
               delta_color="inverse")
cols[3].metric(_("gap: test − train loss"), f"{yours['test_loss'] - yours['train_loss']:.3g}")
if history[["train_loss", "test_loss"]].isna().any().any():
    st.warning(_("Some runs diverged: learning rate {lr} is too large (SGD with weight decay needs lr·λ < 2, and "
                 "the data term needs a small lr too). Try a smaller learning rate.").format(lr=f"{config.lr:g}"),
               icon="💥")

tab_compare, tab_sweep, tab_l1, tab_impl, tab_geometry = st.tabs(
    [_("λ side by side"), _("λ sweep"), _("L1 vs L2"), _("Scratch vs concise"), _("Why L1 gives zeros")])
with tab_compare:
    tabs.compare_tab(history, weights)
with tab_sweep:
    tabs.sweep_tab(config)
with tab_l1:
    tabs.l1_tab(config)
with tab_impl:
    tabs.impl_tab(config)
with tab_geometry:
    tabs.geometry_tab(PARAMS)
