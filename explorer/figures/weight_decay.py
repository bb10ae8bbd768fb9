"""Figures for the weight-decay page: loss curves per λ, ‖w‖₂ per λ, weight histograms, the λ sweep."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.figures import style
from explorer.i18n import N_, Translate, no_translation
from explorer.lessons.weight_decay_sweeps import NEAR_ZERO, near_zero_share

TRAIN, TEST = style.TRAIN, style.TEST
LOSS_NAMES = {"train_loss": N_("train loss"), "test_loss": N_("test loss")}
FONT = {"size": 16}


def lambda_label(lam: float) -> str:
    return f"λ = {lam:g}"


def _style(fig: go.Figure, height: int) -> go.Figure:
    # The legend sits above the plot, where it cannot cover the x-axis title.
    fig.update_layout(font=FONT, height=height, margin={"l": 70, "r": 20, "t": 90, "b": 60},
                      legend={"orientation": "h", "y": 1.12, "yanchor": "bottom", "x": 0})
    return fig


def loss_curves(history: pd.DataFrame, _: Translate = no_translation) -> go.Figure:
    """Small multiples, one per λ: train and test loss per epoch on a shared log axis."""
    lambdas = list(dict.fromkeys(history["lambd"]))
    fig = make_subplots(rows=1, cols=len(lambdas), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[lambda_label(lam) for lam in lambdas])
    for col, lam in enumerate(lambdas, start=1):
        run = history[history["lambd"] == lam]
        for name, color, dash in (("train_loss", TRAIN, "solid"), ("test_loss", TEST, "dash")):
            fig.add_scatter(x=run["epoch"], y=run[name], mode="lines", name=_(LOSS_NAMES[name]),
                            line={"color": color, "dash": dash, "width": 3}, legendgroup=name,
                            showlegend=col == 1, row=1, col=col)
        fig.update_xaxes(title_text=_("epoch"), row=1, col=col)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_yaxes(title_text=_("loss (ŷ − y)²/2"), row=1, col=1)
    fig.update_annotations(font=FONT)
    return _style(fig, 420)


def norm_bars(history: pd.DataFrame, _: Translate = no_translation) -> go.Figure:
    """‖w‖₂ after the last epoch, one bar per λ, on a log axis (the norms differ by orders of magnitude)."""
    final = history.sort_values("epoch").groupby("lambd", sort=False).last().reset_index()
    labels = [lambda_label(lam) for lam in final["lambd"]]
    fig = go.Figure(go.Bar(x=labels, y=final["w_norm"], marker_color=style.GREY,
                           text=[f"{v:.3g}" for v in final["w_norm"]], textposition="outside"))
    fig.update_yaxes(type="log", dtick=1, title_text=_("‖w‖₂ after training"), exponentformat="power")
    fig.update_xaxes(title_text=_("penalty strength"))
    return _style(fig, 380)


def weight_histograms(weights: dict[str, list[float]], tol: float = NEAR_ZERO, shared_x: bool = False,
                      _: Translate = no_translation) -> go.Figure:
    """One histogram of learned weights per run, titled with its share near zero.

    ``shared_x=False`` gives each its own range (λ = 0 and λ = 3 differ 30-fold); ``True`` puts L1's spike
    at zero and L2's spread on the same scale.
    """
    titles = []
    for label, w in weights.items():
        share = _("{share} of weights have |w| < {tol}").format(share=f"{near_zero_share(w, tol):.0%}", tol=f"{tol:g}")
        titles.append(f"<b>{label}</b><br>{share}")
    fig = make_subplots(rows=1, cols=len(weights), subplot_titles=titles, horizontal_spacing=0.06)
    for col, w in enumerate(weights.values(), start=1):
        fig.add_histogram(x=w, nbinsx=40, marker_color=style.GREEN, showlegend=False, row=1, col=col)
        fig.update_xaxes(title_text=_("learned weight w_i"), row=1, col=col)
    fig.update_yaxes(title_text=_("number of weights"), row=1, col=1)
    if shared_x:
        fig.update_xaxes(matches="x")
    fig.update_annotations(font=FONT)
    return _style(fig, 400)


def sweep_figure(sweep: pd.DataFrame, your_lambda: float | None = None, _: Translate = no_translation) -> go.Figure:
    """Final train and test loss against λ (log-log); λ = 0 as dashed lines, the best λ starred."""
    positive = sweep[sweep["lambd"] > 0]
    fig = go.Figure()
    for name, color in (("train_loss", TRAIN), ("test_loss", TEST)):
        fig.add_scatter(x=positive["lambd"], y=positive[name], mode="lines+markers", name=_(LOSS_NAMES[name]),
                        line={"color": color, "width": 3})
        zero = sweep.loc[sweep["lambd"] == 0, name]
        if len(zero) and math.isfinite(zero.iloc[0]):  # λ = 0 has no place on a log axis: a reference line
            fig.add_scatter(x=[positive["lambd"].min(), positive["lambd"].max()], y=[zero.iloc[0]] * 2,
                            mode="lines", name=_("{loss} at λ = 0").format(loss=_(LOSS_NAMES[name])),
                            line={"color": color, "dash": "dot", "width": 2})
    best = sweep[sweep["best"]]
    if len(best):
        lam, loss = best["lambd"].iloc[0], best["test_loss"].iloc[0]
        fig.add_scatter(x=[lam if lam > 0 else positive["lambd"].min()], y=[loss], mode="markers+text",
                        name=_("best λ (lowest test loss)"), text=[_("best λ = {lambd}").format(lambd=f"{lam:.3g}")],
                        textposition="top center",
                        marker={"symbol": "star", "size": 22, "color": "gold", "line": {"color": "black", "width": 1}})
    if your_lambda:
        fig.add_vline(x=your_lambda, line={"color": style.GREY, "dash": "dash"})
        # Annotations on a log axis take log10 coordinates (shapes take data values).
        fig.add_annotation(x=math.log10(your_lambda), y=1, yref="paper", yanchor="bottom", text=_("your λ"),
                           showarrow=False, font={"color": style.INK})
    fig.update_xaxes(type="log", dtick=1, title_text=_("λ (log scale)"), exponentformat="power")
    fig.update_yaxes(type="log", dtick=1, title_text=_("final loss (ŷ − y)²/2"), exponentformat="power")
    return _style(fig, 460)


def impl_overlay(history: pd.DataFrame, _: Translate = no_translation) -> go.Figure:
    """Scratch as lines, concise as markers on top: if they agree, every marker sits on its line."""
    fig = go.Figure()
    impl_names = {"scratch": N_("scratch"), "concise": N_("concise")}
    for name, color in (("train_loss", TRAIN), ("test_loss", TEST)):
        for impl in ("scratch", "concise"):
            run = history[history["impl"] == impl]
            style = ({"mode": "lines", "line": {"color": color, "width": 3}} if impl == "scratch" else
                     {"mode": "markers", "marker": {"color": color, "symbol": "circle-open", "size": 8}})
            fig.add_scatter(x=run["epoch"], y=run[name], name=_("{loss} ({impl})").format(
                loss=_(LOSS_NAMES[name]), impl=_(impl_names[impl])), **style)
    fig.update_xaxes(title_text=_("epoch"))
    fig.update_yaxes(type="log", title_text=_("loss (ŷ − y)²/2"), exponentformat="power")
    return _style(fig, 400)
