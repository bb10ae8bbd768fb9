"""Every compute benchmark, one after another, then one table of their summary lines (``make bench``).

Each benchmark runs as ``python -m bench.NAME`` in its own process; its full output goes to stderr and its
``summary |`` lines (``bench.common.summary``) make the table. A benchmark that prints none contributes its
last line. The server-driven benchmarks (classroom_load, fairness, load_test, cold_start) are run on their own.

    python -m bench.all [--only train_speed concurrency]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench.common import ROOT, SUMMARY

COMPUTE = {
    "train_speed": [],
    "concurrency": ["--rounds", "2", "--policies", "ours"],
    "poly_speed": [],
    "weight_decay_speed": [],
}


def run(name: str, args: list[str]) -> list[list[str]]:
    process = subprocess.run([sys.executable, "-m", f"bench.{name}", *args], cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(process.stdout + process.stderr)
    rows = [[cell.strip() for cell in line.split("|")[1:]] for line in process.stdout.splitlines()
            if line.startswith(SUMMARY)]
    if not rows:
        last = next((line for line in reversed(process.stdout.splitlines()) if line.strip()), "(no output)")
        rows = [[name, last.strip(), "", ""]]
    if process.returncode:
        rows.append([name, f"exit code {process.returncode}", "", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(COMPUTE), help="run these benchmarks only")
    args = parser.parse_args()
    rows = [row for name in (args.only or COMPUTE) for row in run(name, COMPUTE[name])]
    header = ["figure", "value", "target", "note"]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in [header, *rows]) for i in range(4)]
    print("\n" + " | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join((row[i] if i < len(row) else "").ljust(w) for i, w in enumerate(widths)))


if __name__ == "__main__":
    main()
