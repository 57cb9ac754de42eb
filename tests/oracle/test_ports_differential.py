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


def test_faithful_port_passes_vectors_and_fuzzing(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = [str(built["good"])]
    info = runner.hello(cmd, 10)
    assert info["max_width"] == 64 and "ctx.rollback" in info["ops"]
    passed, _skipped, failures = runner.replay_vectors(cmd, VEC, info, 10)
    assert failures == [] and passed >= 60
    rc = runner.main(["--examples", "60", "--max-time", "20", "--", *cmd])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "60 generated sequences, every response agreed" in out


def test_buggy_port_is_caught_and_shrunk(
    built: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = [str(built["buggy"])]
    _, _, failures = runner.replay_vectors(cmd, VEC, runner.hello(cmd, 10), 10)
    assert failures, "the vectors alone should expose the rollback bug"
    repro = tmp_path / "repro.jsonl"
    rc = runner.main(["--examples", "600", "--max-time", "40", "--repro", str(repro), "--", *cmd])
    out = capsys.readouterr().out
    assert rc == 1, out
    assert "DIVERGENCE" in out and "--- repro.jsonl ---" in out
    lines = repro.read_text().splitlines()
    assert 1 <= len(lines) <= 3, out
    assert json.loads(lines[-1])["op"] in ("ctx.rollback", "table.rollback"), out
    # The repro replays: on a fresh process the port still disagrees at its last request.
    again = runner.run_sequence(cmd, lines, 10)
    assert again is not None and again.index == len(lines) - 1


def test_cli_exit_code_when_the_port_cannot_start(tmp_path: Path) -> None:
    missing = subprocess.run(
        [sys.executable, "-m", "atomik.conformance.port", "--", str(tmp_path / "no-such-port")],
        capture_output=True,
        text=True,
        timeout=60,
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


MUTANTS = {
    1: "range check off by one",
    2: "batch accumulate overwrites",
    3: "swap keeps the accumulator",
    4: "fingerprint tail read big-endian",
    5: "merge skips the reference check",
}


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = tmp_path_factory.mktemp("mutants")
    src = PORTS / "c" / "atomik_port.c"
    built = {}
    for n in MUTANTS:
        exe = out / f"mutant_{n}"
        subprocess.run(
            ["cc", "-O2", "-std=c11", f"-DATOMIK_MUTANT={n}", "-o", str(exe), str(src)],
            check=True,
            timeout=120,
        )
        built[n] = exe
    return built


@pytest.mark.parametrize("n", sorted(MUTANTS))
def test_vectors_catch_every_planted_mutant(mutants: dict[int, Path], n: int) -> None:
    cmd = [str(mutants[n])]
    _, _, failures = runner.replay_vectors(cmd, VEC, runner.hello(cmd, 10), 10)
    assert failures, f"no vector catches mutant {n} ({MUTANTS[n]})"


@pytest.mark.slow
@pytest.mark.skipif(
    not __import__("os").environ.get("ATOMIK_PORT_MUTANTS"),
    reason="about 45 s: set ATOMIK_PORT_MUTANTS=1 to fuzz every mutant",
)
@pytest.mark.parametrize("n", sorted(MUTANTS))
def test_fuzzing_catches_every_planted_mutant(mutants: dict[int, Path], n: int) -> None:
    cmd = [str(mutants[n])]
    _, div = runner.fuzz(
        cmd, runner.hello(cmd, 10), examples=600, max_time=60, seed=None, timeout=10
    )
    assert div is not None, f"fuzzing missed mutant {n} ({MUTANTS[n]})"
    assert div.index + 1 <= 4, div.report(cmd)
