"""Maps as pixels: a value's colour on a plotly colorscale, and a picture as a PNG data: URI.

A browser shown ten pictures a second cannot rebuild a plotly chart for each (a heatmap is coloured pixel
by pixel in JavaScript); a PNG it merely decodes. The colours here are the ones the heatmaps use.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import torch
from PIL import Image


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def lookup_table(colorscale: list[list], levels: int = 256) -> np.ndarray:
    """(levels, 3) uint8 colours of a plotly colorscale ([[0, "#rrggbb"], ..., [1, "#rrggbb"]]),
    interpolated in RGB between its stops as plotly does."""
    stops = np.array([stop for stop, _colour in colorscale], dtype=np.float32)
    colours = np.stack([_rgb(colour) for _stop, colour in colorscale])
    t = np.linspace(0.0, 1.0, levels, dtype=np.float32)
    return np.stack([np.interp(t, stops, colours[:, k]) for k in range(3)], axis=1).round().astype(np.uint8)


def levels(z: torch.Tensor, zmin: float, zmax: float, count: int) -> np.ndarray:
    """(rows, cols) uint8: each value's shade, 0 for ``zmin`` up to ``count`` - 1 for ``zmax``. Row 0 of ``z``
    is the bottom of a map (as in a heatmap), so it becomes the picture's last row."""
    t = (z.detach().to(torch.float32).flip(0) - zmin) / max(zmax - zmin, 1e-12)
    return (t.clamp(0.0, 1.0) * (count - 1)).round().to(torch.uint8).numpy()


def coloured(z: torch.Tensor, zmin: float, zmax: float, table: np.ndarray) -> np.ndarray:
    """(rows, cols, 3) uint8: each value's colour, ``zmin`` the table's first and ``zmax`` its last."""
    return table[levels(z, zmin, zmax, len(table))]


def png_uri(pixels: np.ndarray | Image.Image, colours: int | None = None) -> str:
    """The picture (RGB, RGBA, or a palette image) as a data: URI, at zlib's fast level. ``colours``: first
    reduced to that many (a palette PNG: a third of the bytes of an RGB one for our few-coloured pictures)."""
    buffer = io.BytesIO()
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    if colours:
        image = image.quantize(colours, method=Image.Quantize.FASTOCTREE)
    image.save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def decode(uri: str) -> np.ndarray:
    """The inverse of :func:`png_uri` (for tests and checks)."""
    data = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
