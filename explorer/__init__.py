"""MLP Explorer's plain-Python core, one sub-package per idea:

- ``data``: Fashion-MNIST, MNIST digits and a person's own picture, as tensors;
- ``mlp``: activations, models, optimizers, the resumable training loop, a session's runs;
- ``lessons``: each lesson's computations (inside, backprop, polynomial, weight decay, playground, ...);
- ``figures``: the plotly figures of each lesson, in one palette (``figures.style``);
- ``classroom``: class codes, the class board and its database, the presenter's lead;
- ``fair_share``: budgets, thread shares and turns, so a room shares one server's cores;
- ``cli``: ``python -m explorer ...``, one small file per command;
- ``settings`` (every ``EXPLORER_*`` variable), ``i18n`` (translation hooks) and ``fields`` (a config's
  settings declared once: default, range, message, CLI help, the page's scale).

Nothing in this package imports Streamlit, so every experiment runs the same way from the
CLI (``python -m explorer``), a notebook, a test or a page.

Threads: OpenMP keeps its library default (threads spin briefly before sleeping), which makes
a lone training fastest; :mod:`explorer.fair_share.threads` gives concurrent trainings a share of the cores
each, so their threads never spin against each other (``bench/concurrency.py`` measures both).
"""

import os

# Matrix products bitwise the same whatever the thread count (MKL's strict CNR mode). explorer.fair_share.threads
# gives a training fewer threads while other sessions train, and MKL otherwise splits small products
# (the output layer's weight gradient: 10×256 over a batch of 256) differently per thread count, so the
# same seed would give the same run only to the last bit. MKL reads this at its first call; an
# MKL_CBWR set in the environment wins.
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
