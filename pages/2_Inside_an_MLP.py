"""Inside an MLP: one image through the network, from pixels to prediction (d2l 4.1, 3.4-3.6)."""

import pandas as pd
import streamlit as st
import torch

import ui
from explorer.lessons import inside
from explorer.figures import inside as figs
from ui import inside as panel
from ui.i18n import _

s = ui.page(__file__, panel.PARAMS, _("Inside an MLP"), "🔬", _("🔬 Inside an MLP"), _(
    "Follow one image through a trained network: the 784 pixels are multiplied by a weight matrix, "
    "a nonlinearity switches some units off, and softmax turns the 10 output scores into probabilities. "
    "Every number below is the model's own. Pick an image below, or draw your own."))
ui.dataset_choice()
data = ui.dataset(s["dataset"])
if data is None:
    st.stop()  # the message above says how to get the data
shown = panel.choose_model(data)
if shown is None:
    st.stop()
st.caption(_("Showing **{name}** — test accuracy {acc}.").format(name=_(shown.name), acc=f"{shown.test_acc:.3f}")
           + " " + _("Data: {description}.").format(description=data.describe(_)))

picked = panel.choose_input(data, shown.model)
if picked is None:
    st.stop()
image, original, label, description = picked
T = s["T"]
t = inside.trace(shown.model, image)
probs = inside.softmax(t.logits, T)
model_probs = inside.softmax(t.logits)
predicted = t.predicted
runner_up = int(t.logits.topk(2).indices[1])
classes = tuple(_(name) for name in data.classes)  # d2l-zh's names in Chinese

# --- The input ---------------------------------------------------------------------------------
left, middle, right = st.columns([1, 1, 2])
if original is not None:
    left.image(original, caption=_("your original"), width="stretch", alt=_("Your original picture"))
    middle.plotly_chart(figs.image_figure(image, _("28×28, as the network sees it"), _=_), key="input28")
else:
    left.plotly_chart(figs.image_figure(image, _("28×28 grey pixels"), _=_), key="input28")
verdict = _("The network says **{guess}** ({p} at T = 1).").format(
    guess=classes[predicted], p=f"{model_probs[predicted]:.1%}")
if label is not None:
    verdict += " " + (_("Correct.") if predicted == label else _("Wrong: it is a **{truth}**.").format(
        truth=classes[label]))
right.markdown(description + "\n\n" + verdict)

# --- The forward pass, step by step ------------------------------------------------------------
st.header(_("The forward pass, step by step"))
panel.step(_("Input"), r"\mathbf{x} \in \mathbb{R}^{1\times 784}", "1×784")
st.caption(_("The 28×28 image flattened row by row into 784 numbers between 0 and 1."))
widths = [len(h.post) for h in t.hidden]
activation = shown.config["activation"]
for i, h in enumerate(t.hidden, start=1):
    prev = r"\mathbf{x}" if i == 1 else rf"\mathbf{{h}}_{i - 1}"
    n_in = 784 if i == 1 else widths[i - 2]
    cols = st.columns([2, 3])
    with cols[0]:
        panel.step(_("Hidden layer {layer}: pre-activation").format(layer=i),
                   rf"\mathbf{{z}}_{i} = {prev}\,\mathbf{{W}}_{i} + \mathbf{{b}}_{i},\quad "
                   rf"\mathbf{{W}}_{i} \in \mathbb{{R}}^{{{n_in}\times {widths[i - 1]}}}", f"1×{widths[i - 1]}")
        panel.step(_("Hidden layer {layer}: activation").format(layer=i),
                   rf"\mathbf{{h}}_{i} = \mathrm{{{activation.replace('_', '')}}}(\mathbf{{z}}_{i})",
                   f"1×{widths[i - 1]}")
        st.metric(_("units exactly zero for this input"), f"{h.zeros} / {widths[i - 1]}",
                  help=_("ReLU outputs 0 for every negative pre-activation: those units are switched off."))
    with cols[1]:
        panel.chart(figs.histogram_figure(h.pre, i, _), key=f"hist{i}")
last, out = (rf"\mathbf{{h}}_{len(widths)}" if widths else r"\mathbf{x}"), len(widths) + 1
panel.step(_("Logits"), rf"\mathbf{{o}} = {last}\,\mathbf{{W}}_{{{out}}} + \mathbf{{b}}_{{{out}}}", "1×10")
st.dataframe(pd.DataFrame({_("class"): classes, _("logit o"): t.logits.tolist(),
                           _("probability"): probs.tolist()}).set_index(_("class")).T, width="stretch")
panel.step(_("Softmax with temperature"), r"\hat y_j = \frac{\exp(o_j / T)}{\sum_k \exp(o_k / T)}", "1×10")
panel.chart(figs.probability_figure(probs.tolist(), label, classes, T, _), key="probs")
st.caption(_("T = 1 is the model itself. A larger T flattens the probabilities, a smaller T sharpens them; "
             "the ranking, and so the prediction, never changes."))

# --- The network diagram -----------------------------------------------------------------------
st.header(_("The network"))
diagram_col, count_col = st.columns([3, 1])
with diagram_col:
    panel.chart(figs.diagram_figure(inside.diagram(t, probs), image, classes, widths, _), key="diagram")
    st.caption(_("Each hidden column shows its most active units (colour = activation). Lines are the strongest "
                 "contributions activation × weight along the way into the predicted class: red raises it, "
                 "blue lowers it, thicker is stronger."))
with count_col:
    counts = inside.parameter_counts(shown.model)
    st.markdown(_("**Parameters per layer**"))
    for row in counts:
        st.markdown(_("Layer {layer}: {formula}").format(layer=row["layer"], formula=row["formula"]))
    total = sum(row["total"] for row in counts)
    st.metric(_("parameters in all"), f"{total:,}")
    st.caption(_("A fully connected layer with n inputs and m outputs has n·m weights and m biases. Note: "
                 "`nn.Linear` stores its weight as (out, in) and computes x Wᵀ + b; d2l's scratch W is "
                 "(in, out) and computes x W + b."))

# --- Why this class ----------------------------------------------------------------------------
st.header(_("Why this class?"))
contrib = inside.contributions(t, predicted)
bias = float(t.layers[-1].b[predicted])
st.markdown(_("The logit of **{name}** is the sum of activation × weight over the {n} inputs of the last "
              "layer plus its bias: {total} + {bias} = {logit}.").format(
    name=classes[predicted], n=len(contrib), total=f"{float(contrib.sum()):.3f}", bias=f"{bias:.3f}",
    logit=f"{float(t.logits[predicted]):.3f}"))
for cls, heading in ((predicted, _("Units that raise **{name}** most (predicted)")),
                     (runner_up, _("Units that raise **{name}** most (runner-up)"))):
    st.markdown(heading.format(name=classes[cls]))
    panel.templates(shown.model, t, cls, classes, key=f"templates{cls}")
st.caption(_("With one hidden layer each picture is the unit's first-layer weights W₁[:, j] (red positive, blue "
             "negative), titled with its contribution to the logit. With more layers it is the gradient of the "
             "unit with respect to the pixels at this input: what the unit responds to here."))

# --- The loss ----------------------------------------------------------------------------------
st.header(_("The loss for this example"))
target = label if label is not None else predicted
if label is None:
    st.info(_("Your picture has no label, so the losses below take the network's own guess as the target."))
loss = inside.losses(t.logits, target)
metric_cols = st.columns(3)
for col, key, name in zip(metric_cols, ("cross_entropy", "mse", "l1"),
                          (_("cross-entropy −log p_y"), _("MSE against one-hot"), _("L1 against one-hot"))):
    col.metric(name, f"{loss[key]['value']:.4f}")
curve_col, grad_col = st.columns(2)
curve_col.plotly_chart(figs.loss_curve_figure(float(model_probs[target]), _), key="loss_curve")
grads = {k: v["grad"].tolist() for k, v in loss.items()}
grad_col.plotly_chart(figs.gradient_figure(grads, classes, _), key="grads")
one_hot = torch.nn.functional.one_hot(torch.tensor(target), 10).float()
gap = float((model_probs - one_hot - loss["cross_entropy"]["grad"]).abs().max())
st.caption(_("Cross-entropy's gradient to the logits is simply softmax − one-hot (autograd agrees to {gap}): "
             "large when the network is confidently wrong, so it keeps learning from its mistakes. Through "
             "softmax, MSE and L1 give gradients that shrink exactly then, which is why classifiers use "
             "cross-entropy. The losses use T = 1, the model itself.").format(gap=f"{gap:.0e}"))
