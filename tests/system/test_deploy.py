"""`python -m deploy` as an operator runs it: no secret printed or in any process's arguments, files
private from their first instant, no replica running as root, per-address limits a room can live
with, and a sticky cookie that survives a failover.

The end-to-end tests start ``python -m deploy --replicas 2 --postgres --port 0`` once for the module
(a real nginx, two Streamlit replicas, a throw-away PostgreSQL) and read what it started from /proc.
"""

from __future__ import annotations

import http.client
import os
import pwd
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy import cluster as deploy_cluster
from deploy.__main__ import main
from deploy.cluster import NGINX, Cluster
from deploy.probes import http_ok
from deploy.credentials import masked, private_dir, with_password, write_private
from deploy.users import replica_user
from tests.conftest import _missing
from tests.support.streamlit_server import ROOT, wait_for_app

PASSWORD = "correct-horse-battery-staple-42"


# ---------------------------------------------------------------- secrets, without starting anything

def test_urls_are_printed_with_the_password_masked():
    url = f"postgresql+psycopg://explorer:{PASSWORD}@db.example:5432/explorer"
    assert masked(url) == "postgresql+psycopg://explorer:***@db.example:5432/explorer"
    assert masked("postgresql+psycopg://explorer@db.example/explorer") == "postgresql+psycopg://explorer@db.example/explorer"
    assert PASSWORD not in masked(f"not a url {PASSWORD}")


def test_a_password_on_the_command_line_is_refused_without_echoing_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--replicas", "2", "--db-url", f"postgresql+psycopg://explorer:{PASSWORD}@127.0.0.1/explorer"])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert "shows in `ps`" in err and "explorer:***@" in err
    assert PASSWORD not in out + err


def test_the_password_file_completes_the_url(tmp_path):
    secret = write_private(tmp_path / "pw", PASSWORD + "\n")
    assert with_password("postgresql+psycopg://explorer@h:5432/db", secret) == \
        f"postgresql+psycopg://explorer:{PASSWORD}@h:5432/db"
    with pytest.raises(ValueError, match="is empty"):
        with_password("postgresql+psycopg://explorer@h/db", write_private(tmp_path / "empty", "\n"))


def test_private_files_are_0600_from_creation_in_a_0700_dir(tmp_path):
    old = os.umask(0)  # the most permissive umask: the modes must not depend on it
    try:
        folder = private_dir(tmp_path / "secret")
        secret = write_private(folder / "pgpass", PASSWORD)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == PASSWORD
    with pytest.raises(FileExistsError):  # O_EXCL: never reuse a file someone prepared
        write_private(secret, "again")
    (folder / "planted").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileExistsError):  # nor follow a planted symlink
        write_private(folder / "planted", PASSWORD)
    assert not (tmp_path / "elsewhere").exists()


def test_no_single_failed_request_takes_a_replica_out_of_rotation(tmp_path):
    """Every upstream server has max_fails=0: nginx's default (1 failure: out for 10 s) let one upload that
    Streamlit refused mid-body take every replica out, and each next visitor got a 502."""
    config = deploy_cluster.nginx_config(tmp_path, 8080, {"r1": 9001, "r2": 9002})
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+[^;]*;", config, flags=re.M)
    assert len(servers) == 2 + 2 * 2  # the round-robin pool, and each replica's pool with its backup
    assert all("max_fails=0" in server for server in servers), servers
    assert sum("backup" in server for server in servers) == 2


def test_postgresql_is_the_newest_installed(monkeypatch):
    monkeypatch.delenv("EXPLORER_PG_BIN", raising=False)
    found = [f"/usr/lib/postgresql/{v}/bin/pg_ctl" for v in (9, 17, 15)]
    monkeypatch.setattr(deploy_cluster.glob, "glob", lambda pattern: found)
    assert deploy_cluster.pg_bindir() == Path("/usr/lib/postgresql/17/bin")
    monkeypatch.setenv("EXPLORER_PG_BIN", "/opt/pg/bin")
    assert deploy_cluster.pg_bindir() == Path("/opt/pg/bin")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root switches users")
def test_the_replicas_user_is_never_root(monkeypatch):
    monkeypatch.delenv("EXPLORER_RUN_AS", raising=False)
    assert replica_user().pw_name == "nobody"
    monkeypatch.setenv("EXPLORER_RUN_AS", "root")
    with pytest.raises(ValueError, match="is root"):
        replica_user()
    monkeypatch.setenv("EXPLORER_RUN_AS", "no-such-user-here")
    with pytest.raises(ValueError, match="no such user"):
        replica_user()


@pytest.mark.postgres
def test_initdb_reads_its_password_from_a_private_file(monkeypatch, tmp_path):
    try:
        deploy_cluster.pg_bindir()
    except FileNotFoundError as err:
        _missing(str(err))
    seen = {}
    real_run = subprocess.run

    def spy(command, *args, **kwargs):
        if str(command[0]).endswith("initdb"):
            pwfile = Path(next(a for a in command if str(a).startswith("--pwfile=")).split("=", 1)[1])
            seen.update(file=stat.S_IMODE(pwfile.stat().st_mode), dir=stat.S_IMODE(pwfile.parent.stat().st_mode))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(deploy_cluster.subprocess, "run", spy)
    cluster = Cluster(replicas=1, postgres=True)
    cluster.run_dir = Path(deploy_cluster.tempfile.mkdtemp(prefix="explorer-test-pg-"))
    cluster.run_dir.chmod(0o755)
    try:
        url = cluster._start_postgres()
    finally:
        cluster.stop()
    assert seen == {"file": 0o600, "dir": 0o700}
    assert masked(url).startswith("postgresql+psycopg://explorer:***@127.0.0.1:")
    assert not (cluster.run_dir / "secret" / "pgpass").exists()


# ---------------------------------------------------------------- python -m deploy, end to end

def children() -> dict[int, list[int]]:
    """ppid → pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the command name (field 2) is in parentheses and may hold spaces: split after it
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def uids(pid: int) -> tuple[list[int], list[int], str]:
    """(real, effective, saved, fs uids), the same for gids, and the supplementary groups."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return ([int(u) for u in fields["Uid"].split()], [int(g) for g in fields["Gid"].split()],
            fields["Groups"].strip())


def running(pid: int) -> bool:
    try:  # a zombie (state Z) has ended; only its parent has not collected it yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def environment(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode(errors="replace").split("=", 1) for p in pairs if b"=" in p)


class Deployed:
    def __init__(self, process: subprocess.Popen, lines: list[str], later: queue.Queue, stderr: Path):
        self.process, self.lines, self.later, self.stderr_file = process, lines, later, stderr
        self.url = re.search(r"MLP Explorer: (http://\S+)", lines[0]).group(1)
        self.replicas = dict(re.findall(r"(r\d+) (http://\S+?)[,)]", lines[0]))
        self.started = descendants(process.pid)

    def output(self) -> str:
        """Everything it printed so far, on stdout and stderr."""
        while not self.later.empty():
            self.lines.append(self.later.get().rstrip("\n"))
        return "\n".join(self.lines) + self.stderr_file.read_text(errors="replace")

    def replica_pid(self, name: str) -> int:
        port = self.replicas[name].rsplit(":", 1)[1]
        return next(p for p in self.started if "streamlit" in cmdline(p) and f"--server.port {port} " in cmdline(p))


def needs_nginx_and_postgres() -> None:
    if not os.path.exists(NGINX):
        _missing("nginx is not installed (`apt-get install nginx`; `make test` does it as root)")
    try:
        deploy_cluster.pg_bindir()
    except FileNotFoundError as err:
        _missing(str(err))


@contextmanager
def launched(arguments: list[str], folder: Path, **environment):
    """``python -m deploy *arguments`` until it printed its last start-up line; SIGTERM at the end."""
    stderr = folder / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("EXPLORER_DB_URL", "EXPLORER_RUN_AS")}
    with open(stderr, "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "deploy", "--port", "0", *arguments],
                                   cwd=ROOT, env={**env, **environment}, stdout=subprocess.PIPE, stderr=err, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    printed = []
    try:
        while not printed or "Ctrl-C stops everything" not in printed[-1]:
            if process.poll() is not None:
                pytest.fail(f"python -m deploy exited with {process.returncode}:\n{stderr.read_text()}")
            try:
                printed.append(lines.get(timeout=1).rstrip("\n"))
            except queue.Empty:
                pass
        yield Deployed(process, printed, lines, stderr)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=90)


@pytest.fixture(scope="module")
def deployed(fashion, tmp_path_factory):
    needs_nginx_and_postgres()
    with launched(["--replicas", "2", "--postgres"], tmp_path_factory.mktemp("deploy")) as running:
        yield running


@pytest.mark.replicas
@pytest.mark.postgres
def test_the_password_is_in_no_output_and_no_command_line(deployed):
    replica_env = environment(deployed.replica_pid("r1"))
    password = re.search(r"://explorer:([^@]+)@", replica_env["EXPLORER_DB_URL"]).group(1)  # it got there
    assert len(password) >= 16
    assert "PostgreSQL: postgresql+psycopg://explorer:***@127.0.0.1:" in deployed.output()
    assert password not in deployed.output()
    assert {"nginx", "postgres", "streamlit"} <= {w for p in deployed.started for w in re.findall(r"\w+", cmdline(p))}
    for pid in [deployed.process.pid, *deployed.started]:
        assert password not in cmdline(pid), cmdline(pid)


@pytest.mark.replicas
@pytest.mark.postgres
def test_no_replica_runs_as_root(deployed):
    replicas = [deployed.replica_pid(name) for name in deployed.replicas]
    if os.geteuid() != 0:  # nothing to drop: they run as the launcher
        assert all(uids(pid)[0] == [os.getuid()] * 4 for pid in replicas)
        return
    nobody = pwd.getpwnam("nobody")
    for pid in replicas:
        user, group, groups = uids(pid)
        assert user == [nobody.pw_uid] * 4 and group == [nobody.pw_gid] * 4, (user, group)
        assert groups == ""  # root's supplementary groups are not kept
        assert environment(pid)["HOME"].startswith("/tmp/explorer-cluster-")
    servers = [p for p in deployed.started if re.match(r"\S*postgres ", cmdline(p))]
    workers = [p for p in deployed.started if cmdline(p).startswith("nginx: worker")]
    assert servers and workers
    assert {uids(p)[0][0] for p in servers} == {pwd.getpwnam("postgres").pw_uid}
    assert 0 not in {uids(p)[0][1] for p in workers}


@pytest.mark.replicas
@pytest.mark.postgres
@pytest.mark.parametrize("how", ["password file", "environment"])
def test_an_existing_databases_password_reaches_the_replica_only(fashion, pg_cluster, tmp_path, how):
    needs_nginx_and_postgres()
    url = pg_cluster.create_database()  # trust authentication: any password is accepted
    secret_url = url.replace("://postgres@", f"://postgres:{PASSWORD}@")
    if how == "password file":
        arguments, env = ["--db-url", url, "--db-password-file", str(write_private(tmp_path / "pw", PASSWORD))], {}
    else:
        arguments, env = [], {"EXPLORER_DB_URL": secret_url}
    with launched(["--replicas", "1", *arguments], tmp_path, **env) as running:
        assert environment(running.replica_pid("r1"))["EXPLORER_DB_URL"] == secret_url
        for pid in [running.process.pid, *running.started]:
            assert PASSWORD not in cmdline(pid), cmdline(pid)
    assert PASSWORD not in running.output()


def _statuses(url: str, path: str, count: int, source: str, threads: int = 8) -> list[int]:
    """``count`` GETs of ``path`` from the client address ``source`` (any 127.x.y.z), ``threads`` at a time."""
    host, port = url.removeprefix("http://").split(":")

    def batch(n: int) -> list[int]:
        connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
        got = []
        for _ in range(n):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            got.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        connection.close()
        return got

    with ThreadPoolExecutor(threads) as pool:
        return [s for part in pool.map(batch, [count // threads] * threads) for s in part]


@pytest.mark.replicas
@pytest.mark.postgres
@pytest.mark.browser
def test_a_room_behind_one_address_passes_and_a_flood_gets_429(deployed, browser):
    from tests.support.streamlit_server import new_context

    # A room of 60 behind one NAT'd address arrives at once: about 6 page requests each.
    room = _statuses(deployed.url, "/_stcore/health", 360, "127.0.0.3")
    assert set(room) == {200}, {s: room.count(s) for s in set(room)}
    # One client floods: nginx answers most of it itself, with 429.
    flood = _statuses(deployed.url, "/_stcore/health", 1600, "127.0.0.2")
    counts = {s: flood.count(s) for s in set(flood)}
    assert counts.get(429, 0) >= 100 and counts.get(200, 0) >= 400 and set(counts) == {200, 429}, counts
    # Meanwhile an ordinary visitor (another address) loads pages with all their assets: no 429.
    context = new_context(browser)
    page = context.new_page()
    statuses = []
    page.on("response", lambda response: statuses.append((response.status, response.url)))
    for path in ("/", "/Train_an_MLP"):
        page.goto(deployed.url + path)
        wait_for_app(page)
    context.close()
    # (Streamlit's frontend probes /Train_an_MLP/_stcore/health before /_stcore/health: those 404s are its own.)
    assert len(statuses) > 50 and not [s for s in statuses if s[0] in (429, 503) or s[0] >= 500], statuses


@pytest.mark.replicas
@pytest.mark.postgres
def test_after_a_failover_the_cookie_names_the_surviving_replica(deployed):
    host, port = deployed.url.removeprefix("http://").split(":")

    def get(cookie: str) -> tuple[str, str | None]:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", "/_stcore/health", headers={"Cookie": f"mlpx_replica={cookie}"})
        response = connection.getresponse()
        response.read()
        connection.close()
        sticky = [c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("mlpx_replica=")]
        return response.headers["X-Replica"], sticky[0] if sticky else None

    assert get("r1") == ("r1", "mlpx_replica=r1; Path=/; HttpOnly; SameSite=Lax")
    os.kill(deployed.replica_pid("r1"), signal.SIGTERM)
    deadline = time.monotonic() + 60
    while http_ok(f"{deployed.replicas['r1']}/_stcore/health"):
        assert time.monotonic() < deadline, "r1 did not stop"
        time.sleep(0.2)
    # The first request after the failure tries r1, then its backup r2: $upstream_addr is "r1, r2".
    assert get("r1") == ("r2", "mlpx_replica=r2; Path=/; HttpOnly; SameSite=Lax")
    assert {get("r2")[0] for _ in range(4)} == {"r2"}  # and the browser stays there


@pytest.mark.replicas
@pytest.mark.postgres
def test_sigterm_stops_everything_it_started(deployed):
    deployed.process.send_signal(signal.SIGTERM)
    assert deployed.process.wait(timeout=90) == 0
    alive = [pid for pid in deployed.started if running(pid)]
    assert not alive, [cmdline(p) for p in alive]
    assert "stopped" in deployed.stderr_file.read_text()
    assert re.search(r"://explorer:\*\*\*@", deployed.output()) and "://explorer:" not in deployed.output().replace(
        "://explorer:***@", "")  # the only database URL it ever printed is the masked one
    run_dir = re.search(r"logs: (\S+)", deployed.output()).group(1)
    assert not Path(run_dir).exists()


def test_a_password_file_others_can_read_gets_a_warning(tmp_path, monkeypatch, capsys):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    secret.chmod(0o644)
    monkeypatch.setattr("deploy.__main__.serve", lambda args: None)  # parse and check only
    monkeypatch.setattr("deploy.__main__.signal.signal", lambda *args: None)  # keep pytest's SIGTERM
    assert main(["--db-url", "postgresql+psycopg://u@h/db", "--db-password-file", str(secret)]) == 0
    err = capsys.readouterr().err
    assert "readable by others (mode 644)" in err and PASSWORD not in err
