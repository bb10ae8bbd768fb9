"""MLP Explorer's plain-Python core: data, models, training loops, experiments, figures.

Nothing in this package imports Streamlit, so every experiment runs the same way from the
CLI (``python -m explorer``), a notebook, a test or a page.
"""

import os

# OpenMP threads that spin while waiting collapse throughput (5-10x measured here) as soon as
# anything else runs on a 2-core machine: another session's training, a DataLoader worker.
# Must be set before torch is first imported, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
