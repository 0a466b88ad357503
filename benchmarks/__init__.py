"""Benchmarks, a package so that tests import their shared corpus-building code as `benchmarks.<module>`."""
