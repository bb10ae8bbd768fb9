"""Figures for the training page: live curves, image grids, confusion matrix, run overlays."""

from __future__ import annotations


import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from explorer.figures import style
from explorer.i18n import N_, Translate, no_translation

FONT = dict(size=16)
CURVES = (("train_loss", N_("train loss"), style.BLUE, "solid"),
          ("train_acc", N_("train acc"), style.VERMILLION, "dash"), ("test_acc", N_("test acc"), style.GREEN, "dot"))


def curves_figure(points: list[dict], target_epoch: int, title: str = "", _: Translate = no_translation) -> go.Figure:
    """d2l's Animator: train loss and accuracy within epochs, test accuracy at each epoch's end."""
    fig = go.Figure()
    for key, label, color, dash in CURVES:
        # Test metrics exist only at the end of an epoch; train metrics also mid-epoch.
        pts = [p for p in points if key in p and (key.startswith("train") or p["kind"] == "epoch")]
        fig.add_trace(go.Scatter(x=[p["epoch"] for p in pts], y=[p[key] for p in pts], name=_(label),
                                 mode="lines+markers" if key == "test_acc" else "lines",
                                 line=dict(color=color, dash=dash, width=3)))
    fig.update_layout(title=title, xaxis_title=_("epoch"), font=FONT, height=420, margin=dict(t=50, b=40),
                      legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"),
                      xaxis=dict(range=[0, max(target_epoch, 1) * 1.03]), uirevision="live")
    return fig


def image_grid(images: torch.Tensor, titles: list[str], columns: int = 8, title_colors: list[str] | None = None,
               diverging: bool = False, height_per_row: int = 150, title: str = "") -> go.Figure:
    """Small multiples of 28×28 images with a caption each (d2l's show_images); ``title`` names the dataset.

    The images are tiled into one heatmap and the captions are one text trace: a subplot or an
    annotation per image made plotly's validation cost ~0.1 s of server CPU after every finished run.
    """
    images = images.detach().cpu().float()
    n, h, w = images.shape
    rows, gap, caption_px = -(-n // columns), 4, 12  # caption_px: image rows of room above each image
    cell_h, cell_w = h + caption_px, w + gap
    canvas = torch.full((rows * cell_h, columns * cell_w), float("nan"))  # NaN: blank between the images
    for i, image in enumerate(images):
        top, left = (i // columns) * cell_h + caption_px, (i % columns) * cell_w
        canvas[top:top + h, left:left + w] = image
    if diverging:  # weights: blue negative, red positive, white zero, on one shared scale
        limit = images.abs().max().item() or 1.0
        scale, zmin, zmax = "RdBu_r", -limit, limit
    else:
        scale, zmin, zmax = "gray_r", 0, 1
    captions = go.Scatter(x=[(i % columns) * cell_w + w / 2 for i in range(n)],
                          y=[(i // columns) * cell_h + caption_px - 1 for i in range(n)], text=titles[:n],
                          mode="text", textposition="top center", hoverinfo="skip", showlegend=False,
                          textfont=dict(size=13, color=title_colors[:n] if title_colors else style.INK))
    fig = go.Figure([go.Heatmap(z=canvas.numpy(), colorscale=scale, zmin=zmin, zmax=zmax, showscale=diverging,
                                hoverongaps=False, hovertemplate="%{z:.3f}<extra></extra>"), captions])
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=rows * height_per_row + 40 + (30 if title else 0), plot_bgcolor="white",
                      margin=dict(t=40 if title else 10, b=10, l=10, r=10), title=title or None)
    return fig


def prediction_gallery(images: torch.Tensor, true: list[int], predicted: list[int],
                       classes: tuple[str, ...], columns: int = 8, title: str = "") -> go.Figure:
    """Test images with true and predicted label; mistakes in red (d2l's predict_ch3)."""
    titles = [f"{classes[t]}<br>{'✓' if t == p else '✗ ' + classes[p]}" for t, p in zip(true, predicted)]
    colors = [style.INK if t == p else style.VERMILLION for t, p in zip(true, predicted)]
    return image_grid(images[:, 0] if images.ndim == 4 else images, titles, columns, colors, height_per_row=170,
                      title=title)


def confusion_figure(matrix: torch.Tensor, classes: tuple[str, ...], _: Translate = no_translation,
                     title: str = "") -> go.Figure:
    # go.Heatmap rather than px.imshow: the same picture for a third of the CPU, drawn after every run.
    fig = go.Figure(go.Heatmap(z=matrix.numpy(), x=list(classes), y=list(classes), texttemplate="%{z}",
                               colorscale="Blues", colorbar=dict(title=dict(text=_("images"))),
                               hovertemplate=_("true") + ": %{y}<br>" + _("predicted") + ": %{x}<br>"
                               + _("images") + ": %{z}<extra></extra>"))
    fig.update_xaxes(title_text=_("predicted"), tickangle=-40)
    fig.update_yaxes(title_text=_("true"), autorange="reversed")
    fig.update_layout(font=dict(size=13), height=560, margin=dict(t=50 if title else 30, b=10), plot_bgcolor="white",
                      title=title or None)
    return fig


def class_mosaic(samples: torch.Tensor, classes: tuple[str, ...], gap: int = 2, title: str = "") -> go.Figure:
    """(classes, per_class, 28, 28) tiled into one image, a row per class."""
    n_cls, per, h, w = samples.shape
    canvas = torch.ones(n_cls * (h + gap), per * (w + gap))
    for c in range(n_cls):
        for j in range(per):
            canvas[c * (h + gap):c * (h + gap) + h, j * (w + gap):j * (w + gap) + w] = samples[c, j]
    # Bytes 0–255, not floats: sent with every rerun of the training page, the figure is 4× smaller so.
    pixels = (canvas * 255).round().to(torch.uint8).numpy()
    fig = px.imshow(pixels, color_continuous_scale="gray_r", zmin=0, zmax=255)
    fig.update_traces(hoverinfo="skip", hovertemplate=None)
    fig.update_yaxes(tickvals=[c * (h + gap) + h / 2 for c in range(n_cls)], ticktext=list(classes))
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(coloraxis_showscale=False, height=620, font=FONT, margin=dict(t=40 if title else 10, b=10),
                      title=title or None)
    return fig


def compare_figure(frame: pd.DataFrame, metric: str, metric_label: str | None = None,
                   _: Translate = no_translation) -> go.Figure:
    label = metric_label or metric.replace("_", " ")
    fig = px.line(frame, x="epoch", y=metric, color="run", markers=True,
                  labels={"epoch": _("epoch"), metric: label, "run": _("run")})
    fig.update_layout(font=FONT, height=420, yaxis_title=label,
                      legend=dict(font=dict(size=12)), margin=dict(t=30))
    return fig


def dropout_figure(X: torch.Tensor, kept: torch.Tensor, out: torch.Tensor, p: float,
                   _: Translate = no_translation) -> go.Figure:
    """d2l's 2×8 example as three small heatmaps with the numbers written in: X, mask, dropout(X)."""
    fig = make_subplots(rows=3, cols=1, vertical_spacing=0.12, subplot_titles=(
        "X", _("mask: kept with probability 1 − p = {keep}").format(keep=f"{1 - p:g}"),
        _("dropout_layer(X, {p}) = mask · X / (1 − p)").format(p=f"{p:g}")))
    for row, (values, scale) in enumerate([(X, "Blues"), (kept.float(), "Greens"), (out, "Blues")], start=1):
        text = [[_("kept") if v else _("dropped") for v in r] for r in kept.tolist()] if row == 2 else \
            [[f"{v:g}" for v in r] for r in values.tolist()]
        fig.add_trace(go.Heatmap(z=values.tolist(), text=text, texttemplate="%{text}", colorscale=scale,
                                 showscale=False, zmin=0, xgap=2, ygap=2), row=row, col=1)
    fig.update_xaxes(showticklabels=False).update_yaxes(showticklabels=False, autorange="reversed")
    fig.update_layout(height=420, margin=dict(t=40, b=10, l=10, r=10), font=FONT)
    return fig
