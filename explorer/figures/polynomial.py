"""Figures for the under/overfitting lab (d2l 4.4): losses, fitted curves, weights, sweeps."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import torch

from explorer.polynomial import MAX_DEGREE, poly_features, true_function, true_weights

TRAIN_COLOR, TEST_COLOR, TRUE_COLOR, VAL_COLOR = "#1f77b4", "#d62728", "#2ca02c", "#9467bd"
LOSS_TITLE = "MSE (log scale)"


def _style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 380) -> go.Figure:
    # Large fonts and a horizontal legend on top: readable from the back of a lecture hall.
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=height,
                      font=dict(size=16), margin=dict(l=10, r=10, t=60, b=10), template="plotly_white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0))
    return fig


def _train_test_lines(x: pd.Series, df: pd.DataFrame, mode: str = "lines+markers") -> list[go.Scatter]:
    """The train and test loss lines every chart here draws, in the same colours."""
    return [go.Scatter(x=x, y=df[f"{split}_loss"], name=split, mode=mode, line=dict(color=color, width=3))
            for split, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR))]


def loss_curves(history: list[dict]) -> go.Figure:
    """Train and test loss after every epoch on a log axis, like d2l's Animator."""
    df = pd.DataFrame(history)
    fig = go.Figure(_train_test_lines(df["epoch"], df, mode="lines"))
    fig.update_yaxes(type="log")
    return _style(fig, "Loss per epoch", "epoch", LOSS_TITLE)


def fitted_curve(data: dict[str, torch.Tensor], weights: list[float]) -> go.Figure:
    """The learned polynomial over the training and test points, next to the true cubic."""
    x_all = torch.cat([data["x_train"], data["x_test"]])
    grid = torch.linspace(float(x_all.min()) - 0.2, float(x_all.max()) + 0.2, 400, dtype=torch.float64)
    w = torch.tensor([0.0 if v is None else v for v in weights], dtype=torch.float64)
    learned = poly_features(grid, len(w)) @ w
    points = {k: v.numpy() for k, v in data.items()}  # plotly wants arrays, not tensors
    fig = go.Figure([
        go.Scatter(x=points["x_train"], y=points["y_train"], mode="markers", name="training points",
                   marker=dict(color=TRAIN_COLOR, size=8)),
        go.Scatter(x=points["x_test"], y=points["y_test"], mode="markers", name="test points",
                   marker=dict(color=TEST_COLOR, size=7, symbol="x", opacity=0.6)),
        go.Scatter(x=grid.numpy(), y=true_function(grid).numpy(), name="true cubic",
                   line=dict(color=TRUE_COLOR, width=3, dash="dash")),
        go.Scatter(x=grid.numpy(), y=learned.numpy(), name=f"learned ({len(w)} features)",
                   line=dict(color="black", width=3)),
    ])
    # Keep the data in view even when an overfit curve shoots off at the edges.
    y_all = torch.cat([data["y_train"], data["y_test"]])
    pad = 0.15 * float(y_all.max() - y_all.min())
    fig.update_yaxes(range=[float(y_all.min()) - pad, float(y_all.max()) + pad])
    return _style(fig, "Fitted curve", "x", "y", height=420)


def weight_bars(weights: list[float]) -> go.Figure:
    """Learned weights next to the true ones, feature by feature."""
    shown = max(len(weights), 4)
    labels = [f"x^{i}/{i}!" for i in range(shown)]
    learned = [(weights[i] if i < len(weights) else None) for i in range(shown)]
    fig = go.Figure([
        go.Bar(x=labels, y=true_weights()[:shown].tolist(), name="true", marker_color=TRUE_COLOR),
        go.Bar(x=labels, y=learned, name="learned", marker_color="black"),
    ])
    fig.update_layout(barmode="group")
    return _style(fig, "Learned vs true weights", "feature", "weight")


def complexity(df: pd.DataFrame, degree: int | None = None) -> go.Figure:
    """Final train and test loss against the number of features: the U of model selection."""
    fig = go.Figure(_train_test_lines(df["degree"], df))
    if degree is not None:
        fig.add_vline(x=degree, line_dash="dot", annotation_text="your setting")
    fig.update_yaxes(type="log")
    fig.update_xaxes(dtick=1, range=[0.5, MAX_DEGREE + 0.5])
    return _style(fig, "Final loss vs model complexity", "number of features (degree)", LOSS_TITLE)


def learning_curve(df: pd.DataFrame, n_train: int | None = None) -> go.Figure:
    """Final train and test loss against the training-set size."""
    fig = go.Figure(_train_test_lines(df["n_train"], df))
    if n_train is not None:
        # On a log axis the line takes data units but an annotation takes log10 units.
        fig.add_vline(x=n_train, line_dash="dot")
        fig.add_annotation(x=math.log10(n_train), y=1, yref="paper", text="your setting", showarrow=False,
                           xanchor="left", yanchor="top")
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return _style(fig, "Final loss vs training-set size", "training examples (log scale)", LOSS_TITLE)


def kfold(table: pd.DataFrame, selected: int, k: int) -> go.Figure:
    """Mean K-fold validation loss (± one standard error) per degree, the test loss, and the pick."""
    fig = go.Figure([
        go.Scatter(x=table["degree"], y=table["val_loss"], name=f"{k}-fold validation ± 1 SE", mode="lines+markers",
                   error_y=dict(type="data", array=table["val_std"] / k ** 0.5, visible=True),
                   line=dict(color=VAL_COLOR, width=3)),
        go.Scatter(x=table["degree"], y=table["test_loss"], name="test (trained on all)", mode="lines+markers",
                   line=dict(color=TEST_COLOR, width=3, dash="dash")),
    ])
    fig.add_vline(x=selected, line_dash="dot", line_color=VAL_COLOR, annotation_text=f"selected: {selected}")
    fig.update_yaxes(type="log")
    fig.update_xaxes(dtick=1, range=[0.5, MAX_DEGREE + 0.5])
    return _style(fig, "K-fold cross-validation", "number of features (degree)", LOSS_TITLE)
