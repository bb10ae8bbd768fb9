"""Own images made the Fashion-MNIST way, on real PNG/JPEG bytes; bad files get a clear message."""

import io

import pytest
import torch
from PIL import Image, ImageDraw, ImageFile

from explorer.data import images


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

    root = Path(__file__).parents[2]
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == images.MAX_BYTES
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["client"]["showErrorDetails"] == "none"
    nginx = (root / "deploy" / "nginx.conf.in").read_text()
    assert "client_max_body_size 6m;" in nginx  # the 5 MB file plus its multipart framing


# ---- Digits: MNIST's own recipe (20×20 box, aspect kept, centre of mass at the centre) ----

def mnist_centre(x: torch.Tensor) -> tuple[float, float]:
    """Centre of mass with pixel centres at index + 0.5: the middle of 28×28 is (14, 14)."""
    row, col = centre_of_mass(x)
    return row + 0.5, col + 0.5


def test_drawn_vertical_bar_becomes_a_centred_mnist_one():
    canvas = Image.new("RGBA", (280, 280), (255, 255, 255, 255))  # the canvas: black pen on white
    ImageDraw.Draw(canvas).line([(60, 40), (60, 240)], fill=(0, 0, 0, 255), width=18)  # far left of centre
    original, x = images.from_array(__import__("numpy").asarray(canvas), (280, 280), "mnist")
    assert original.size == (280, 280) and x.shape == (28, 28) and x.dtype == torch.float32
    assert x[0].max() == 0 and x[:, 0].max() == 0 and x.max() > 0.9  # white on black, margin around it
    lit = (x > 0.1).nonzero()
    height = int(lit[:, 0].max() - lit[:, 0].min() + 1)
    width = int(lit[:, 1].max() - lit[:, 1].min() + 1)
    assert 19 <= height <= 20 and width <= 4  # the longer side fits 20 px; the aspect ratio is kept
    row, col = mnist_centre(x)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def test_digit_centre_of_mass_not_box_centre():
    """A "7"-like shape with its mass at the top: centred by mass, so its box sits low in the field."""
    picture = Image.new("L", (100, 100), 255)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([10, 10, 90, 18], fill=0)  # a heavy top bar
    draw.line([(88, 18), (40, 95)], fill=0, width=8)
    _, x = images.prepare(encode(picture), "mnist")
    row, col = mnist_centre(x)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    lit_rows = (x > 0.1).any(1).nonzero()[:, 0]
    assert lit_rows.min() >= 6 and lit_rows.max() >= 25  # the box is not centred: its top is heavy
    assert (x > 0.1).any(0).sum() <= 20 and (x > 0.1).any(1).sum() <= 20


def test_fashion_recipe_unchanged_by_default():
    picture = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(picture).rectangle([10, 10, 49, 49], fill=255)
    fashion = images.prepare(encode(picture))[1]
    digit = images.prepare(encode(picture), "mnist")[1]
    assert (fashion > 0.5).sum() > 27 * 27 and (digit > 0.5).sum() <= 20 * 20


def test_blank_digit_drawing_says_draw_one_digit():
    with pytest.raises(images.ImageError) as err:
        images.prepare(encode(Image.new("L", (50, 50), 255)), "mnist")
    assert "Draw one digit" in err.value.message()


def test_lopsided_digit_stays_whole_in_the_field():
    picture = Image.new("L", (100, 100), 255)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([10, 10, 90, 40], fill=0)  # most of the mass at the very top
    draw.line([(50, 40), (50, 95)], fill=0, width=2)
    _, x = images.prepare(encode(picture), "mnist")
    assert (x > 0.05).any(1).sum() >= 19 and x[-1].max() > 0  # whole: pushed up against the bottom edge, not cut
