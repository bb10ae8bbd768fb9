"""The pictures "Hidden layers" shows WHILE it trains: the decision surface and every unit's map, as PNGs.

Streamlit rebuilds a plotly chart from scratch for every new figure it is sent (a new element each time):
40-70 ms per chart in headless Chromium on a 2-core machine, so ten pictures a second of two charts were
out of a busy browser's reach. An image it only decodes (bench/playground_browser.py measures both). The
page shows these pictures while the training runs and the interactive figures of
:mod:`explorer.figures.playground` (hover, colour bar, legend) as soon as it stops.

The same geometry and colours as those figures: Okabe–Ito blue and orange, class 1 a diamond and class 0
a circle (train filled, test hollow), a positive weight a solid orange line, a negative one dashed blue.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from explorer.figures import mosaic
from explorer.figures.playground import DIVERGING, INK, WIDTHS, rows_y, network_layout
from explorer.lessons.playground import PlaygroundTrainer, unit_maps

SCALE = 9  # surface picture pixels per grid point: 50 points -> 450 pixels
RADIUS = 4  # a data point's half-size in pixels
DASH = (6, 4)  # pixels drawn, pixels skipped
# Drawn straight into a palette image (one byte a pixel, nothing to quantise): the colour scale's shades,
# blue (0) through white (the middle) to orange (the last), then ink.
SHADES = 253
BLUE, WHITE, ORANGE, INK_INDEX = 0, SHADES // 2, SHADES - 1, SHADES
PALETTE = np.concatenate([mosaic.lookup_table(DIVERGING, SHADES), mosaic._rgb(INK)[None].astype(np.uint8)]).tobytes()


def _palette_image(indices: np.ndarray) -> Image.Image:
    image = Image.fromarray(np.ascontiguousarray(indices))  # mode L, made P by its palette
    image.putpalette(PALETTE)
    return image


def _png(image: Image.Image) -> str:
    return mosaic.png_uri(image)


def surface_picture(z: torch.Tensor, axis: torch.Tensor, data: tuple, zrange: tuple[float, float]) -> str:
    """The map over the plane with the data on it, as a PNG data: URI (the picture's top is x₂'s largest)."""
    shades = np.repeat(np.repeat(mosaic.levels(z, *zrange, SHADES), SCALE, axis=0), SCALE, axis=1)
    image = _palette_image(shades)
    draw = ImageDraw.Draw(image)
    lo, step = float(axis[0]), float(axis[1] - axis[0])
    bottom = shades.shape[0]
    train_x, train_y, test_x, test_y = data
    for X, y, test in ((train_x, train_y, False), (test_x, test_y, True)):
        pixels = ((X.detach().to(torch.float32) - lo) / step * SCALE + SCALE / 2).tolist()
        for (px, py), cls in zip(pixels, y.tolist()):
            py = bottom - py
            colour = ORANGE if cls else BLUE
            fill, outline, width = (None, colour, 2) if test else (colour, INK_INDEX, 1)
            r = RADIUS + (1 if cls else 0)
            if cls:
                draw.polygon([(px, py - r), (px + r, py), (px, py + r), (px - r, py)], fill=fill, outline=outline,
                             width=width)
            else:
                draw.ellipse([px - r, py - r, px + r, py + r], fill=fill, outline=outline, width=width)
    return _png(image)


def _dashed(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], colour: int,
            width: int) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-9)
    at = 0.0
    while at < length:
        stop = min(at + DASH[0], length)
        draw.line([(x0 + (x1 - x0) * at / length, y0 + (y1 - y0) * at / length),
                   (x0 + (x1 - x0) * stop / length, y0 + (y1 - y0) * stop / length)], fill=colour, width=width)
        at += DASH[0] + DASH[1]


def network_picture(maps: dict, weights: list[torch.Tensor]) -> str:
    """Every unit's map, layer by layer (inputs x₁, x₂ left, the output right), the weights between as
    lines (solid orange positive, dashed blue negative, thicker larger) and each hidden unit's number
    (layer.unit) beside its map; one map pixel per grid point. A PNG data: URI."""
    axis, size, columns, rows, cx, half_w, half_h = network_layout(maps)
    width, height = round(size / (2 * half_w)), round(size / (2 * half_h))
    centres = [rows_y(len(col), rows) for col in columns]
    image = _palette_image(np.full((height, width), WHITE, dtype=np.uint8))
    draw = ImageDraw.Draw(image)
    for gap, W in enumerate(weights):  # the lines first: the maps are drawn over their ends
        W = W.detach().to(torch.float32)
        biggest = float(W.abs().max()) or 1.0
        for j, i in np.ndindex(tuple(W.shape)):  # from unit i to unit j
            w = float(W[j, i])
            thick = max(1, round(WIDTHS[min(int(abs(w) / biggest * len(WIDTHS)), len(WIDTHS) - 1)]))
            start = ((cx[gap] + half_w) * width, (1 - centres[gap][i]) * height)
            end = ((cx[gap + 1] - half_w) * width, (1 - centres[gap + 1][j]) * height)
            if w >= 0:
                draw.line([start, end], fill=ORANGE, width=thick)
            else:
                _dashed(draw, start, end, BLUE, thick)
    font = ImageFont.load_default(size=11)
    for c, column in enumerate(columns):
        hidden = 0 < c < len(columns) - 1
        for u, z in enumerate(column):
            limit = max(float(z.abs().max()), 1e-6) if hidden else (1.5 if c == 0 else 1.0)
            zmin = 0.0 if c == len(columns) - 1 else -limit
            left, top = round((cx[c] - half_w) * width), round((1 - centres[c][u] - half_h) * height)
            image.paste(_palette_image(mosaic.levels(z, zmin, limit, SHADES)), (left, top))
            if hidden:
                draw.text((left - 3, top + size / 2), f"{c}.{u + 1}", fill=INK_INDEX, font=font, anchor="rm")
    return _png(image)


def live_pictures(trainer: PlaygroundTrainer, size: int = 50, enlarge: tuple[int, int] | None = None) -> dict[str, str]:
    """What one picture update while training draws: the decision surface, every unit's map with the
    weights and (``enlarge`` = (layer, unit)) one unit's map, each a PNG data: URI, from one forward pass
    over the size × size grid (``bench/playground_speed.py`` times exactly this)."""
    maps = unit_maps(trainer.model, size)
    data = (trainer.train_x, trainer.train_y, trainer.test_x, trainer.test_y)
    pictures = {"surface": surface_picture(maps["output"], maps["axis"], data, (0.0, 1.0)),
                "network": network_picture(maps, [layer.weight for layer in trainer.model.layers])}
    if enlarge is not None and enlarge[0] <= len(maps["hidden"]) and enlarge[1] <= len(maps["hidden"][0]):
        z = maps["hidden"][enlarge[0] - 1][enlarge[1] - 1]
        limit = max(float(z.abs().max()), 1e-6)
        pictures["unit"] = surface_picture(z, maps["axis"], data, (-limit, limit))
    return pictures
