"""The premise-rate and iff-balance gates, and the counts the engine records for them."""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from atomik.conformance import engine
from atomik.conformance.report import gate_failures


def _doc(**check: Any) -> dict[str, Any]:
    base = {"kind": "hand", "engine": "hypothesis", "name": "m:f", "examples": 100,
            "rejected": 0, "result": "pass", "counterexample": None, "premise_rate": 1.0,
            "iff_true": 0, "iff_false": 0}
    base.update(check)
    return {"unmapped_symbols": {}, "orphan_checks": [], "exemptions": [], "mutation": None,
            "theorems": [{"name": "T.x", "file": "lean/T.lean", "line": 3, "status": "checked",
                          "lean": "checked", "not_translated": "", "checks": [base]}]}


def test_low_premise_rate_fails_the_gate() -> None:
    assert gate_failures(_doc(examples=19, rejected=81, premise_rate=0.19))
    assert gate_failures(_doc(examples=20, rejected=80, premise_rate=0.2)) == []
    assert gate_failures(_doc(examples=1, rejected=8, premise_rate=0.11)) == []  # too few


def test_lopsided_iff_fails_the_gate_both_ways() -> None:
    assert "iff check of T.x" in gate_failures(_doc(iff_true=5, iff_false=95))[0]
    assert gate_failures(_doc(iff_true=95, iff_false=5))
    assert gate_failures(_doc(iff_true=50, iff_false=50)) == []
    assert gate_failures(_doc(iff_true=0, iff_false=0)) == []  # not an iff check


def test_engine_counts_rejections_and_iff_sides() -> None:
    def body(data: Any) -> None:
        x = data.draw(st.integers(0, 10**9))
        assume(x % 4 != 0)
        engine.observe_iff(x % 2 == 0)

    kwargs = dict(max_examples=60, database=None, deadline=None)
    n, rej, res, cex, _ = engine._run_one(body, "t", kwargs)
    assert res == "pass" and cex is None and n >= 30 and rej > 0
    assert engine._IFF["true"] + engine._IFF["false"] == n
    assert 0 < engine._IFF["true"] < n
    r = engine.CheckResult("T.x", "hand", "hypothesis", "m:f", n, rej)
    assert r.attempts == n + rej and r.premise_rate == n / (n + rej)
