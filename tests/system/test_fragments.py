"""The labs' own controls rerun their tab alone: each lab is an ``st.fragment``.

Checked on a running server with the protocol-level client, which sends a move as a browser does
(every widget of the fragment, and the fragment's id): the chart changes, and nothing outside the
fragment is drawn again (no d2l SGD refit, no other chart). bench/labs_speed.py times the same moves.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.streamlit_client import StreamlitClient
from tests.support.streamlit_server import serve

pytestmark = pytest.mark.slow  # a server of its own

BIAS_VARIANCE = {"bias_variance": ("bool_value", True), "resamples": ("double_array_value", [50.0])}
DOUBLE_DESCENT = {"double_descent": ("bool_value", True), "dd_n": ("string_array_value", ["20"]),
                  "dd_ridge": ("string_array_value", ["0"])}
# (page, query, the fragment's widgets as the page opens, control, new value, chart inside, URL parameter)
MOVES = [
    ("Under_and_overfitting", "bias_variance=true", BIAS_VARIANCE, "resamples", [80.0], "chart_bias_variance",
     "resamples"),
    ("Under_and_overfitting", "double_descent=true", DOUBLE_DESCENT, "dd_ridge", ["0.0001"], "chart_double_descent",
     "dd_ridge"),
    ("Under_and_overfitting", "double_descent=true", DOUBLE_DESCENT, "dd_n", ["10"], "chart_double_descent", "dd_n"),
    ("Weight_decay", "epochs=10", {"geo_lambda": ("string_array_value", ["0.3"])}, "geo_lambda", ["1.5"],
     "chart_geometry", "geo_lambda"),
]


@pytest.fixture(scope="module")
def server(fashion):
    with serve() as (url, _):
        yield url


async def move(url, page, query, widgets, key, value, chart):
    async with StreamlitClient(url, page, query) as client:
        await client.wait_for(client.run_finished, 240)
        fragment, before = client.fragment_of.get(key), client.chart_spec(chart)
        assert fragment, f"{key} is not drawn inside an st.fragment"
        assert before, f"{chart} is not on {page}?{query}"
        runs, since = client.script_runs, time.perf_counter()
        await client.set_widgets({**widgets, key: (widgets[key][0], value)})
        await client.wait_for(lambda: client.script_runs > runs, 120)
        return client, fragment, before, [f for t, f in client.deltas if t >= since]


@pytest.mark.parametrize("page, query, widgets, key, value, chart, param", MOVES, ids=[m[3] for m in MOVES])
def test_a_lab_control_reruns_its_fragment_alone(server, page, query, widgets, key, value, chart, param):
    client, fragment, before, drawn = asyncio.run(move(server, page, query, widgets, key, value, chart))
    assert not client.exceptions and not client.errors
    assert drawn and set(drawn) == {fragment}  # every element drawn again lies inside the fragment
    assert client.chart_spec(chart) != before  # and its chart follows the new value
    assert f"{param}=" in client.query_string  # the fragment mirrors the value into the link itself
