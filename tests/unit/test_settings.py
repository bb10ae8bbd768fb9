"""One source for the environment: every EXPLORER_* variable is read by explorer/settings.py alone, typed, with a
default a typo falls back to, and the README's settings table lists exactly these."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer import settings

from explorer.fair_share import budget
from explorer.data import default_data_dir

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [ROOT / "app.py", *ROOT.glob("explorer/**/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"),
           *ROOT.glob("deploy/**/*.py")]
READ = re.compile(r"""(os\.environ(\.get)?\s*[\[(]\s*|getenv\(\s*)["']EXPLORER_""")


def test_only_the_settings_module_reads_explorer_variables():
    readers = sorted(str(p.relative_to(ROOT)) for p in PRODUCT if READ.search(p.read_text(encoding="utf-8")))
    assert readers == []  # settings.py itself reads them by the names in its table
    assert all(name.startswith("EXPLORER_") for name in settings.SETTINGS)


def test_the_readme_table_lists_every_setting_and_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(EXPLORER_[A-Z0-9_]+)` \|", readme, flags=re.M))
    assert table == set(settings.SETTINGS)
    mentioned = set(re.findall(r"EXPLORER_[A-Z0-9_]*[A-Z0-9]", readme))
    assert mentioned <= set(settings.SETTINGS), mentioned - set(settings.SETTINGS)


def test_unset_gives_the_default_and_a_typo_falls_back(monkeypatch):
    monkeypatch.delenv("EXPLORER_RUN_BUDGET", raising=False)
    assert budget.run_budget() == 5e12
    monkeypatch.setenv("EXPLORER_RUN_BUDGET", "2.5")
    assert budget.run_budget() == 2.5e12
    for typo in ("lots", "-1", "0", "nan", "inf"):
        monkeypatch.setenv("EXPLORER_RUN_BUDGET", typo)
        assert budget.run_budget() == 5e12, typo


@pytest.mark.parametrize(("raw", "expected"), [("", False), ("0", False), ("no", False), ("1", True), ("yes", True)])
def test_flags(monkeypatch, raw, expected):
    monkeypatch.setenv("EXPLORER_NO_DOWNLOAD", raw)
    assert settings.get("EXPLORER_NO_DOWNLOAD") is expected


def test_paths_and_unconfigured_values(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("EXPLORER_DATA_DIR")
    assert default_data_dir() == Path("data")
    monkeypatch.delenv("EXPLORER_DB_URL", raising=False)
    assert settings.get("EXPLORER_DB_URL") is None and not settings.is_set("EXPLORER_DB_URL")
    monkeypatch.setenv("EXPLORER_DB_URL", "  sqlite:///x.db ")
    assert settings.get("EXPLORER_DB_URL") == "sqlite:///x.db" and settings.is_set("EXPLORER_DB_URL")
    monkeypatch.setenv("EXPLORER_CLASS_EXPIRY_HOURS", "0")
    assert settings.get("EXPLORER_CLASS_EXPIRY_HOURS") == 0


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("EXPLORER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert settings.get("EXPLORER_CACHE_DIR") == tmp_path / "mlp-explorer"
