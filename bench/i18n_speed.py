"""What translation costs: the script run of every page in English and Chinese, against the same page
with ``_`` replaced by the identity (no catalogue lookup at all), and a language switch against another
control's rerun.  Target: translation adds < 5 ms to a page's script run.

    python -m bench.i18n_speed [--repeats 2] [--reruns 5]

Each variant runs in its own clean process, the variants interleaved, ``--repeats`` times; every
number is the minimum over warm reruns (the pages' caches already hold their results, so what is left
is the script itself). Times are of ScriptRunner's script run (no AppTest polling) and its thread's
CPU time, which other processes on a busy machine do not inflate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.common import time_script_runs

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("identity", "en", "zh")
# page → (widget kind, key, two values) of an ordinary control whose rerun is a cache hit once warm
CONTROLS = {
    "pages/1_Activation_functions.py": ("slider", "x_max", (8, 9)),
    "pages/3_Train_an_MLP.py": ("slider", "hidden", (256, 272)),
    "pages/4_Under_and_overfitting.py": ("slider", "noise", (0.1, 0.11)),
    "pages/5_Weight_decay.py": ("slider", "epochs", (100, 101)),
}


def worker(variant: str, reruns: int) -> dict:
    from streamlit.testing.v1 import AppTest

    import ui.i18n

    runs = time_script_runs()
    calls = [0]
    real = ui.i18n._
    if variant == "identity":
        ui.i18n._ = lambda message: message  # pages import _ afresh on every run, so they get this one
    else:
        def counting(message):
            calls[0] += 1
            return real(message)
        ui.i18n._ = counting

    out = {}
    lang = "zh" if variant == "zh" else "en"
    for page, (kind, key, values) in CONTROLS.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["lang"] = lang
        at.run()
        at.switch_page(page)
        at.run()
        at.session_state["lang"] = lang
        at.run()  # warm: every cache of the page filled
        assert not at.exception, at.exception
        plain, control = [], []
        for i in range(reruns):
            calls[0] = 0
            at.run()
            plain.append(runs[-1])
            n_calls = calls[0]
            getattr(at, kind)(key=key).set_value(values[(i + 1) % 2]).run()
            control.append(runs[-1])
        row = {"run": min(plain), "control": min(control), "calls": n_calls}
        if variant == "zh":  # switch to English and back: each is one rerun, like any control
            switches = []
            for _ in range(reruns):
                for target in ("en", "zh"):
                    at.session_state["lang"] = target
                    at.run()
                    assert not at.exception, at.exception
                    switches.append(runs[-1])
            row["switch"] = min(switches)
        out[page] = row
    return out


LOOKUP_SCRIPT = """
import time
import streamlit as st
from babel.messages.pofile import read_po
from ui.i18n import _, use_language

use_language("zh")
with open("locales/zh_CN/LC_MESSAGES/messages.po", "rb") as f:
    ids = [m.id for m in read_po(f) if m.id]
best = float("inf")
for _repeat in range(5):
    start = time.thread_time()
    for _round in range(20):
        for message in ids:
            _(message)
    best = min(best, (time.thread_time() - start) / (20 * len(ids)))
st.session_state["per_call"] = best
"""


def lookup_cost() -> float:
    """Seconds of thread CPU per ``_`` call in a session (session lookup + catalogue), best of 5."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(LOOKUP_SCRIPT, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at.session_state["per_call"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--worker", choices=VARIANTS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.reruns)))
        return
    per_call = lookup_cost()
    print(f"one _() call in a session (zh): {per_call * 1e6:.2f} µs of CPU")
    best: dict = {}
    for _ in range(args.repeats):
        for variant in VARIANTS:
            result = subprocess.run([sys.executable, "-m", "bench.i18n_speed", "--worker", variant, "--reruns",
                                     str(args.reruns)], capture_output=True, text=True, check=True, cwd=ROOT)
            for page, row in json.loads(result.stdout.strip().splitlines()[-1]).items():
                mine = best.setdefault(variant, {}).setdefault(page, row)
                for k, v in row.items():
                    mine[k] = min(mine[k], v, key=lambda t: t[1] if isinstance(t, list) else t)
    ms = lambda pair: f"{pair[0] * 1000:6.1f} / {pair[1] * 1000:6.1f}"  # noqa: E731
    print("script run, ms (wall / thread CPU), minimum of warm reruns:")
    print(f"{'page':34} {'no _':>15} {'en':>15} {'zh':>15} {'zh − no _ (CPU)':>16} {'_ calls':>8} "
          f"{'calls × cost':>12}")
    for page in CONTROLS:
        ident, en, zh = (best[v][page] for v in VARIANTS)
        print(f"{Path(page).stem:34} {ms(ident['run']):>15} {ms(en['run']):>15} {ms(zh['run']):>15} "
              f"{(zh['run'][1] - ident['run'][1]) * 1000:>13.1f} ms {zh['calls']:>8} "
              f"{zh['calls'] * per_call * 1000:>9.3f} ms")
    print("\nlanguage switch vs another control's rerun (zh session), ms (wall / CPU):")
    for page, (_kind, key, _values) in CONTROLS.items():
        zh = best["zh"][page]
        print(f"{Path(page).stem:34} switch {ms(zh['switch'])}   {key} {ms(zh['control'])}   "
              f"ratio (CPU) {zh['switch'][1] / zh['control'][1]:.2f}")


if __name__ == "__main__":
    main()
