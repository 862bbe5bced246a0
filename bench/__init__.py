"""Benchmarks at municipal scale. Run with `python -m bench` against PostgreSQL."""
