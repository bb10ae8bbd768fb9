"""Figures for "Backpropagation": gradient heatmaps, norms, the computational graph, the loss along the step,
the optimizers' steps and the trace of the steps taken.

Every figure is drawn from tensors :mod:`explorer.lessons.backprop` and :mod:`explorer.lessons.backprop_step` returned;
none runs the model again. Plain dicts with ``_validate=False``, as in figures/inside.py.
"""

from __future__ import annotations

import plotly.graph_objects as go
import torch

from explorer.figures import style
from explorer.lessons.backprop import Backward
from explorer.figures.inside import NEGATIVE, OTHER, POSITIVE, TRUE_CLASS, axis, figure
from explorer.i18n import Translate, no_translation

ORANGE = style.ORANGE
LEGEND = {"orientation": "h", "y": -0.22, "x": 0, "yanchor": "top"}  # below the plot, clear of the title
# Blue negative, white 0, vermillion positive, whatever plotly's RdBu direction.
DIVERGING = style.DIVERGING


def _heatmap(z: torch.Tensor, hover: str, **extra) -> dict:
    """Red positive, blue negative, white 0. z as a float32 array: plotly sends it as one base64 block,
    where a list of lists would be deep-copied and encoded number by number (most of a rerun's time)."""
    return {"type": "heatmap", "z": z.detach().float().numpy(), "colorscale": DIVERGING, "zmid": 0,
            "hovertemplate": hover + "<extra></extra>", **extra}


def pictures_figure(pictures: torch.Tensor, titles: list[str], diverging: bool = False, columns: int = 8,
                    _: Translate = no_translation) -> go.Figure:
    """28×28 pictures in rows of ``columns`` on one heatmap (NaN gaps between them), a title over each:
    the batch's images (grey) or weight gradients (one shared blue/white/red scale)."""
    n, gap, top = len(pictures), 4, 9
    rows = -(-n // columns)
    canvas = torch.full((rows * (28 + top), min(n, columns) * (28 + gap) - gap), float("nan"))
    for i, picture in enumerate(pictures):
        r, c = divmod(i, columns)
        canvas[r * (28 + top) + top:(r + 1) * (28 + top), c * (28 + gap):c * (28 + gap) + 28] = picture.reshape(28, 28)
    if diverging:
        limit = float(pictures.abs().max()) or 1.0
        trace = _heatmap(canvas, "%{z:.2e}", zmin=-limit, zmax=limit, showscale=False, hoverongaps=False)
    else:
        trace = {"type": "heatmap", "z": canvas.numpy(), "colorscale": "Greys", "zmin": 0, "zmax": 1,
                 "showscale": False, "hoverongaps": False, "hovertemplate": "%{z:.2f}<extra></extra>"}
    annotations = [{"text": title, "x": (i % columns) * (28 + gap) + 13.5, "y": (i // columns) * (28 + top) + top - 1,
                    "xref": "x", "yref": "y", "yanchor": "bottom", "showarrow": False, "font": {"size": 12}}
                   for i, title in enumerate(titles)]
    layout = {"xaxis": {"visible": False, "constrain": "domain"},
              "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
              "annotations": annotations, "plot_bgcolor": "white", "margin": {"l": 5, "r": 5, "t": 10, "b": 5}}
    return figure([trace], layout, 40 + 150 * rows)


def output_gradient_figure(dO: torch.Tensor, classes: tuple[str, ...], labels: list[int],
                           _: Translate = no_translation) -> go.Figure:
    """∂L/∂O as a b×10 heatmap: one row per example, the true class's cell boxed."""
    b = len(dO)
    trace = _heatmap(dO, _("example %{y}, %{x}: %{z:.2e}"), x=list(classes), colorbar={"title": {"text": "∂L/∂O"}})
    shapes = [{"type": "rect", "x0": y - 0.5, "x1": y + 0.5, "y0": i - 0.5, "y1": i + 0.5,
               "line": {"color": "#111", "width": 1.5}} for i, y in enumerate(labels)] if b <= 32 else []
    layout = {"title": {"text": _("∂L/∂O for each example (true class boxed)")}, "shapes": shapes,
              "xaxis": axis(""), "yaxis": axis(_("example"), autorange="reversed")}
    return figure([trace], layout, min(160 + 18 * b, 520))


def tensor_figure(t: torch.Tensor, title: str, x_title: str, y_title: str, rows: int = 32,
                  row_names: list[str] | None = None, _: Translate = no_translation) -> go.Figure:
    """A gradient as a heatmap, its first ``rows`` rows: white cells got no gradient (ReLU's gate at 0)."""
    trace = _heatmap(t[:rows], "%{y}, %{x}: %{z:.2e}", colorbar={"thickness": 12},
                     **({"y": row_names} if row_names else {}))
    layout = {"title": {"text": title}, "xaxis": axis(x_title), "yaxis": axis(y_title, autorange="reversed")}
    return figure([trace], layout, min(150 + 9 * min(len(t), rows), 440))


def norms_figure(grad_norms: list[float], update_norms: list[float], _: Translate = no_translation) -> go.Figure:
    """Per layer, the norm of ∂L/∂W and of the weight change (log scale): how they change with depth."""
    names = [_("layer {i}").format(i=i) for i in range(1, len(grad_norms) + 1)]
    traces = [{"type": "bar", "x": names, "y": grad_norms, "name": _("‖∂L/∂W‖"), "marker": {"color": NEGATIVE},
               "text": [f"{v:.3g}" for v in grad_norms], "textposition": "outside"},
              {"type": "bar", "x": names, "y": update_norms, "name": _("‖ΔW‖ of the step"),
               "marker": {"color": ORANGE, "pattern": {"shape": "/"}},
               "text": [f"{v:.3g}" for v in update_norms], "textposition": "outside"}]
    layout = {"title": {"text": _("Gradient and update norm per layer")}, "barmode": "group", "showlegend": True,
              "legend": LEGEND, "xaxis": axis(""),
              "yaxis": axis(_("Frobenius norm (log scale)"), type="log", dtick=1),
              "margin": {"l": 60, "r": 20, "t": 50, "b": 90}}
    return figure(traces, layout, 380)


def graph_figure(back: Backward, _: Translate = no_translation) -> go.Figure:
    """d2l fig. 4.7.1 for this network: x, W, z, h, ..., o, L (and the L2 term s and J = L + s).
    Each edge carries the forward shape of its source and, backwards, the gradient norm at it."""
    n_hidden = len(back.Z)
    norm = lambda t: float(torch.linalg.vector_norm(t))  # noqa: E731
    nodes, edges = {"x": (0, 0)}, []
    prev, col = "x", 0
    for i in range(n_hidden + 1):
        last = i == n_hidden
        z = "o" if last else f"z{i + 1}"
        col += 1
        nodes[z], nodes[f"W{i + 1}"] = (col, 0), (col - 0.5, 1)
        shape = list(back.X.shape) if i == 0 else list(back.H[i - 1].shape)
        edges.append((prev, z, shape, None if i == 0 else norm(back.dH[i - 1])))
        edges.append((f"W{i + 1}", z, list(back.dW[i].shape), norm(back.dW[i])))
        if not last:
            col += 1
            nodes[f"h{i + 1}"] = (col, 0)
            edges.append((z, f"h{i + 1}", list(back.Z[i].shape), norm(back.dZ[i])))
            prev = f"h{i + 1}"
    nodes["L"] = (col + 1, 0)
    edges.append(("o", "L", list(back.logits.shape), norm(back.dO)))
    if back.weight_decay:
        nodes["s"], nodes["J"] = (col / 2, 2), (col + 1.5, 1.5)  # the L2 term above the weights
        edges += [(f"W{i + 1}", "s", None, None) for i in range(n_hidden + 1)]
        edges += [("L", "J", [], 1.0), ("s", "J", [], 1.0)]
    traces = []
    annotations = []
    for a, b, shape, g in edges:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        traces.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1], "hoverinfo": "skip",
                       "line": {"color": OTHER, "width": 2}})
        flat = y0 == y1  # along the chain: the shape above the edge, the gradient below it
        at = {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "showarrow": False, "font": {"size": 12},
              "xanchor": "center" if flat else "left", "xshift": 0 if flat else 8}
        if shape is not None:
            annotations.append({**at, "text": "×".join(map(str, shape)) or "1", "yshift": 12 if flat else 8})
        if g is not None:
            annotations.append({**at, "text": _("‖∂/∂{node}‖ = {norm}").format(node=a, norm=f"{g:.3g}"),
                                "yshift": -12 if flat else -8, "font": {"size": 12, "color": POSITIVE}})
    kinds = {k: (POSITIVE if k.startswith(("W", "s")) else TRUE_CLASS if k in ("L", "J") else NEGATIVE) for k in nodes}
    traces.append({"type": "scatter", "mode": "markers+text", "x": [p[0] for p in nodes.values()],
                   "y": [p[1] for p in nodes.values()], "text": list(nodes), "textposition": "middle center",
                   "textfont": {"color": "white", "size": 14},
                   "marker": {"size": 34, "color": [kinds[k] for k in nodes],
                              "symbol": ["square" if k.startswith(("W", "s")) else "circle" for k in nodes]},
                   "hoverinfo": "text"})
    layout = {"title": {"text": _("Computational graph: forward shapes and backward gradient norms")},
              "xaxis": {"visible": False},
              "yaxis": {"visible": False, "range": [-0.5, 2.4 if back.weight_decay else 1.4]},
              "annotations": annotations, "plot_bgcolor": "white"}
    return figure(traces, layout, 380 if back.weight_decay else 300)


def line_figure(line: list[dict], grad_sq_norm: float, lr: float, _: Translate = no_translation) -> go.Figure:
    """L(w − η·g) against η, the tangent L(w) − η‖g‖² at 0, and the chosen learning rate."""
    etas, losses = [p["eta"] for p in line], [p["loss"] for p in line]
    top = max(losses)
    tangent = [losses[0] - e * grad_sq_norm for e in etas]
    keep = [i for i, v in enumerate(tangent) if v >= min(losses) - 0.1 * (top - min(losses) + 1e-9)]
    traces = [{"type": "scatter", "mode": "lines", "x": etas, "y": losses, "name": _("loss at w − η·g"),
               "line": {"color": NEGATIVE, "width": 3}, "hovertemplate": "η = %{x:.4g}: %{y:.5f}<extra></extra>"},
              {"type": "scatter", "mode": "lines", "x": [etas[i] for i in keep], "y": [tangent[i] for i in keep],
               "name": _("slope −‖g‖² at η = 0"), "line": {"color": ORANGE, "dash": "dash", "width": 2},
               "hoverinfo": "skip"}]
    layout = {"title": {"text": _("The loss along the step direction")}, "showlegend": True, "legend": LEGEND,
              "xaxis": axis(_("step size η")), "yaxis": axis(_("batch loss")),
              "shapes": [{"type": "line", "x0": lr, "x1": lr, "yref": "paper", "y0": 0, "y1": 1,
                          "line": {"color": "#333", "dash": "dot"}}],
              "annotations": [{"x": lr, "yref": "paper", "y": 0.02, "text": " " + _("your learning rate"),
                               "showarrow": False, "xanchor": "left", "yanchor": "bottom"}],
              "margin": {"l": 60, "r": 20, "t": 50, "b": 110}}
    return figure(traces, layout, 400)


def weight_change_figure(delta: torch.Tensor, classes: tuple[str, ...], _: Translate = no_translation) -> go.Figure:
    """The last layer's weight change ΔW (inputs × 10) as a heatmap, one row per class."""
    trace = _heatmap(delta.T, _("%{y}, input %{x}: %{z:.2e}"), y=list(classes), colorbar={"title": {"text": "ΔW"}})
    layout = {"title": {"text": _("Change of the last layer's weights")},
              "xaxis": axis(_("input unit")), "yaxis": axis("", autorange="reversed")}
    return figure([trace], layout, 320)


def optimizer_figure(compare: dict[str, list[torch.Tensor]], names: dict[str, str],
                     _: Translate = no_translation) -> go.Figure:
    """The same gradient, three steps: a histogram of each optimizer's per-weight step size |Δw| (log₁₀).
    SGD's and momentum's follow |g|; Adam scales every weight to about η."""
    traces = []
    colours, dashes = {"sgd": NEGATIVE, "momentum": ORANGE, "adam": POSITIVE}, {"sgd": "solid", "momentum": "dash",
                                                                                "adam": "dot"}
    for name, deltas in compare.items():
        sizes = torch.cat([d.reshape(-1) for d in deltas]).abs()
        logs = sizes[sizes > 0].log10().float()
        if not len(logs):
            continue
        counts = torch.histc(logs, bins=60, min=-12, max=1)
        centres = torch.linspace(-12, 1, 61)[:-1] + 13 / 120
        traces.append({"type": "scatter", "mode": "lines", "x": centres.tolist(), "y": counts.tolist(),
                       "name": names[name], "line": {"color": colours[name], "dash": dashes[name], "width": 3,
                                                     "shape": "hvh"}})
    layout = {"title": {"text": _("Step sizes |Δw| of each optimizer for this gradient")}, "showlegend": True,
              "legend": LEGEND, "xaxis": axis(_("log₁₀ |Δw|")), "yaxis": axis(_("parameters"), type="log"),
              "margin": {"l": 60, "r": 20, "t": 50, "b": 110}}
    return figure(traces, layout, 400)


def trace_figure(trace: list[dict], accuracy: list[dict], _: Translate = no_translation) -> go.Figure:
    """The batch loss of every step taken, and test accuracy on the fixed 1,000 images every 10 steps."""
    traces = [{"type": "scatter", "mode": "lines+markers" if len(trace) < 30 else "lines", "name": _("batch loss"),
               "x": [t["step"] for t in trace], "y": [t["loss"] for t in trace], "line": {"color": NEGATIVE}},
              {"type": "scatter", "mode": "lines+markers", "name": _("test accuracy (1,000 images)"),
               "x": [a["step"] for a in accuracy], "y": [a["test_acc"] for a in accuracy], "yaxis": "y2",
               "line": {"color": TRUE_CLASS, "dash": "dot"}, "marker": {"symbol": "diamond", "size": 9}}]
    layout = {"title": {"text": _("Steps taken")}, "showlegend": True, "legend": LEGEND,
              "xaxis": axis(_("step")), "yaxis": axis(_("batch loss")),
              "yaxis2": {**axis(_("test accuracy")), "overlaying": "y", "side": "right", "range": [0, 1]},
              "margin": {"l": 60, "r": 60, "t": 50, "b": 110}}
    return figure(traces, layout, 400)
