"""A throw-away PostgreSQL cluster on a free loopback port, for the `postgres` and `replicas` tests.

Debian's server binaries (``apt-get install postgresql``) are used directly: ``initdb`` into a temp
dir, ``pg_ctl start`` on 127.0.0.1, ``pg_ctl stop`` at the end. PostgreSQL refuses to run as root,
so under root (CI) the cluster belongs to the ``postgres`` system user, created if it is missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from tests.support.streamlit_server import free_port


def pg_bindir() -> Path | None:
    """Newest Debian PostgreSQL, else whatever ``pg_ctl`` is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _owner() -> pwd.struct_passwd | None:
    """The user the server runs as: ourselves, or ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "postgres"], check=True)
        return pwd.getpwnam("postgres")


class Cluster:
    def __init__(self, bindir: Path, root: Path, port: int, owner: pwd.struct_passwd | None):
        self.bindir, self.root, self.port, self.owner = bindir, root, port, owner
        self.datadir = root / "data"

    def _run(self, *command: str, timeout: float = 60) -> None:
        kwargs = {"user": self.owner.pw_uid, "group": self.owner.pw_gid} if self.owner else {}
        subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd=self.root, **kwargs)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(statement)


@contextmanager
def cluster():
    """Yield a running :class:`Cluster`; stop it and delete its files afterwards."""
    bindir = pg_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix="explorer-pg-"))
    if owner:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    c = Cluster(bindir, root, free_port(), owner)
    try:
        c._run(str(bindir / "initdb"), "-D", str(c.datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
               "--no-sync", "--no-instructions")
        options = f"-p {c.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c max_connections=200"
        c._run(str(bindir / "pg_ctl"), "-D", str(c.datadir), "-o", options, "-l", str(root / "log"), "-w",
               "start")
        yield c
    finally:
        if (c.datadir / "postmaster.pid").exists():
            try:
                c._run(str(bindir / "pg_ctl"), "-D", str(c.datadir), "-m", "immediate", "-w", "stop")
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(root, ignore_errors=True)
