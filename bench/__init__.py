"""Benchmarks: each prints one summary line per figure. Run from the repository root as
``python -m bench.NAME``; ``make bench`` runs the compute benchmarks and prints one table."""
