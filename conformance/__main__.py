"""``python -m atomik.conformance check|report``: run the checks, write the report, apply gates.

check   extract every theorem under lean/, translate what can be, load the hand-written
        properties, run Hypothesis (compiled code) and CrossHair (pure twins, in parallel),
        write reports/coverage.{json,md,html} and exit 1 naming each gate failure.
report  re-render coverage.md/html (and the gates) from the last coverage.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from atomik import __version__
from atomik.conformance import engine, report

ROOT = Path(__file__).resolve().parent.parent


def _repo_root() -> Path:
    """The repository root: the folder holding lean/ and spec/ (cwd first)."""
    for cand in (Path.cwd(), ROOT):
        if (cand / "spec" / "symbols.toml").exists() and (cand / "lean").exists():
            return cand
    return Path.cwd()


def _print_summary(doc: dict[str, Any], failures: list[str]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a dependency
        print(json.dumps(doc["summary"]))
    else:
        con = Console(stderr=False, highlight=False)
        t = Table(title="theorem coverage")
        t.add_column("summary")
        t.add_column("value", justify="right")
        s = doc["summary"]
        ms = s["mutation_score"]
        for k in report.SUMMARY_KEYS:
            v = ("not run" if ms is None else f"{ms:.0%}") if k == "mutation_score" else str(s[k])
            t.add_row(k, v)
        t.add_row("crosshair (all paths verified)", str(doc.get("crosshair_verified", 0)))
        con.print(t)
        if doc["exemptions"]:
            con.print("[bold magenta]Exemptions:[/]")
            for e in doc["exemptions"]:
                con.print(f"  {e['name']}: {e['reason']}", markup=False)
    for f in failures:
        print(f"GATE: {f}", file=sys.stderr)
    if failures:
        print(f"conformance: {len(failures)} gate failure(s)", file=sys.stderr)


def _mutation(out: Path) -> dict[str, Any] | None:
    p = out / "mutants.json"
    return json.loads(p.read_text()) if p.exists() else None


def cmd_check(args: argparse.Namespace) -> int:
    """Run every check and write the report."""
    root = _repo_root()
    lean_dir = Path(args.lean_dir) if args.lean_dir else root / "lean"
    symbols = Path(args.symbols) if args.symbols else root / "spec" / "symbols.toml"
    exemptions_path = (Path(args.exemptions) if args.exemptions
                       else root / "spec" / "exemptions.toml")
    if not lean_dir.is_dir() or not symbols.is_file():
        print(f"atomik.conformance: no Lean theory and symbol map here ({lean_dir}, {symbols}): "
              "run it from a checkout of the atomik repository, or pass --lean-dir and "
              "--symbols", file=sys.stderr)
        return 2
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        print("atomik.conformance: needs Hypothesis and CrossHair: pip install "
              "'atomik-delta[dev]'", file=sys.stderr)
        return 2
    budget = engine.Budget.quick() if args.quick else engine.Budget()
    if args.examples:
        budget = engine.Budget(args.examples, budget.crosshair_examples, budget.crosshair_seconds,
                               budget.crosshair_limit)
    t0 = time.monotonic()
    p = engine.plan(lean_dir, symbols, root, args.properties)
    print(f"conformance: {len(p.theorems)} theorems, {len(p.autos)} auto-translated, "
          f"{len(p.hands)} hand-written properties", flush=True)
    proc = None
    if not args.no_crosshair:
        proc, cx_out, sel = engine.start_crosshair(p, budget, lean_dir, symbols, root,
                                                   args.properties)
        print(f"conformance: CrossHair on {len(sel)} checks in the background "
              f"({budget.crosshair_seconds:g} s each)", flush=True)
    done = [0]

    def progress(msg: str) -> None:
        done[0] += 1
        if args.verbose:
            print(f"  [{done[0]}] {msg}", flush=True)

    results = engine.run_hypothesis(p, budget, progress, fail_fast=args.fail_fast,
                                    first=tuple(args.first or ()), shrink=not args.no_shrink)
    print(f"conformance: Hypothesis done ({len(results)} checks, "
          f"{sum(r.examples for r in results)} examples) in {time.monotonic() - t0:.0f} s",
          flush=True)
    if proc is not None:
        results += engine.finish_crosshair(
            proc, cx_out, sel, timeout=120 + len(sel) * budget.crosshair_seconds * 4)
        print(f"conformance: CrossHair done in {time.monotonic() - t0:.0f} s", flush=True)
    lean_status = report.load_lean_status(Path(args.lean_status) if args.lean_status else None)
    out = Path(args.out)
    meta = {"quick": bool(args.quick), "seconds": round(time.monotonic() - t0, 1),
            "python": platform.python_version(), "budget": budget.__dict__,
            "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    doc = report.build(p, results, report.load_exemptions(exemptions_path), lean_status,
                       _mutation(out), meta)
    report.write_all(doc, out)
    failures = report.gate_failures(doc)
    _print_summary(doc, failures)
    print(f"conformance: report in {out}/coverage.md, coverage.json, coverage.html")
    return 1 if failures else 0


def cmd_report(args: argparse.Namespace) -> int:
    """Re-render the report from the last coverage.json (and the latest mutants.json, and the
    Lean status if given), and apply the gates again."""
    out = Path(args.out)
    src = out / "coverage.json"
    if not src.exists():
        print(f"conformance: no {src}; run `python -m atomik.conformance check` first",
              file=sys.stderr)
        return 2
    doc = json.loads(src.read_text(encoding="utf-8"))
    if args.lean_status:
        report.apply_lean_status(doc, report.load_lean_status(Path(args.lean_status)))
    m = _mutation(out)
    if m is not None:
        doc["mutation"] = m
        doc["summary"]["mutation_score"] = m.get("score")
    report.write_all(doc, out)
    failures = report.gate_failures(doc)
    _print_summary(doc, failures)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m atomik.conformance", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="run every check, write the report, apply the gates")
    c.add_argument("--quick", action="store_true", help="small budgets for a fast local run")
    c.add_argument("--lean-status", default=None, help="build/lean-status.json from leanbuild")
    c.add_argument("--out", default="reports")
    c.add_argument("--no-crosshair", action="store_true", help="skip the CrossHair engine")
    c.add_argument("--examples", type=int, default=0, help="Hypothesis examples per check")
    c.add_argument("--fail-fast", action="store_true",
                   help="stop at the first failing check (the mutation check uses it)")
    c.add_argument("--no-shrink", action="store_true",
                   help="report a counterexample as found, without shrinking it (the mutation "
                        "check uses it)")
    c.add_argument("--first", action="append", metavar="PREFIX",
                   help="run the checks of theorems named PREFIX... first (repeatable)")
    c.add_argument("--lean-dir", default=None)
    c.add_argument("--symbols", default=None)
    c.add_argument("--exemptions", default=None)
    c.add_argument("--properties", default="atomik.conformance.properties",
                   help="package of hand-written properties")
    c.add_argument("-v", "--verbose", action="store_true")
    c.set_defaults(fn=cmd_check)
    r = sub.add_parser("report", help="re-render the report from the last coverage.json")
    r.add_argument("--out", default="reports")
    r.add_argument("--lean-status", default=None,
                   help="build/lean-status.json to put into the report (make verify runs the "
                        "checks while Lean runs, then adds Lean's result here)")
    r.set_defaults(fn=cmd_report)
    args = ap.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    raise SystemExit(main())
