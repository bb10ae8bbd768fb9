"""MLP Explorer's plain-Python core: data, models, training loops, experiments, figures.

Nothing in this package imports Streamlit, so every experiment runs the same way from the
CLI (``python -m explorer``), a notebook, a test or a page.

Threads: OpenMP keeps its library default (threads spin briefly before sleeping), which makes
a lone training fastest; :mod:`explorer.threads` gives concurrent trainings a share of the cores
each, so their threads never spin against each other (``bench/concurrency.py`` measures both).
"""
