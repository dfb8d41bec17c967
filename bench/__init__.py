"""Benchmarks: each module measures one stage and writes its section of BENCHMARKS.md."""
