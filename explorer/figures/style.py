"""The one palette of every figure: Okabe and Ito's eight colours, safe for the common colour-vision
deficiencies (Okabe & Ito 2008, "Color Universal Design"), and the shapes that go with them.

Colour never carries a meaning alone: where two things differ in meaning (trained vs diverged, train
vs test), the figure also gives a line dash, a marker symbol, a bar pattern or a text label.
"""

from __future__ import annotations

import plotly.graph_objects as go

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"  # bluish green
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"  # reddish purple
GREY = "#999999"  # neutral (not one of the eight): references, shading, "other"
INK = "#222222"  # text and outlines
WHITE = "#FFFFFF"  # the middle of diverging scales

# Categories in this order (yellow last: thin lines in yellow are hard to see on white).
CATEGORICAL = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK, YELLOW)
# Each round of the eight colours gets its own dash, so the ninth category is not the first one again.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "triangle-down", "pentagon", "star")

# Roles that recur across pages.
TRAIN, TEST, VALIDATION, TRUE = BLUE, VERMILLION, PURPLE, GREEN
POSITIVE, NEGATIVE = VERMILLION, BLUE  # signed values (diverging colour scales: blue – white – vermillion)
GOOD, BAD = GREEN, VERMILLION  # trained vs diverged, right vs wrong: always with a symbol or a label too
DIVERGING = [[0.0, NEGATIVE], [0.5, WHITE], [1.0, POSITIVE]]


def colour(i: int) -> str:
    """The ``i``-th category's colour."""
    return CATEGORICAL[i % len(CATEGORICAL)]


def dash(i: int) -> str:
    """The ``i``-th category's line dash: solid for the first eight, then the next dash per round."""
    return DASHES[(i // len(CATEGORICAL)) % len(DASHES)]


def symbol(i: int) -> str:
    """The ``i``-th category's marker symbol (differs from its neighbours' even where colours look alike)."""
    return SYMBOLS[i % len(SYMBOLS)]


def figure(traces: list[dict], layout: dict, height: int, font_size: int = 16,
           margin: tuple[int, int, int, int] = (60, 20, 50, 50), **defaults) -> go.Figure:
    """A figure from plain dicts with ``_validate=False``: plotly's per-property validation costs 15-50 ms
    a figure, most of a slider's time budget (the tests validate each figure once, ``go.Figure(fig.to_dict())``).

    The text size, the height, the margins (left, right, top, bottom) and ``defaults`` (more layout
    settings) are what a page's figures share; ``layout`` is this figure's own and wins over them."""
    left, right, top, bottom = margin
    layout = {"font": {"size": font_size}, "height": height,
              "margin": {"l": left, "r": right, "t": top, "b": bottom}, **defaults, **layout}
    return go.Figure(data=traces, layout=layout, _validate=False)


def titled(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 380) -> go.Figure:
    """The labs' look (polynomial, weight decay): large text and a horizontal legend on top, readable
    from the back of a lecture hall; ``fig`` with its title and axis titles, returned."""
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=height,
                      font=dict(size=16), margin=dict(l=10, r=10, t=60, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0))
    return fig
