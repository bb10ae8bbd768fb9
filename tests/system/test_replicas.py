"""Two replicas behind nginx, one PostgreSQL: sessions land on different replicas and share one board.

`deploy.Cluster` starts what `python -m deploy` starts (the same nginx config); the database is the
test session's throw-away PostgreSQL (tests/support/pg.py). Chromium plays two attendees and the presenter.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.request

import pytest

from deploy.cluster import NGINX, Cluster
from explorer.classroom import service as classroom, storage
from tests.conftest import _missing
from playwright.sync_api import expect

from tests.support.streamlit_server import (CHROMIUM, ROOT, assert_no_exception, charts_drawn, launch_chromium,
                                            new_context, wait_for_app)

pytestmark = [pytest.mark.replicas, pytest.mark.browser, pytest.mark.postgres]
REPLICA = re.compile(r"Served by replica (r\d+)")
SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def cluster(pg_cluster, fashion):
    if not (os.path.exists(NGINX) or shutil.which("nginx")):
        _missing("nginx is not installed (`apt-get install nginx`; `make test` does it as root)")
    with Cluster(replicas=2, db_url=pg_cluster.create_database()) as running:
        yield running


@pytest.fixture(autouse=True)
def logs_on_failure(request):
    """A failing test shows what the replicas and nginx said (their logs go when the cluster stops)."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "cluster" in request.fixturenames:
        run_dir = request.getfixturevalue("cluster").run_dir
        for log in sorted(run_dir.glob("*.log")):
            print(f"--- {log.name}, last lines ---")
            print("\n".join(log.read_text(errors="replace").splitlines()[-40:]))


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        _missing(f"Debian's Chromium is not at {CHROMIUM} (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


def replica_of(page) -> str:
    marker = page.locator("[data-testid='stSidebar']").get_by_text(REPLICA)
    return REPLICA.search(marker.inner_text(timeout=30_000)).group(1)


def board_metric(page, label: str):
    """The value of the board's counter called ``label`` ("runs shared", "people", …)."""
    named = page.locator("[data-testid='stMetricLabel']").filter(has_text=re.compile(rf"^\s*{label}\s*$"))
    return page.locator("[data-testid='stMetric']").filter(has=named).locator("[data-testid='stMetricValue']")


def test_the_proxy_names_the_replica_and_keeps_a_browser_on_it(cluster):
    first = urllib.request.urlopen(f"{cluster.url}/_stcore/health")
    name = first.headers["X-Replica"]
    assert name in cluster.replica_urls
    cookie = next(c for c in first.headers.get_all("Set-Cookie") if c.startswith("mlpx_replica="))
    assert cookie.startswith(f"mlpx_replica={name};")
    pinned = urllib.request.Request(f"{cluster.url}/_stcore/health", headers={"Cookie": f"mlpx_replica={name}"})
    assert {urllib.request.urlopen(pinned).headers["X-Replica"] for _ in range(4)} == {name}
    fresh = {urllib.request.urlopen(f"{cluster.url}/_stcore/health").headers["X-Replica"] for _ in range(4)}
    assert fresh == set(cluster.replica_urls)  # newcomers are spread over both


@pytest.mark.parametrize("megabytes, refused", [(4.9, False), (7, True)])
def test_the_proxy_lets_a_5_mb_photo_through_and_refuses_more(cluster, megabytes, refused):
    body = b"x" * int(megabytes * 1024 * 1024)
    request = urllib.request.Request(f"{cluster.url}/_stcore/upload_file/s/f", data=body, method="PUT")
    try:
        status = urllib.request.urlopen(request).status
    except urllib.error.HTTPError as err:
        status = err.code
    assert (status == 413) == refused, status  # behind nginx, Streamlit answers the smaller one itself
    # Streamlit may reset an upload it refuses mid-body; that must not take the replicas out of rotation
    # (nginx's default did, for 10 s: every next visitor got a 502).
    for _ in range(len(cluster.replica_urls)):
        assert urllib.request.urlopen(f"{cluster.url}/_stcore/health").status == 200
    assert "temporarily disabled" not in (cluster.run_dir / "nginx-error.log").read_text()


def test_two_attendees_on_two_replicas_share_one_board(cluster, browser):
    engine = storage.connect(cluster.db_url)
    code = classroom.start_class(engine, train_size=1000, epochs=1)
    attendees = {}  # replica → (context, page)
    contexts = []
    for _ in range(6):  # round-robin gives a new browser the next replica; allow stray requests
        context = new_context(browser)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{cluster.url}/Train_an_MLP?class={code}")
        wait_for_app(page)
        attendees.setdefault(replica_of(page), page)
        if len(attendees) == 2:
            break
    assert sorted(attendees) == ["r1", "r2"]

    nicknames = {}
    for name, page in attendees.items():
        page.get_by_role("button", name="▶ Train").click()
        page.get_by_text("Most confused pairs").wait_for(timeout=120_000)
        page.get_by_role("button", name="📤 Share with the class").click()
        page.get_by_text(re.compile("is on the board of class")).wait_for(timeout=30_000)
        assert_no_exception(page)
        assert replica_of(page) == name  # the websocket stayed on its replica through every rerun
        nicknames[name] = page.get_by_role("textbox", name="Your nickname on the class board").input_value()

    board = classroom.board(engine, code)
    assert sorted(r["nickname"] for r in board["runs"]) == sorted(nicknames.values())

    for name in attendees:  # the presenter view, opened on either replica, shows both runs
        context = new_context(browser)
        contexts.append(context)
        context.add_cookies([{"name": "mlpx_replica", "value": name, "url": cluster.url}])
        page = context.new_page()
        page.goto(f"{cluster.url}/Class_board?class={code}")
        wait_for_app(page)
        assert replica_of(page) == name
        # The board refreshes every few seconds and draws its counters one after another: wait for each.
        expect(board_metric(page, "runs shared")).to_have_text("2", timeout=60_000)
        expect(board_metric(page, "people")).to_have_text("2", timeout=60_000)
        charts_drawn(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"replicas_board_{name}.png"), full_page=True)
    for context in contexts:
        context.close()
