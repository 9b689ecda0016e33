"""Benchmarks (DESIGN §3): `make bench` runs bench/run.py."""
