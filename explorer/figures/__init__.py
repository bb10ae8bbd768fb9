"""Plotly figure builders, one module per page; they take data and return ``go.Figure``."""
