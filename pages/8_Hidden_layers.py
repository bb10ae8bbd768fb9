"""Hidden layers (d2l 4.1): what a linear model cannot do, the plane each hidden unit carves, and the
universal approximator in one dimension."""

import streamlit as st

import ui
from explorer.lessons import approximate as approx
from explorer.lessons import playground as pg
from explorer.figures import approximate as approx_figs
from explorer.i18n import N_
from ui import hand_xor as hand
from ui import hidden_layers as panel
from ui.i18n import _, current_language, label_func
from ui.phone import sidebar_hint

DATASET_NAMES = {"xor": N_("XOR"), "circles": N_("two circles"), "spirals": N_("two spirals"),
                 "blobs": N_("two Gaussian blobs (linearly separable)")}
TARGET_NAMES = {"sin": "sin 2x", "abs": "|x|", "step": N_("step"), "bump": N_("bump")}
METHOD_NAMES = {"lstsq": N_("least squares on fixed random hinges"), "trained": N_("every weight trained (Adam)")}
SPEEDS = (10, 20, 50, 100, 200, 500)
DEFAULT_HAND = {"w11": 1.0, "w12": 0.0, "b1": 0.0, "w21": 0.0, "w22": 1.0, "b2": 0.0, "v1": 1.0, "v2": 1.0, "c": 0.0}
# A config field's default and scale come from the field (PlaygroundConfig, ApproxConfig in explorer/lessons/)
PARAMS = {
    **{key: ui.Param.of(pg.PlaygroundConfig, key) for key in ("dataset", "noise", "test_fraction", "seed", "layers",
                                                              "hidden", "activation", "lr")},
    "epochs": ui.Param(500, 10, 5000, kind=int),  # per ▶ Train, not the config's total
    "speed": ui.Param(50, SPEEDS[0], SPEEDS[-1], choices=SPEEDS, kind=int),
    **{f"hand_{key}": ui.Param(value, -3.0, 3.0) for key, value in DEFAULT_HAND.items()},
    **{key: ui.Param.of(approx.ApproxConfig, key) for key in ("target", "units", "method")},
}
PRESETS = {
    N_("XOR, no hidden layer"): {"layers": 0},
    N_("XOR, 4 ReLU units"): {},
    N_("spirals, 2 × 8 tanh"): {"dataset": "spirals", "layers": 2, "hidden": 8, "activation": "tanh", "lr": 0.01,
                                "epochs": 1000, "speed": 100},
}
s = ui.page(__file__, PARAMS, _("Hidden layers"), "🧩", _("🧩 Hidden layers"), _(
    "A single-layer perceptron — a linear model — draws one straight line through the plane, so it "
    "cannot solve a problem that is **not linearly separable**, such as XOR. Add a hidden layer and every "
    "hidden unit carves the plane along its own line; the next layer combines those pieces. Below, watch "
    "it happen, build XOR by hand, and see why one hidden layer is a **universal approximator**."))

ui.preset_buttons(PRESETS, PARAMS, container=st, columns=3)  # above the results, where a phone shows them
sidebar_hint("hidden_layers")
side = st.sidebar
side.subheader(_("Data"))
side.selectbox(_("Dataset"), PARAMS["dataset"].choices, key="dataset", format_func=label_func(DATASET_NAMES))
side.slider(_("Noise (std of the jitter)"), *PARAMS["noise"].span, step=0.05, key="noise")
side.slider(_("Share of points held out for testing"), *PARAMS["test_fraction"].span, step=0.1, key="test_fraction")
side.number_input(_("Seed"), *PARAMS["seed"].span, step=1, key="seed")
side.subheader(_("Network"))
side.slider(_("Hidden layers"), *PARAMS["layers"].span, key="layers",
            help=_("0 hidden layers is logistic regression: one straight boundary."))
side.slider(_("Units per hidden layer"), *PARAMS["hidden"].span, key="hidden", disabled=s["layers"] == 0)
side.selectbox(_("Activation"), PARAMS["activation"].choices, key="activation", disabled=s["layers"] == 0)
side.subheader(_("Training"))
side.select_slider(_("Learning rate (Adam, full batch)"), PARAMS["lr"].choices, key="lr")
side.slider(_("Epochs per ▶ Train"), *PARAMS["epochs"].span, step=10, key="epochs")
side.select_slider(_("Speed (epochs per second)"), SPEEDS, key="speed",
                   help=_("The picture is redrawn 10 times a second; this many epochs pass between redraws × 10."))
ui.settings_link(PARAMS)

config = pg.PlaygroundConfig(dataset=s["dataset"], noise=s["noise"], test_fraction=s["test_fraction"],
                             layers=s["layers"], hidden=s["hidden"], activation=s["activation"], lr=s["lr"],
                             seed=s["seed"])

# --- 1 · The playground --------------------------------------------------------------------------
st.header(_("1 · A 2-D playground"))
st.markdown(_("Filled points train the network, hollow ones test it; colour *and* shape give the class. "
              "The background is the network's probability of class 1 (orange) or 0 (blue)."))
live = panel.playground(config)
st.caption(_("**What to notice:** on XOR with 0 hidden layers the boundary stays one straight line and the "
             "test accuracy stays near chance (0.5) — XOR is not linearly separable. With one hidden layer of "
             "2–4 ReLU units it passes 0.95: each unit's map is a half-plane (white where it is off), and the "
             "output adds them up. Solid orange lines are positive weights, dashed blue ones negative; "
             "thicker is larger."))
with st.expander(_("Parameters per layer")):
    panel.parameter_table(config)

# --- Build it by hand ----------------------------------------------------------------------------
st.header(_("Build it by hand"))
st.markdown(_("Two ReLU units and an output are enough for XOR. Set their weights and biases yourself: "
              "class 1 is where the output is positive. Hint: let unit 1 fire where x₁ + x₂ > 0 and unit 2 "
              "where x₁ + x₂ < 0; then 1 − h₁ − h₂ is positive only near the line x₁ + x₂ = 0."))
trainer = s["pg_trainer"]
hand.hand_built((trainer.train_x, trainer.train_y, trainer.test_x, trainer.test_y) if config.dataset == "xor"
                else pg.split(*pg.make_dataset("xor", config.points, config.noise, config.seed),
                              config.test_fraction, config.seed))

# --- 2 · The universal approximator --------------------------------------------------------------
st.header(_("2 · The universal approximator in one dimension"))
st.markdown(_("One hidden layer of N ReLU units computes a sum of hinges, c + Σ wᵢ·relu(aᵢx + bᵢ): a "
              "piecewise-linear curve with a kink per unit. The **universal approximation theorem** says that "
              "with enough units such a sum follows any continuous function as closely as we like."))
cols = st.columns(3)
cols[0].selectbox(_("Target"), PARAMS["target"].choices, key="target", format_func=label_func(TARGET_NAMES))
cols[1].slider(_("Hidden units N"), *PARAMS["units"].span, key="units")
cols[2].radio(_("Fit"), PARAMS["method"].choices, key="method", format_func=label_func(METHOD_NAMES), horizontal=True)


@st.cache_resource(show_spinner=False, max_entries=64)
def approximation(target, units, method, lang):
    result = approx.fit(approx.ApproxConfig(target, units, method))
    rows = {"lstsq": approx.error_vs_units(target)}
    if method == "trained":
        rows["trained"] = approx.error_vs_units(target, method="trained")
    return result, approx_figs.fit_figure(result, _), approx_figs.error_figure(rows, units, _)


with st.spinner(_("Fitting…")):
    result, fit_fig, error_fig = approximation(s["target"], s["units"], s["method"], current_language())
left, right = st.columns(2)
left.plotly_chart(fit_fig, key="approx_fit")
right.plotly_chart(error_fig, key="approx_error")
st.metric(_("mean squared error with {units} units").format(units=s["units"]), f"{result['mse']:.2e}")
st.caption(_("**What to notice:** grey lines are the single hinges; their sum (orange) follows the target "
             "better as N grows, and the error falls on the log-log plot. The step is the hard case: a "
             "continuous sum of hinges can only approximate the jump with a steep ramp, so its largest miss "
             "stays at x = {worst}.").format(worst=f"{result['worst_x']:.2f}"))

# Live training runs last, so the rest of the page is drawn already; only the playground's pictures
# update. Any click reruns the script, which stops this loop; the training goes on if it should.
live(s["epochs"], s["speed"])
