"""Time every Streamlit script run in this process (AppTest's included), for the page-speed benchmarks.

Each run is recorded as (wall seconds, CPU seconds of its thread): the wall time is the server's time
without AppTest's polling; the thread's CPU time is not inflated by other processes on a busy
machine (with torch at one thread, all of a run's work happens in that thread).

    runs = time_script_runs()
    at.slider(key="degree").set_value(8).run()
    wall, cpu = runs[-1]
"""

from __future__ import annotations

import time


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
