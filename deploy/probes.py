"""Is a process up yet? Waiting for a server to answer, and warming a replica before the room arrives."""

from __future__ import annotations

import asyncio
import subprocess
import time
import urllib.request
from pathlib import Path


def wait_until(check, what: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}; see {log}:\n{_tail(log)}")
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s; see {log}")


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def _open_landing_page(url: str) -> None:
    # A browser's first message: run the main script for the landing page; wait until it finished.
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None) as ws:
        hello = BackMsg()
        hello.rerun_script.page_name = ""
        await ws.send(hello.SerializeToString())
        async for raw in ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "script_finished":
                return


def warm_up(url: str, timeout: float = 120) -> None:
    """Open the landing page once, as the README advises before a class: it loads Fashion-MNIST into
    the server's memory, and until app.py has run once Streamlit serves a deep link such as
    /Train_an_MLP straight from pages/, without app.py's navigation and replica marker."""
    asyncio.run(asyncio.wait_for(_open_landing_page(url), timeout))


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False
