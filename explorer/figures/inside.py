"""Figures for "Inside an MLP": the network diagram, histograms, probabilities, templates, losses.

Plain dicts with ``_validate=False`` (as in figures/activations.py): a rerun after a new image or
temperature builds every figure, and plotly's validation would cost most of the time budget. The
tests validate each figure once with ``go.Figure(fig.to_dict())``.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from explorer.figures import style
from explorer.i18n import Translate, no_translation

FONT = {"size": 15}
POSITIVE, NEGATIVE, TRUE_CLASS, OTHER = style.POSITIVE, style.NEGATIVE, style.TRUE, style.GREY
AXIS = {"tickfont": {"size": 13}, "title": {"font": {"size": 15}}}
CURVE_P = [i / 100 for i in range(1, 101)]  # the −log p curve is the same for every example
CURVE_LOSS = [-math.log(p) for p in CURVE_P]


def figure(traces: list[dict], layout: dict, height: int) -> go.Figure:
    """This page's (and Backpropagation's) figures: 15-pt text, no legend (labels say what is what)."""
    return style.figure(traces, layout, height, font_size=FONT["size"], showlegend=False)


def axis(title: str, **extra) -> dict:
    return {**AXIS, "title": {"text": title, "font": {"size": 15}}, **extra}


def _rounded(values: torch.Tensor) -> list:
    # Three decimals are more than a colour shows, and make the JSON sent per rerun about 3x smaller.
    return (values.detach().float() * 1000).round().div(1000).tolist()


def _image(image: torch.Tensor, xaxis: str = "x", yaxis: str = "y", scale: str = "Greys",
           limit: float | None = None, _: Translate = no_translation) -> dict:
    z = _rounded(image.reshape(28, 28))
    trace = {"type": "heatmap", "z": z, "colorscale": scale, "showscale": False, "xaxis": xaxis, "yaxis": yaxis,
             "hovertemplate": _("row %{y}, col %{x}: %{z:.3f}") + "<extra></extra>"}
    if limit is None:
        trace.update(zmin=0, zmax=1, reversescale=False)
    else:
        trace.update(zmin=-limit, zmax=limit, zmid=0)
    return trace


def image_figure(image: torch.Tensor, title: str, height: int = 260, _: Translate = no_translation) -> go.Figure:
    """One 28×28 image in Fashion-MNIST's colours (white garment on black would be ``Greys`` reversed)."""
    layout = {"title": {"text": title, "font": {"size": 13}}, "xaxis": {"visible": False, "constrain": "domain"},
              "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
              "margin": {"l": 5, "r": 5, "t": 40, "b": 5}}
    return figure([_image(image, _=_)], layout, height)


def histogram_figure(pre: torch.Tensor, layer: int, _: Translate = no_translation) -> go.Figure:
    """Histogram of one hidden layer's pre-activations, with the 0 line where ReLU switches off."""
    values = pre.detach().tolist()
    layout = {"title": {"text": _("Pre-activations of hidden layer {layer}").format(layer=layer)},
              "xaxis": axis(_("value of x W + b")), "yaxis": axis(_("units")), "bargap": 0.05,
              "shapes": [{"type": "line", "x0": 0, "x1": 0, "yref": "paper", "y0": 0, "y1": 1,
                          "line": {"color": "#333", "dash": "dot"}}]}
    return figure([{"type": "histogram", "x": values, "nbinsx": 40, "marker": {"color": NEGATIVE},
                     "hovertemplate": _("%{x}: %{y} units") + "<extra></extra>"}], layout, 280)


def probability_figure(probabilities: list[float], label: int | None, classes: tuple[str, ...], temperature: float,
                       _: Translate = no_translation) -> go.Figure:
    """Bar chart of softmax(o / T); the true class's bar is green (when the true class is known)."""
    colours = [TRUE_CLASS if c == label else OTHER for c in range(len(classes))]
    predicted = max(range(len(probabilities)), key=probabilities.__getitem__)
    colours[predicted] = colours[predicted] if predicted == label else NEGATIVE
    traces = [{"type": "bar", "x": list(classes), "y": probabilities, "marker": {"color": colours},
               "text": [f"{p:.2f}" for p in probabilities], "textposition": "outside",
               "hovertemplate": "%{x}: %{y:.4f}<extra></extra>"}]
    annotations = []
    if label is not None:
        annotations.append({"x": classes[label], "y": probabilities[label], "yshift": 28, "showarrow": False,
                            "text": _("true class"), "font": {"color": TRUE_CLASS, "size": 14}})
    layout = {"title": {"text": _("softmax(o / T) with T = {t}").format(t=f"{temperature:g}")},
              "xaxis": axis(""), "yaxis": axis(_("probability"), range=[0, 1.15]), "annotations": annotations}
    return figure(traces, layout, 340)


def diagram_figure(diagram: dict, image: torch.Tensor, classes: tuple[str, ...], widths: list[int],
                   _: Translate = no_translation) -> go.Figure:
    """Input image at the left, a column of the most active units per hidden layer, the 10 outputs.

    Edges are the strongest contributions into the predicted class: width by magnitude, red
    positive, blue negative. Unit colour is its activation (hover shows the number).
    """
    columns = diagram["columns"]
    n_cols = len(columns) + 1  # hidden columns, then the outputs
    xs = [1 + i for i in range(n_cols)]  # x = 0 is the image

    def y_of(n: int, i: int) -> float:
        return 0.5 if n == 1 else 0.05 + 0.9 * (1 - i / (n - 1))

    traces: list[dict] = []
    strongest = max((abs(e["value"]) for e in diagram["edges"]), default=1.0) or 1.0
    for e in diagram["edges"]:
        (c0, i0), (c1, i1) = e["from"], e["to"]
        n1 = 10 if c1 == len(columns) else len(columns[c1]["units"])
        traces.append({"type": "scatter", "mode": "lines", "x": [xs[c0], xs[c1]],
                       "y": [y_of(len(columns[c0]["units"]), i0), y_of(n1, i1)], "hoverinfo": "skip",
                       "line": {"color": POSITIVE if e["value"] > 0 else NEGATIVE,
                                "width": 0.5 + 6 * abs(e["value"]) / strongest}, "opacity": 0.7})
    for c, col in enumerate(columns):
        n = len(col["units"])
        traces.append({"type": "scatter", "mode": "markers+text", "x": [xs[c]] * n,
                       "y": [y_of(n, i) for i in range(n)], "text": [str(u) for u in col["units"]],
                       "textposition": "middle left",
                       "marker": {"size": 22, "color": col["activations"], "colorscale": "Viridis",
                                  "line": {"color": "#333", "width": 1}},
                       "customdata": col["activations"],
                       "hovertemplate": _("unit %{text}: activation %{customdata:.3f}") + "<extra></extra>"})
    probs, predicted = diagram["probabilities"], diagram["predicted"]
    traces.append({"type": "scatter", "mode": "markers+text", "x": [xs[-1]] * 10,
                   "y": [y_of(10, i) for i in range(10)],
                   "text": [f"{name} {p:.2f}" for name, p in zip(classes, probs)], "textposition": "middle right",
                   "textfont": {"color": ["#111" if i == predicted else "#666" for i in range(10)]},
                   "marker": {"size": [14 + 26 * p for p in probs], "color": probs, "colorscale": "Blues",
                              "cmin": 0, "cmax": 1, "line": {"color": "#333", "width": 1}},
                   "hovertemplate": "%{text}<extra></extra>"})
    # The input image on its own square axes at the left, so its pixels stay square.
    traces.append(_image(image, "x2", "y2", _=_))
    ticks = [_("hidden {layer} (top {shown} of {width})").format(layer=i + 1, shown=len(col["units"]), width=w)
             for i, (col, w) in enumerate(zip(columns, widths))] + [_("outputs (softmax)")]
    layout = {"xaxis": {"tickvals": xs, "ticktext": ticks, "range": [0.4, n_cols + 1.2], "showgrid": False,
                        "zeroline": False, "tickfont": {"size": 13}, "side": "top", "domain": [0.2, 1]},
              "yaxis": {"visible": False, "range": [-0.05, 1.05]},
              "xaxis2": {"domain": [0, 0.17], "anchor": "y2", "showticklabels": False, "side": "top",
                         "title": {"text": _("input 28×28"), "font": {"size": 13}}, "constrain": "domain"},
              "yaxis2": {"anchor": "x2", "visible": False, "autorange": "reversed", "scaleanchor": "x2",
                         "constrain": "domain"},
              "plot_bgcolor": "white", "margin": {"l": 10, "r": 10, "t": 40, "b": 10}}
    return figure(traces, layout, 460)


def templates_figure(templates: torch.Tensor, titles: list[str], _: Translate = no_translation) -> go.Figure:
    """28×28 weight pictures side by side on one shared red (positive) / blue (negative) scale.

    One heatmap with blank (NaN) gaps between the pictures: a trace per picture costs 8x the time.
    """
    n, gap = len(templates), 4
    limit = float(templates.abs().max()) or 1.0
    strip = torch.full((28, n * (28 + gap) - gap), float("nan"))
    for i, picture in enumerate(templates):
        strip[:, i * (28 + gap):i * (28 + gap) + 28] = picture.detach().reshape(28, 28)
    z = [[None if v != v else v for v in row] for row in _rounded(strip)]  # None, not NaN: plotly's JSON is faster
    trace = {"type": "heatmap", "z": z, "colorscale": "RdBu", "reversescale": True, "zmid": 0,
             "zmin": -limit, "zmax": limit, "showscale": False, "hoverongaps": False,
             "hovertemplate": "%{z:.3f}<extra></extra>"}
    annotations = [{"text": title, "x": i * (28 + gap) + 13.5, "y": -1, "xref": "x", "yref": "y",
                    "yanchor": "bottom", "showarrow": False, "font": {"size": 13}} for i, title in enumerate(titles)]
    layout = {"xaxis": {"visible": False, "constrain": "domain"},
              "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
              "annotations": annotations, "plot_bgcolor": "white", "margin": {"l": 5, "r": 5, "t": 30, "b": 5}}
    return figure([trace], layout, 150 + 20 * max(0, 8 - n))


def loss_curve_figure(p_y: float, _: Translate = no_translation) -> go.Figure:
    """The −log p curve, with this example's probability of the true class as a point."""
    point = max(p_y, 1e-12)
    traces = [{"type": "scatter", "mode": "lines", "x": CURVE_P, "y": CURVE_LOSS,
               "line": {"color": NEGATIVE, "width": 3}, "hovertemplate": "p = %{x:.3f}: %{y:.3f}<extra></extra>"},
              {"type": "scatter", "mode": "markers+text", "x": [point], "y": [-math.log(point)],
               "text": [_("this example")], "textposition": "top right",
               "marker": {"size": 14, "color": POSITIVE}, "hovertemplate": "p = %{x:.4f}: %{y:.4f}<extra></extra>"}]
    layout = {"title": {"text": _("Cross-entropy −log p for the true class")},
              "xaxis": axis(_("probability of the true class p_y"), range=[0, 1.02]),
              "yaxis": axis(_("loss"), range=[0, max(5.5, -math.log(point) + 0.5)])}
    return figure(traces, layout, 330)


def gradient_figure(gradients: dict[str, list[float]], classes: tuple[str, ...],
                    _: Translate = no_translation) -> go.Figure:
    """Grouped bars: the gradient each loss sends to the 10 logits."""
    names = {"cross_entropy": _("cross-entropy"), "mse": _("MSE"), "l1": _("L1")}
    colours = {"cross_entropy": NEGATIVE, "mse": style.ORANGE, "l1": style.PURPLE}
    traces = [{"type": "bar", "name": names[k], "x": list(classes), "y": g, "marker": {"color": colours[k]},
               "hovertemplate": "%{x}: %{y:.4f}<extra>" + names[k] + "</extra>"} for k, g in gradients.items()]
    layout = {"title": {"text": _("Gradient of each loss with respect to the logits o")}, "barmode": "group",
              "showlegend": True, "legend": {"orientation": "h", "y": -0.25},
              "xaxis": axis(""), "yaxis": axis(_("∂ loss / ∂ o"))}
    return figure(traces, layout, 360)
