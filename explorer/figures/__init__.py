"""Plotly figure builders, a module per lesson (labs.py serves the polynomial and weight-decay labs; mosaic.py
draws maps as PNG pictures for live training); they take data and a translation function ``_`` and return
``go.Figure``. style.py holds what they share: the palette, the markers and dashes, and the helpers that build
and title a figure."""
