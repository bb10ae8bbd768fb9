"""Own images made the Fashion-MNIST way, on real PNG/JPEG bytes; bad files get a clear message."""

import io

import pytest
import torch
from PIL import Image, ImageDraw

from explorer import images


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def centre_of_mass(x: torch.Tensor) -> tuple[float, float]:
    rows, cols = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    return float((x * rows).sum() / x.sum()), float((x * cols).sum() / x.sum())


def test_light_shape_on_dark_background_is_kept_cropped_and_centred():
    picture = Image.new("L", (200, 120), 10)
    ImageDraw.Draw(picture).rectangle([20, 15, 59, 94], fill=230)  # 40×80 px, far from the centre
    original, x = images.prepare(encode(picture))
    assert original.size == (200, 120) and x.shape == (28, 28) and x.dtype == torch.float32
    assert 0 <= x.min() and x.max() <= 1
    row, col = centre_of_mass(x)
    assert abs(row - 13.5) < 0.6 and abs(col - 13.5) < 0.6
    assert x[14, 14] > 0.9 and x[0, 0] == 0 and x[14, 2] < 0.05  # light object, black background
    # fitted like Fashion-MNIST: the longer side (80 px) fills 28 px, the aspect ratio is kept (14 px wide)
    lit_rows, lit_cols = (x > 0.5).any(1).sum().item(), (x > 0.5).any(0).sum().item()
    assert lit_rows >= 27 and 13 <= lit_cols <= 15


def test_dark_shape_on_white_is_inverted_as_fashion_mnist_was():
    picture = Image.new("RGB", (90, 90), "white")
    ImageDraw.Draw(picture).ellipse([50, 50, 85, 85], fill=(20, 20, 20))
    _, x = images.prepare(encode(picture, "JPEG"))
    assert x[14, 14] > 0.9  # the dark disc became the bright object...
    assert x[0, 0] < 0.1 and x[27, 27] < 0.1  # ...and the white paper became black
    row, col = centre_of_mass(x)
    assert abs(row - 13.5) < 1 and abs(col - 13.5) < 1


def test_transparent_drawing_counts_as_paper():
    drawing = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # a canvas: transparent, strokes in black
    ImageDraw.Draw(drawing).line([(10, 50), (90, 50)], fill=(0, 0, 0, 255), width=12)
    _, x = images.prepare(encode(drawing))
    assert x[13:15].mean() > 0.8 and x[:8].max() < 0.05


def test_canvas_array_is_accepted():
    drawing = torch.full((120, 120, 4), 255, dtype=torch.uint8)
    drawing[30:90, 55:65, :3] = 0
    _, x = images.from_array(drawing.numpy())
    assert x.max() > 0.9 and x[:, :5].max() < 0.05


@pytest.mark.parametrize("data, words", [
    (b"this is a text file, not a picture", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "not an image"),  # a PNG signature and nothing else: corrupt
    (b"\xff" * (5 * 1024 * 1024 + 1), "limit is 5 MB"),
    (encode(Image.new("L", (7, 30), 0)), "at least 8×8"),
    (encode(Image.new("RGB", (64, 64), (200, 30, 30))), "single colour"),
])
def test_bad_files_raise_a_clear_message(data, words):
    with pytest.raises(images.ImageError, match=words):
        images.prepare(data)


def test_truncated_jpeg_is_not_an_image():
    data = encode(Image.radial_gradient("L").resize((64, 64)), "JPEG")
    with pytest.raises(images.ImageError, match="not an image"):
        images.prepare(data[: len(data) // 3])
