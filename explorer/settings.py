"""Every ``EXPLORER_*`` environment variable in one table: its default, its type and what it does.

Only this module reads them (a test makes sure). Each is read when it is used, not at import: an operator's
shell, a test's ``monkeypatch`` and the deploy launcher all set them after Python has started. A value that
does not parse falls back to the default, so a typo never stops a server. The README's settings table lists
the same names (a test compares the two).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable


def _path(text: str) -> Path:
    return Path(text).expanduser()


def _positive_or_zero(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def _positive(text: str) -> float:
    value = _positive_or_zero(text)
    if value == 0:
        raise ValueError(text)
    return value


def _flag(text: str) -> bool:
    return text.lower() not in ("", "0", "false", "no")


def _default_cache_dir() -> str:
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlp-explorer")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | Callable[[], str] | None  # None: unset means "not configured"
    parse: Callable[[str], Any]
    help: str
    used_by: str = "app"  # app (server, CLI) or deploy (the replicas launcher)

    def read(self) -> Any:
        raw = os.environ.get(self.name, "").strip()
        if raw:
            try:
                return self.parse(raw)
            except ValueError:
                pass  # a typo falls back to the default
        default = self.default() if callable(self.default) else self.default
        return None if default is None else self.parse(default)


SETTINGS: dict[str, Setting] = {s.name: s for s in [
    Setting("EXPLORER_DATA_DIR", "data", _path, "datasets, the class board's SQLite file and the share spool"),
    Setting("EXPLORER_SYSTEM_DATA_DIR", "/usr/share/datasets/fashion-mnist", _path,
            "Debian's offline Fashion-MNIST, copied into the data dir at set-up"),
    Setting("EXPLORER_NO_DOWNLOAD", "0", _flag, "1: never try torchvision's download (offline machines)"),
    Setting("EXPLORER_CACHE_DIR", _default_cache_dir, _path, "trained models kept between runs (the quick model)"),
    Setting("EXPLORER_DB_URL", None, str, "the class board's database (SQLAlchemy URL); default an SQLite file in "
            "the data dir"),
    Setting("EXPLORER_PRESENTER_KEY", None, str, "the presenter's key (≥ 12 characters); else `presenter_key` in "
            ".streamlit/secrets.toml"),
    Setting("EXPLORER_PUBLIC_URL", None, str, "the host in the class's join link, when the server sees itself as "
            "localhost"),
    Setting("EXPLORER_CLASS_EXPIRY_HOURS", "48", _positive_or_zero, "hours a closed class is kept (0: for ever)"),
    Setting("EXPLORER_RUN_BUDGET", "5", _positive, "work one training run may do, in TFLOP"),
    Setting("EXPLORER_PRECISION", "fp32", lambda text: text.lower(), "the server's default precision: fp32 or bf16 "
            "(bf16 only where the CPU or GPU supports it)"),
    Setting("EXPLORER_BF16_MODE", "matmuls", lambda text: text.lower(), "bf16 as explicit matmuls (default) or "
            "`autocast` (for the benchmark's comparison)"),
    Setting("EXPLORER_REPLICA", None, str, "this replica's name, set by the deploy launcher"),
    Setting("EXPLORER_RUN_AS", "nobody", str, "the user the replicas run as when deploy starts as root", "deploy"),
    Setting("EXPLORER_NGINX", None, str, "nginx's binary (default: on PATH, else /usr/sbin/nginx)", "deploy"),
    Setting("EXPLORER_PG_BIN", None, _path, "PostgreSQL's bin folder (default: the newest Debian one)", "deploy"),
    Setting("EXPLORER_KEEP_RUN_DIR", "0", _flag, "1: keep deploy's run folder (logs, configs) after it stops",
            "deploy"),
]}


def get(name: str) -> Any:
    """The setting's value now (typed), its default when unset or unparsable; None for "not configured"."""
    return SETTINGS[name].read()


def is_set(name: str) -> bool:
    """Whether the environment gives ``name`` a value (e.g. deploy only overrides what the operator left unset)."""
    return bool(os.environ.get(SETTINGS[name].name, "").strip())
