"""Benchmark helpers (`make bench`): SQL copies of real documents and the results table.

Imported by tests/test_benchmark.py only; not part of the installed module's code paths."""
