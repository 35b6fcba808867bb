"""Benchmarks of residents' pages at municipal scale (``make bench``)."""
