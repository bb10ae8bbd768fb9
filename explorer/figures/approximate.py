"""Figures for the universal approximator: hinges adding up to a curve, and the error against N.

Each unit's hinge is one faint line, all of them in ONE trace (segments separated by None), so
64 units cost what one does.
"""

from __future__ import annotations

import plotly.graph_objects as go

from explorer.figures.playground import BLUE, GREY, INK, ORANGE, figure
from explorer.i18n import Translate, no_translation


def _r(values) -> list:
    return [round(float(v), 4) for v in values]


def fit_figure(result: dict, _: Translate = no_translation, height: int = 420) -> go.Figure:
    """The target (dashed), every hinge wᵢ·relu(aᵢx + bᵢ) (faint), their sum + c (thick), worst miss marked."""
    x = _r(result["x"])
    hx, hy = [], []
    for column in result["contributions"].T:
        hx += x + [None]
        hy += _r(column) + [None]
    units = result["contributions"].shape[1]
    worst = result["worst_x"]
    traces = [
        {"type": "scatter", "mode": "lines", "x": hx, "y": hy, "name": _("each unit's hinge wᵢ·relu(aᵢx + bᵢ)"),
         "line": {"color": GREY, "width": 1}, "opacity": 0.6, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "lines", "x": x, "y": _r(result["target"]), "name": _("target"),
         "line": {"color": INK, "width": 2, "dash": "dash"}},
        {"type": "scatter", "mode": "lines", "x": x, "y": _r(result["fit"]),
         "name": _("sum of {units} hinges + bias").format(units=units), "line": {"color": ORANGE, "width": 3.5}},
    ]
    # The y-range of the target (plus a margin), not of the hinges: a steep hinge would flatten the rest.
    low, high = float(result["target"].min()), float(result["target"].max())
    margin = 0.3 * (high - low) + 0.1
    layout = {"xaxis": {"title": {"text": "x"}},
              "yaxis": {"title": {"text": "f(x)"}, "range": [low - margin, high + margin]},
              "legend": {"orientation": "h", "y": -0.2},
              "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": worst, "x1": worst, "y0": 0, "y1": 1,
                          "line": {"color": BLUE, "width": 1.5, "dash": "dot"}}],
              "annotations": [{"text": _("largest miss"), "x": worst, "y": 1, "xref": "x", "yref": "paper",
                               "showarrow": False, "yanchor": "bottom", "font": {"color": BLUE, "size": 12}}]}
    return figure(traces, layout, height)


def error_figure(rows: dict[str, list[dict]], current: int, _: Translate = no_translation,
                 height: int = 420) -> go.Figure:
    """Mean squared error against N on log-log axes, one line per method; the current N marked."""
    names = {"lstsq": _("least squares on fixed random hinges"), "trained": _("every weight trained (Adam)")}
    traces = []
    for method, table in rows.items():
        traces.append({"type": "scatter", "mode": "lines+markers", "x": [r["units"] for r in table],
                       "y": [r["mse"] for r in table], "name": names[method],
                       "line": {"color": ORANGE if method == "lstsq" else BLUE, "width": 2.5,
                                "dash": "solid" if method == "lstsq" else "dash"},
                       "marker": {"symbol": "circle" if method == "lstsq" else "diamond", "size": 8}})
    layout = {"xaxis": {"title": {"text": _("hidden units N")}, "type": "log"},
              "yaxis": {"title": {"text": _("mean squared error")}, "type": "log", "exponentformat": "power"},
              "legend": {"orientation": "h", "y": -0.2},
              "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": current, "x1": current, "y0": 0,
                          "y1": 1, "line": {"color": GREY, "width": 1.5, "dash": "dot"}}]}
    return figure(traces, layout, height)
