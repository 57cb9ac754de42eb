"""Every program in examples/ runs to completion (each asserts what it prints)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROGRAMS = sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_there_are_examples() -> None:
    assert len(PROGRAMS) >= 4, PROGRAMS


@pytest.mark.parametrize("name", PROGRAMS)
def test_example_runs(name: str) -> None:
    if name == "redis_replicas.py":
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not on PATH (Debian: apt-get install redis-server)")
        pytest.importorskip("redis", reason="redis-py is not installed (extra 'replication')")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() and "skipped" not in out.stdout, out.stdout
    helped = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--help"], capture_output=True, text=True, timeout=60
    )
    assert helped.returncode == 0 and "usage" in helped.stdout.lower(), helped
