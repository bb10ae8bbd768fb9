"""AppTest of the pages with ?dataset=mnist: Train an MLP (the seed-002 preset, the panels) and Inside an MLP."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import inside as panel

PAGES = Path(__file__).parents[2] / "pages"


def text_of(at) -> str:
    return " ".join(str(e.value) for kind in ("title", "markdown", "caption", "info", "error") for e in at.get(kind))


@pytest.fixture
def training(mnist):
    at = AppTest.from_file(str(PAGES / "3_Train_an_MLP.py"), default_timeout=180)
    at.query_params["dataset"] = "mnist"
    at.run()
    assert not at.exception
    return at


def test_training_page_says_it_shows_digits(training):
    assert training.title[0].value == "🏋️ Train an MLP on MNIST"
    assert training.selectbox(key="dataset").value == "mnist"
    assert "MNIST, offline subset: 8,000 training / 2,000 test digits" in text_of(training) or \
        "MNIST: 60,000 training / 10,000 test digits" in text_of(training)
    figure = training.get("plotly_chart")[-1].proto.spec  # the dataset tab's mosaic names the dataset
    assert "MNIST" in figure and '"0"' in figure and "T-shirt" not in figure


def test_seed_002_preset_trains_on_digits_with_every_panel(training, mnist):
    training.button(key="preset_MNIST, seed 002").click().run()
    assert training.slider(key="hidden").value == 512 and training.selectbox(key="dataset").value == "mnist"
    assert training.select_slider(key="lr").value == 0.1 and training.select_slider(key="batch_size").value == 256
    training.slider(key="epochs").set_value(2).run()
    training.button(key="train").click().run()
    assert not training.exception
    run = training.session_state["runs"][0]
    assert run.config["dataset"] == "mnist" and run.config["hidden"] == 512 and "MNIST" in run.name
    assert float(training.metric[3].value) > 0.7  # 2 epochs of seed 002's network on 8,000 digits
    charts = [c.proto.spec for c in training.get("plotly_chart")]
    # the gallery, the confusion matrix and the weight images all name the dataset; the digits are the classes
    assert sum("MNIST" in spec for spec in charts) >= 4
    pairs = next(df.value for df in training.dataframe if "predicted as" in df.value.columns)
    assert set(pairs["true"]) <= set("0123456789") and len(pairs) > 0
    table = training.dataframe[-1].value
    assert table["dataset"][0] == "MNIST" and table["hidden"][0] == 512
    assert table["train images"][0] == len(mnist.train_labels)  # 8,000 offline, not "60,000"
    assert "4 and 9" in text_of(training)  # the digits' own "what to notice"
    assert training.query_params["dataset"] == "mnist"


def test_a_run_on_one_dataset_keeps_its_own_panels_after_switching(training):
    training.slider(key="epochs").set_value(1)
    training.select_slider(key="train_size").set_value(1000)
    training.button(key="train").click().run()
    training.selectbox(key="dataset").set_value("fashion-mnist").run()
    assert not training.exception and training.title[0].value == "🏋️ Train an MLP on Fashion-MNIST"
    charts = [c.proto.spec for c in training.get("plotly_chart")]
    assert any("MNIST, " in spec or "MNIST:" in spec for spec in charts[1:4])  # the shown run is still on digits


@pytest.fixture
def digits_quick_model(quick_recipe):
    """The digits quick model's recipe on 3,000 digits, three epochs."""
    quick_recipe(epochs=3, max_train=3000)


def test_inside_page_explains_a_test_digit(mnist, digits_quick_model):
    at = AppTest.from_file(str(PAGES / "2_Inside_an_MLP.py"), default_timeout=300)
    at.query_params["dataset"] = "mnist"
    at.query_params["cls"] = "7"
    at.query_params["index"] = "999"  # past the end of the class: its last image
    at.run()
    assert "No model yet for MNIST" in text_of(at)
    at.button(key="quick_train").click().run()
    assert not at.exception
    assert "quick digits model" in at.caption[0].value and "MNIST" in at.caption[0].value
    assert at.selectbox(key="cls").options[7] == "7"
    assert "a 7." in text_of(at)  # the last 7 of the test set
    table = at.dataframe[0].value
    assert list(table.columns) == [str(d) for d in range(10)]
    assert panel._quick_model("mnist").shown is not None and panel._quick_model("fashion-mnist").shown is None


def test_inside_page_asks_for_one_digit_on_the_canvas(mnist, digits_quick_model):
    at = AppTest.from_file(str(PAGES / "2_Inside_an_MLP.py"), default_timeout=300)
    at.query_params["dataset"] = "mnist"
    at.query_params["source"] = "upload"
    at.run()
    at.button(key="quick_train").click().run()
    assert not at.exception
    assert "one digit" in text_of(at) or any("one digit" in str(u.label) for u in at.get("file_uploader"))


def test_training_page_on_digits_in_chinese(mnist):
    """The digits' texts, the preset, the panels of a trained run: nothing left in English."""
    from babel.messages.pofile import read_po

    from tests.pages.test_i18n_pages import PO, _pattern, english_left, page_in_chinese, rendered_strings

    with PO.open("rb") as f:
        entries = [m for m in read_po(f) if m.id and m.string and m.string != m.id]
    msgids = {m.id: _pattern(m.id) for m in entries if m.id in NEW_MSGIDS}
    at = page_in_chinese("pages/3_Train_an_MLP.py", query={"dataset": "mnist", "train_size": "1000", "epochs": "1"})
    at.button(key="train").click().run()
    assert not at.exception, at.exception
    strings = rendered_strings(at)
    assert at.title[0].value == "🏋️ 在 MNIST 上训练多层感知机"
    assert any("离线子集" in s or "个训练数字" in s for s in strings)  # the dataset's one-line description
    links = [s for s in strings if s.startswith("?") or "://" in s]  # the share link: ?dataset=mnist is a URL
    assert links and not english_left([s for s in strings if s not in links], msgids)


NEW_MSGIDS = {  # this feature's strings that the training page shows for digits
    "Data: {description}.", "Dataset", "MNIST, seed 002", "dataset", "🏋️ Train an MLP on {dataset}",
    "{title}, offline subset: {train} training / {test} test digits", "{title}: {train} training / {test} test digits",
    "What to notice: the mix-ups are digits that share strokes — 4 and 9, 3 and 5, 7 and 9, 2 and 7. 0s and 1s are "
    "almost never wrong.",
    "Handwritten digits, trained live. Seed 002's network (784 pixels in, 512 hidden ReLU units, 10 digits out: the "
    "preset **MNIST, seed 002**) reaches about **90 % test accuracy in 10 epochs** with one hidden layer. Change the "
    "width, learning rate or dropout, train again, and compare.",
}
