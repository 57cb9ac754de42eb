"""The Lean build driver: classifying Lean's real output, and the module graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from atomik.conformance.leanbuild import (
    bundle_source,
    classify,
    discover,
    map_output,
    plan_units,
    split_verdict,
    topo_order,
)

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


def write_body(root: Path, rel: str, imports: list[str], body: list[str]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    head = ["module", "", *[f"public import {m}" for m in imports], "", "public section", ""]
    path.write_text("\n".join(head + body) + "\n")


def three_modules(root: Path) -> dict:
    write_body(root, "Atomik/A.lean", [], ["theorem a : True := trivial"])
    write_body(root, "Atomik/B.lean", ["Atomik.A"], ["open Nat", "theorem b : True := a"])
    write_body(root, "Atomik/C.lean", ["Atomik.B"], ["theorem c : True := b"])
    return discover(root)


def test_a_bundle_imports_the_bundles_of_its_members_imports(tmp_path: Path) -> None:
    mods = three_modules(tmp_path)
    units = plan_units(mods, (("Atomik.A", "Atomik.B"),))
    assert {u: x.members for u, x in units.items()} == {
        "AtomikBundle.A": ["Atomik.A", "Atomik.B"], "AtomikBundle.C": ["Atomik.C"]}
    assert units["AtomikBundle.A"].imports == []
    assert units["AtomikBundle.C"].imports == ["AtomikBundle.A"]
    assert list(units) == ["AtomikBundle.A", "AtomikBundle.C"]  # dependency order


def test_a_bundle_that_makes_the_units_cyclic_is_an_error(tmp_path: Path) -> None:
    mods = three_modules(tmp_path)
    with pytest.raises(SystemExit, match="import cycle"):
        plan_units(mods, (("Atomik.A", "Atomik.C"),))


def test_bundle_keeps_each_member_line_for_line_in_its_own_section(tmp_path: Path) -> None:
    mods = three_modules(tmp_path)
    unit = plan_units(mods, (("Atomik.A", "Atomik.B", "Atomik.C"),))["AtomikBundle.A"]
    text, segments = bundle_source(unit, mods)
    lines = text.splitlines()
    assert lines[0] == "module"
    assert not any("import" in ln for ln in lines)  # members' imports are inside the bundle
    assert lines.count("public section") == 3 and lines.count("end") == 3
    for seg in segments:
        original = mods[seg.module].path.read_text().splitlines()
        staged = lines[seg.start - 1 : seg.start - 1 + seg.lines]
        assert len(staged) == len(original)
        for o, s in zip(original, staged, strict=True):
            assert s == o or (s == "" and (o == "module" or o.startswith("public import")))
        assert lines[seg.start - 1 + seg.lines] == "end"  # closes the member's section


def test_messages_map_back_to_the_member_file_and_line(tmp_path: Path) -> None:
    mods = three_modules(tmp_path)
    unit = plan_units(mods, (("Atomik.A", "Atomik.B", "Atomik.C"),))["AtomikBundle.A"]
    text, segments = bundle_source(unit, mods)
    staged_line = text.splitlines().index("theorem b : True := a") + 1
    out = f"AtomikBundle/A.lean:{staged_line}:8: error: unknown identifier 'a'\n"
    mapped = map_output(out, "AtomikBundle/A.lean", segments)
    b_line = mods["Atomik.B"].path.read_text().splitlines().index("theorem b : True := a") + 1
    assert mapped.startswith(f"{mods['Atomik.B'].path}:{b_line}:8: error")


def test_a_failed_bundle_fails_the_member_with_the_error_and_checks_none(tmp_path: Path) -> None:
    mods = three_modules(tmp_path)
    unit = plan_units(mods, (("Atomik.A", "Atomik.B", "Atomik.C"),))["AtomikBundle.A"]
    _, segments = bundle_source(unit, mods)
    b = str(mods["Atomik.B"].path)
    verdict = classify(1, f"{b}:9:0: error: unsolved goals\n⊢ False\n")
    split = split_verdict(verdict, segments)
    assert split["Atomik.B"][0] == "failed" and "unsolved goals" in split["Atomik.B"][1][0]
    assert split["Atomik.A"][0] == split["Atomik.C"][0] == "not run"
    sorry = classify(0, f"{b}:9:8: warning: declaration uses `sorry`\n")
    assert split_verdict(sorry, segments)["Atomik.B"][0] == "failed"
    anonymous = split_verdict(classify(1, "lean exited badly\n"), segments)
    assert {s for s, _ in anonymous.values()} == {"failed"}
    ok = split_verdict(classify(0, f"{b}:3:4: warning: unused variable `h`\n"), segments)
    assert ok["Atomik.B"] == ("checked", [f"{b}:3:4: warning: unused variable `h`"])
    assert ok["Atomik.A"] == ("checked", [])
