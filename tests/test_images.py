"""Own images made the Fashion-MNIST way, on real PNG/JPEG bytes; bad files get a clear message."""

import io

import pytest
import torch
from PIL import Image, ImageDraw, ImageFile

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
    _, x = images.from_array(drawing.numpy(), (120, 120))
    assert x.max() > 0.9 and x[:, :5].max() < 0.05


@pytest.mark.parametrize("shape", [(121, 120, 4), (120, 120, 3), (120, 120), (12000, 120, 4)])
def test_a_canvas_array_of_another_size_is_refused(shape):
    with pytest.raises(images.ImageError, match="did not arrive as a 120×120 picture"):
        images.from_array(torch.zeros(shape, dtype=torch.uint8).numpy(), (120, 120))


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP", "WEBP", "ICO", "QOI"])
def test_only_png_and_jpeg_are_decoded_whatever_the_name(fmt):
    picture = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(picture).rectangle([20, 10, 44, 54], fill="black")
    data = encode(picture, fmt)
    assert Image.open(io.BytesIO(data)).format == fmt  # Pillow itself would read it
    with pytest.raises(images.ImageError, match="not an image I can read"):
        images.prepare(data)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_from_its_header(monkeypatch):
    bomb = encode(Image.new("1", (13_300, 13_300), 0))  # a small file that decodes to 177 megapixels
    assert len(bomb) < 1_000_000

    def never(self):
        raise AssertionError("decoded a 177-megapixel image")
    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    with pytest.raises(images.ImageError, match="13300×13300 px \\(177 megapixels\\); the limit is 16"):
        images.prepare(bomb)


def test_the_original_is_shown_upright_as_the_camera_meant():
    picture = Image.new("RGB", (80, 40), "white")  # stored sideways, with "rotate 90°" in its EXIF
    ImageDraw.Draw(picture).rectangle([10, 10, 70, 30], fill="black")
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes())
    original, x = images.prepare(buffer.getvalue())
    assert original.size == (40, 80)
    rows, cols = (x > 0.5).nonzero(as_tuple=True)
    assert rows.max() - rows.min() > cols.max() - cols.min()  # the bar stands upright in the 28×28 too


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


def test_the_servers_limits_match_the_apps():
    """Streamlit holds uploads in memory: its limit is the app's; nginx in front lets the same through."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).parents[1]
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == images.MAX_BYTES
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["client"]["showErrorDetails"] == "none"
    nginx = (root / "deploy" / "nginx.conf.in").read_text()
    assert "client_max_body_size 6m;" in nginx  # the 5 MB file plus its multipart framing
