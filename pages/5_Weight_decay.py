"""Weight decay (d2l 4.5): 200 features, 20 examples, and a penalty λ that closes the overfitting gap."""


from dataclasses import replace

import streamlit as st

import ui
from explorer import weight_decay as wd
from explorer.figures import weight_decay as figs
from explorer.i18n import N_
from ui.i18n import _, label_func

st.set_page_config(page_title=_("Weight decay"), page_icon="⚖️", layout="wide")
st.title(_("⚖️ Weight decay"))
st.markdown(
    _("A linear model with **200 features learns from only 20 examples** (d2l 4.5), so it can fit the "
      "training set perfectly and still be wrong everywhere else. Weight decay adds a penalty "
      "λ·‖w‖²/2 to the loss, pulling every weight towards zero. Compare penalties side by side, sweep λ, "
      "and see how L1 differs from L2.")
)

LAMBDAS = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)
PARAMS = {
    "lambd": ui.Param(3, choices=LAMBDAS),
    "compare": ui.Param([0, 3], choices=LAMBDAS, kind=list),
    "penalty": ui.Param("l2", choices=wd.PENALTIES, kind=str),
    "impl": ui.Param("scratch", choices=wd.IMPLEMENTATIONS, kind=str),
    "epochs": ui.Param(100, 1, 300, kind=int),
    "lr": ui.Param(0.003, choices=(0.0003, 0.001, 0.003, 0.01, 0.03)),
    "n_train": ui.Param(20, 1, 200, kind=int),
    "num_inputs": ui.Param(200, choices=(10, 20, 50, 100, 200, 500, 1000), kind=int),
    "seed": ui.Param(0, 0, 10_000, kind=int),
}
PRESETS = {
    N_("d2l: λ 0 vs 3"): {"lambd": 3, "compare": [0, 3]},
    N_("L1 vs L2"): {"lambd": 1, "compare": [0, 1], "penalty": "l1"},
    N_("More data (n = 100)"): {"lambd": 1, "compare": [0, 1, 100], "n_train": 100},
}
PENALTY_NAMES = {"l2": "L2: λ‖w‖²/2", "l1": "L1: λ‖w‖₁"}
IMPL_NAMES = {"scratch": N_("scratch: penalty in the loss"), "concise": N_("concise: optimizer weight_decay")}
fmt = "{:g}".format

ui.init_state(PARAMS)
st.sidebar.subheader(_("Presets"))
ui.preset_buttons(PRESETS, PARAMS, columns=1)  # one per row: the sidebar is too narrow for these labels
sb = st.sidebar
sb.select_slider(_("Your λ (penalty strength)"), options=LAMBDAS, key="lambd", format_func=fmt)
sb.multiselect(_("Compare these λ side by side"), options=LAMBDAS, key="compare", format_func=fmt,
               help=_("Your λ always joins the comparison."))
sb.radio(_("Penalty"), wd.PENALTIES, key="penalty", format_func=PENALTY_NAMES.get, horizontal=True)
sb.radio(_("Implementation"), wd.IMPLEMENTATIONS, key="impl", format_func=label_func(IMPL_NAMES))
with sb.expander(_("Training and data"), expanded=True):
    st.slider(_("Epochs"), 1, 300, key="epochs")
    st.select_slider(_("Learning rate"), options=PARAMS["lr"].choices, key="lr", format_func=fmt)
    st.slider(_("Training examples"), 1, 200, key="n_train", help=_("d2l: 20 (the test set has 100)"))
    st.select_slider(_("Features"), options=PARAMS["num_inputs"].choices, key="num_inputs")
    st.number_input(_("Seed"), 0, 10_000, step=1, key="seed")
ui.sync_url(PARAMS)
ui.share_link(PARAMS)

s = st.session_state
config = wd.WeightDecayConfig(lambd=float(s.lambd), epochs=s.epochs, lr=s.lr, n_train=s.n_train,
                              num_inputs=s.num_inputs, seed=s.seed, impl=s.impl, penalty=s.penalty)
lambdas = tuple(sorted({float(lam) for lam in s.compare} | {config.lambd}))


@st.cache_data(max_entries=64, show_spinner=_("Training one model per λ…"))
def run_compare(config: dict, lambdas: tuple[float, ...]):
    return wd.compare(wd.WeightDecayConfig(**config), list(lambdas))


@st.cache_data(max_entries=64, show_spinner=_("Training all 31 λ at once…"))
def run_sweep(config: dict):
    return wd.sweep(wd.WeightDecayConfig(**config))


@st.cache_data(max_entries=64, show_spinner=False)
def run_penalties(config: dict):
    return wd.compare_penalties(wd.WeightDecayConfig(**config))


@st.cache_data(max_entries=64, show_spinner=False)
def run_impls(config: dict):
    return wd.scratch_vs_concise(wd.WeightDecayConfig(**config))


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

tab_compare, tab_sweep, tab_l1, tab_impl = st.tabs(
    [_("λ side by side"), _("λ sweep"), _("L1 vs L2"), _("Scratch vs concise")])
with tab_compare:
    st.plotly_chart(figs.loss_curves(history, _), key="loss_curves")
    st.caption(_("**What to notice:** without decay the training loss dives towards zero while the test loss stays "
                 "high (≈ 100 in d2l's setting): the model memorises its examples. With enough decay (d2l: λ = 3) the "
                 "test loss follows the training loss down and the gap shrinks by orders of magnitude."))
    left, right = st.columns([1, 2])
    left.plotly_chart(figs.norm_bars(history, _), key="norm_bars")
    left.caption(_("**What to notice:** decay shrinks ‖w‖₂ (d2l: ≈ 14 at λ = 0, ≈ 0.4 at λ = 3). Without it the "
                   "random start never moves in the 180 directions that 20 examples cannot see."))
    right.plotly_chart(figs.weight_histograms({figs.lambda_label(k): v for k, v in weights.items()}, _=_),
                       key="weight_hist")
    right.caption(_("**What to notice:** without decay the weights keep their N(0, 1) start; with decay they "
                    "collapse towards the true value 0.01 — mind the different x ranges."))

with tab_sweep:
    table = run_sweep(config.to_dict())
    st.plotly_chart(figs.sweep_figure(table, config.lambd or None, _), key="sweep")
    if not table["best"].any():
        st.error(_("Every λ diverged; lower the learning rate."))
        st.stop()
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
    st.caption(_("All {n} values of λ (0 and 30 from 10⁻³ to 10²) train as one (λ × features) weight matrix with "
                 "the same data, start and shuffle order: one tensor computation, not a loop.").format(n=len(table)))

with tab_l1:
    by_penalty = run_penalties(config.to_dict())
    labelled = {f"{p.upper()}, λ = {config.lambd:g}": w for p, w in by_penalty.items()}
    st.plotly_chart(figs.weight_histograms(labelled, shared_x=True, _=_), key="l1_vs_l2")
    st.caption(_("**What to notice:** L2 shrinks every weight by the same factor, so they stay spread out; L1 pulls "
                 "each weight towards zero by the same step lr·λ, so small ones land at zero (jittering within "
                 "±{step}) while a few stay large: L1 selects features. Needs λ > 0.").format(
        step=f"{config.lr * config.lambd:.2g}"))

with tab_impl:
    impl_history, gap = run_impls(replace(config, dtype="float64").to_dict())
    st.plotly_chart(figs.impl_overlay(impl_history, _), key="impl_overlay")
    st.metric(_("largest relative difference, scratch vs concise (float64)"), f"{gap:.1e}")
    st.caption(_("**What to notice:** the circles (concise) sit on the lines (scratch): same seed, same trajectory, "
                 "equal up to rounding in float64."))
    st.markdown(
        _("Scratch adds λ‖w‖²/2 to each example's loss (ŷ − y)²/2, so its gradient is mean((ŷ − y)x) + λw. "
          "Concise uses `torch.optim.SGD([{'params': net.weight, 'weight_decay': λ}, {'params': net.bias}])` — the "
          "bias is not decayed — with `nn.MSELoss() / 2`: `MSELoss` has no ½, so without halving (as in d2l's "
          "concise code) the data gradient and the reported losses would be twice as large. L1 has no optimizer "
          "option, so the concise version adds λ‖w‖₁ to its loss.")
    )
