"""Plotly figures for the activation-function page: data in, ``go.Figure`` out.

Built from plain dicts with ``_validate=False``: plotly's per-property validation and
``make_subplots`` cost 15-50 ms per figure, most of a slider's time budget. The tests check the
dicts against the full validation once (``go.Figure(fig.to_dict())``), so nothing invalid slips by.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from explorer.figures import style
from explorer.mlp.activations import CATALOGUE, NAMES
from explorer.i18n import Translate, no_translation

# One fixed colour per function, so ReLU is the same blue in every chart.
# (style.py's Okabe-Ito colours; beyond the eighth function the dash differs too.)
COLOURS = {name: style.colour(i) for i, name in enumerate(NAMES)}
DASHES = {name: style.dash(i) for i, name in enumerate(NAMES)}
SHADE = "rgba(120, 120, 120, 0.2)"
# Explicit per-axis sizes: Streamlit's chart theme sets its own small ones, which beat layout.font.
AXIS_FONTS = {"tickfont": {"size": 14}, "title": {"font": {"size": 16}}}


def _axis(i: int) -> str:
    return "" if i == 1 else str(i)


def _grid(rows: int, cols: int, titles, hgap: float = 0.08, vgap: float = 0.12) -> dict:
    """Layout of a rows x cols grid of panels (numbered row by row from 1), each titled above."""
    width, height = (1 - hgap * (cols - 1)) / cols, (1 - vgap * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles, start=1):
        row, col = divmod(i - 1, cols)
        x0, y1 = col * (width + hgap), 1 - row * (height + vgap)
        # round(): float error like -5.6e-17 would fail plotly's [0, 1] check on domains
        layout[f"xaxis{_axis(i)}"] = {"domain": [round(x0, 6), round(x0 + width, 6)], "anchor": f"y{_axis(i)}",
                                      **AXIS_FONTS}
        layout[f"yaxis{_axis(i)}"] = {"domain": [round(y1 - height, 6), round(y1, 6)], "anchor": f"x{_axis(i)}",
                                      **AXIS_FONTS}
        layout["annotations"].append({"text": title, "x": x0 + width / 2, "y": y1, "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 16}})
    return layout


def _figure(traces: list[dict], layout: dict, height: int) -> go.Figure:
    """Line charts (scatter traces unless said otherwise) with the legend below, unless ``layout`` moves it."""
    legend = {"orientation": "h", "y": -0.2, "font": {"size": 14}, **layout.get("legend", {})}
    return style.figure([{"type": "scatter", **t} for t in traces], {**layout, "legend": legend}, height)


def _titles(layout: dict, panel: int, x: str, y: str, **y_extra) -> None:
    layout.setdefault(f"xaxis{_axis(panel)}", dict(AXIS_FONTS))["title"] = {"text": x, "font": {"size": 16}}
    layout.setdefault(f"yaxis{_axis(panel)}", dict(AXIS_FONTS)).update(
        title={"text": y, "font": {"size": 16}}, **y_extra)


def curves_figure(table: pd.DataFrame, threshold: float, _: Translate = no_translation) -> go.Figure:
    """f (left) and f' (right) overlaid; the grey band on the right is |f'| < threshold (saturated)."""
    traces = []
    for name, part in table.groupby("name", sort=False):
        line, label = {"color": COLOURS[name], "width": 3, "dash": DASHES[name]}, CATALOGUE[name].label
        traces.append({"x": part["x"].values, "y": part["f"].values, "name": label, "legendgroup": name, "line": line})
        traces.append({"x": part["x"].values, "y": part["grad"].values, "name": label, "legendgroup": name,
                       "line": line, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    layout = _grid(1, 2, ("f(x)", _("f′(x) by autograd")))
    _titles(layout, 1, "x", "f(x)")
    _titles(layout, 2, "x", "f′(x)")
    layout["shapes"] = [{"type": "rect", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1, "y0": -threshold,
                         "y1": threshold, "fillcolor": SHADE, "line": {"width": 0}, "layer": "below"}]
    return _figure(traces, layout, 460)


def small_multiples_figure(table: pd.DataFrame, intervals: dict[str, list[tuple[float, float]]],
                           threshold: float, columns: int = 4, _: Translate = no_translation) -> go.Figure:
    """One panel per function: f solid, f' dotted, saturated x-regions (|f'| < threshold) shaded."""
    names = list(dict.fromkeys(table["name"]))
    columns = min(columns, len(names))
    rows = math.ceil(len(names) / columns)
    layout = _grid(rows, columns, [CATALOGUE[n].label for n in names], hgap=0.05, vgap=0.25 / rows + 0.04)
    traces, shapes = [], []
    for i, (name, part) in enumerate(table.groupby("name", sort=False), start=1):
        axes, colour = {"xaxis": f"x{_axis(i)}", "yaxis": f"y{_axis(i)}"}, COLOURS[name]
        traces.append({"x": part["x"].values, "y": part["f"].values, "name": "f", "legendgroup": "f",
                       "showlegend": i == 1, "line": {"color": colour, "width": 3}, **axes})
        traces.append({"x": part["x"].values, "y": part["grad"].values, "name": "f′", "legendgroup": "g",
                       "showlegend": i == 1, "line": {"color": colour, "width": 2, "dash": "dot"}, **axes})
        shapes += [{"type": "rect", "xref": f"x{_axis(i)}", "yref": f"y{_axis(i)} domain", "x0": lo, "x1": hi,
                    "y0": 0, "y1": 1, "fillcolor": SHADE, "line": {"width": 0}, "layer": "below"}
                   for lo, hi in intervals.get(name, [])]
    layout["shapes"] = shapes
    layout["legend"] = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1 + 0.1 / rows, "yanchor": "bottom"}
    layout["title"] = {"text": _("shaded: |f′| < {threshold} (saturated)").format(threshold=f"{threshold:g}"),
                       "font": {"size": 14}}
    return _figure(traces, layout, 250 * rows + 90)


def collapse_figure(demo: dict, label: str, _: Translate = no_translation) -> go.Figure:
    """Output of the network against the single affine map: on the diagonal means 'is affine'."""
    layout = _grid(1, 2, (_("linear → linear (max gap {gap})").format(gap=f"{demo['linear_gap']:.1e}"),
                          _("linear → {label} → linear (max gap {gap})").format(
                              label=label, gap=f"{demo['nonlinear_gap']:.2f}")), hgap=0.1)
    pairs = [(demo["collapsed"], demo["stacked"], style.BLUE),
             (demo["best_affine"], demo["with_act"], style.VERMILLION)]
    traces = []
    for i, (affine, net, colour) in enumerate(pairs, start=1):
        a, n = affine[:, 0].numpy(), net[:, 0].numpy()
        lo, hi = float(min(a.min(), n.min())), float(max(a.max(), n.max()))
        axes = {"xaxis": f"x{_axis(i)}", "yaxis": f"y{_axis(i)}", "showlegend": False}
        traces.append({"x": [lo, hi], "y": [lo, hi], "mode": "lines", "line": {"color": "grey", "dash": "dash"},
                       **axes})
        traces.append({"x": a, "y": n, "mode": "markers", "marker": {"color": colour, "size": 5, "opacity": 0.6},
                       **axes})
    _titles(layout, 1, _("single affine map W x + b"), _("two-layer network output"))
    _titles(layout, 2, _("best affine map (least squares)"), _("two-layer network output"))
    return _figure(traces, layout, 420)


def fit_figure(fit: dict, label: str, _: Translate = no_translation) -> go.Figure:
    """Target, the MLP's fit, each hidden unit's contribution, and the best straight line."""
    frame, x = fit["curves"], fit["curves"]["x"].values
    traces = [{"x": x, "y": frame[c].values, "name": _("unit {i}").format(i=c.removeprefix("unit ")),
               "line": {"width": 1.5, "dash": "dot"}, "opacity": 0.8}
              for c in frame.columns if c.startswith("unit ")]
    line_name = _("best line (MSE {mse})").format(mse=f"{fit['line_mse']:.3f}")
    fit_name = _("{label} MLP (MSE {mse})").format(label=label, mse=f"{fit['mse']:.4f}")
    traces += [
        {"x": x, "y": frame["line"].values, "name": line_name, "line": {"color": "grey", "width": 2, "dash": "dash"}},
        {"x": x, "y": frame["target"].values, "name": _("target sin(1.5x)"), "line": {"color": "black", "width": 6},
         "opacity": 0.3},
        {"x": x, "y": frame["fit"].values, "name": fit_name, "line": {"color": style.VERMILLION, "width": 3}},
    ]
    layout = {"legend": {"orientation": "h", "y": -0.25},
              "title": {"text": _("{label} units summing to a curve").format(label=label)}}
    _titles(layout, 1, "x", "y")
    return _figure(traces, layout, 460)


def depth_figure(runs: dict[str, pd.DataFrame], focus: str, _: Translate = no_translation) -> go.Figure:
    """‖∂L/∂W‖ per layer (left) and the spread of each layer's output (right), both on log axes."""
    layout = _grid(1, 2, (_("gradient norm ‖∂L/∂W‖ per layer"), _("std of each layer's output")), hgap=0.1)
    traces = []
    for name, table in runs.items():
        width, opacity = (5, 1.0) if name == focus else (2, 0.55)
        common = {"x": table["layer"].values, "name": CATALOGUE[name].label, "legendgroup": name,
                  "mode": "lines+markers", "line": {"color": COLOURS[name], "width": width, "dash": DASHES[name]},
                  "opacity": opacity}
        traces.append({**common, "y": table["grad_norm"].values})
        traces.append({**common, "y": table["output_std"].values, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    for panel, title in ((1, "‖∂L/∂W‖"), (2, _("std"))):
        _titles(layout, panel, _("layer (1 = next to the input)"), title, type="log", exponentformat="power")
    layout["yaxis"]["dtick"] = 1  # one label per decade: gradients span many
    return _figure(traces, layout, 460)
