"""Classroom load: N attendees join a class and press Train at the same moment, on one running server.

Each attendee is a real Streamlit session driven over the app's websocket by tests/support/streamlit_client.py
(Streamlit's own protobuf messages; no browser, so 30 of them fit on 2 cores next to the server). The
class has the presenter's defaults (5,000 images × 3 epochs) and shares every finished run by itself.

Measured in one run, on one fresh server (`streamlit run app.py` on a free loopback port):
- a lone attendee first (after a warm-up), twice: its click → finished time and the server CPU
  seconds it used;
- then N attendees click Train together: click → first curve point (median, p95), whether they saw
  their place in line, click → finished; the makespan (first click → last run on the board) against
  the ideal: the crowd's CPU per run × N ÷ cores. The in-crowd CPU per run is used, not a lone run's:
  a lone run's CPU seconds include OpenMP threads spinning while they wait (work a crowd does not do),
  so it would overstate the ideal. The lone-CPU ideal is printed beside it. Also the server's peak RSS,
  errors, runs on the board.
- all of this once per precision (the class's precision setting): fp32, and bf16 where the CPU has it.

    python -m bench.classroom_load [--attendees 30] [--train-size 5000] [--epochs 3] [--timeout 600]
                                   [--precisions fp32 bf16]
    python -m bench.classroom_load --suggestion [--attendees 30]   # push → banner (bench/suggestion_load.py)

Exit code 1 unless every attendee finished without an error and all N runs are on the board.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import MemorySampler, split_cpu, status_kb, summary

from explorer.classroom import service as classroom, storage
from explorer.mlp.precision import offered
from tests.support.streamlit_client import StreamlitClient, curve_points
from tests.support.streamlit_server import serve

ROOT = Path(__file__).resolve().parents[1]

MAX_ATTENDEES = 60  # bounded: this is a benchmark, not a way to flood a server
FINISHED = "Most confused pairs"  # drawn by the rerun after a run has finished
SHARED = "is on the board of class"  # the share box once the run is on the board
IN_LINE = "in line"  # the waiting notice: "you are number N in line"


@dataclass
class Attendee:
    name: str
    first_point: float | None = None  # click → first live curve point drawn
    finished: float | None = None  # click → finished page with the run on the board
    places: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.finished is not None and not self.problems


def live_point(kind: str, element) -> bool:
    return kind == "plotly_chart" and "curves" in element.plotly_chart.id and curve_points(kind, element) > 0


async def attend(url: str, code: str, name: str, ready: list, go: asyncio.Event, timeout: float) -> Attendee:
    """Open the training page in the class, wait for ``go``, press Train, watch until the run is shared."""
    me = Attendee(name)
    try:
        async with StreamlitClient(url, "Train_an_MLP", f"class={code}") as client:
            await client.wait_for(lambda: client.run_finished() and "train" in client.widget_ids, timeout)
            ready.append(name)
            await go.wait()
            clicked = time.perf_counter()
            await client.click("train")

            def progress():
                if me.first_point is None and (t := client.first_after(clicked, live_point)):
                    me.first_point = t - clicked
                texts = client.texts()
                for text in texts:
                    if IN_LINE in text and (digits := [w for w in text.split() if w.isdigit()]):
                        if not me.places or me.places[-1] != int(digits[0]):
                            me.places.append(int(digits[0]))
                return client.exceptions or client.errors or (
                    any(FINISHED in t for t in texts) and any(SHARED in t for t in texts))

            await client.wait_for(progress, timeout)
            me.problems += client.exceptions + [f"error: {e}" for e in client.errors]
            if not me.problems:
                me.finished = time.perf_counter() - clicked
    except (TimeoutError, ConnectionError, OSError) as err:
        me.problems.append(f"{type(err).__name__}: {err}")
    return me


async def crowd(url: str, code: str, names: list[str], timeout: float, pid: int) -> tuple[list[Attendee], float, float]:
    """All connect, then all click at once; (attendees, makespan s, server CPU s)."""
    go, ready = asyncio.Event(), []
    tasks = [asyncio.create_task(attend(url, code, n, ready, go, timeout)) for n in names]
    # Every page open and idle before anyone clicks: the crowd phase measures training, not joining.
    while len(ready) + sum(t.done() for t in tasks) < len(tasks):
        await asyncio.sleep(0.1)
    cpu0, t0 = split_cpu(pid)[0], time.perf_counter()
    go.set()
    attendees = await asyncio.gather(*tasks)
    return list(attendees), time.perf_counter() - t0, split_cpu(pid)[0] - cpu0


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


async def benchmark(args) -> int:
    return max([await benchmark_precision(args, precision) for precision in args.precisions])


async def benchmark_precision(args, precision: str) -> int:
    print(f"\n=== precision {precision} ===", flush=True)
    db = Path(tempfile.mkdtemp(prefix="classroom-bench-")) / "board.sqlite"
    env = {"EXPLORER_DB_URL": os.environ.get("EXPLORER_DB_URL") or f"sqlite:///{db}"}
    engine = storage.connect(env["EXPLORER_DB_URL"])
    codes = {}
    for phase in ("warm-up", "alone", "crowd"):
        codes[phase] = classroom.start_class(engine, train_size=args.train_size, epochs=args.epochs,
                                             precision=precision)
        classroom.update_class(engine, codes[phase], auto_share=True)
    with serve(env) as (url, process):
        sampler = MemorySampler(process.pid)
        sampler.start()
        lone = []
        for phase in ("warm-up", "alone", "alone"):
            sampler.mark(phase)
            people, wall, cpu = await crowd(url, codes[phase], [phase], args.timeout, process.pid)
            lone.append((phase, people[0], wall, cpu))
        sampler.mark("crowd")
        names = [f"a{i + 1:02d}" for i in range(args.attendees)]
        attendees, makespan, crowd_cpu = await crowd(url, codes["crowd"], names, args.timeout, process.pid)
        sampler.mark("after")
        await asyncio.sleep(0.5)
        sampler.stop()
        hwm_kb = status_kb(process.pid, "VmHWM")
    on_board = len(classroom.board(engine, codes["crowd"])["runs"])
    return report(args, precision, lone, attendees, makespan, crowd_cpu, sampler.peaks, hwm_kb, on_board)


def report(args, precision, lone, attendees, makespan, crowd_cpu, peaks, hwm_kb, on_board) -> int:
    cores = os.cpu_count() or 1
    print(f"\nClassroom load: {args.attendees} attendees, class defaults {args.train_size} images × {args.epochs} "
          f"epochs, one server, {cores} cores (load average before: {os.getloadavg()[0]:.1f})\n")
    for phase, person, _, cpu in lone:
        print(f"  {phase:<8} click→first point {fmt(person.first_point)} s, click→shared {fmt(person.finished)} s, "
              f"server CPU {cpu:.2f} s {'; '.join(person.problems)}")
    single_cpu = min(cpu for phase, _, _, cpu in lone if phase == "alone")
    ideal = crowd_cpu / cores  # the crowd's own CPU per run × N ÷ cores (see the docstring: no spinning)
    lone_ideal = single_cpu * args.attendees / cores
    firsts = [a.first_point for a in attendees if a.first_point is not None]
    done = [a.finished for a in attendees if a.finished is not None]
    errors = [a for a in attendees if a.problems]
    print(f"\n{'attendee':<9} {'first pt':>8} {'shared':>7}  places seen   problems")
    for a in sorted(attendees, key=lambda a: a.first_point or 1e9):
        places = ",".join(map(str, a.places[:6])) + ("…" if len(a.places) > 6 else "")
        print(f"{a.name:<9} {fmt(a.first_point):>8} {fmt(a.finished):>7}  {places:<13} {'; '.join(a.problems) or ''}")
    print()
    if firsts:
        print(f"click → first curve point: median {statistics.median(firsts):.2f} s, "
              f"p95 {percentile(firsts, 0.95):.2f} s, max {max(firsts):.2f} s (target p95 ≤ 5 s)")
    if done:
        print(f"click → run on the board: median {statistics.median(done):.1f} s, max {max(done):.1f} s")
    print(f"saw their place in line: {sum(bool(a.places) for a in attendees)}/{len(attendees)}")
    print(f"makespan {makespan:.1f} s vs ideal {ideal:.1f} s (in-crowd CPU {crowd_cpu / args.attendees:.2f} s per run "
          f"× {args.attendees} ÷ {cores} cores): {makespan / ideal:.2f}× (target ≤ 1.5×); against a lone run's CPU "
          f"({single_cpu:.2f} s, spinning included) it would be {makespan / lone_ideal:.2f}× of {lone_ideal:.1f} s")
    summary(f"classroom_load {precision}: makespan ÷ ideal (in-crowd CPU)", f"{makespan / ideal:.2f}", "≤ 1.5",
            f"{args.attendees} attendees, makespan {makespan:.1f} s")
    if firsts:
        summary(f"classroom_load {precision}: click → first point p95", f"{percentile(firsts, 0.95):.2f} s", "≤ 5 s")
    print(f"the server used {crowd_cpu / makespan:.2f} of {cores} cores on average during the crowd (a shared "
          f"machine gives it less); CPU per run in the crowd vs alone: {crowd_cpu / args.attendees / single_cpu:.2f}×")
    rss = max(r for r, _ in peaks.values())
    print(f"peak server RSS {rss / 1024:.0f} MB (process tree; main VmHWM {hwm_kb / 1024:.0f} MB; target ≤ 3 GB)")
    print(f"errors: {len(errors)}; runs on the board: {on_board}/{args.attendees}")
    return 0 if not errors and on_board == args.attendees and len(done) == args.attendees else 1


async def suggestion_phase(args) -> int:
    from bench import suggestion_load

    db = Path(tempfile.mkdtemp(prefix="classroom-bench-")) / "board.sqlite"
    env = {"EXPLORER_DB_URL": os.environ.get("EXPLORER_DB_URL") or f"sqlite:///{db}"}
    results, seated = await suggestion_load.run(args.attendees, min(args.timeout, 120), env)
    code = suggestion_load.report(results, seated, percentile)
    times = [r for r in results if isinstance(r, float)]
    if times:
        summary("classroom_load: push → suggestion banner p95", f"{percentile(times, 0.95):.2f} s", "≤ 5 s",
                f"{args.attendees} attendees")
    return code


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attendees", type=int, default=30)
    parser.add_argument("--train-size", type=int, default=5000, choices=(1000, 5000, 20000, 60000))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600, help="seconds each attendee may take")
    parser.add_argument("--precisions", nargs="+", choices=("fp32", "bf16"), default=None,
                        help="the class's precision, one crowd each (default: fp32, and bf16 where the CPU has it)")
    parser.add_argument("--suggestion", action="store_true",
                        help="instead: N attendees wait on the training page; time from a pushed suggestion to "
                             "the banner on each page (p95 target ≤ 5 s)")
    args = parser.parse_args(argv)
    if args.suggestion:
        return asyncio.run(suggestion_phase(args))
    args.precisions = args.precisions or list(offered())
    if not 1 <= args.attendees <= MAX_ATTENDEES:
        parser.error(f"--attendees must be 1 to {MAX_ATTENDEES}")
    return asyncio.run(benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
