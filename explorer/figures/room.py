"""Figures of predict-then-reveal: the room's predictions, and next to them what the room's runs did.

Counts are written on the bars, so no meaning rests on colour alone; the book's answer, where there is
one, is marked with a pattern and a ✓ in its label.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from explorer.classroom.board import SETTING_NAMES
from explorer.figures import style
from explorer.i18n import Translate, no_translation

FONT = dict(size=16)
ANSWER_COLOUR, BOOK_COLOUR, RUNS_COLOUR, DIVERGED_COLOUR = style.BLUE, style.GREEN, style.ORANGE, style.BAD


def answers_figure(counts: list[tuple[str, int]], correct: int | None = None,
                   _: Translate = no_translation) -> go.Figure:
    """One bar per answer with its count; ``correct`` (an index) is the book's answer, shown after the reveal."""
    labels = [_(label) + (" ✓" if i == correct else "") for i, (label, _n) in enumerate(counts)]
    values = [n for _label, n in counts]
    fig = go.Figure(go.Bar(
        x=labels, y=values, text=[str(n) for n in values], textposition="outside",
        marker=dict(color=[BOOK_COLOUR if i == correct else ANSWER_COLOUR for i in range(len(counts))],
                    pattern_shape=["/" if i == correct else "" for i in range(len(counts))]),
        hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(title=_("The room's predictions ({n} answers)").format(n=sum(values)),
                      xaxis=dict(type="category"), yaxis=dict(title=_("answers"), rangemode="tozero"), font=FONT,
                      height=380, margin=dict(t=60, b=40), uirevision="answers")
    return fig


def runs_figure(table: pd.DataFrame, setting: str, _: Translate = no_translation) -> go.Figure:
    """What the room's shared runs did, per value of ``setting`` (:func:`explorer.classroom.questions.room_runs`): the
    median test accuracy (bars, labelled) and how many runs diverged (labelled on the right axis)."""
    name = _(SETTING_NAMES.get(setting, setting))
    labels = [f"{v:g}" if isinstance(v, float) else str(v) for v in table["value"]]
    accuracy = [a if a is not None and a == a else 0.0 for a in table["test_acc"]]
    fig = go.Figure([
        go.Bar(x=labels, y=accuracy, name=_("median test accuracy"), marker_color=RUNS_COLOUR,
               text=[_("{acc:.1%} ({n} runs)").format(acc=a, n=n) for a, n in zip(accuracy, table["runs"])],
               textposition="outside"),
        go.Scatter(x=labels, y=table["diverged"], name=_("diverged runs"), mode="markers+text", yaxis="y2",
                   marker=dict(symbol="x", size=14, color=DIVERGED_COLOUR),
                   text=[_("{n} diverged").format(n=n) for n in table["diverged"]], textposition="top center"),
    ])
    fig.update_layout(title=_("What the room's shared runs did, by {setting}").format(setting=name),
                      xaxis=dict(title=name, type="category"),
                      yaxis=dict(title=_("median test accuracy"), range=[0, 1.1]),
                      yaxis2=dict(title=_("diverged runs"), overlaying="y", side="right", rangemode="tozero"),
                      font=FONT, height=380, margin=dict(t=60, b=40), legend=dict(orientation="h"),
                      uirevision="room_runs")
    return fig
