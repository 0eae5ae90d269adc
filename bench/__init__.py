"""Benchmarks: ``make bench`` (bench/run.sh) writes bench/report.md and bench/report.json."""
