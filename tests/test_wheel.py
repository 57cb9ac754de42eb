"""The built wheel, installed in a fresh venv outside the checkout: the README quick start runs,
the old import paths work, and a tool that needs the checkout or an extra says so in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _quick_start_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(python of a fresh venv holding only the wheel and its dependencies, the wheel)."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(dist), str(REPO)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    (whl,) = dist.glob("*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    inst = subprocess.run([str(py), "-m", "pip", "install", "-q", str(whl)],
                          capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr[-3000:]
    return py, whl


def _run(py: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(py), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_wheel_holds_the_license_the_type_marker_and_the_subpackages(
        installed: tuple[Path, Path]) -> None:
    _, whl = installed
    assert whl.name.startswith("atomik_delta-")
    names = set(zipfile.ZipFile(whl).namelist())
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)[:20]
    for n in ("atomik/py.typed", "atomik/replication/replica.py", "atomik/oracle/vectors.py",
              "atomik/oracle/cases.py", "atomik/oracle/state_suites.py",
              "atomik/oracle/wire_suites.py", "atomik/oracle/lean_vectors.py",
              "atomik/benchmark/cli.py", "atomik/conformance/lean_stack.js", "atomik/replica.py"):
        assert n in names, n


def test_the_readme_quick_start_runs_from_the_installed_wheel(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    py, _ = installed
    blocks = _quick_start_blocks()
    assert len(blocks) >= 4, "the quick start lost its code"
    for i, block in enumerate(blocks):
        r = _run(py, "-c", block, cwd=tmp_path)
        assert r.returncode == 0, f"quick start block {i + 1} fails:\n{block}\n{r.stderr}"
    where = _run(py, "-c", "import atomik; print(atomik.__file__)", cwd=tmp_path)
    assert "site-packages" in where.stdout and str(REPO) not in where.stdout, where.stdout


def test_old_import_paths_and_entry_points_work_from_the_wheel(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    py, _ = installed
    r = _run(py, "-c", "import atomik.replica as a, atomik.replication.replica as b, "
             "atomik.log as c, atomik.replication.log as d; assert a is b and c is d; "
             "print(a.Replica(1, 2, 8).put(0, 3).seq)", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "0", r.stderr
    v = _run(py, "-m", "atomik", "--version", cwd=tmp_path)
    assert v.returncode == 0 and re.search(r"\d+\.\d+", v.stdout), (v.stdout, v.stderr)
    console = py.parent / "atomik"
    assert console.exists()


def test_a_tool_that_needs_the_checkout_or_an_extra_fails_in_one_clear_line(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    py, _ = installed
    r = _run(py, "-m", "atomik.conformance", "check", "--quick", cwd=tmp_path)
    assert r.returncode != 0
    err = r.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err
