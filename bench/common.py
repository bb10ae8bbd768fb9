"""Helpers the benchmarks share (run them as ``python -m bench.NAME`` from the repository's root).

- :func:`time_script_runs`: every Streamlit script run in this process (AppTest's included), as
  (wall seconds, CPU seconds of its thread). The wall time is the server's time without AppTest's polling;
  the thread's CPU time is not inflated by other processes on a busy machine.
- A server's process tree, its CPU seconds and its memory, read from /proc (no psutil here).
- :func:`load`: the 1-minute load average, printed beside every figure (the machine may be shared).

    runs = time_script_runs()
    at.slider(key="degree").set_value(8).run()
    wall, cpu = runs[-1]
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    """The load average right now, for the line beside a figure."""
    return f"load {os.getloadavg()[0]:.1f}"


def time_script_runs() -> list[tuple[float, float]]:
    """Start recording; returns the list the runs are appended to."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    runs: list[tuple[float, float]] = []
    original = ScriptRunner._run_script

    def timed_run(self, rerun_data):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, rerun_data)
        finally:
            runs.append((time.perf_counter() - start, time.thread_time() - cpu))

    ScriptRunner._run_script = timed_run
    return runs


# ---------------------------------------------------------------- server memory (no psutil here)
def tree_pids(root: int) -> list[int]:
    """The server and every process below it (torch may fork helpers)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()  # the name may contain spaces and parentheses
        parents[int(stat.parent.name)] = int(fields[1])
    pids, frontier = [root], [root]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        pids += children
        frontier = children
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def split_cpu(server_pid: int) -> tuple[float, float]:
    """(server CPU s, browser-side CPU s): Chromium and Playwright are the rest of this script's tree."""
    server = set(tree_pids(server_pid))
    return cpu_seconds(list(server)), cpu_seconds([p for p in tree_pids(os.getpid()) if p not in server])


def status_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the RSS of the server's process tree every ``interval`` s; ``mark()`` starts a new phase."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peaks: dict[str, tuple[int, int]] = {}  # phase -> (RSS, RssAnon) peaks in kB
        self.phase = "idle server"
        self.stop_event = threading.Event()

    def mark(self, phase: str) -> None:
        self.phase = phase

    def rss_kb(self) -> tuple[int, int]:
        """(RSS, RssAnon): RSS counts torch's shared libraries too; RssAnon is the process's own heap."""
        pids = tree_pids(self.pid)
        return sum(status_kb(pid, "VmRSS") for pid in pids), sum(status_kb(pid, "RssAnon") for pid in pids)

    def run(self) -> None:
        while not self.stop_event.is_set():
            rss, anon = self.rss_kb()
            old_rss, old_anon = self.peaks.get(self.phase, (0, 0))
            self.peaks[self.phase] = max(old_rss, rss), max(old_anon, anon)
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


SUMMARY = "summary |"  # the prefix of a figure's one-line summary: `python -m bench.all` collects these lines


def summary(figure: str, value: str, target: str = "", note: str = "") -> None:
    """One line per figure: what was measured, the value, its target, and the machine's load beside it."""
    print(f"{SUMMARY} {figure} | {value} | {target or '—'} | {note + '; ' if note else ''}{load()}", flush=True)


def rerun_arguments(doc: str):
    """The page-rerun benchmarks' command line: ``--repeats`` and ``--threads``; add more to the parser."""
    import argparse

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the machine has 2 cores)")
    return parser


def use_threads(threads: int) -> None:
    """Set torch's thread count, then say what the figures were measured on."""
    import torch

    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} threads, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")


def print_reruns(times: dict[str, list[tuple[float, float]]], heading: str = "page rerun") -> None:
    """One row per kind of rerun: median and minimum wall time, median CPU, ratio to the no-change rerun."""
    import statistics

    reference = statistics.median(w for w, _ in times["nothing changed (reference)"])
    print(f"\n{heading:28s} {'median ms':>10s} {'min ms':>8s} {'CPU med':>8s} {'vs reference':>13s}")
    for label, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        print(f"{label:28s} {wall * 1000:10.1f} {min(w for w, _ in samples) * 1000:8.1f} "
              f"{statistics.median(c for _, c in samples) * 1000:8.1f} {wall / reference:12.2f}x")
