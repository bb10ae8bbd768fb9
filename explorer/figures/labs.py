"""Figures for the labs beyond d2l: bias and variance, double descent, the geometry of L1 and L2.

Every builder takes data from its explorer module and ``_`` (a translation function) and returns a figure.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from explorer.figures import style
from explorer.figures.polynomial import TEST_COLOR, TRAIN_COLOR, TRUE_COLOR
from explorer.i18n import Translate, no_translation

BIAS_COLOR, VARIANCE_COLOR, NOISE_COLOR = style.ORANGE, style.PURPLE, style.GREY
L2_COLOR, L1_COLOR = style.BLUE, style.VERMILLION


def resampled_fits(result: dict, degree: int, _: Translate = no_translation) -> go.Figure:
    """The R fits of ``degree`` features faintly, their mean boldly, and the true cubic."""
    grid, curves = result["grid"].numpy(), result["curves"][degree - 1]
    # One trace for all R curves (NaN breaks the line between them): 50 traces would redraw slowly.
    xs = torch.cat([result["grid"], torch.tensor([math.nan], dtype=torch.float64)]).repeat(len(curves))
    ys = torch.cat([curves, torch.full((len(curves), 1), math.nan, dtype=torch.float64)], 1).reshape(-1)
    truth = result["truth"]
    fig = go.Figure([
        go.Scatter(x=xs.numpy(), y=ys.numpy(), mode="lines", line=dict(color=TRAIN_COLOR, width=1), opacity=0.25,
                   name=_("{count} fits on resampled training sets").format(count=len(curves)), hoverinfo="skip"),
        go.Scatter(x=grid, y=result["mean_curve"][degree - 1].numpy(), mode="lines", line=dict(color="black", width=4),
                   name=_("their mean")),
        go.Scatter(x=grid, y=truth.numpy(), mode="lines", line=dict(color=TRUE_COLOR, width=3, dash="dash"),
                   name=_("true cubic")),
    ])
    pad = 0.3 * float(truth.max() - truth.min())
    fig.update_yaxes(range=[float(truth.min()) - pad, float(truth.max()) + pad])
    return style.titled(fig, _("{degree} features fitted on each training set").format(degree=degree), "x", "y",
                        height=420)


def decomposition_bars(table: pd.DataFrame, degree: int | None = None, _: Translate = no_translation) -> go.Figure:
    """bias², variance and σ² per number of features, with the mean test MSE they add up to."""
    # A bias² estimate can dip just below 0 where the bias is 0; a log axis cannot show it, so 0 is drawn as absent.
    bias2 = table["bias2"].where(table["bias2"] > 0)
    fig = go.Figure([
        go.Bar(x=table["degree"], y=bias2, name=_("bias²"), marker_color=BIAS_COLOR),
        go.Bar(x=table["degree"], y=table["variance"], name=_("variance"), marker_color=VARIANCE_COLOR),
        go.Bar(x=table["degree"], y=table["noise"], name=_("noise floor σ²"), marker_color=NOISE_COLOR),
        go.Scatter(x=table["degree"], y=table["test_mse"], name=_("mean test MSE"), mode="lines+markers",
                   line=dict(color=TEST_COLOR, width=3)),
    ])
    if degree is not None:
        fig.add_vline(x=degree, line_dash="dot", annotation_text=_("your setting"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(dtick=1)
    return style.titled(fig, _("Bias² + variance + noise = test error"), _("number of features (degree)"),
                        _("averaged over test inputs (log scale)"))


def double_descent_figure(table: pd.DataFrame, n_train: int, _: Translate = no_translation) -> go.Figure:
    """Test and training MSE against the number of features p, with the interpolation threshold p = n."""
    fig = go.Figure([
        go.Scatter(x=table["p"], y=table["train_mse"].clip(lower=1e-12), name=_("train"), mode="lines",
                   line=dict(color=TRAIN_COLOR, width=3)),
        go.Scatter(x=table["p"], y=table["test_mse"], name=_("test"), mode="lines",
                   line=dict(color=TEST_COLOR, width=3)),
    ])
    fig.add_vline(x=n_train, line_dash="dot")
    fig.add_annotation(x=math.log10(n_train), y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=_("p = n = {n}: interpolation threshold").format(n=n_train))
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log", exponentformat="power")
    return style.titled(fig, _("Double descent"), _("number of features p (log scale)"), _("MSE (log scale)"),
                        height=440)


def _ball(penalty: str, radius: float) -> tuple[list[float], list[float]]:
    if penalty == "l2":
        t = torch.linspace(0, 2 * math.pi, 181, dtype=torch.float64)
        return (radius * t.cos()).tolist(), (radius * t.sin()).tolist()
    return [radius, 0, -radius, 0, radius], [0, radius, 0, -radius, 0]


def geometry_figure(geo: dict, _: Translate = no_translation) -> go.Figure:
    """Loss contours with the L2 circle and the L1 diamond of the radius λ implies, side by side."""
    names = {"l2": _("L2: λ‖w‖²/2, a circle"), "l1": _("L1: λ‖w‖₁, a diamond")}
    fig = make_subplots(1, 2, subplot_titles=list(names.values()), horizontal_spacing=0.08)
    grid = geo["grid"].numpy()
    for col, (penalty, color) in enumerate((("l2", L2_COLOR), ("l1", L1_COLOR)), start=1):
        fig.add_contour(x=grid, y=grid, z=geo["loss_grid"].numpy(), showscale=False, colorscale="Greys",
                        contours=dict(coloring="lines", start=0.01, end=1.6, size=0.1), opacity=0.5,
                        hoverinfo="skip", row=1, col=col)
        # The contour through the optimum: it touches the ball there.
        fig.add_contour(x=grid, y=grid, z=geo["loss_grid"].numpy(), showscale=False, hoverinfo="skip",
                        contours=dict(coloring="lines", start=geo["level"][penalty], end=geo["level"][penalty],
                                      size=1), colorscale=[[0, "black"], [1, "black"]], line=dict(width=2),
                        row=1, col=col)
        bx, by = _ball(penalty, geo["radius"][penalty])
        fig.add_scatter(x=bx, y=by, mode="lines", fill="toself", fillcolor="rgba(0,0,0,0.06)",
                        line=dict(color=color, width=3), name=_("ball of the radius λ implies"), showlegend=col == 1,
                        legendgroup="ball", row=1, col=col)
        path = geo["paths"][penalty]
        fig.add_scatter(x=path["w1"], y=path["w2"], mode="lines", line=dict(color=color, width=3, dash="dot"),
                        name=_("regularisation path (λ from 0 up)"), showlegend=col == 1, legendgroup="path",
                        row=1, col=col)
        w = geo["optimum"][penalty]
        fig.add_scatter(x=[float(w[0])], y=[float(w[1])], mode="markers+text", marker=dict(size=14, color=color),
                        text=[f"({float(w[0]):.2f}, {float(w[1]):.2f})"], textposition="top right",
                        name=_("constrained optimum"), showlegend=col == 1, legendgroup="opt", row=1, col=col)
        fig.add_scatter(x=[float(geo["w_star"][0])], y=[float(geo["w_star"][1])], mode="markers",
                        marker=dict(size=12, symbol="x", color="black"), name=_("least squares, no penalty"),
                        showlegend=col == 1, legendgroup="star", row=1, col=col)
        fig.update_xaxes(title_text="w₁", range=[-0.6, 2.2], zeroline=True, zerolinewidth=2, row=1, col=col)
        fig.update_yaxes(title_text="w₂", range=[-0.6, 2.2], zeroline=True, zerolinewidth=2, scaleanchor=f"x{col}"
                         if col > 1 else "x", row=1, col=col)
    title = _("λ = {lambd}: where the loss contour meets each ball").format(lambd=f"{geo['lambd']:g}")
    fig = style.titled(fig, title, "", "", height=600)
    # Below the plots: on top the legend would cover the two panels' titles.
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="center", x=0.5),
                      margin=dict(b=80))
    return fig


def path_figure(paths: dict[str, pd.DataFrame], lambd: float, _: Translate = no_translation) -> go.Figure:
    """Both weights against λ for both penalties: L1's reach exactly 0 at finite λ, L2's never do."""
    fig = go.Figure()
    for penalty, color in (("l2", L2_COLOR), ("l1", L1_COLOR)):
        path = paths[penalty][paths[penalty]["lambd"] > 0]
        for weight, dash in (("w1", "solid"), ("w2", "dash")):
            fig.add_scatter(x=path["lambd"], y=path[weight], mode="lines", line=dict(color=color, dash=dash, width=3),
                            name=_("{weight}, {penalty}").format(weight=weight, penalty=penalty.upper()))
    fig.add_vline(x=lambd, line_dash="dot", line_color=style.GREY)
    fig.update_xaxes(type="log", exponentformat="power")
    return style.titled(fig, _("Regularisation paths"), _("λ (log scale)"), _("weight"), height=400)


def mc_accuracy_figure(table: pd.DataFrame, eval_acc: float, _: Translate = no_translation) -> go.Figure:
    """Test accuracy of the average of K dropout passes against K, with dropout-off evaluation as a line."""
    fig = go.Figure(go.Scatter(x=table["passes"], y=table["mc_acc"], mode="lines+markers", name=_("MC dropout"),
                               line=dict(color=L1_COLOR, width=3)))
    fig.add_hline(y=eval_acc, line_dash="dash", line_color=L2_COLOR,
                  annotation_text=_("dropout off (model.eval()): {acc}").format(acc=f"{eval_acc:.4f}"),
                  annotation_position="top left")
    fig.update_xaxes(type="log", tickvals=[1, 2, 4, 8, 16, 32])
    # Zoomed on the values (the differences are a few points of accuracy), never beyond 0–1.
    values = [*table["mc_acc"], eval_acc]
    pad = max(0.02, (max(values) - min(values)) * 0.15)
    fig.update_yaxes(range=[max(0.0, min(values) - pad), min(1.0, max(values) + pad)])
    return style.titled(fig, _("Averaging K random subnetworks"), _("forward passes K with dropout on (log scale)"),
                        _("test accuracy"), height=400)


def probability_spread_figure(probs: torch.Tensor, eval_probs: torch.Tensor, classes: list[str], true_label: int,
                              _: Translate = no_translation) -> go.Figure:
    """One image: each pass's predicted probability per class (dots), their mean, and dropout off."""
    K = len(probs)
    xs = [classes[c] for _pass in range(K) for c in range(len(classes))]
    fig = go.Figure([
        go.Box(x=xs, y=probs.reshape(-1).tolist(), name=_("{count} passes with dropout on").format(count=K),
               boxpoints="all", jitter=0.5, pointpos=0, marker=dict(color=L1_COLOR, size=5, opacity=0.6),
               line=dict(color=L1_COLOR), fillcolor="rgba(0,0,0,0)"),
        go.Scatter(x=classes, y=probs.mean(0).tolist(), mode="markers", name=_("their mean"),
                   marker=dict(symbol="diamond", size=14, color="black")),
        go.Scatter(x=classes, y=eval_probs.tolist(), mode="markers", name=_("dropout off"),
                   marker=dict(symbol="x", size=14, color=L2_COLOR)),
    ])
    fig.update_yaxes(range=[0, 1.02])
    title = _("Predicted probabilities for one test image (true class: {label})").format(label=classes[true_label])
    return style.titled(fig, title, _("class"), _("probability"), height=420)
