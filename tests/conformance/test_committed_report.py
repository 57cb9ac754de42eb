"""The committed coverage report matches the tree: its theorems, and per theorem its checks, are
the ones ``python -m atomik.conformance check`` would run now (the plan over lean/ and the
hand-written properties; no check is run). Skipped while reports/coverage.json is not tracked by
git."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from atomik.conformance import engine, report

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "reports" / "coverage.json"
REGENERATE = ("regenerate it with `make verify` (or `make conformance`) and commit "
              "reports/coverage.{json,md,html}")


def _plan() -> engine.Plan:
    return engine.plan(ROOT / "lean", ROOT / "spec" / "symbols.toml", ROOT)


def expected_checks(p: engine.Plan, budget: engine.Budget | None) -> dict[str, list[str]]:
    """Per theorem of the plan, the sorted ``engine kind name`` of every check ``check`` runs:
    each auto-translation and hand property under Hypothesis, and (``budget`` given: the run
    used CrossHair) the CrossHair selection under that budget."""
    out: dict[str, list[str]] = {t.name: [] for t in p.theorems}
    for theorem, kind, name, *_ in engine._checks_of(p):
        if theorem in out:
            out[theorem].append(f"hypothesis {kind} {name}")
    if budget is not None:
        for theorem, name in engine.crosshair_selection(p, budget):
            if theorem in out:
                out[theorem].append(f"crosshair {'auto' if name == 'auto' else 'hand'} {name}")
    return {k: sorted(v) for k, v in out.items()}


def report_drift(doc: dict[str, Any], p: engine.Plan) -> list[str]:
    """Every difference between a coverage document's theorems and checks and the plan's."""
    rows = {r["name"]: r for r in doc["theorems"]}
    used_crosshair = any(c["engine"] == "crosshair" for r in rows.values() for c in r["checks"])
    budget = None
    if used_crosshair:
        b = (doc.get("meta") or {}).get("budget") or {}
        budget = engine.Budget(**b) if b else engine.Budget()
    want = expected_checks(p, budget)
    out = [f"theorem {n} is in the tree but not in the report" for n in want if n not in rows]
    out += [f"theorem {n} is in the report but not in the tree" for n in rows if n not in want]
    for name, checks in want.items():
        if name not in rows:
            continue
        got = Counter(f"{c['engine']} {c['kind']} {c['name']}" for c in rows[name]["checks"])
        exp = Counter(checks)
        out += [f"{name}: check `{c}` runs now but is not in the report" for c in exp - got]
        out += [f"{name}: check `{c}` is in the report but no longer runs" for c in got - exp]
    # checks naming no theorem of the tree (a gate failure, listed apart in the report)
    orphans = Counter(f"{name} → {theorem}" for theorem, _k, name, *_ in engine._checks_of(p)
                      if theorem not in want)
    listed = Counter(f"{o['name']} → {o['theorem']}" for o in doc.get("orphan_checks", [])
                     if o.get("engine", "hypothesis") == "hypothesis")
    out += [f"check {o} names no theorem of the tree and is not in the report"
            for o in orphans - listed]
    out += [f"the report lists check {o} naming no theorem, the tree has no such check"
            for o in listed - orphans]
    return out


def _tracked() -> bool:
    try:
        proc = subprocess.run(["git", "ls-files", "--", "reports/coverage.json"], cwd=ROOT,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "reports/coverage.json"


def test_committed_report_matches_the_tree() -> None:
    if not _tracked():
        pytest.skip("reports/coverage.json is not tracked by git yet (commit it from a full "
                    "`make verify` run)")
    assert COMMITTED.exists(), f"reports/coverage.json is tracked but missing: {REGENERATE}"
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    drift = report_drift(doc, _plan())
    assert not drift, (f"the committed report differs from the tree in {len(drift)} place(s); "
                       f"{REGENERATE}:\n  " + "\n  ".join(drift[:40]))
    for ext in ("md", "html"):
        assert (ROOT / "reports" / f"coverage.{ext}").exists(), REGENERATE


def test_drift_is_found_and_named() -> None:
    """The comparison itself, on a report built from the tree's plan (results made up, no check
    run): equal at first, then each kind of difference is named."""
    p = _plan()
    budget = engine.Budget()
    results = [engine.CheckResult(t, kind, "hypothesis", name, 1, 0, "pass")
               for t, kind, name, *_ in engine._checks_of(p)]
    results += [engine.CheckResult(t, "auto" if n == "auto" else "hand", "crosshair", n, 1, 0,
                                   "pass") for t, n in engine.crosshair_selection(p, budget)]
    assert any(r.engine == "crosshair" for r in results)
    doc = report.build(p, results, {}, {}, None, {"budget": budget.__dict__})
    assert report_drift(doc, p) == []
    doc = json.loads(json.dumps(doc))
    gone = doc["theorems"].pop(0)
    extra = dict(doc["theorems"][0], name="Atomik.Nowhere.extra")
    doc["theorems"].append(extra)
    row = next(r for r in doc["theorems"] if any(c["kind"] == "hand" for c in r["checks"]))
    hand = next(c for c in row["checks"] if c["kind"] == "hand")
    old = hand["name"]
    hand["name"] = old + "_renamed"
    doc["orphan_checks"].append({"name": "m:x", "theorem": "Atomik.No.t", "engine": "hypothesis"})
    drift = report_drift(doc, p)
    assert f"theorem {gone['name']} is in the tree but not in the report" in drift
    assert "theorem Atomik.Nowhere.extra is in the report but not in the tree" in drift
    assert f"{row['name']}: check `{hand['engine']} hand {old}` runs now but is not in the " \
           "report" in drift
    assert f"{row['name']}: check `{hand['engine']} hand {old}_renamed` is in the report but " \
           "no longer runs" in drift
    assert "the report lists check m:x → Atomik.No.t naming no theorem, the tree has no such " \
           "check" in drift
    assert len(drift) == 5, drift
