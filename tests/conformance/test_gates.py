"""The gates, on small fixtures (no Lean needed): a broken implementation, a missing property, a
check naming an unknown theorem, an unmapped symbol, an exemption without a reason."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from atomik.conformance.__main__ import main
from atomik.conformance.report import SUMMARY_KEYS, load_exemptions

LEAN = """module

public section

namespace Atomik.Delta

/-- Composition is commutative. Python: compose. -/
theorem compose_comm {w : Nat} (a b : BitVec w) : compose a b = compose b a := by
  simp

/-- Zero is a right identity. Python: compose. -/
theorem compose_zero {w : Nat} (a : BitVec w) : compose a 0#w = a := by
  simp

/-- Every delta is its own inverse. Python: compose. -/
theorem compose_self {w : Nat} (a : BitVec w) : compose a a = 0#w := by
  simp

end Atomik.Delta
"""

_ids = itertools.count()


def _fixture(tmp: Path, monkeypatch: pytest.MonkeyPatch, *, impl: str, lean: str = LEAN,
             props: str = "", extra_symbols: str = "") -> list[str]:
    n = next(_ids)
    (tmp / "lean" / "Atomik").mkdir(parents=True)
    (tmp / "lean" / "Atomik" / "Delta.lean").write_text(lean)
    mod = f"fiximpl_{n}"
    (tmp / f"{mod}.py").write_text(textwrap.dedent(impl))
    pkg = f"fixprops_{n}"
    (tmp / pkg).mkdir()
    (tmp / pkg / "__init__.py").write_text("")
    (tmp / pkg / "props.py").write_text(textwrap.dedent(props))
    (tmp / "symbols.toml").write_text(textwrap.dedent(f"""
        [defs."Atomik.Delta.compose"]
        python = "{mod}:compose"
        returns = "BitVec"
        width = true
        """) + textwrap.dedent(extra_symbols))
    monkeypatch.syspath_prepend(str(tmp))
    return ["check", "--no-crosshair", "--examples", "30", "--lean-dir", str(tmp / "lean"),
            "--symbols", str(tmp / "symbols.toml"), "--exemptions", str(tmp / "ex.toml"),
            "--properties", pkg, "--out", str(tmp / "out")]


GOOD = """
def compose(a, b, *, width):
    return a ^ b
"""


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def test_good_implementation_passes_and_writes_the_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=GOOD), capsys)
    assert code == 0, out
    doc = json.loads((tmp_path / "out" / "coverage.json").read_text())
    assert tuple(doc["summary"]) == SUMMARY_KEYS
    # no Lean status given: the checks pass, but no theorem is green
    assert doc["summary"]["theorems"] == 3 and doc["summary"]["checked"] == 0
    assert doc["summary"]["lean_not_checked"] == 3
    assert doc["summary"]["auto_translated"] == 3
    for row in doc["theorems"]:
        assert set(row) >= {"name", "module", "file", "line", "statement", "doc", "lean",
                            "checks"}
        assert row["lean"] == "not run"
        (chk,) = row["checks"]
        assert chk["kind"] == "auto" and chk["engine"] == "hypothesis"
        assert chk["result"] == "pass" and chk["examples"] > 0
    schema_path = Path(__file__).resolve().parents[2] / "spec" / "coverage.schema.json"
    jsonschema.validate(doc, json.loads(schema_path.read_text()))
    html = (tmp_path / "out" / "coverage.html").read_text()
    assert "http://" not in html and "https://" not in html and "<script src" not in html
    assert "compose_comm" in (tmp_path / "out" / "coverage.md").read_text()
    # `report` re-renders from the JSON without running anything
    (tmp_path / "out" / "coverage.md").unlink()
    assert main(["report", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "coverage.md").exists()


def test_broken_implementation_fails_naming_the_theorem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    impl = """
    def compose(a, b, *, width):
        return a | b
    """
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=impl), capsys)
    assert code == 1
    assert "GATE: fail check of Atomik.Delta.compose_self at" in out
    doc = json.loads((tmp_path / "out" / "coverage.json").read_text())
    status = {r["name"]: r["status"] for r in doc["theorems"]}
    # OR is commutative and has identity 0: only the self-inverse law catches it
    assert status == {"Atomik.Delta.compose_comm": "lean-not-checked",
                      "Atomik.Delta.compose_zero": "lean-not-checked",
                      "Atomik.Delta.compose_self": "failing"}
    (row,) = [r for r in doc["theorems"] if r["name"] == "Atomik.Delta.compose_self"]
    assert row["checks"][0]["counterexample"]


def test_fail_fast_stops_at_the_first_catching_check_and_runs_preferred_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    impl = """
    def compose(a, b, *, width):
        return (a ^ b ^ 1) % (1 << width)
    """
    args = _fixture(tmp_path, monkeypatch, impl=impl)
    code, out = _run([*args, "--fail-fast", "--first", "Atomik.Delta.compose_self"], capsys)
    assert code == 1, out
    doc = json.loads((tmp_path / "out" / "coverage.json").read_text())
    ran = {r["name"]: [c["result"] for c in r["checks"]] for r in doc["theorems"]}
    # compose_self ran first and failed (a ^ a ^ 1 = 1); nothing ran after it
    assert ran["Atomik.Delta.compose_self"] == ["fail"], ran
    assert all(not ran[n] or ran[n] == ["not run"] for n in ran
               if n != "Atomik.Delta.compose_self"), ran


def test_broken_identity_fails_naming_the_theorem_and_counterexample(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    impl = """
    def compose(a, b, *, width):
        return (a ^ b ^ 1) % (1 << width)
    """
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=impl), capsys)
    assert code == 1
    assert "GATE: fail check of Atomik.Delta.compose_zero" in out
    assert "Falsifying example" in out or "Draw" in out
    assert "compose_comm [" not in out  # still commutative: that check passes


def test_missing_property_fails_naming_the_theorem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lean = LEAN.replace("end Atomik.Delta", """/-- Uses a hand-only symbol. -/
theorem special {w : Nat} (a : BitVec w) : specialOp a = a := by
  simp

end Atomik.Delta""")
    extra = """
    [hand_only.symbols]
    "Atomik.Delta.specialOp" = "no Python counterpart; checked by a hand property"
    """
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=GOOD, lean=lean,
                              extra_symbols=extra), capsys)
    assert code == 1
    assert "GATE: theorem without any check: Atomik.Delta.special" in out
    assert "unmapped symbol" not in out  # hand-only symbols are not "unmapped"


def test_hand_property_satisfies_a_hand_only_theorem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lean = LEAN.replace("end Atomik.Delta", """/-- Uses a hand-only symbol. -/
theorem special {w : Nat} (a : BitVec w) : specialOp a = a := by
  simp

end Atomik.Delta""")
    extra = """
    [hand_only.symbols]
    "Atomik.Delta.specialOp" = "no Python counterpart; checked by a hand property"
    """
    props = """
    from hypothesis import strategies as st
    from atomik.conformance.registry import checks

    @checks("Atomik.Delta.special")
    def special(data):
        a = data.draw(st.integers(0, 255))
        assert a == a ^ 0, (a, a ^ 0)
    """
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=GOOD, lean=lean, props=props,
                              extra_symbols=extra), capsys)
    assert code == 0, out
    doc = json.loads((tmp_path / "out" / "coverage.json").read_text())
    assert doc["summary"]["hand_written"] == 1


def test_check_naming_an_unknown_theorem_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    props = """
    from atomik.conformance.registry import checks

    @checks("Atomik.Delta.no_such_theorem")
    def orphan(data):
        pass
    """
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=GOOD, props=props), capsys)
    assert code == 1
    assert "names an unknown theorem Atomik.Delta.no_such_theorem" in out
    doc = json.loads((tmp_path / "out" / "coverage.json").read_text())
    assert doc["summary"]["orphans"] == 1


def test_unmapped_symbol_fails_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lean = LEAN.replace("compose a 0#w = a", "frobnicate a 0#w = a")
    code, out = _run(_fixture(tmp_path, monkeypatch, impl=GOOD, lean=lean), capsys)
    assert code == 1
    assert "GATE: unmapped symbol Atomik.Delta.frobnicate (used by Atomik.Delta.compose_zero)" \
        in out


def test_exemption_is_listed_and_needs_a_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lean = LEAN.replace("compose a 0#w = a", "frobnicate a 0#w = a")
    args = _fixture(tmp_path, monkeypatch, impl=GOOD, lean=lean)
    (tmp_path / "ex.toml").write_text('[exempt]\n"Atomik.Delta.compose_zero" = ""\n')
    with pytest.raises(ValueError, match="written reason"):
        load_exemptions(tmp_path / "ex.toml")
    (tmp_path / "ex.toml").write_text(
        '[exempt]\n"Atomik.Delta.compose_zero" = "fixture: the symbol is deliberately absent"\n')
    code, out = _run(args, capsys)
    # the unmapped symbol is still a gate failure, but the theorem is exempt, not unchecked
    doc: dict[str, Any] = json.loads((tmp_path / "out" / "coverage.json").read_text())
    assert doc["summary"]["exempt"] == 1 and doc["summary"]["unchecked"] == 0
    assert "Exemptions" in (tmp_path / "out" / "coverage.md").read_text()
    assert "fixture: the symbol is deliberately absent" in out
    assert code == 1
