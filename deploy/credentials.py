"""The database password: never printed, never on a command line, never readable by others.

A ``ps`` shows every process's arguments to every user, so the password reaches the replicas
through their environment (``EXPLORER_DB_URL``; ``/proc/<pid>/environ`` is readable only by the
process's own user and root). The launcher takes it from ``$EXPLORER_DB_URL`` or from a file
(``--db-password-file``), and prints URLs with ``***`` in its place.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def masked(url: str) -> str:
    """``postgresql+psycopg://u:***@h/db``: safe to print or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a database URL>"  # it could be anything, a password included


def has_password(url: str) -> bool:
    try:
        return make_url(url).password is not None
    except ArgumentError:
        return False


def with_password(url: str, password_file: str | Path) -> str:
    """``url`` with the password read from the first line of ``password_file``."""
    lines = Path(password_file).read_text().splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise ValueError(f"{password_file} is empty: its first line should be the database password")
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def private_dir(path: Path, owner: pwd.struct_passwd | None = None) -> Path:
    """A new directory only its owner can enter (0700, whatever the umask)."""
    path.mkdir(mode=0o700)
    path.chmod(0o700)  # mkdir's mode is filtered by the umask; this one is not (it can only be ≤ 0700 anyway)
    if owner:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    return path


def write_private(path: Path, text: str, owner: pwd.struct_passwd | None = None) -> Path:
    """Create ``path`` at 0600 from its first instant (never 0644 then chmod), refusing one that exists
    or a symlink planted in its place, and write ``text`` into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        if owner:
            os.fchown(fd, owner.pw_uid, owner.pw_gid)
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    return path
