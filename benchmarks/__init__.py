"""Benchmarks: numbers and ratios, not tests (see benchmarks/README.md).

A package so that the plugin subprocess can import :mod:`benchmarks.naive_provider` from
the ``__provider`` reference the benchmark puts in state (the repository root is on its
``PYTHONPATH``).
"""
