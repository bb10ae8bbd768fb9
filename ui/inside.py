"""Streamlit helpers for "Inside an MLP": which model, which input, the shared quick model.

The page reads top to bottom as the lesson; these functions hold the widgets and state around it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

import ui
from explorer.data import images
from explorer.lessons import inside
from explorer.mlp import model_cache
from explorer.data import DATASET_NAMES, DEFAULT_DATASET, FashionMNISTData
from explorer.figures import inside as figs
from explorer.i18n import N_
from explorer.mlp.evaluation import predict
from explorer.mlp.training import Trainer
from ui.i18n import _, label_func
from ui.phone import sidebar_hint

SOURCES = ("test", "upload", "draw")
CANVAS = (280, 280)  # the drawing canvas (height, width) in CSS pixels: what the browser must send back
PARAMS = {
    "source": ui.Param("test", choices=SOURCES, kind=str),
    "cls": ui.Param(0, 0, 9, kind=int),
    "index": ui.Param(0, 0, 999, kind=int),
    "T": ui.Param(1.0, 0.1, 5.0),
    "dataset": ui.DATASET_PARAM,
}
# The shared models' names are msgids: they are shown in each session's own language.
QUICK_MODEL = N_("quick model (d2l MLP, 2 epochs, seed 0)")
QUICK_MODELS = {"fashion-mnist": QUICK_MODEL, "mnist": N_("quick digits model (d2l MLP, 10 epochs, seed 0)")}


@dataclass
class Shown:
    """The model the page explains and how to name it."""

    model: nn.Module
    name: str
    test_acc: float
    config: dict


class QuickModel:
    """d2l's MLP trained once per server, on the first click, and then shared by every session."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shown: Shown | None = None


@st.cache_resource
def _quick_models() -> dict[str, QuickModel]:
    return {name: QuickModel() for name in DATASET_NAMES}  # one per dataset, each trained on its first click


def _quick_model(dataset: str = DEFAULT_DATASET) -> QuickModel:
    return _quick_models()[dataset]


_quick_model.clear = _quick_models.clear  # so tests can start from no model


@st.cache_resource
def _class_positions(_data: FashionMNISTData, dataset: str) -> list[torch.Tensor]:
    # One copy of each dataset per server, so the data is not hashed (leading underscore), only its name.
    return inside.class_positions(_data.test_labels)


def train_quick_model(data: FashionMNISTData) -> None:
    """Train (or load from the disk cache) the shared quick model with a progress bar; other sessions
    clicking meanwhile wait for it and then use the same model."""
    holder, config = _quick_model(data.name), inside.quick_config(data.name)
    images = min(config.max_train or len(data.train_labels), len(data.train_labels))
    bar = st.progress(0.0, text=_("Training d2l's MLP for {epochs} epochs on {images} {dataset} images…").format(
        epochs=config.epochs, images=f"{images:,}", dataset=data.title))

    def show(event: dict) -> None:
        bar.progress(min(event["epoch"] / config.epochs, 1.0), text=_("Epoch {epoch} of {total}").format(
            epoch=f"{event['epoch']:.1f}", total=config.epochs))

    with holder.lock:
        if holder.shown is None:
            with ui.training_slot():
                model, history, _cached = model_cache.train_or_load(config, data, on_event=show)
            holder.shown = Shown(model, QUICK_MODELS.get(data.name, QUICK_MODEL), history[-1]["test_acc"],
                                 config.to_dict())
    bar.empty()


def _shown_from(trainer: Trainer, name: str) -> Shown:
    return Shown(trainer.model, name, trainer.history[-1]["test_acc"], trainer.config.to_dict())


def choose_model(data: FashionMNISTData) -> Shown | None:
    """The latest run of this session on this dataset (or one picked from the last few), else the shared
    quick model of this dataset."""
    state = st.session_state
    choices = {r.name: _shown_from(r.trainer, r.name) for r in reversed(state.get("runs", []))
               if r.trainer and r.trainer.history and r.config.get("dataset", DEFAULT_DATASET) == data.name}
    quick = _quick_model(data.name).shown
    if quick is not None:
        choices[quick.name] = quick
    if not choices:
        st.info(_("No model yet for {dataset}. Train one on the **Train an MLP** page (it appears here at once), "
                  "or train d2l's MLP for {epochs} epochs right here; the quick model is shared by everyone on "
                  "this server.").format(dataset=data.title, epochs=inside.quick_config(data.name).epochs))
        if st.button(_("⚡ Train a quick model"), key="quick_train", type="primary"):
            train_quick_model(data)
            st.rerun()
        return None
    if state.get("inside_model") not in choices:
        state["inside_model"] = next(iter(choices))  # the newest run first
    name = st.selectbox(_("Model"), list(choices), key="inside_model",
                        format_func=label_func({name: name for name in QUICK_MODELS.values()}),
                        help=_("Runs of this session that still have their weights, newest first."))
    state["_kept_inside_model"] = name  # restored after a language switch (ui.language)
    return choices[name]


def _jump_to_mistake(model: nn.Module, data: FashionMNISTData) -> None:
    state = st.session_state
    positions = _class_positions(data, data.name)
    current = int(positions[state["cls"]][min(state["index"], len(positions[state["cls"]]) - 1)])
    if state["source"] != "test":
        current = -1
    predicted = predict(model, data.test_images)
    found = inside.next_mistake(predicted, data.test_labels, after=current)
    if found is None:
        state["inside_notice"] = _("This model classifies every test image correctly.")
        return
    label = int(data.test_labels[found])
    state["source"], state["cls"] = "test", label
    state["index"] = int((positions[label] == found).nonzero()[0, 0])


def choose_input(data: FashionMNISTData, model: nn.Module) -> tuple[torch.Tensor, object, int | None, str] | None:
    """The image's controls (above the results, where a phone shows them too; the temperature in the sidebar)
    → (28×28 image, original picture or None, true label or None, description)."""
    side, state = st.expander(_("🖼️ Which image"), expanded=True), st.session_state
    labels = {"test": _("a test image"), "upload": _("upload a picture"), "draw": _("draw one")}
    side.radio(_("Input"), SOURCES, key="source", format_func=labels.get)
    positions = _class_positions(data, data.name)
    if state["source"] == "test":
        side.selectbox(_("Class"), range(10), key="cls", format_func=label_func(dict(enumerate(data.classes))))
        side.number_input(_("Index within the class"), 0, 999, step=1, key="index",
                          help=_("The test set holds {n} images of this class; a larger index shows its last one.")
                          .format(n=f"{len(positions[state['cls']]):,}"))
    side.button(_("🔎 Show me a mistake"), key="mistake", on_click=_jump_to_mistake, args=(model, data),
                help=_("Jump to the next test image this model gets wrong."))
    if "inside_notice" in state:
        side.info(state.pop("inside_notice"))
    sidebar_hint("inside")
    st.sidebar.slider(_("Softmax temperature T"), 0.1, 5.0, step=0.1, key="T",
                help=_("softmax(o / T): T = 1 is the model itself; larger T flattens the probabilities."))
    ui.settings_link(PARAMS)
    if state["source"] == "test":
        in_class = positions[state["cls"]]
        position = int(in_class[min(state["index"], len(in_class) - 1)])  # MNIST's classes are uneven
        label = int(data.test_labels[position])
        text = _("Test image {position}: a {name}.").format(position=position, name=_(data.classes[label]))
        return data.test_images[position, 0], None, label, text
    if state["source"] == "upload":
        what = (_("A photo or drawing of one digit (PNG or JPEG, up to 5 MB)") if data.name == "mnist" else
                _("A photo or drawing of one piece of clothing (PNG or JPEG, up to 5 MB)"))
        file = st.file_uploader(what, type=["png", "jpg", "jpeg"], key="upload")
        if file is None:
            st.info(_("Upload a picture to see what the network makes of it."))
            return None
        return _own(lambda: _prepared(file.getvalue(), data.name),
                    _("Your picture ({name}).").format(name=file.name))
    return _drawn(data.name)


@st.cache_data(max_entries=32, show_spinner=False)
def _prepared(data: bytes, dataset: str):
    # Keyed by the file's hash: a rerun (every slider move) reuses the decoded picture instead of decoding
    # it again. A refused file raises before anything is cached, and is refused from its header again.
    return images.prepare(data, dataset)


def _own(make, text: str):
    try:
        original, image = make()
    except images.ImageError as err:
        st.error(_("This picture cannot be used: {reason}").format(reason=err.message(_)), icon="🖼️")
        return None
    return image, original, None, text


def _drawn(dataset: str):
    from streamlit_drawable_canvas import st_canvas  # imported here: only this choice needs it

    if dataset == "mnist":
        st.caption(_("Draw one digit with the mouse or a finger; it is read when you lift the pen."))
    else:
        st.caption(_("Draw one piece of clothing with the mouse or a finger; it is read when you lift the pen."))
    # A digit is a pen stroke: a broader pen gives it MNIST's stroke width once it is scaled to 20 px.
    result = st_canvas(stroke_width=24 if dataset == "mnist" else 18, stroke_color="#000000",
                       background_color="#ffffff", height=CANVAS[0], width=CANVAS[1], drawing_mode="freedraw",
                       return_image_data=True, key="canvas")
    drawing = getattr(result, "image_data", None)
    if drawing is None or drawing[..., :3].min() > 200:
        st.info(_("The canvas is empty: draw something on it."))
        return None
    return _own(lambda: images.from_array(drawing, CANVAS, dataset), _("Your drawing."))


def step(title: str, formula: str, shape: str) -> None:
    """One line of the forward pass: what is computed, the formula, and the shape of the result."""
    st.markdown(_("**{title}** — shape {shape}").format(title=title, shape=shape))
    st.latex(formula)


def chart(figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})


def templates(model: nn.Module, t: inside.Trace, cls: int, classes: tuple[str, ...], key: str) -> None:
    """The units that raise class ``cls``'s logit most, as 28×28 pictures titled with their contribution."""
    if not t.hidden:  # softmax regression: the pixels are the units
        chart(figs.templates_figure(inside.pixel_maps(t, cls), [_("weights W[:, class]"), _("pixels × weights")],
                                    _), key)
        return
    top = inside.top_units(t, cls, k=8)
    pictures = inside.unit_templates(model, t, [u["unit"] for u in top])
    titles = [_("unit {unit}: {value}").format(unit=u["unit"], value=f"{u['contribution']:+.2f}") for u in top]
    chart(figs.templates_figure(pictures, titles, _), key)
