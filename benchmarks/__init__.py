"""Benchmarks: one module per area, each with a `main(argv)`; `python -m benchmarks [NAME...]`."""
