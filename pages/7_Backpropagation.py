"""Backpropagation: one step of learning with the model's own numbers (seed 002, d2l 4.7)."""

import math

import pandas as pd
import streamlit as st

import ui
from explorer.lessons import backprop_step as steps
from explorer.figures import backprop as figs
from ui import backprop as panel
from ui.i18n import _, book_url, current_language
from ui.pages import DEPTH_ANCHOR
from ui.training_panels import OPTIMIZER_NAMES

s = ui.page(__file__, panel.PARAMS, _("Backpropagation"), "🔁", _("🔁 Backpropagation, one step at a time"), _(
    "One step of learning is four moves: compute the loss on a minibatch, send its gradient back through "
    "the network into every weight (the chain rule, [d2l 4.7]({book})), update each weight by "
    "w ← w − η·g, and repeat. Below, every tensor is the model's own, computed by a hand-written backward "
    "pass that is checked against PyTorch's autograd."
).format(book=book_url("chapter_multilayer-perceptrons/backprop.html")))
data = ui.dataset(s["dataset"])
if data is None:
    st.stop()
config = panel.controls()
found = panel.walk(data, config)
if found is None:
    st.stop()
walk, config, name = found
X, y = panel.batch(data, config, walk)
ins = steps.inspect(walk, X, y, config)
back, classes = ins.back, tuple(_(c) for c in data.classes)
if not math.isfinite(back.total):
    st.error(_("After {steps} steps the loss is no longer a number: the weights diverged. A learning rate of {lr} "
               "is too large here; press Reset and try a smaller one.").format(steps=walk.steps, lr=config.lr))
    st.button(_("Reset"), key="bp_reset", on_click=panel.reset)
    st.stop()
hidden = len(back.Z)

# --- 1-2. The network, the minibatch and the shapes -----------------------------------------------
st.caption(_("Starting from **{name}**; steps taken so far: {steps}.").format(name=name, steps=walk.steps) + " "
           + _("Data: {description}.").format(description=data.describe(_)))
st.header(_("The minibatch"))
left, right = st.columns([3, 2])
shown = min(len(y), 16)
left.plotly_chart(figs.pictures_figure(X[:shown].reshape(-1, 28, 28), [classes[int(c)] for c in y[:shown]], _=_),
                  key="bp_images", config={"displayModeBar": False})
if s["bp_batch"] == "inside":
    left.caption(_("Test image {position}, the one Inside an MLP shows (its class and index; a picture you "
                   "uploaded or drew there has no label to learn from).").format(position=panel.inside_position(data)))
elif len(y) > shown:
    left.caption(_("The first {shown} of the {b} images of this step's batch.").format(shown=shown, b=len(y)))
right.markdown(_("**The shape of every tensor** (b = {b})").format(b=len(y)))
right.dataframe(pd.DataFrame({_("tensor"): list(back.shapes()), _("shape"): ["×".join(map(str, s)) for s in
                                                                             back.shapes().values()]}),
                hide_index=True)

# --- 3. The loss --------------------------------------------------------------------------------------
st.header(_("The loss"))
FORMULAS = {"ce": r"L = -\frac{1}{b}\sum_i \log \operatorname{softmax}(\mathbf{o}_i)_{y_i}",
            "mse": r"L = \frac{1}{10\,b}\sum_{i,k} (\operatorname{softmax}(\mathbf{o}_i)_k - y_{ik})^2",
            "l1": r"L = \frac{1}{10\,b}\sum_{i,k} |\operatorname{softmax}(\mathbf{o}_i)_k - y_{ik}|"}
st.latex(FORMULAS[config.loss] + (r" + \frac{\lambda}{2}\sum_l \|\mathbf{W}_l\|^2" if config.weight_decay else ""))
cols = st.columns(3)
cols[0].metric(_("batch loss L"), f"{back.loss:.4f}")
cols[1].metric(_("L2 term"), f"{back.l2:.4f}")
cols[2].metric(_("Autograd agrees"), f"{ins.autograd_diff:.1e}",
               help=_("The largest |hand-written − autograd| over every weight and bias of this step."))

# --- 4. The backward pass -------------------------------------------------------------------------
st.header(_("The backward pass, layer by layer"))
DO = {"ce": r"\frac{\partial L}{\partial \mathbf{O}} = \frac{1}{b}(\operatorname{softmax}(\mathbf{O}) - \mathbf{Y})",
      "mse": r"\frac{\partial L}{\partial \mathbf{O}} = \mathbf{P}\odot(\mathbf{G} - (\mathbf{G}\odot\mathbf{P})"
             r"\mathbf{1}),\ \mathbf{G} = \frac{2}{10b}(\mathbf{P}-\mathbf{Y})",
      "l1": r"\frac{\partial L}{\partial \mathbf{O}} = \mathbf{P}\odot(\mathbf{G} - (\mathbf{G}\odot\mathbf{P})"
            r"\mathbf{1}),\ \mathbf{G} = \frac{1}{10b}\operatorname{sign}(\mathbf{P}-\mathbf{Y})"}
st.latex(DO[config.loss])
st.plotly_chart(figs.output_gradient_figure(back.dO, classes, y.tolist(), _), key="bp_dO")
for i in range(hidden + 1, 0, -1):
    linear, through = panel.layer_formulas(i, hidden, config.activation, config.weight_decay)
    st.latex(linear)
    if i == hidden + 1 and hidden:  # the output layer's weights; the first layer's are pictures below
        st.plotly_chart(figs.tensor_figure(back.dW[-1].T, _("∂L/∂W{layer}, one row per class").format(layer=i),
                                           _("hidden unit"), "", rows=10, row_names=list(classes), _=_),
                        key="bp_dW_last")
    if through:
        j = i - 2  # hidden layer i - 1
        st.latex(through)
        st.plotly_chart(figs.tensor_figure(back.dZ[j], _("∂L/∂Z{layer} for the first examples (white: no gradient)")
                                           .format(layer=i - 1), _("hidden unit"), _("example"), _=_), key=f"bp_dZ{j}")
        st.metric(_("units of hidden layer {layer} that get no gradient for this batch").format(layer=i - 1),
                  f"{back.dead[j]} / {back.Z[j].shape[1]}",
                  help=_("Their gate σ'(z) is 0 for every example of the batch: for ReLU, z ≤ 0 everywhere."))
dW1 = back.dW[0]
top = dW1.norm(dim=0).topk(min(8, dW1.shape[1])).indices.tolist()
st.markdown(_("**∂L/∂W₁ as 28×28 pictures**, for the units with the largest gradient"))
st.plotly_chart(figs.pictures_figure(dW1[:, top].T.reshape(-1, 28, 28), [
    _("unit {unit}").format(unit=u) if hidden else classes[u] for u in top], diverging=True, _=_), key="bp_dW1",
    config={"displayModeBar": False})
st.plotly_chart(figs.graph_figure(back, _), key="bp_graph")
st.caption(_("d2l's figure 4.7.1 for this network: squares are parameters, circles are values. Each edge is "
             "labelled with the shape its source sends forward and, in red, the norm of the gradient that flows "
             "back through it."))
norm_col, note_col = st.columns([3, 2])
norm_col.plotly_chart(figs.norms_figure(back.grad_norms, [r["update_norm"] for r in ins.layer_rows()], _),
                      key="bp_norms")
note_col.markdown(_("📈 How the gradient's norm changes with depth, and why it can vanish: "
                    "[Activation functions, part 3]({link}).").format(
    link=f"Activation_functions?lang={current_language()}#{DEPTH_ANCHOR}"))  # a new tab: it must be told the language

f = ins.followed()
st.subheader(_("One weight through the chain rule"))
layer = f["layer"] + 1
terms = " + ".join(f"({h:.3g})({d:.3g})" for h, d in list(zip(f["h"], f["delta"]))[:3]) + \
    (r" + \dots" if len(f["h"]) > 3 else "")
l2 = rf" + \lambda w = {f['sum']:.4g} + {f['l2']:.4g}" if config.weight_decay else ""
st.latex(rf"\frac{{\partial L}}{{\partial w_{layer}[{f['j']},{f['k']}]}} = \sum_{{i=1}}^{{{len(f['h'])}}} "
         rf"h[i,{f['j']}]\,\delta[i,{f['k']}]" + (r" + \lambda w" if config.weight_decay else ""))
st.latex(rf"= {terms}{l2} = {f['grad']:.4g}")
st.caption(_("h is the input of layer {layer} (the pixels for the first layer) and δ = ∂L/∂O, the gradient "
             "arriving from above. The followed weight is the one with the largest gradient.").format(layer=layer))

# --- 5. The update -------------------------------------------------------------------------------
st.header(_("The update"))
rule = rf"w \leftarrow w - \eta\, g,\ \eta = {config.lr:g}" if config.optimizer == "sgd" else \
    r"w \leftarrow w + \Delta w"
st.latex(rf"{rule}:\quad {f['before']:.5g} \;\to\; {f['after']:.5g}")
cols = st.columns(2)
cols[0].metric(_("batch loss before the update"), f"{back.total:.4f}")
cols[1].metric(_("batch loss after the update"), f"{ins.loss_after:.4f}", delta=f"{ins.loss_after - back.total:+.4f}",
               delta_color="inverse")
change_col, line_col = st.columns(2)
change_col.plotly_chart(figs.weight_change_figure(ins.deltas[-2], classes, _), key="bp_change")
line_col.plotly_chart(figs.line_figure(ins.line, back.grad_sq_norm, config.lr, _), key="bp_line")
st.caption(_("Along −g the loss first falls with slope −‖g‖² = {slope}; too large a step overshoots and the loss "
             "rises again. That is the divergence a too-large learning rate causes on the training page.").format(
    slope=f"{-back.grad_sq_norm:.4g}"))

# --- 6. Seed 002's optimizers ---------------------------------------------------------------------
st.header(_("The same gradient, three optimizers"))
rows = [{_("optimizer"): _(OPTIMIZER_NAMES[n]), _("‖Δ‖ of the step"): sum(float((d * d).sum()) for d in deltas) ** 0.5}
        for n, deltas in ins.compare.items()]
opt_col, hist_col = st.columns([1, 2])
opt_col.dataframe(pd.DataFrame(rows), hide_index=True)
opt_col.caption(_("Momentum adds the previous steps to this one; Adam divides each weight's step by its own "
                  "gradient scale, so on its first step every weight moves by about η."))
hist_col.plotly_chart(figs.optimizer_figure(ins.compare, {n: _(OPTIMIZER_NAMES[n]) for n in ins.compare}, _),
                      key="bp_adam")

# --- 7. Taking steps -----------------------------------------------------------------------------
st.header(_("Taking steps"))
buttons = st.columns(4)
for col, (n, label, key) in zip(buttons, ((1, _("Take one step"), "bp_step1"), (10, _("Take 10 steps"), "bp_step10"),
                                          (100, _("Take 100 steps"), "bp_step100"))):
    col.button(label, key=key, on_click=panel.take, args=(data, config, n), type="primary" if n == 1 else "secondary")
buttons[3].button(_("Reset"), key="bp_reset", on_click=panel.reset)
if walk.last:
    st.metric(_("Loss after the step"), f"{walk.last['loss_after']:.4f}",
              delta=f"{walk.last['loss_after'] - walk.last['loss_before']:+.4f}", delta_color="inverse",
              help=_("The batch loss of step {step} after its update, on the same batch.").format(
                  step=walk.last["step"]))
    st.plotly_chart(figs.trace_figure(walk.trace, walk.accuracy, _), key="bp_trace")
else:
    st.info(_("No step taken yet: press **Take one step**."))
