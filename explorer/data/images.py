"""A person's own picture, made the way the dataset's images were made.

Fashion-MNIST's recipe (Xiao et al., 2017): trim the product photo to the object, fit its longer
side into 28 px, centre it, convert to grayscale and negate, so the garment is light on a black
background. We do the same with PIL: grayscale, invert when the background is light, crop to the
object, resize, centre on 28×28.

MNIST's recipe (LeCun et al., 1998) is another one: white on black, the digit's bounding box scaled
to fit 20×20 keeping its aspect ratio (anti-aliased), then placed in 28×28 so that its centre of
mass is the centre of the field. :func:`to_mnist` does that; :func:`prepare` picks by dataset.
Bad files raise :class:`ImageError` with a sentence a person can act on.
"""

from __future__ import annotations

import io

import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from explorer.i18n import N_, Explained

MAX_BYTES = 5 * 1024 * 1024  # .streamlit/config.toml's server.maxUploadSize and deploy/'s nginx match it
# Checked from the header, before decoding: a 0.7 MB PNG can decode to 13,300 × 13,300 pixels (700 MB as RGBA).
MAX_PIXELS = 16_000_000
# Decoded formats: the two the page asks for. Pillow would otherwise read whatever a file's bytes say
# (GIF, TIFF, ICO, EPS through Ghostscript, ...), whatever its name.
FORMATS = ("PNG", "JPEG")
MIN_SIDE = 8
SIDE = 28
DIGIT_BOX = 20  # MNIST: the digit's bounding box fits in 20×20; the rest of the 28×28 is margin
# Pixels within this much of the background (0-255) count as background when cropping.
CROP_THRESHOLD = 24


class ImageError(Explained, ValueError):
    """The file cannot be used as an input image; the message says why (``err.message(_)`` translated)."""


def open_image(data: bytes) -> Image.Image:
    """Decode PNG or JPEG bytes, upright as the camera meant (EXIF orientation); refuse what the page
    cannot use, and anything too large before decoding it."""
    if len(data) > MAX_BYTES:
        raise ImageError(N_("The file is {size:.1f} MB; the limit is 5 MB. Use a smaller picture."),
                         size=len(data) / 1024 / 1024)
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)  # reads the header only
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageError(N_("The image is {width}×{height} px ({megapixels:.0f} megapixels); the limit is "
                                "{limit} megapixels. Use a smaller picture."),
                             width=width, height=height, megapixels=width * height / 1e6, limit=MAX_PIXELS // 10**6)
        image.load()  # decode now: a truncated file fails here, not later
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as err:
        if isinstance(err, ImageError):
            raise
        raise ImageError(N_("This file is not an image I can read ({kind}). Upload a PNG or JPEG."),
                         kind=err.__class__.__name__) from err
    if min(image.size) < MIN_SIDE:
        raise ImageError(N_("The image is {width}×{height} px; it needs to be at least {side}×{side} px."),
                         width=image.size[0], height=image.size[1], side=MIN_SIDE)
    return image


def grayscale(image: Image.Image) -> Image.Image:
    """8-bit grayscale; transparent parts become white (paper), as a drawing or cut-out on a page."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image.convert("L")


def _light_on_black(image: Image.Image, nothing: str) -> Image.Image:
    """Grayscale, negated when the background is light, stretched to 0-255, cropped to the object."""
    gray = grayscale(image)
    gray.thumbnail((1024, 1024))  # a phone photo: the same result at 28×28, in a fraction of the time
    low, high = gray.getextrema()
    if high - low < 8:
        raise ImageError(nothing)
    if _background(gray) > 127:  # light background, as in a photo or a drawing on paper: negate
        gray = ImageOps.invert(gray)
    # Stretch to the full 0-255 range so a faint sketch is as bright as a real dataset image.
    gray = ImageOps.autocontrast(gray)
    box = gray.point(lambda v: 255 if v > CROP_THRESHOLD else 0).getbbox() or (0, 0, *gray.size)
    return gray.crop(box)


def _to_tensor(canvas: Image.Image) -> torch.Tensor:
    return torch.frombuffer(bytearray(canvas.tobytes()), dtype=torch.uint8).reshape(SIDE, SIDE).float() / 255


def to_fashion_mnist(image: Image.Image) -> torch.Tensor:
    """(28, 28) float32 in [0, 1]: light object on black, cropped, fitted and centred."""
    cropped = _light_on_black(image, N_("The image is a single colour, so there is nothing to recognise. "
                                        "Draw or photograph one piece of clothing."))
    scale = SIDE / max(cropped.size)
    size = (max(1, round(cropped.width * scale)), max(1, round(cropped.height * scale)))
    fitted = cropped.resize(size, Image.Resampling.LANCZOS)
    canvas = Image.new("L", (SIDE, SIDE), 0)
    canvas.paste(fitted, ((SIDE - size[0]) // 2, (SIDE - size[1]) // 2))
    return _to_tensor(canvas)


def to_mnist(image: Image.Image) -> torch.Tensor:
    """(28, 28) float32 in [0, 1]: a white digit on black, its box fitted into 20×20 (aspect kept,
    anti-aliased), placed so its centre of mass is the field's centre (14, 14), to the nearest pixel."""
    cropped = _light_on_black(image, N_("The image is a single colour, so there is nothing to recognise. "
                                        "Draw one digit."))
    scale = DIGIT_BOX / max(cropped.size)
    size = (max(1, round(cropped.width * scale)), max(1, round(cropped.height * scale)))
    # A thin stroke scaled down a lot: reduce in two steps (box filter, then Lanczos) so it stays smooth.
    fitted = cropped.reduce(max(1, int(1 / scale) // 2)) if scale < 0.25 else cropped
    fitted = fitted.resize(size, Image.Resampling.LANCZOS)
    row, col = center_of_mass(_pixels(fitted))
    canvas = Image.new("L", (SIDE, SIDE), 0)
    # Clamped so that a very lopsided digit stays whole in the field (then its centre is a little off).
    left = min(max(round(SIDE / 2 - col), 0), SIDE - size[0])
    top = min(max(round(SIDE / 2 - row), 0), SIDE - size[1])
    canvas.paste(fitted, (left, top))
    return _to_tensor(canvas)


def _pixels(image: Image.Image) -> torch.Tensor:
    data = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    return data.reshape(image.height, image.width).float()


def center_of_mass(pixels: torch.Tensor) -> tuple[float, float]:
    """(row, column) of the intensity-weighted centre, pixel centres at index + 0.5 (so (14, 14) is the
    middle of 28×28); the geometric centre when the picture is all black."""
    h, w = pixels.shape
    total = float(pixels.sum())
    if total == 0:
        return h / 2, w / 2
    rows = torch.arange(h, dtype=torch.float32) + 0.5
    cols = torch.arange(w, dtype=torch.float32) + 0.5
    return float(pixels.sum(1) @ rows) / total, float(pixels.sum(0) @ cols) / total


PREPARE = {"fashion-mnist": to_fashion_mnist, "mnist": to_mnist}


def _background(gray: Image.Image) -> float:
    """The median of the border pixels: what surrounds the object."""
    w, h = gray.size
    pixels = gray.load()
    border = [pixels[x, y] for x in range(w) for y in (0, h - 1)] + [pixels[x, y] for y in range(h) for x in (0, w - 1)]
    return float(torch.tensor(border, dtype=torch.float32).median())


def prepare(data: bytes, dataset: str = "fashion-mnist") -> tuple[Image.Image, torch.Tensor]:
    """The original (for showing) and its 28×28 version made by the dataset's recipe; raises :class:`ImageError`."""
    image = open_image(data)
    return image, PREPARE[dataset](image)


def from_array(rgba, size: tuple[int, int], dataset: str = "fashion-mnist") -> tuple[Image.Image, torch.Tensor]:
    """A canvas drawing (an H×W×4 array, exactly the canvas's ``size`` = (H, W)) as an image and its 28×28
    version by the dataset's recipe. The array comes from the browser, so any other shape is refused."""
    if getattr(rgba, "shape", None) != (*size, 4):
        raise ImageError(N_("The drawing did not arrive as a {width}×{height} picture. Clear the canvas and "
                            "draw again."), width=size[1], height=size[0])
    image = Image.fromarray(rgba.astype("uint8"))
    return image, PREPARE[dataset](image)
