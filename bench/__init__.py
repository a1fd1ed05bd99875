"""Benchmarks for hookscope: `python -m bench` (or `make bench`) runs every suite.

Each suite is a module here with a `run(quick: bool) -> None` function, listed in
`bench/__main__.py`; results go to stdout and to JSON files under `bench/results/`.
"""
