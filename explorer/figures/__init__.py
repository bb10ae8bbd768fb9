"""Plotly figure builders, a module per lesson (labs.py serves the polynomial and weight-decay labs); they
take data and a translation function ``_`` and return ``go.Figure``."""
