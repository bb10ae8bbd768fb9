"""Who the replicas run as: started as root, never root.

A Streamlit replica runs code that strangers steer (uploads, links, a drawing), so it runs as an
unprivileged user: ``$EXPLORER_RUN_AS``, default ``nobody``, with that user's group only and umask
077. What such a user needs, and how it gets it:

- the interpreter, the venv and the project: read only. A Python under ``/root`` (pyenv's, as on
  our CI) is out of its reach; then the replicas use the system's Python of the same version
  (``/usr/bin/python3.11``) with the venv's packages (a small venv in the run dir whose
  site-packages is a link to ours). If neither works the launcher stops and says why.
- the data dir: read only, so run ``python -m explorer data`` before (``make setup`` does).
- a home in the run dir (``HOME``): Streamlit's and the libraries' caches, and the model cache,
  seeded with the launcher's cached models (``$EXPLORER_CACHE_DIR`` is kept if set: make it
  writable by that user, or the quick model is retrained once per replica).
- the class board: PostgreSQL; a single replica without a database URL keeps its SQLite board in
  that home, so it goes when the launcher stops.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from deploy.credentials import private_dir
from explorer import settings

RUN_AS = "EXPLORER_RUN_AS"
DEFAULT_USER = "nobody"


def replica_user() -> pwd.struct_passwd | None:
    """The user the replicas run as, or None when the launcher is not root (they run as the launcher)."""
    if os.geteuid() != 0:
        return None
    name = settings.get(RUN_AS)
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        raise ValueError(f"{RUN_AS}={name}: no such user") from None
    if user.pw_uid == 0:
        raise ValueError(f"{RUN_AS}={name} is root; name an unprivileged user (default {DEFAULT_USER})")
    return user


def as_user(user: pwd.struct_passwd | None) -> dict:
    """``subprocess.Popen`` arguments that start a child as ``user``, with no supplementary groups."""
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "umask": 0o077}


def can_run(python: str | Path, user: pwd.struct_passwd | None, root: Path) -> bool:
    """Can ``user`` start ``python`` with our packages and read the project?"""
    probe = f"import streamlit.version, sqlalchemy; open({str(root / 'app.py')!r}).close()"
    try:
        done = subprocess.run([str(python), "-c", probe], capture_output=True, cwd="/", timeout=60, **as_user(user))
    except OSError:  # not even allowed to start it
        return False
    return done.returncode == 0


def interpreter(user: pwd.struct_passwd | None, run_dir: Path, root: Path) -> str:
    """A Python that ``user`` can run, with the venv's packages."""
    if user is None or can_run(sys.executable, user, root):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/local/bin:/usr/bin")
    if system and sys.prefix != sys.base_prefix:  # we run in a venv: lend its packages to the system's Python
        venv = run_dir / "venv"
        site = venv / "lib" / version / "site-packages"
        site.parent.mkdir(parents=True)
        site.symlink_to(sysconfig.get_paths()["purelib"])
        (venv / "bin").mkdir()
        (venv / "bin" / "python").symlink_to(system)
        (venv / "pyvenv.cfg").write_text(f"home = {Path(system).parent}\ninclude-system-site-packages = false\n")
        if can_run(venv / "bin" / "python", user, root):
            return str(venv / "bin" / "python")
    raise RuntimeError(f"user {user.pw_name} cannot run {sys.executable} or read {root} (a Python or a "
                       f"project under /root?). Install them where that user can read them, or name "
                       f"another user in {RUN_AS}; the replicas never run as root.")


def replica_home(user: pwd.struct_passwd | None, run_dir: Path) -> dict[str, str]:
    """Environment for replicas that run as ``user``: a private home in the run dir, the model cache in it."""
    if user is None:
        return {}
    home = private_dir(run_dir / "home", user)
    env = {"HOME": str(home), "USER": user.pw_name, "LOGNAME": user.pw_name, "XDG_CACHE_HOME": str(home / ".cache")}
    if not settings.is_set("EXPLORER_CACHE_DIR"):
        ours = settings.get("EXPLORER_CACHE_DIR")  # the launcher's own cache
        theirs = home / ".cache" / "mlp-explorer"
        theirs.mkdir(parents=True)
        for model in ours.glob("model-*.pt"):  # the quick model, trained once, stays a load, not a retrain
            shutil.copyfile(model, theirs / model.name)
        for path in (home / ".cache", theirs, *theirs.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
    if not settings.is_set("EXPLORER_DB_URL"):
        env["EXPLORER_DB_URL"] = f"sqlite:///{home / 'classroom.sqlite'}"  # the data dir is read-only to them
    return env
