"""Small helpers for AppTest page tests: open a page with a link's query, read its metrics and charts."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "pages"  # AppTest resolves relative paths against the caller


def open_page(page: str, timeout: float = 120, **query: str) -> AppTest:
    """Run ``pages/<page>`` once as a link with ``query`` would open it."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_keys(at: AppTest) -> set[str]:
    """The keys the page gave its plotly charts."""
    return {chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")}
