"""The Lean build driver: classifying Lean's real output, and the module graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from atomik.conformance.leanbuild import classify, discover, topo_order

FIXTURES = Path(__file__).parent / "fixtures"


def test_real_sorry_warning_fails_even_though_lean_exits_zero() -> None:
    # Captured from the wasm Lean 4.28 build: exit status 0, a warning, and [DEBUG: chatter.
    output = (FIXTURES / "wasm_sorry_warning.txt").read_text()
    verdict = classify(0, output)
    assert verdict.status == "failed"
    assert verdict.messages == ["src/T/A.lean:15:8: warning: declaration uses `sorry`"]


def test_debug_lines_never_reach_messages() -> None:
    output = (FIXTURES / "wasm_sorry_warning.txt").read_text()
    assert "[DEBUG:" in output
    assert not any("[DEBUG:" in m for m in classify(0, output).messages)


def test_clean_output_checks() -> None:
    assert classify(0, "[DEBUG:A] lean_main entered\n  mainModule? = true\n").status == "checked"


def test_other_warnings_are_kept_but_do_not_fail() -> None:
    out = "lean/Atomik/Delta.lean:3:4: warning: unused variable `h`\n"
    verdict = classify(0, out)
    assert verdict.status == "checked"
    assert verdict.messages == [out.strip()]


def test_error_fails_and_keeps_its_continuation_lines() -> None:
    out = (
        "lean/Atomik/Delta.lean:12:2: error: unsolved goals\n"
        "w : Nat\n"
        "⊢ a = b\n"
        "lean/Atomik/Delta.lean:20:0: error: unknown identifier 'foo'\n"
    )
    verdict = classify(1, out)
    assert verdict.status == "failed"
    assert len(verdict.messages) == 2
    assert verdict.messages[0].splitlines()[-1] == "⊢ a = b"


def test_lake_style_prefix_is_understood() -> None:
    verdict = classify(1, "error: ./lean/Atomik/Delta.lean:3:0: unknown constant 'x'\n")
    assert verdict.status == "failed"
    assert "Delta.lean:3:0" in verdict.messages[0]


def test_nonzero_exit_without_diagnostics_still_fails_with_the_tail() -> None:
    verdict = classify(1, "[DEBUG:D] init_search_path() threw exception\nsomething broke\n")
    assert verdict.status == "failed"
    assert "something broke" in verdict.messages[0]


def test_quoted_sorry_of_older_versions_fails_too() -> None:
    assert classify(0, "X.lean:1:8: warning: declaration uses 'sorry'\n").status == "failed"


def write(root: Path, rel: str, imports: list[str]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["module", "", *[f"public import {m}" for m in imports], "", "public section", ""]
    path.write_text("\n".join(lines))


def test_topological_order_puts_imports_first(tmp_path: Path) -> None:
    write(tmp_path, "Atomik/Delta.lean", [])
    write(tmp_path, "Atomik/Context.lean", ["Atomik.Delta"])
    write(tmp_path, "Atomik/Table.lean", ["Atomik.Context"])
    write(tmp_path, "Atomik/Fingerprint.lean", ["Atomik.Delta"])
    write(tmp_path, "Atomik.lean", ["Atomik.Table", "Atomik.Fingerprint"])
    order = topo_order(discover(tmp_path))
    assert order.index("Atomik.Delta") < order.index("Atomik.Context") < order.index("Atomik.Table")
    assert order.index("Atomik.Fingerprint") < order.index("Atomik")
    assert order[-1] == "Atomik"


def test_import_cycle_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "Atomik/A.lean", ["Atomik.B"])
    write(tmp_path, "Atomik/B.lean", ["Atomik.A"])
    with pytest.raises(SystemExit, match="import cycle"):
        topo_order(discover(tmp_path))


def test_import_of_a_missing_project_module_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "Atomik/A.lean", ["Atomik.Nope"])
    with pytest.raises(SystemExit, match=r"Atomik\.Nope"):
        discover(tmp_path)


def test_real_error_output_fails_with_every_error_and_its_goal() -> None:
    # Captured from the wasm Lean 4.28 build of fixtures/wasm_errors.lean (exit status 1).
    output = (FIXTURES / "wasm_errors.txt").read_text()
    verdict = classify(1, output)
    assert verdict.status == "failed"
    assert [m.splitlines()[0] for m in verdict.messages] == [
        "src/T/B.lean:12:65: error: unsolved goals",
        "src/T/B.lean:15:0: error: Not a definitional equality: the left-hand side",
        "src/T/B.lean:15:35: error: Type mismatch",
    ]
    assert "⊢ 0#w = a" in verdict.messages[0]
