"""Push → banner: N attendees sit on the training page of a class; the presenter suggests settings; how long
until each attendee's page shows "The presenter suggests"? (``python -m bench.classroom_load --suggestion``.)

Each attendee is a real Streamlit session over the app's websocket (tests/support/streamlit_client.py). A browser runs
an ``st.fragment(run_every=…)`` by itself: the server sends ``auto_rerun`` with the fragment's id and
interval, and the browser asks for that fragment's rerun on that timer. :class:`Attendee` does the same, so
the banner arrives exactly as it would on a phone: by the fragment's next poll of the class.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time

from explorer.classroom import service as classroom, storage, suggestions
from tests.support.streamlit_client import StreamlitClient
from tests.support.streamlit_server import serve

BANNER = "The presenter suggests:"


class Attendee(StreamlitClient):
    """A session whose auto-rerunning fragments rerun on their timers, as in a browser."""

    def __init__(self, *args, phase: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self._timers: dict[str, asyncio.Task] = {}
        self.phase = phase  # 0–1: where in the interval this phone's timer started (phones load at different times)

    def _handle(self, msg) -> None:
        super()._handle(msg)
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun" and msg.auto_rerun.fragment_id not in self._timers:
            fragment, every = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            self._timers[fragment] = asyncio.get_running_loop().create_task(self._tick(fragment, every))

    async def _tick(self, fragment: str, every: float) -> None:
        await asyncio.sleep(every * self.phase)
        while True:
            await asyncio.sleep(every)
            await self.rerun(fragment_id=fragment)

    async def __aexit__(self, *exc) -> None:
        for timer in self._timers.values():
            timer.cancel()
        await super().__aexit__(*exc)


async def attend(url: str, code: str, ready: list, pushed: asyncio.Event, at: list, timeout: float,
                 phase: float) -> float | str:
    """Seconds from the push to the banner on this attendee's page, or what went wrong."""
    try:
        async with Attendee(url, "Train_an_MLP", f"class={code}", phase=phase) as client:
            await client.wait_for(lambda: client.run_finished() and "train" in client.widget_ids, timeout)
            await client.wait_for(lambda: client._timers, timeout)  # its fragment polls the class
            ready.append(client)
            await pushed.wait()
            await client.wait_for(lambda: any(BANNER in t for t in client.texts()) or client.exceptions, timeout)
            if client.exceptions:
                return client.exceptions[0]
            return time.perf_counter() - at[0]
    except (TimeoutError, ConnectionError, OSError) as err:
        return f"{type(err).__name__}: {err}"


async def run(attendees: int, timeout: float, env: dict, seed: int = 0) -> tuple[list, float]:
    """Start a server, seat the attendees, push one suggestion; (per-attendee results, seconds to seat them).

    The attendees' timers start at random phases (seeded): seated at once, they would otherwise all poll in
    the same instant, which no room does."""
    rng = random.Random(seed)
    engine = storage.connect(env["EXPLORER_DB_URL"])
    code = classroom.start_class(engine, train_size=1000, epochs=1)
    with serve(env) as (url, _process):
        ready, pushed, at = [], asyncio.Event(), [0.0]
        t0 = time.perf_counter()
        tasks = [asyncio.create_task(attend(url, code, ready, pushed, at, timeout, rng.random()))
                 for _ in range(attendees)]
        while len(ready) + sum(t.done() for t in tasks) < attendees:
            await asyncio.sleep(0.1)
        seated = time.perf_counter() - t0
        await asyncio.sleep(2.5)  # every fragment has polled at least once with nothing to show
        at[0] = time.perf_counter()
        suggestions.suggest(engine, code, {"hidden": 16, "lr": 1.0}, client="bench")
        pushed.set()
        results = await asyncio.gather(*tasks)
    return results, seated


def report(results: list, seated: float, percentile) -> int:
    times = [r for r in results if isinstance(r, float)]
    problems = [r for r in results if not isinstance(r, float)]
    print(f"\nPush → banner: {len(results)} attendees on the training page (seated in {seated:.1f} s), "
          f"one suggestion pushed")
    if times:
        print(f"  median {statistics.median(times):.2f} s, p95 {percentile(times, 0.95):.2f} s, max {max(times):.2f} s "
              f"(target p95 ≤ 5 s; the fragment polls every 2 s)")
    print(f"  banners seen: {len(times)}/{len(results)}; problems: {problems[:3] or 'none'}")
    return 0 if not problems and times and percentile(times, 0.95) <= 5 else 1
