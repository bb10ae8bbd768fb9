"""MLP Explorer's plain-Python core: data, models, training loops, experiments, figures.

Nothing in this package imports Streamlit, so every experiment runs the same way from the
CLI (``python -m explorer``), a notebook, a test or a page.
"""
