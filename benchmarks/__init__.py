"""Load benchmark for the ClassChat server: scenarios, load processes on loopback, figures (see docs/benchmarks.md)."""
