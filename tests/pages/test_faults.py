"""Faults a workshop will meet: a damaged or missing dataset, and impatient double clicks.

The dataset faults point the loader at a temporary folder (no download) and check that each page
explains the problem instead of showing a traceback. The click faults replay, through AppTest, the
state a real click leaves behind when it interrupts a training run mid-epoch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.data import raw_dir
from tests.conftest import make_tiny_fashion
from tests.support.apptest import chart_keys

PAGES = Path(__file__).parents[2] / "pages"
TRAIN_PAGE = str(PAGES / "3_Train_an_MLP.py")


def point_loader_at(monkeypatch, data_dir: Path, system_dir: Path) -> None:
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("EXPLORER_SYSTEM_DATA_DIR", str(system_dir))
    monkeypatch.setenv("EXPLORER_NO_DOWNLOAD", "1")


def button_keys(at: AppTest) -> set[str]:
    return {button.key for button in at.button}


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


# ---------------------------------------------------------------- (a) a damaged dataset
def test_intact_tiny_dataset_loads_so_the_damage_tests_mean_something(tmp_path, monkeypatch):
    make_tiny_fashion(raw_dir(tmp_path / "data"), compress=False)
    point_loader_at(monkeypatch, tmp_path / "data", tmp_path / "no-system-copy")
    at = AppTest.from_file(TRAIN_PAGE, default_timeout=60).run()
    assert not at.exception and not at.error
    assert "train" in button_keys(at)  # drawn only once the dataset has loaded


def test_truncated_training_images_are_named_with_the_fix(tmp_path, monkeypatch):
    make_tiny_fashion(raw_dir(tmp_path / "data"), compress=False)
    images = raw_dir(tmp_path / "data") / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-1000])  # as an interrupted copy leaves it
    point_loader_at(monkeypatch, tmp_path / "data", tmp_path / "no-system-copy")
    at = AppTest.from_file(TRAIN_PAGE, default_timeout=60).run()
    assert not at.exception
    message = errors(at)
    assert "truncated or corrupt" in message and str(raw_dir(tmp_path / "data")) in message
    assert "Delete that folder" in message and "python -m explorer data" in message
    assert "train" not in button_keys(at)  # nothing that needs the data is offered
    assert chart_keys(at) == {"dropout_demo_chart"}  # the dataset-free panel still works


def test_truncated_system_copy_says_to_reinstall_the_package(tmp_path, monkeypatch):
    make_tiny_fashion(tmp_path / "system", compress=True)
    gz = tmp_path / "system" / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[: len(gz.read_bytes()) // 2])
    point_loader_at(monkeypatch, tmp_path / "data", tmp_path / "system")
    at = AppTest.from_file(TRAIN_PAGE, default_timeout=60).run()
    assert not at.exception
    message = errors(at)
    assert "Could not decompress" in message and "train-images-idx3-ubyte.gz" in message
    assert "apt-get install --reinstall dataset-fashion-mnist" in message
    # no half-written file is left under the real name, so the next start tries again
    assert not (raw_dir(tmp_path / "data") / "train-images-idx3-ubyte").exists()


# ---------------------------------------------------------------- (b) no dataset: the other pages
@pytest.mark.parametrize("page, charts", [
    ("1_Activation_functions.py", {"curves_chart", "collapse_chart", "fit_chart", "depth_chart"}),
    ("4_Under_and_overfitting.py", {"chart_loss", "chart_fit", "chart_weights"}),
    ("5_Weight_decay.py", {"loss_curves", "norm_bars", "sweep"}),
])
def test_other_pages_draw_their_charts_without_the_dataset(page, charts, tmp_path, monkeypatch):
    point_loader_at(monkeypatch, tmp_path / "empty", tmp_path / "no-system-copy")
    at = AppTest.from_file(str(PAGES / page), default_timeout=120).run()
    assert not at.exception
    assert not at.error  # these pages do not need Fashion-MNIST, so they do not complain about it
    assert charts <= chart_keys(at)


def test_activation_page_says_which_inputs_replace_the_missing_images(tmp_path, monkeypatch):
    point_loader_at(monkeypatch, tmp_path / "empty", tmp_path / "no-system-copy")
    at = AppTest.from_file(str(PAGES / "1_Activation_functions.py"), default_timeout=120).run()
    assert any("random inputs (Fashion-MNIST is not installed)" in c.value for c in at.caption)


# ---------------------------------------------------------------- (c) Train twice, Stop twice
@pytest.fixture
def training_page(fashion):  # the real dataset (skips without it); a dry run of 1000 images, 1 epoch
    at = AppTest.from_file(TRAIN_PAGE, default_timeout=120).run()
    at.select_slider(key="train_size").set_value(1000)
    at.slider(key="epochs").set_value(1)
    at.slider(key="hidden").set_value(32)
    return at.run()


def train_and_interrupt(at: AppTest):
    """Press Train, then leave the run as a click leaves a live run: one batch into an epoch, status
    'running', active. Returns the run and how far into its epochs it got.

    In the browser a click stops the script inside the training loop and reruns it; AppTest runs
    each script to the end, so the test plays the training loop up to its first batch itself.
    """
    at.button(key="train").click().run()
    run = at.session_state["runs"][0]
    trainer = run.trainer
    loop = trainer.train(until_epoch=trainer.epochs_done + 1, progress_every=0)
    assert next(loop)["kind"] == "progress"
    loop.close()
    assert trainer.status == "running" and 0 < trainer.epoch_progress % 1
    run.target_epoch = trainer.epochs_done + 1
    at.session_state["active_run"] = run.id
    return run, trainer.epoch_progress


def test_train_twice_in_a_row_keeps_both_runs(training_page):
    at = training_page
    at.button(key="train").click().run()
    at.button(key="train").click().run()
    assert not at.exception
    runs = at.session_state["runs"]
    assert [r.id for r in runs] == [1, 2]
    assert [len(r.history) for r in runs] == [1, 1] and [r.status for r in runs] == ["finished"] * 2
    assert at.session_state["active_run"] is None
    assert list(at.dataframe[-1].value["run"]) == [1, 2]


def test_second_train_click_while_the_first_run_trains(training_page):
    at = training_page
    first, progress = train_and_interrupt(at)
    at.button(key="train").click().run()  # the second click of a double click lands mid-training
    assert not at.exception
    runs = at.session_state["runs"]
    assert [r.id for r in runs] == [1, 2]
    assert runs[1].status == "finished" and len(runs[1].history) == 1
    assert len(first.history) == 1 and first.trainer.epoch_progress == progress  # kept as it was left
    assert first.status == "stopped"  # not left "running" in the comparison table
    assert at.session_state["active_run"] is None


def test_stop_twice_in_a_row_keeps_the_run_and_continue_resumes_it(training_page):
    at = training_page
    run, progress = train_and_interrupt(at)
    at.button(key="stop").click().run()
    assert not at.exception
    assert run.status == "stopped" and run.trainer.epoch_progress == progress
    assert any(f"Stopped at epoch {progress:.1f} of 2" in i.value for i in at.info)
    at.button(key="stop").click().run()  # the second Stop finds nothing running: harmless
    assert not at.exception and not at.warning
    assert at.session_state["runs"] == [run] and run.status == "stopped"
    assert any("Stopped at epoch" in i.value for i in at.info)
    at.button(key="continue").click().run()
    assert not at.exception
    assert run.status == "finished" and [row["epoch"] for row in run.history] == [1, 2]
