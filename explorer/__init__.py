"""MLP Explorer's plain-Python core: data, models, training loops, experiments, figures.

Nothing in this package imports Streamlit, so every experiment runs the same way from the
CLI (``python -m explorer``), a notebook, a test or a page.

Threads: OpenMP keeps its library default (threads spin briefly before sleeping), which makes
a lone training fastest; :mod:`explorer.threads` gives concurrent trainings a share of the cores
each, so their threads never spin against each other (``bench/concurrency.py`` measures both).
"""

import os

# Matrix products bitwise the same whatever the thread count (MKL's strict CNR mode). explorer.threads
# gives a training fewer threads while other sessions train, and MKL otherwise splits small products
# (the output layer's weight gradient: 10×256 over a batch of 256) differently per thread count, so the
# same seed would give the same run only to the last bit. MKL reads this at its first call; an
# MKL_CBWR set in the environment wins.
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
