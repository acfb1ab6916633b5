"""Benchmarks on disk (Spider, BIRD, plain SQLite) and the schema/example types they produce."""
