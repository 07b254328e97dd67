"""Benchmarks for ray-operator on the local control plane (see bench/README.md)."""
