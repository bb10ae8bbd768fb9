"""requirements.txt (read by `make setup` and Streamlit Community Cloud) and pyproject.toml declare the same
packages with the same ranges: the runtime as dependencies, the test tools as the "test" extra."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def normalised(lines) -> set[str]:
    return {str(Requirement(line)).lower() for line in lines}


def test_requirements_and_pyproject_agree():
    listed = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    required = normalised(line for line in listed if line and not line.startswith("#"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = normalised(project["dependencies"]) | normalised(project["optional-dependencies"]["test"])
    assert required == declared
    assert not normalised(project["dependencies"]) & {"pytest", "playwright", "ruff"}


def test_the_console_script_is_the_cli():
    from explorer.cli import main

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    module, function = project["scripts"]["mlp-explorer"].split(":")
    assert (module, function) == ("explorer.cli", "main")
    assert callable(main)
