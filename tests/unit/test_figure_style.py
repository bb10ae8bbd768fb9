"""One palette (Okabe–Ito) for every figure, and never colour alone for a meaning (#23)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from explorer.figures import activations, classroom, style, training

FIGURES = Path(style.__file__).parent
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def test_the_categories_are_okabe_and_itos_eight_colours_and_repeat_with_another_dash():
    assert set(style.CATEGORICAL) == OKABE_ITO and len(style.CATEGORICAL) == 8
    assert [style.colour(i) for i in range(8)] == list(style.CATEGORICAL)
    assert style.colour(8) == style.colour(0) and style.dash(8) != style.dash(0)
    assert len({(style.colour(i), style.dash(i)) for i in range(40)}) == 40  # 40 categories, 40 looks


def test_no_figure_module_defines_its_own_colours():
    """Colours are named in style.py only (white and the neutral grey rgba shades aside)."""
    for path in FIGURES.glob("*.py"):
        if path.name == "style.py":
            continue
        hexes = {h.upper() for h in re.findall(r"#[0-9A-Fa-f]{6}\b", path.read_text())} - {"#FFFFFF"}
        assert not hexes, f"{path.name} names colours outside style.py: {sorted(hexes)}"


def test_each_activation_has_its_own_colour_and_dash():
    looks = {(activations.COLOURS[n], activations.DASHES[n]) for n in activations.COLOURS}
    assert len(looks) == len(activations.COLOURS) > 8
    assert set(activations.COLOURS.values()) <= OKABE_ITO


def test_diverged_bars_differ_by_pattern_and_label_not_only_colour():
    frame = pd.DataFrame({"lr": [0.1, 0.1, 1.0, 1.0, 1.0], "status": ["finished", "finished", "diverged",
                                                                      "finished", "diverged"]})
    fig = classroom.divergence_figure(frame)  # go.Bar: plotly validates it
    trained, diverged = fig.data
    assert list(trained.y) == [2, 1] and list(diverged.y) == [0, 2]
    assert list(trained.text) == ["✓ 2", "✓ 1"] and list(diverged.text) == ["", "✗ 2"]
    assert trained.name.startswith("✓") and diverged.name.startswith("✗")
    assert diverged.marker.pattern.shape == "x" and not trained.marker.pattern.shape
    assert trained.marker.color == style.GOOD and diverged.marker.color == style.BAD


def test_diverged_runs_on_the_accuracy_chart_are_crosses_and_groups_have_symbols():
    frame = pd.DataFrame({"nickname": ["a", "b", "c"], "run": [1, 2, 3], "lr": [0.1, 0.3, 1.0],
                          "optimizer": ["sgd", "adam", "sgd"], "test_acc": [0.8, 0.7, None],
                          "status": ["finished", "finished", "diverged"]})
    fig = classroom.accuracy_figure(frame, "lr", "optimizer")
    *groups, diverged = fig.data
    assert [g.marker.symbol for g in groups] == [style.symbol(0), style.symbol(1)]
    assert diverged.marker.symbol == "x" and list(diverged.y) == [0.0]


def test_training_curves_differ_by_dash_as_well_as_colour():
    assert len({dash for *_, dash in training.CURVES}) == len(training.CURVES)
    assert {colour for _, _, colour, _ in training.CURVES} <= OKABE_ITO


def test_streamlits_chart_theme_uses_the_same_colours():
    import tomllib

    config = tomllib.loads((FIGURES.parents[1] / ".streamlit" / "config.toml").read_text())
    assert tuple(config["theme"]["chartCategoricalColors"]) == style.CATEGORICAL
