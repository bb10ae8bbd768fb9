"""A light Streamlit client: one session over `/_stcore/stream`, speaking Streamlit's own protobufs.

What a browser tab does, without the browser: it asks for a page (a ``rerun_script`` BackMsg with
the page name and query string), keeps the elements the server sends (``ForwardMsg`` deltas) and
presses a button by sending its widget id with ``trigger_value``. Thirty of these fit on two cores
where thirty Chromiums would not, so the classroom benchmark can press Train in all of them at once.

    async with StreamlitClient("http://127.0.0.1:8501", "Train_an_MLP", "class=MLP-1234") as client:
        await client.wait_for(client.run_finished, timeout=60)
        await client.click("train")
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

WIDGETS = ("button", "slider", "selectbox", "radio", "checkbox", "text_input", "number_input", "select_slider",
           "multiselect", "toggle", "download_button", "text_area")


def element_text(element) -> str:
    """The readable text of an element (markdown, alert, caption, progress or spinner)."""
    kind = element.WhichOneof("type")
    inner = getattr(element, kind)
    for name in ("body", "text", "label"):
        if hasattr(inner, name) and isinstance(getattr(inner, name), str):
            return getattr(inner, name)
    return ""


class StreamlitClient:
    """One Streamlit session. ``elements`` maps a delta path to the latest element drawn there."""

    def __init__(self, base_url: str, page: str = "", query: str = "", cookies: str = ""):
        parts = urlsplit(base_url)
        self.ws_url = f"ws://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.page, self.query, self.cookies = page, query, cookies
        self.elements: dict[tuple, object] = {}
        self.widget_ids: dict[str, str] = {}  # user key → widget id (ids end with "-<key>")
        self.fragment_of: dict[str, str] = {}  # user key → id of the st.fragment that drew it ("" = none)
        self.script_runs = 0  # script_finished messages received
        self.exceptions: list[str] = []
        self.errors: list[str] = []  # error alerts seen, in order
        self.log: list[tuple[float, str, object]] = []  # (time, kind, element) for what callers watch
        self.deltas: list[tuple[float, str]] = []  # (time, fragment id or "") of every element drawn
        self.query_string = query  # what the address bar would show (the app's st.query_params)
        self._changed = asyncio.Event()
        self._ws = None
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> StreamlitClient:
        headers = {"Cookie": self.cookies} if self.cookies else None
        self._ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                 additional_headers=headers, ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self.rerun()
        return self

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self._ws.close()

    # ---------------------------------------------------------------- sending
    async def rerun(self, widgets: list[WidgetState] = (), fragment_id: str = "") -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.fragment_id = fragment_id  # set: only that fragment reruns, as in a browser
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self._ws.send(msg.SerializeToString())

    async def set_widgets(self, values: dict[str, tuple[str, object]], whole_page: bool = False) -> None:
        """Send these widgets' values as a browser does, ``{key: (WidgetState field, value)}``, e.g.
        ``("double_array_value", [3.0])`` for a slider or ``("string_array_value", ["0.7"])`` (the label
        shown) for a select_slider. A browser sends every widget's value on each rerun, so pass all the
        widgets of the part that reruns; when they sit in an ``st.fragment``, only that fragment reruns
        (unless ``whole_page``)."""
        states = []
        for key, (field, value) in values.items():
            state = WidgetState(id=self.widget_ids[key])
            target = getattr(state, field)
            target.data.extend(value) if hasattr(target, "data") else setattr(state, field, value)
            states.append(state)
        await self.rerun(states, fragment_id="" if whole_page else self.fragment_of.get(next(iter(values)), ""))

    async def click(self, key: str) -> None:
        """Press the button with this ``key=``, as a browser does: its trigger value is true for one run."""
        await self.rerun([WidgetState(id=self.widget_ids[key], trigger_value=True)])

    # ---------------------------------------------------------------- receiving
    async def _read(self) -> None:
        async for raw in self._ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            self._handle(msg)
            self._changed.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind, now = msg.WhichOneof("type"), time.perf_counter()
        if kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        if kind == "script_finished":
            self.script_runs += 1
            self.log.append((now, "script_finished", msg.script_finished))
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            self.elements[tuple(msg.metadata.delta_path)] = element
            self.deltas.append((now, msg.delta.fragment_id))
            etype = element.WhichOneof("type")
            if etype in WIDGETS and getattr(element, etype).id:
                widget_id = getattr(element, etype).id
                self.widget_ids[widget_id.rsplit("-", 1)[-1]] = widget_id
                self.fragment_of[widget_id.rsplit("-", 1)[-1]] = msg.delta.fragment_id
            if etype == "exception":
                self.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            if etype == "alert" and element.alert.format == Alert.ERROR:
                self.errors.append(element.alert.body)
            self.log.append((now, etype, element))

    async def wait_for(self, predicate, timeout: float) -> object:
        """Until ``predicate()`` is truthy (checked after every message); its value, or TimeoutError."""
        deadline = time.perf_counter() + timeout
        while not (value := predicate()):
            if self._reader.done():
                raise ConnectionError(f"the server closed the session: {self._reader.exception()!r}")
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"not seen within {timeout:.0f} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass
        return value

    # ---------------------------------------------------------------- what a page shows
    def run_finished(self, after: int = 0) -> bool:
        return self.script_runs > after

    def chart_spec(self, key: str) -> str | None:
        """The plotly JSON of the chart drawn with ``key=`` (its element id ends with the key)."""
        return next((e.plotly_chart.spec for e in self.elements.values()
                     if e.WhichOneof("type") == "plotly_chart" and e.plotly_chart.id.endswith(key)), None)

    def texts(self) -> list[str]:
        return [element_text(e) for e in self.elements.values()]

    def first_after(self, since: float, predicate) -> float | None:
        """Time of the first logged element after ``since`` that satisfies ``predicate(kind, element)``."""
        return next((t for t, kind, e in self.log if t >= since and predicate(kind, e)), None)


def curve_points(kind: str, element) -> int:
    """Points in a plotly chart's traces (0 for other elements): the live training curve's progress."""
    if kind != "plotly_chart":
        return 0
    try:
        data = json.loads(element.plotly_chart.spec).get("data", [])
    except ValueError:
        return 0
    return sum(len(trace.get("x") or ()) for trace in data)
