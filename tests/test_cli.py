"""Every entry point answers --help and --version (exit 0), from outside the checkout too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import atomik

ENTRY_POINTS = [
    "atomik", "atomik.oracle", "atomik.oracle.vectors", "atomik.vectors",
    "atomik.replication.log", "atomik.log", "atomik.replication.sync", "atomik.sync",
    "atomik.benchmark", "atomik.conformance", "atomik.conformance.port",
    "atomik.conformance.mutants", "atomik.conformance.leanbuild",
    "atomik.conformance.screenshot", "atomik.conformance.leanlint",
]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_entry_point_answers_help_and_version(module: str, tmp_path: Path) -> None:
    for flag, expect in (("--version", atomik.__version__), ("--help", "usage")):
        r = subprocess.run([sys.executable, "-m", module, flag], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, (module, flag, r.stderr[-500:])
        assert expect in r.stdout, (module, flag, r.stdout[:300])
