"""Figures of the class board: accuracy against a setting, every curve overlaid, where runs diverged.

Nicknames come from people, and plotly renders HTML in hover text and legends, so every nickname
is HTML-escaped here before it reaches a figure.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from explorer.classroom.board import SETTING_NAMES
from explorer.figures import style
from explorer.i18n import Translate, no_translation
from explorer.mlp.training import METRIC_NAMES

FONT = dict(size=16)
LOG_SETTINGS = {"lr", "weight_decay"}
CATEGORICAL = {"optimizer", "activation", "status"}


def _label(frame: pd.DataFrame) -> pd.Series:
    return frame["nickname"].map(lambda n: html.escape(str(n))) + " #" + frame["run"].astype(str)


def accuracy_figure(frame: pd.DataFrame, setting: str, color_by: str, _: Translate = no_translation) -> go.Figure:
    """Test accuracy against ``setting``, one point per run, coloured by ``color_by``; diverged runs at 0."""
    fig = go.Figure()
    setting_name, color_name = _(SETTING_NAMES[setting]), _(SETTING_NAMES[color_by])
    scored = frame.dropna(subset=["test_acc"])
    for i, (value, group) in enumerate(scored.groupby(color_by, sort=True, dropna=False)):  # numbers sort as numbers
        fig.add_trace(go.Scatter(
            x=group[setting], y=group["test_acc"], mode="markers", name=f"{color_name} {html.escape(str(value))}",
            marker=dict(size=14, color=style.colour(i), symbol=style.symbol(i), line=dict(width=1, color="white")),
            text=_label(group), hovertemplate="%{text}<br>%{x}: %{y:.4f}<extra></extra>"))
    diverged = frame[frame["status"] == "diverged"]
    if len(diverged):
        fig.add_trace(go.Scatter(
            x=diverged[setting], y=[0.0] * len(diverged), mode="markers", name=_("diverged"),
            marker=dict(size=14, symbol="x", color=style.BAD), text=_label(diverged),
            hovertemplate="%{text}<br>" + _("diverged") + "<extra></extra>"))
    xaxis = dict(title=setting_name)
    if setting in LOG_SETTINGS and (frame[setting] > 0).any():
        xaxis["type"] = "log"
    elif setting in CATEGORICAL:
        xaxis["type"] = "category"
    fig.update_layout(title=_("Test accuracy against {setting}").format(setting=setting_name), xaxis=xaxis,
                      yaxis=dict(title=_("test accuracy"), range=[-0.05, 1.02]), font=FONT, height=460,
                      margin=dict(t=60, b=40), legend=dict(title=color_name), uirevision="board")
    return fig


def curves_figure(curves: pd.DataFrame, metric: str = "test_acc", _: Translate = no_translation) -> go.Figure:
    """Every shared run's per-epoch ``metric``, overlaid."""
    fig = go.Figure()
    metric_name = _(METRIC_NAMES[metric])
    for i, (run, group) in enumerate(curves.groupby("run", sort=True)):
        name = f"{html.escape(str(group['nickname'].iloc[0]))} #{run}"
        fig.add_trace(go.Scatter(x=group["epoch"], y=group[metric], mode="lines+markers", name=name,
                                 line=dict(width=2, color=style.colour(i), dash=style.dash(i)), opacity=0.8,
                                 hovertemplate=name + "<br>" + _("epoch") + " %{x}: %{y:.4f}<extra></extra>"))
    fig.update_layout(title=_("Every shared run: {metric} per epoch").format(metric=metric_name),
                      xaxis_title=_("epoch"), yaxis_title=metric_name, font=FONT, height=460,
                      margin=dict(t=60, b=40), showlegend=len(fig.data) <= 20, uirevision="board")
    return fig


def divergence_figure(frame: pd.DataFrame, _: Translate = no_translation) -> go.Figure:
    """Runs per learning rate, split into those that diverged and those that did not.

    Not by colour alone: diverged bars are hatched and every bar segment says what it counts ("✓ 3", "✗ 1")."""
    counts = (frame.assign(diverged=frame["status"] == "diverged").groupby(["lr", "diverged"]).size()
              .unstack(fill_value=0).reindex(columns=[False, True], fill_value=0).sort_index())
    labels = [f"{lr:g}" for lr in counts.index]
    fig = go.Figure([
        go.Bar(x=labels, y=counts[False], name="✓ " + _("trained"), marker=dict(color=style.GOOD),
               text=[f"✓ {n}" if n else "" for n in counts[False]], textposition="inside"),
        go.Bar(x=labels, y=counts[True], name="✗ " + _("diverged"),
               marker=dict(color=style.BAD, pattern=dict(shape="x", fgcolor="white", size=8)),
               text=[f"✗ {n}" if n else "" for n in counts[True]], textposition="inside"),
    ])
    fig.update_layout(barmode="stack", title=_("Runs per learning rate: how many diverged"),
                      xaxis=dict(title=_("learning rate"), type="category"), yaxis_title=_("runs"), font=FONT,
                      height=360, margin=dict(t=60, b=40), uirevision="board")
    return fig
