"""Figures for "Hidden layers": the decision surface, every unit's map with the weights between, losses.

Plain dicts with ``_validate=False`` (as in figures/activations.py): live training redraws these
figures, so they are heatmap traces plus a few line traces — never one shape per weight — and every array
is float32 NumPy (sent as binary). While training runs, the page shows pictures instead (a browser cannot
rebuild these charts ten times a second): explorer/figures/playground_live.py.
The tests validate each figure once with ``go.Figure(fig.to_dict())``.

Colours are Okabe–Ito's blue and orange (colour-blind safe), and never carry meaning alone: class 1
is also a diamond, class 0 a circle; a negative weight is also dashed, a positive one solid.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from explorer.figures import mosaic, style
from explorer.i18n import Translate, no_translation
from explorer.lessons.playground import PlaygroundTrainer, unit_maps

BLUE, ORANGE, GREY, INK = style.BLUE, style.ORANGE, style.GREY, style.INK
# Blue (class 0, negative) through white to orange (class 1, positive); the classes also differ in symbol.
DIVERGING = [[0.0, BLUE], [0.5, style.WHITE], [1.0, ORANGE]]
TABLE = mosaic.lookup_table(DIVERGING)  # the same colours, for the pictures shown while training
SYMBOLS = {0: "circle", 1: "diamond"}
WIDTHS = (1.0, 2.5, 4.5, 7.0)  # line width of a weight by its size: quarters of the layer's largest |w|
FONT = {"size": 14}


def _rounded(values: torch.Tensor) -> np.ndarray:
    """A float32 NumPy array: plotly deep-copies nested lists value by value (an array in one go, 10x
    faster) and sends an array as base64 binary, 4 bytes a value (JSON text of floats takes 6-18)."""
    return values.detach().to(torch.float32).numpy(force=True)


def figure(traces: list[dict], layout: dict, height: int) -> go.Figure:
    """This page's (and the universal approximator's) figures: 14-pt text, narrow margins."""
    return style.figure(traces, layout, height, font_size=FONT["size"], margin=(50, 20, 40, 40))


def _points(X: torch.Tensor, y: torch.Tensor, test: bool, _: Translate) -> list[dict]:
    """Train points filled, test points hollow; class by colour and by symbol."""
    traces = []
    for cls in (0, 1):
        mask = y == cls
        name = (_("test, class {cls}") if test else _("train, class {cls}")).format(cls=cls)
        symbol = SYMBOLS[cls] + ("-open" if test else "")
        traces.append({"type": "scatter", "mode": "markers", "x": _rounded(X[mask, 0]), "y": _rounded(X[mask, 1]),
                       "name": name, "marker": {"symbol": symbol, "size": 7, "color": ORANGE if cls else BLUE,
                                                "line": {"width": 1.5 if test else 0.8,
                                                         "color": (ORANGE if cls else BLUE) if test else INK}},
                       "hoverinfo": "skip"})
    return traces


def surface_figure(z: torch.Tensor, axis: torch.Tensor, data: tuple, title: str, zrange: tuple[float, float],
                   _: Translate = no_translation, height: int = 520) -> go.Figure:
    """One map over the plane (the network's output probability, or one unit's output) with the data.

    ``data`` is (train X, train y, test X, test y); ``zrange`` fixes the colours' ends (0, 1 for the output).
    """
    ticks = _rounded(axis)
    heat = {"type": "heatmap", "x": ticks, "y": ticks, "z": _rounded(z), "colorscale": DIVERGING,
            "zmin": zrange[0], "zmax": zrange[1], "colorbar": {"thickness": 12, "len": 0.8},
            "hovertemplate": "x₁ %{x}, x₂ %{y}: %{z}<extra></extra>"}
    train_x, train_y, test_x, test_y = data
    traces = [heat, *_points(train_x, train_y, False, _), *_points(test_x, test_y, True, _)]
    lim = [float(axis[0]), float(axis[-1])]
    layout = {"title": {"text": title, "font": {"size": 15}},
              "xaxis": {"title": {"text": "x₁"}, "range": lim, "constrain": "domain"},
              "yaxis": {"title": {"text": "x₂"}, "range": lim, "scaleanchor": "x"},
              "legend": {"orientation": "h", "y": -0.15}}
    return figure(traces, layout, height)


def network_layout(maps: dict) -> tuple:
    """Where the network picture puts things: (axis, grid size, the maps column by column (inputs,
    hidden layers, output), most rows, column centres, half a map's width and height, in paper units)."""
    axis = maps["axis"]
    size = len(axis)
    xs = torch.broadcast_to(axis, (size, size))
    columns = [torch.stack([xs, xs.T]), *maps["hidden"], maps["output"][None]]
    rows = max(len(c) for c in columns)
    return axis, size, columns, rows, _column_x(len(columns)), 0.035, 0.42 / rows


def _column_x(columns: int) -> list[float]:
    return [0.06 + 0.88 * c / max(columns - 1, 1) for c in range(columns)]


def rows_y(units: int, rows: int) -> list[float]:
    """Centres of ``units`` maps, spread like the largest column's ``rows`` and centred on 0.5."""
    step = 1 / rows
    return [0.5 + (units - 1) / 2 * step - i * step for i in range(units)]


def network_figure(maps: dict, weights: list[torch.Tensor], _: Translate = no_translation) -> go.Figure:
    """Every unit's output as a small heatmap, layer by layer, and the weights into the next layer.

    ``maps`` is :func:`explorer.lessons.playground.unit_maps`; ``weights`` each layer's (out, in) weight matrix.
    Inputs x₁, x₂ on the left, the output on the right. Line: solid orange = positive weight, dashed
    blue = negative, thicker = larger |w| (in quarters of that layer's largest).
    """
    axis, size, columns, rows, cx, half_w, half_h = network_layout(maps)
    names = [_("inputs")] + [_("hidden layer {layer}").format(layer=i) for i in range(1, len(columns) - 1)] + \
        [_("output")]
    traces, layout = [], {"xaxis": {"domain": [0, 1], "range": [0, 1], "visible": False},
                          "yaxis": {"domain": [0, 1], "range": [0, 1], "visible": False}, "annotations": []}
    centres = [rows_y(len(col), rows) for col in columns]
    # The weights first (drawn underneath): 2 signs × 4 thicknesses = at most 8 line traces per gap.
    for gap, W in enumerate(weights):
        W = W.detach()
        biggest = float(W.abs().max()) or 1.0
        buckets: dict[tuple[bool, int], tuple[list, list]] = {}
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                w = float(W[j, i])
                key = (w >= 0, min(int(abs(w) / biggest * len(WIDTHS)), len(WIDTHS) - 1))
                seg_x, seg_y = buckets.setdefault(key, ([], []))
                seg_x += [cx[gap] + half_w, cx[gap + 1] - half_w, None]
                seg_y += [centres[gap][i], centres[gap + 1][j], None]
        for (positive, width), (seg_x, seg_y) in sorted(buckets.items()):
            traces.append({"type": "scatter", "mode": "lines", "x": seg_x, "y": seg_y, "hoverinfo": "skip",
                           "line": {"color": ORANGE if positive else BLUE, "width": WIDTHS[width],
                                    "dash": "solid" if positive else "dash"},
                           "showlegend": False, "opacity": 0.8})
    for label, positive in ((_("positive weight (solid)"), True), (_("negative weight (dashed)"), False)):
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": label,
                       "line": {"color": ORANGE if positive else BLUE, "width": 3,
                                "dash": "solid" if positive else "dash"}})
    size = len(maps["axis"])
    for c, column in enumerate(columns):
        layout["annotations"].append({"text": f"<b>{names[c]}</b>", "x": cx[c], "y": 1.0, "xref": "paper",
                                      "yref": "paper", "showarrow": False, "yanchor": "bottom"})
        for u, z in enumerate(column):
            # Every map on the one pair of axes (x0/dx, y0/dy place it): one subplot is far cheaper for
            # a browser to redraw ten times a second than one subplot per unit.
            dx, dy = 2 * half_w / size, 2 * half_h / size
            limit = max(float(z.abs().max()), 1e-6) if 0 < c < len(columns) - 1 else (1.5 if c == 0 else 1.0)
            zmin = 0.0 if c == len(columns) - 1 else -limit
            label = _("unit {layer}.{unit}").format(layer=c, unit=u + 1) if 0 < c < len(columns) - 1 else \
                ("x₁", "x₂")[u] if c == 0 else _("output")
            traces.append({"type": "heatmap", "z": _rounded(z), "x0": round(cx[c] - half_w + dx / 2, 5),
                           "dx": round(dx, 6), "y0": round(centres[c][u] - half_h + dy / 2, 5), "dy": round(dy, 6),
                           "colorscale": DIVERGING, "zmin": zmin, "zmax": limit, "showscale": False,
                           "hovertemplate": label + ": %{z}<extra></extra>"})
            if 0 < c < len(columns) - 1:
                layout["annotations"].append({"text": f"{c}.{u + 1}", "x": cx[c] - half_w, "y": centres[c][u],
                                              "xref": "x", "yref": "y", "showarrow": False,
                                              "xanchor": "right", "font": {"size": 11, "color": INK}})
    layout.update(legend={"orientation": "h", "y": -0.04}, margin={"l": 10, "r": 10, "t": 30, "b": 30})
    return figure(traces, layout, max(260, 70 * rows + 80))


def loss_figure(history: list[dict], _: Translate = no_translation, height: int = 300) -> go.Figure:
    """Training loss (solid) and test loss (dashed) per epoch."""
    history = history[::max(1, len(history) // 300)] + history[-1:]  # ≤ ~300 points however long it trains
    epochs = np.array([row["epoch"] for row in history], dtype=np.int32)  # arrays: sent as binary, copied at once
    traces = [{"type": "scatter", "mode": "lines", "x": epochs,
               "y": np.array([row[key] for row in history], dtype=np.float32),
               "name": name, "line": {"color": colour, "width": 2.5, "dash": dash}}
              for key, name, colour, dash in (("train_loss", _("training loss"), BLUE, "solid"),
                                              ("test_loss", _("test loss"), ORANGE, "dash"))]
    layout = {"xaxis": {"title": {"text": _("epoch")}}, "yaxis": {"title": {"text": _("loss (cross-entropy)")},
                                                                  "rangemode": "tozero"},
              "legend": {"orientation": "h", "y": -0.3}, "margin": {"l": 60, "r": 20, "t": 20, "b": 40}}
    return figure(traces, layout, height)


def enlarged_unit(maps: dict, data: tuple, layer: int, unit: int, _: Translate = no_translation) -> go.Figure:
    """Unit ``unit`` of hidden layer ``layer`` (both from 1) over the plane, as big as the output's map."""
    z = maps["hidden"][layer - 1][unit - 1]
    limit = max(float(z.abs().max()), 1e-6)
    return surface_figure(z, maps["axis"], data, _("Unit {layer}.{unit}: its output over the plane").format(
        layer=layer, unit=unit), (-limit, limit), _, height=440)


def live_figures(trainer: PlaygroundTrainer, size: int = 50, enlarge: tuple[int, int] | None = None,
                 _: Translate = no_translation) -> dict[str, go.Figure]:
    """Everything one picture update draws: the decision surface, every unit's map with the weights,
    the loss curves, and (``enlarge`` = (layer, unit)) one unit's map enlarged. One forward pass over
    the size × size grid gives every map. The page draws these when the training stops; while it runs,
    explorer.figures.playground_live.live_pictures."""
    maps = unit_maps(trainer.model, size)
    data = (trainer.train_x, trainer.train_y, trainer.test_x, trainer.test_y)
    figures = {"surface": surface_figure(maps["output"], maps["axis"], data,
                                         _("The output: probability of class 1"), (0.0, 1.0), _),
               "network": network_figure(maps, [layer.weight for layer in trainer.model.layers], _),
               "loss": loss_figure(trainer.history or [{"epoch": 0, "train_loss": float("nan"),
                                                        "test_loss": float("nan")}], _)}
    if enlarge is not None and enlarge[0] <= len(maps["hidden"]) and enlarge[1] <= len(maps["hidden"][0]):
        figures["unit"] = enlarged_unit(maps, data, *enlarge, _=_)
    return figures
