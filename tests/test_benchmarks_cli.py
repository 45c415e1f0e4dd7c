"""`python -m benchmarks`: a name it does not know is a usage line and exit 2, no traceback;
the in-process consent verification benchmark runs on a small ledger."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_unknown_benchmark_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "nope"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no benchmark nope" in done.stderr and "crawl" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_verification_benchmark_walks_a_small_ledger_three_ways() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "consent_verify", "--records", "40", "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split("  ")[0].strip() for line in done.stdout.splitlines()[-3:]}
    assert rows == {"read only", "server", "record_hash"}, done.stdout
