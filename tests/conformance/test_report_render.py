"""The static HTML report renders in headless Chromium (skipped when Chromium is absent), and
every planted mutant still applies to the current sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atomik.conformance import mutants, report, screenshot

ROOT = Path(__file__).resolve().parents[2]


def _doc() -> dict[str, object]:
    return {
        "summary": {"theorems": 2, "checked": 1, "unchecked": 0, "auto_translated": 1,
                    "hand_written": 1, "crosshair": 1, "failing": 1, "exempt": 0, "orphans": 0,
                    "mutation_score": None},
        "crosshair_verified": 0, "meta": {}, "lean_toolchain": "test", "lean_modules": {},
        "exemptions": [], "unmapped_symbols": {}, "orphans": [], "orphan_checks": [],
        "mutation": None,
        "theorems": [
            {"name": "Atomik.Delta.compose_comm", "module": "Atomik.Delta",
             "file": "lean/Atomik/Delta.lean", "line": 40, "statement": "compose a b = compose b a",
             "doc": "Commutative.", "lean": "checked", "status": "checked", "not_translated": "",
             "exemption": "",
             "checks": [{"kind": "auto", "engine": "hypothesis", "name": "auto", "examples": 200,
                         "rejected": 0, "result": "pass", "counterexample": None, "seconds": 0.1,
                         "detail": ""}]},
            {"name": "Atomik.Delta.compose_self", "module": "Atomik.Delta",
             "file": "lean/Atomik/Delta.lean", "line": 53, "statement": "compose a a = 0#w",
             "doc": "Self-inverse.", "lean": "checked", "status": "failing",
             "not_translated": "", "exemption": "",
             "checks": [{"kind": "hand", "engine": "hypothesis", "name": "m:f", "examples": 3,
                         "rejected": 0, "result": "fail",
                         "counterexample": "AssertionError: (1, 0)",
                         "seconds": 0.1, "detail": ""}]},
        ],
    }


def test_gate_messages_name_the_failing_theorem() -> None:
    (msg,) = report.gate_failures(_doc())  # type: ignore[arg-type]
    assert "Atomik.Delta.compose_self at lean/Atomik/Delta.lean:53" in msg
    assert "AssertionError: (1, 0)" in msg


@pytest.mark.skipif(screenshot.find_chromium() is None, reason="chromium not installed")
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report.write_all(_doc(), tmp_path)  # type: ignore[arg-type]
    png = screenshot.screenshot(tmp_path / "coverage.html", tmp_path / "c.png", 900, 500)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank page compresses to a few hundred bytes


def test_every_mutant_applies_to_the_current_sources(tmp_path: Path) -> None:
    assert len(mutants.MUTANTS) >= 12
    assert len({m.name for m in mutants.MUTANTS}) == len(mutants.MUTANTS)
    for m in mutants.MUTANTS:
        pkg = tmp_path / m.name
        shutil.copytree(ROOT / "python" / "atomik", pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
        before = (pkg / m.file).read_text()
        mutants.apply(m, pkg)
        after = (pkg / m.file).read_text()
        assert after != before, m.name
        compile(after, m.file, "exec")  # the mutant is still valid Python


def test_lean_status_is_the_modules_status_and_a_failed_module_is_a_gate() -> None:
    from atomik.conformance.engine import CheckResult, Plan
    from atomik.conformance.extract import extract_source

    src = ("namespace Atomik.Delta\n/-- d -/\ntheorem t {w : Nat} (a : BitVec w) : a = a ^^^ 0#w "
           ":= by simp\nend Atomik.Delta\n")
    thms = extract_source(src, module="Atomik.Delta", file="lean/Atomik/Delta.lean")
    plan = Plan(thms, {}, [])
    res = [CheckResult("Atomik.Delta.t", "hand", "hypothesis", "m:f", 10, 0, "pass")]
    for status, gate in (("checked", False), ("failed", True)):
        lean = {"toolchain": "x", "modules": {"Atomik.Delta": {"status": status}}}
        doc = report.build(plan, res, {}, lean, None, {})
        assert doc["theorems"][0]["lean"] == status
        assert any("Lean did not check" in g for g in report.gate_failures(doc)) is gate
    doc = report.build(plan, res, {}, {"modules": {}}, None, {})
    assert doc["theorems"][0]["lean"] == "not run"
