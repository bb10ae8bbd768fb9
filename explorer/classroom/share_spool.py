"""Shares that wait for the class board's database, kept on disk: a closed tab, a reload or a replica
restart loses none of them.

Each waiting share is one small JSON file in the spool folder (written to a temporary name, then
renamed, so a crash never leaves half a file). The session that shared a run sends it as soon as it
can; a thread of the server retries every file every few seconds, for the tabs that were closed.
Sending twice is harmless: the board stores a (class, session, run) once.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from explorer.classroom import service as classroom, storage

MAX_WAITING = 5000  # files: the folder cannot grow without bound while the database is away
RETRY_SECONDS = 10


class Spool:
    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def _path(self, code: str, session_id: str, run_key: str) -> Path:
        name = hashlib.sha256(f"{code}\0{session_id}\0{run_key}".encode()).hexdigest()[:32]
        return self.folder / f"{name}.json"

    def put(self, code: str, session_id: str, nickname: str, run_key: str, payload: dict) -> Path:
        """Keep one share until it is sent; raises :class:`classroom.SharingRefused` when the spool is full."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(code, session_id, run_key)
        if not path.exists() and len(self.waiting()) >= MAX_WAITING:
            raise classroom.SharingRefused("Too many shares are waiting for the class board; try again later.")
        body = json.dumps(storage.json_safe({"code": code, "session_id": session_id, "nickname": nickname,
                                             "run_key": run_key, "payload": payload}))
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(body)
        os.replace(temporary, path)
        return path

    def waiting(self) -> list[Path]:
        return sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []

    def send(self, engine, path: Path) -> int | None:
        """Send one waiting share: its board id, or None while the database is unreachable. A refused
        share (class closed, board full, …) is dropped and its reason raised."""
        try:
            item = json.loads(path.read_text())
        except FileNotFoundError:
            return None  # another thread sent it a moment ago
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # unreadable: nothing to send
            return None
        try:
            board_id = classroom.share_run(engine, item["code"], item["session_id"], item["nickname"],
                                           item["run_key"], item["payload"])
        except classroom.BoardUnavailable:
            return None
        except classroom.ClassroomError:
            path.unlink(missing_ok=True)
            raise
        path.unlink(missing_ok=True)
        return board_id

    def flush(self, engine) -> int:
        """Send what waits, oldest first, until the database is unreachable; returns how many were sent."""
        sent = 0
        for path in self.waiting():
            try:
                if self.send(engine, path) is None:
                    if path.exists():
                        break  # the database is away: the rest waits too
                    continue
            except classroom.ClassroomError:
                continue  # refused for good: dropped
            sent += 1
        return sent


def start_retrying(spool: Spool, url: str, every: float = RETRY_SECONDS) -> threading.Event:
    """A daemon thread that flushes ``spool`` into the database at ``url`` every ``every`` seconds; set the
    returned event to stop it."""
    stop = threading.Event()
    engine = storage.connect(url)

    def retry() -> None:
        while not stop.wait(every):
            try:
                spool.flush(engine)
            except Exception:  # noqa: BLE001 (a retry loop must outlive any one bad moment)
                continue

    threading.Thread(target=retry, name="share-spool", daemon=True).start()
    return stop
