"""Figures for the under/overfitting lab (d2l 4.4): losses, fitted curves, weights, sweeps."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import torch

from explorer.figures import style
from explorer.i18n import N_, Translate, no_translation
from explorer.lessons.polynomial import MAX_DEGREE, poly_features, true_function, true_weights

TRAIN_COLOR, TEST_COLOR, TRUE_COLOR, VAL_COLOR = style.TRAIN, style.TEST, style.TRUE, style.VALIDATION
LOSS_TITLE = N_("MSE (log scale)")


def _train_test_lines(x: pd.Series, df: pd.DataFrame, _: Translate, mode: str = "lines+markers") -> list[go.Scatter]:
    """The train and test loss lines every chart here draws, in the same colours."""
    return [go.Scatter(x=x, y=df[f"{split}_loss"], name=_(name), mode=mode, line=dict(color=color, width=3))
            for split, name, color in (("train", N_("train"), TRAIN_COLOR), ("test", N_("test"), TEST_COLOR))]


def loss_curves(history: list[dict], _: Translate = no_translation) -> go.Figure:
    """Train and test loss after every epoch on a log axis, like d2l's Animator."""
    df = pd.DataFrame(history)
    fig = go.Figure(_train_test_lines(df["epoch"], df, _, mode="lines"))
    fig.update_yaxes(type="log")
    return style.titled(fig, _("Loss per epoch"), _("epoch"), _(LOSS_TITLE))


def fitted_curve(data: dict[str, torch.Tensor], weights: list[float], _: Translate = no_translation) -> go.Figure:
    """The learned polynomial over the training and test points, next to the true cubic."""
    x_all = torch.cat([data["x_train"], data["x_test"]])
    grid = torch.linspace(float(x_all.min()) - 0.2, float(x_all.max()) + 0.2, 400, dtype=torch.float64)
    w = torch.tensor([0.0 if v is None else v for v in weights], dtype=torch.float64)
    learned = poly_features(grid, len(w)) @ w
    points = {k: v.numpy() for k, v in data.items()}  # plotly wants arrays, not tensors
    fig = go.Figure([
        go.Scatter(x=points["x_train"], y=points["y_train"], mode="markers", name=_("training points"),
                   marker=dict(color=TRAIN_COLOR, size=8)),
        go.Scatter(x=points["x_test"], y=points["y_test"], mode="markers", name=_("test points"),
                   marker=dict(color=TEST_COLOR, size=7, symbol="x", opacity=0.6)),
        go.Scatter(x=grid.numpy(), y=true_function(grid).numpy(), name=_("true cubic"),
                   line=dict(color=TRUE_COLOR, width=3, dash="dash")),
        go.Scatter(x=grid.numpy(), y=learned.numpy(), name=_("learned ({n} features)").format(n=len(w)),
                   line=dict(color="black", width=3)),
    ])
    # Keep the data in view even when an overfit curve shoots off at the edges.
    y_all = torch.cat([data["y_train"], data["y_test"]])
    pad = 0.15 * float(y_all.max() - y_all.min())
    fig.update_yaxes(range=[float(y_all.min()) - pad, float(y_all.max()) + pad])
    return style.titled(fig, _("Fitted curve"), "x", "y", height=420)


def weight_bars(weights: list[float], _: Translate = no_translation) -> go.Figure:
    """Learned weights next to the true ones, feature by feature."""
    shown = max(len(weights), 4)
    labels = [f"x^{i}/{i}!" for i in range(shown)]
    learned = [(weights[i] if i < len(weights) else None) for i in range(shown)]
    fig = go.Figure([
        go.Bar(x=labels, y=true_weights()[:shown].tolist(), name=_("true"), marker_color=TRUE_COLOR),
        go.Bar(x=labels, y=learned, name=_("learned"), marker_color="black"),
    ])
    fig.update_layout(barmode="group")
    return style.titled(fig, _("Learned vs true weights"), _("feature"), _("weight"))


def complexity(df: pd.DataFrame, degree: int | None = None, _: Translate = no_translation) -> go.Figure:
    """Final train and test loss against the number of features: the U of model selection."""
    fig = go.Figure(_train_test_lines(df["degree"], df, _))
    if degree is not None:
        fig.add_vline(x=degree, line_dash="dot", annotation_text=_("your setting"))
    fig.update_yaxes(type="log")
    fig.update_xaxes(dtick=1, range=[0.5, MAX_DEGREE + 0.5])
    return style.titled(fig, _("Final loss vs model complexity"), _("number of features (degree)"), _(LOSS_TITLE))


def learning_curve(df: pd.DataFrame, n_train: int | None = None, _: Translate = no_translation) -> go.Figure:
    """Final train and test loss against the training-set size."""
    fig = go.Figure(_train_test_lines(df["n_train"], df, _))
    if n_train is not None:
        # On a log axis the line takes data units but an annotation takes log10 units.
        fig.add_vline(x=n_train, line_dash="dot")
        fig.add_annotation(x=math.log10(n_train), y=1, yref="paper", text=_("your setting"), showarrow=False,
                           xanchor="left", yanchor="top")
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return style.titled(fig, _("Final loss vs training-set size"), _("training examples (log scale)"), _(LOSS_TITLE))


def kfold(table: pd.DataFrame, selected: int, k: int, _: Translate = no_translation) -> go.Figure:
    """Mean K-fold validation loss (± one standard error) per degree, the test loss, and the pick."""
    fig = go.Figure([
        go.Scatter(x=table["degree"], y=table["val_loss"], name=_("{k}-fold validation ± 1 SE").format(k=k),
                   mode="lines+markers",
                   error_y=dict(type="data", array=table["val_std"] / k ** 0.5, visible=True),
                   line=dict(color=VAL_COLOR, width=3)),
        go.Scatter(x=table["degree"], y=table["test_loss"], name=_("test (trained on all)"), mode="lines+markers",
                   line=dict(color=TEST_COLOR, width=3, dash="dash")),
    ])
    fig.add_vline(x=selected, line_dash="dot", line_color=VAL_COLOR,
                  annotation_text=_("selected: {n}").format(n=selected))
    fig.update_yaxes(type="log")
    fig.update_xaxes(dtick=1, range=[0.5, MAX_DEGREE + 0.5])
    return style.titled(fig, _("K-fold cross-validation"), _("number of features (degree)"), _(LOSS_TITLE))
