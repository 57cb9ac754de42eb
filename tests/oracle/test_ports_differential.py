"""The differential runner passes the faithful C port and catches the buggy one with a short
shrunk sequence; the C port's own vector check (Node.js) passes on the committed vectors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atomik.conformance import port as runner

ROOT = Path(__file__).resolve().parents[2]
PORTS = ROOT / "tests" / "ports"
VEC = ROOT / "spec" / "vectors"

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (cc)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cport")
    make = shutil.which("make")
    if make:
        subprocess.run(
            [make, "-s", "-C", str(PORTS / "c"), f"BUILD={out}"], check=True, timeout=120
        )
    else:
        src = PORTS / "c" / "atomik_port.c"
        for name, extra in (("atomik_port", []), ("atomik_port_buggy", ["-DATOMIK_BUGGY"])):
            subprocess.run(
                ["cc", "-O2", "-std=c11", *extra, "-o", str(out / name), str(src)],
                check=True,
                timeout=120,
            )
    return {"good": out / "atomik_port", "buggy": out / "atomik_port_buggy"}


def test_faithful_port_passes_vectors_and_fuzzing(built: dict[str, Path]) -> None:
    cmd = [str(built["good"])]
    info = runner.hello(cmd, 10)
    assert info["max_width"] == 64 and "ctx.rollback" in info["ops"]
    passed, _skipped, failures = runner.replay_vectors(cmd, VEC, info, 10)
    assert failures == [] and passed >= 60
    ran, div = runner.fuzz(cmd, info, examples=100, max_time=20, seed=None, timeout=10)
    assert div is None, div.report(cmd)
    assert ran >= 20


def test_buggy_port_is_caught_and_shrunk(built: dict[str, Path]) -> None:
    cmd = [str(built["buggy"])]
    info = runner.hello(cmd, 10)
    _, _, failures = runner.replay_vectors(cmd, VEC, info, 10)
    assert failures, "the vectors alone should expose the rollback bug"
    _, div = runner.fuzz(cmd, info, examples=800, max_time=30, seed=None, timeout=10)
    assert div is not None, "the runner missed the planted bug"
    assert div.index + 1 <= 3, div.report(cmd)
    reqs = [json.loads(x) for x in div.lines[: div.index + 1]]
    assert reqs[-1]["op"] in ("ctx.rollback", "table.rollback"), div.report(cmd)
    # The repro replays: the port still disagrees with the oracle on exactly that sequence.
    again = runner.run_sequence(cmd, div.lines[: div.index + 1], 10)
    assert again is not None and again.index == div.index


def test_cli_exit_codes(built: dict[str, Path], tmp_path: Path) -> None:
    base = [sys.executable, "-m", "atomik.conformance.port", "--examples", "30", "--max-time", "20"]
    good = subprocess.run([*base, "--", str(built["good"])], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    repro = tmp_path / "repro.jsonl"
    bad = subprocess.run(
        [*base, "--seed", "2", "--repro", str(repro), "--", str(built["buggy"])],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "repro.jsonl" in bad.stdout and repro.read_text().count("\n") <= 3
    missing = subprocess.run(
        [*base, "--", str(tmp_path / "no-such-port")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "cannot start" in missing.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js")
def test_c_port_own_vector_check(built: dict[str, Path]) -> None:
    check = PORTS / "check_vectors.mjs"
    good = subprocess.run(
        ["node", str(check), str(VEC), "--", str(built["good"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 failed" in good.stdout
    bad = subprocess.run(
        ["node", str(check), str(VEC), "--suites", "delta,context", "--", str(built["buggy"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "FAIL" in bad.stdout
