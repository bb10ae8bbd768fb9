"""Start N Streamlit replicas behind nginx, and when asked a throw-away PostgreSQL, all on loopback.

    with Cluster(replicas=2, postgres=True) as cluster:
        print(cluster.url, cluster.replica_urls, cluster.db_url)

Everything lives in one temporary run directory (nginx config and logs, the PostgreSQL cluster,
each replica's log and home) and is stopped and removed on exit. ``python -m deploy`` is the command
line. Started as root, the replicas run as an unprivileged user (``deploy.users``) and PostgreSQL as
``postgres``; the database password reaches them through their environment, never their arguments
(``deploy.credentials``).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from deploy.credentials import private_dir, write_private
from deploy.probes import http_ok, wait_until, warm_up
from deploy.users import as_user, interpreter, replica_home, replica_user
from explorer import settings

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.in")
NGINX = settings.get("EXPLORER_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "127.0.0.1"
PG_USER = "postgres"  # PostgreSQL refuses to run as root; Debian's package creates this user
NGINX_USER = "www-data"  # nginx's workers, when it starts as root: not the replicas' user


def pg_bindir() -> Path:
    """``$EXPLORER_PG_BIN``, else the newest Debian PostgreSQL, else whatever ``pg_ctl`` is on PATH."""
    if settings.get("EXPLORER_PG_BIN"):
        return settings.get("EXPLORER_PG_BIN")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise FileNotFoundError("PostgreSQL's server binaries are not installed (apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def nginx_config(run_dir: Path, listen_port: int, replicas: dict[str, int]) -> str:
    """The nginx.conf.in template with one upstream per replica (the others as its backups).

    After a failover ``$upstream_addr`` lists every server tried ("127.0.0.1:1, 127.0.0.1:2"): the
    replica that answered is the last one, so the names are matched at the end of that list."""
    # max_fails=0: one failed request must not take a replica out of rotation. Streamlit resets the
    # connection of an upload it refuses mid-body; nginx's default (max_fails=1, fail_timeout=10s) then
    # marked every replica down for 10 s, and every visitor got a 502 (one hostile upload sufficed). A
    # replica that is really down refuses at once on loopback, and each request still fails over to the next.
    lines = ["    upstream explorer_rr {"] + [f"        server {HOST}:{p} max_fails=0;" for p in replicas.values()]
    lines += ["    }"]
    for name, port in replicas.items():
        backups = [f"        server {HOST}:{p} max_fails=0 backup;" for n, p in replicas.items() if n != name]
        lines += [f"    upstream replica_{name} {{", f"        server {HOST}:{port} max_fails=0;", *backups, "    }"]
    lines += ["    map $cookie_mlpx_replica $replica_pool {", "        default explorer_rr;"]
    lines += [f"        {name} replica_{name};" for name in replicas] + ["    }"]
    lines += ["    map $upstream_addr $replica_name {", '        default "";']
    lines += [f'        "~(^|[ ,:]){HOST.replace(".", "[.]")}:{port}$" {name};' for name, port in replicas.items()]
    lines += ["    }"]
    text = TEMPLATE.read_text()
    user = ""
    if os.geteuid() == 0:  # workers as their own user; without this line nginx's default is nobody
        try:
            user = f"user {pwd.getpwnam(NGINX_USER).pw_name};"
        except KeyError:
            pass
    return (text.replace("@RUN@", str(run_dir)).replace("@LISTEN@", f"{HOST}:{listen_port}")
            .replace("@USER@", user).replace("@UPSTREAMS@", "\n".join(lines)))


class Cluster:
    """N replicas (r1, r2, …) + nginx (+ PostgreSQL); a context manager that stops them all."""

    def __init__(self, replicas: int = 2, port: int = 0, postgres: bool = False, db_url: str | None = None,
                 env: dict[str, str] | None = None):
        if replicas < 1:
            raise ValueError("at least one replica")
        self.n, self.port, self.want_postgres = replicas, port or free_port(), postgres
        self.db_url, self.env = db_url, dict(env or {})
        self.url = f"http://{HOST}:{self.port}"
        self.replica_urls: dict[str, str] = {}
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.run_dir: Path | None = None

    # ------------------------------------------------------------------ start
    def __enter__(self) -> Cluster:
        self.run_dir = Path(tempfile.mkdtemp(prefix="explorer-cluster-"))
        self.run_dir.chmod(0o755)  # nginx workers and postgres run as other users and must get in
        try:
            if self.want_postgres:
                self.db_url = self._start_postgres()
            self._start_replicas()
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, name: str, command: list[str], log: Path, **kwargs) -> subprocess.Popen:
        with open(log, "w") as out:  # the child keeps its own handle; an unread pipe could block it
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        self.processes.append((name, process))
        return process

    def _start_postgres(self) -> str:
        data, sockets, log = self.run_dir / "pgdata", self.run_dir / "pgsocket", self.run_dir / "postgres.log"
        bindir, owner = pg_bindir(), pwd.getpwnam(PG_USER) if os.geteuid() == 0 else None
        password = secrets.token_urlsafe(16)
        # initdb reads the password from a file: 0600 from its first instant, in a 0700 dir, gone after.
        pwfile = write_private(private_dir(self.run_dir / "secret", owner) / "pgpass", password + "\n", owner)
        private_dir(data, owner)
        private_dir(sockets, owner)
        try:
            subprocess.run([bindir / "initdb", "-D", data, "-U", "explorer", "--auth=scram-sha-256",
                            f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"],
                           check=True, capture_output=True, **as_user(owner))
        finally:
            pwfile.unlink()
        port = free_port()
        # Loopback TCP only; the unix socket goes to the run dir, never to the system's /var/run.
        process = self._spawn("postgres", [bindir / "postgres", "-D", data, "-h", HOST, "-p", str(port),
                                           "-k", str(sockets), "-c", "max_connections=200"], log, **as_user(owner))

        def ready() -> bool:
            return subprocess.run([bindir / "pg_isready", "-h", HOST, "-p", str(port)],
                                  capture_output=True).returncode == 0
        wait_until(ready, "PostgreSQL", process, log, timeout=60)
        env = {**os.environ, "PGPASSWORD": password}  # the environment, not the arguments: ps shows those
        subprocess.run([bindir / "createdb", "-h", HOST, "-p", str(port), "-U", "explorer", "explorer"],
                       check=True, capture_output=True, env=env)
        return f"postgresql+psycopg://explorer:{password}@{HOST}:{port}/explorer"

    def _start_replicas(self) -> None:
        user = replica_user()
        python, home = interpreter(user, self.run_dir, ROOT), replica_home(user, self.run_dir)
        started = []
        for i in range(1, self.n + 1):
            name, port = f"r{i}", free_port()
            env = {**os.environ, **self.env, **home, "EXPLORER_REPLICA": name}
            if self.db_url:
                env["EXPLORER_DB_URL"] = self.db_url  # with its password: the environment, never argv
            command = [python, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                       "--server.address", HOST, "--server.headless", "true"]
            log = self.run_dir / f"{name}.log"
            process = self._spawn(name, command, log, cwd=ROOT, env=env, **as_user(user))
            self.replica_urls[name] = f"http://{HOST}:{port}"
            started.append((name, process, log))
        for name, process, log in started:  # they start in parallel; wait for each
            wait_until(lambda n=name: http_ok(f"{self.replica_urls[n]}/_stcore/health"), f"replica {name}",
                       process, log)
            warm_up(self.replica_urls[name])

    def _start_nginx(self) -> None:
        ports = {name: int(url.rsplit(":", 1)[1]) for name, url in self.replica_urls.items()}
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(self.run_dir, self.port, ports))
        log = self.run_dir / "nginx-stdout.log"
        process = self._spawn("nginx", [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e",
                                        str(self.run_dir / "nginx-error.log")], log)
        wait_until(lambda: http_ok(f"{self.url}/_stcore/health"), "nginx", process, self.run_dir / "nginx-error.log",
                   timeout=30)

    # ------------------------------------------------------------------ stop
    def stop(self) -> None:
        """Proxy first (no new requests), then the replicas, then the database; newest first."""
        for name, process in reversed(self.processes):
            if process.poll() is None:
                # nginx: QUIT is its graceful stop; postgres: INT is "fast" shutdown (rolls back, exits).
                process.send_signal({"nginx": signal.SIGQUIT, "postgres": signal.SIGINT}.get(name, signal.SIGTERM))
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()
        if self.run_dir and not settings.get("EXPLORER_KEEP_RUN_DIR"):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes}
