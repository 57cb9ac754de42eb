"""Run every executable check: Hypothesis on the compiled code, CrossHair on the pure twins.

* **Hypothesis** runs in this process against the real package (numba kernels compiled), with
  ``database=None`` and a seed fixed per check, so a run is reproducible. ``examples`` is counted
  by the property itself: the number of examples that passed every premise and the assertion.
* **CrossHair** runs in one subprocess with ``NUMBA_DISABLE_JIT=1`` (every kernel *is* its pure
  twin) and ``ATOMIK_CONFORMANCE_PURE=1`` (adapters keep lists, never numpy), through the
  ``hypothesis-crosshair`` backend, one time budget per check. ``examples`` counts the paths
  CrossHair drove the property through. The result is ``verified`` only when CrossHair reports
  that it exhausted every path; otherwise ``pass`` means "no counterexample within the budget",
  never "proved".

The CrossHair subprocess runs at the same time as the Hypothesis checks (two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from atomik.conformance.extract import Theorem, extract_tree
from atomik.conformance.registry import HandCheck, load_properties
from atomik.conformance.translate import (
    AutoProperty,
    SymbolTable,
    UnmappedSymbol,
    Untranslatable,
    render,
    translate,
)

__all__ = ["Budget", "CheckResult", "Plan", "observe_iff", "plan", "run_crosshair",
           "run_hypothesis"]

# How often the left side of an iff law held in the current check's examples (see observe_iff).
_IFF = {"true": 0, "false": 0}


def observe_iff(holds: bool) -> None:
    """Record, for the check now running, whether the left side of its ``↔`` held in this
    example. The report shows the share of examples in which it held; the gate fails an iff
    check whose sides are (almost) always true or always false, which would leave one direction
    of the law untested. Auto-translated ``↔`` laws call it; hand properties of ``↔`` laws too."""
    _IFF["true" if holds else "false"] += 1


@dataclass(frozen=True)
class Budget:
    """How much each engine may spend."""

    hypothesis_examples: int = 200
    crosshair_examples: int = 60
    crosshair_seconds: float = 3.0
    crosshair_limit: int | None = None  # at most this many CrossHair checks (None: all eligible)

    @classmethod
    def quick(cls) -> Budget:
        """A fast local run."""
        return cls(hypothesis_examples=25, crosshair_examples=10, crosshair_seconds=1.5,
                   crosshair_limit=4)


@dataclass
class CheckResult:
    """One check of one theorem by one engine."""

    theorem: str
    kind: str  # "auto" | "hand"
    engine: str  # "hypothesis" | "crosshair"
    name: str  # the property (module:function, or "auto")
    examples: int = 0
    rejected: int = 0
    result: str = "not run"  # pass | verified | fail | error | not run
    counterexample: str | None = None
    seconds: float = 0.0
    detail: str = ""  # the Python an auto property evaluates, or the premises it generates
    iff_true: int = 0  # examples in which the left side of an iff law held (observe_iff)
    iff_false: int = 0  # examples in which it did not

    @property
    def attempts(self) -> int:
        """Examples tried: those that met the premises plus those a premise filter rejected."""
        return self.examples + self.rejected

    @property
    def premise_rate(self) -> float | None:
        """The share of tried examples that met every premise (None when nothing ran)."""
        return self.examples / self.attempts if self.attempts else None


@dataclass
class Plan:
    """What will run: theorems, their auto properties, hand checks, and translation issues."""

    theorems: list[Theorem]
    autos: dict[str, AutoProperty]
    hands: list[HandCheck]
    not_translated: dict[str, str] = field(default_factory=dict)  # theorem → reason
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # symbol → theorems


def plan(lean_dir: Path, symbols: Path, repo_root: Path | None = None,
         properties: str = "atomik.conformance.properties") -> Plan:
    """Extract theorems, translate what can be, and load the hand-written properties."""
    st = SymbolTable.load(symbols)
    theorems = extract_tree(lean_dir, repo_root)
    autos: dict[str, AutoProperty] = {}
    not_translated: dict[str, str] = {}
    unmapped: dict[str, list[str]] = {}
    for t in theorems:
        try:
            autos[t.name] = translate(t, st)
        except UnmappedSymbol as e:
            not_translated[t.name] = str(e)
            if e.hand_only_reason is None:
                unmapped.setdefault(e.symbol, []).append(t.name)
        except Untranslatable as e:
            not_translated[t.name] = str(e)
    hands = load_properties(properties) if properties else []
    return Plan(theorems, autos, hands, not_translated, unmapped)


# --------------------------------------------------------------------------- Hypothesis


def _describe_failure(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", None) or []
    text = f"{type(exc).__name__}: {exc}"
    extra = [n for n in notes if not n.startswith("You can reproduce")]
    if extra:
        text += "\n" + "\n".join(extra)
    return text.strip()


def _run_one(body: Callable[[Any], None], key: str, settings_kwargs: dict[str, Any],
             time_budget: float | None = None) -> tuple[int, int, str, str | None, float]:
    """Run ``body`` under ``@given(st.data())``; return (examples, rejected, result, cex, s)."""
    from hypothesis import given, seed, settings
    from hypothesis import strategies as st
    from hypothesis.errors import UnsatisfiedAssumption

    counts = {"ok": 0, "rejected": 0, "out_of_time": 0}
    _IFF["true"] = _IFF["false"] = 0
    start = time.monotonic()

    class _OutOfTime(Exception):
        pass

    def wrapped(data: Any) -> None:
        if time_budget is not None and time.monotonic() - start > time_budget:
            counts["out_of_time"] += 1
            raise _OutOfTime
        try:
            body(data)
        except UnsatisfiedAssumption:
            counts["rejected"] += 1
            raise
        counts["ok"] += 1

    test = seed(zlib.crc32(key.encode()))(settings(**settings_kwargs)(given(st.data())(wrapped)))
    try:
        test()
    except _OutOfTime:
        return counts["ok"], counts["rejected"], "pass", None, time.monotonic() - start
    except AssertionError as exc:
        return counts["ok"], counts["rejected"], "fail", _describe_failure(exc), \
            time.monotonic() - start
    except Exception as exc:
        if counts["out_of_time"]:
            # Stopping at the time budget makes Hypothesis see a test that stopped drawing
            # early (a "flaky" error): the budget ended the run, no counterexample was found.
            return counts["ok"], counts["rejected"], "pass", None, time.monotonic() - start
        result = "fail" if "Falsifying" in "".join(getattr(exc, "__notes__", []) or []) \
            else "error"
        return counts["ok"], counts["rejected"], result, _describe_failure(exc), \
            time.monotonic() - start
    return counts["ok"], counts["rejected"], "pass", None, time.monotonic() - start


def _checks_of(p: Plan) -> list[tuple[str, str, str, Callable[[Any], None], str, bool]]:
    """(theorem, kind, name, body, detail, crosshair-eligible) for every check."""
    out: list[tuple[str, str, str, Callable[[Any], None], str, bool]] = []
    for t in p.theorems:
        auto = p.autos.get(t.name)
        if auto is not None:
            detail = render(auto)
            if auto.generators:
                detail += "\n# premises generated: " + "; ".join(auto.generators)
            out.append((t.name, "auto", "auto", auto.run, detail, auto.crosshair_ok))
    for h in p.hands:
        out.append((h.theorem, "hand", h.qualname, h.fn, (h.fn.__doc__ or "").strip(), h.crosshair))
    return out


def run_hypothesis(p: Plan, budget: Budget,
                   progress: Callable[[str], None] | None = None, *,
                   fail_fast: bool = False,
                   first: tuple[str, ...] = (),
                   shrink: bool = True) -> list[CheckResult]:
    """Every check under Hypothesis (default backend, compiled numba code).

    ``first``: run the checks of theorems whose name starts with one of these prefixes before the
    others (the order is otherwise the plan's). ``fail_fast``: stop after the first check that
    fails or errors; the checks not reached are absent from the result (the report shows their
    theorems as not run). The mutation check uses both to find a catching check quickly.
    ``shrink=False``: a counterexample is reported as found, not shrunk (the mutation check only
    needs to know that a check fails; shrinking a replica's delivery can take minutes).
    """
    from hypothesis import HealthCheck, Phase

    checks = _checks_of(p)
    if first:
        checks.sort(key=lambda c: not c[0].startswith(first))  # stable: plan order otherwise
    results: list[CheckResult] = []
    # a hand property that checks several theorems runs once; each of them gets its outcome
    # (seconds are counted once, on the first)
    ran: dict[str, tuple[int, int, str, str | None, int, int]] = {}
    for theorem, kind, name, body, detail, _ in checks:
        if kind == "hand" and name in ran:
            n, rej, res, cex, t_, f_ = ran[name]
            results.append(CheckResult(theorem, kind, "hypothesis", name, n, rej, res, cex,
                                       0.0, detail, t_, f_))
            continue
        if progress:
            progress(f"{theorem} [{kind}]")
        kwargs = dict(max_examples=budget.hypothesis_examples, database=None, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                      print_blob=False)
        if not shrink:
            kwargs["phases"] = [Phase.explicit, Phase.generate]
        n, rej, res, cex, secs = _run_one(body, f"{name}" if kind == "hand"
                                          else f"{theorem}:{name}", kwargs)
        if kind == "hand":
            ran[name] = (n, rej, res, cex, _IFF["true"], _IFF["false"])
        results.append(CheckResult(theorem, kind, "hypothesis", name, n, rej, res, cex,
                                   round(secs, 3), detail, _IFF["true"], _IFF["false"]))
        if fail_fast and res in ("fail", "error"):
            break
    return results


# --------------------------------------------------------------------------- CrossHair


def crosshair_selection(p: Plan, budget: Budget) -> list[tuple[str, str]]:
    """(theorem, property name) of the checks CrossHair runs on (pure int/list properties)."""
    sel = [(t, n) for t, _k, n, _b, _d, ok in _checks_of(p) if ok]
    if budget.crosshair_limit is not None:
        sel = sel[: budget.crosshair_limit]
    return sel


def _verified_hook() -> dict[str, Any]:
    """Record whether the backend reported 'verified' (Hypothesis keeps it on its runner,
    an internal attribute; when it is missing the result stays 'pass')."""
    state: dict[str, Any] = {"verified": None}
    try:
        from hypothesis.internal.conjecture import engine as ce
    except ImportError:  # pragma: no cover
        return state
    orig = ce.ConjectureRunner.run

    def run(self: Any) -> Any:
        try:
            return orig(self)
        finally:
            state["verified"] = getattr(self, "_verified_by_backend", None)

    ce.ConjectureRunner.run = run  # type: ignore[method-assign]
    return state


def _crosshair_worker(spec_path: Path, out_path: Path) -> int:
    """Run inside the CrossHair subprocess: the selected checks under the crosshair backend."""
    from hypothesis import HealthCheck, Phase

    spec = json.loads(spec_path.read_text())
    p = plan(Path(spec["lean"]), Path(spec["symbols"]), Path(spec["root"]), spec["properties"])
    wanted = {(t, n) for t, n in spec["selection"]}
    state = _verified_hook()
    results: list[dict[str, Any]] = []
    for theorem, kind, name, body, detail, _ in _checks_of(p):
        if (theorem, name) not in wanted:
            continue
        state["verified"] = None
        kwargs = dict(backend="crosshair", max_examples=spec["examples"], database=None,
                      deadline=None, phases=[Phase.generate], print_blob=False,
                      suppress_health_check=list(HealthCheck))
        try:
            n, rej, res, cex, secs = _run_one(body, f"{theorem}:{name}", kwargs,
                                              time_budget=spec["seconds"])
        except Exception as exc:
            n, rej, res, cex, secs = 0, 0, "error", traceback.format_exc(limit=3) + str(exc), 0.0
        if res == "pass" and state["verified"]:
            res = "verified"
        results.append(asdict(CheckResult(theorem, kind, "crosshair", name, n, rej, res, cex,
                                          round(secs, 3), detail)))
        out_path.write_text(json.dumps(results))
    out_path.write_text(json.dumps(results))
    return 0


def start_crosshair(p: Plan, budget: Budget, lean_dir: Path, symbols: Path, root: Path,
                    properties: str, pythonpath: str | None = None
                    ) -> tuple[subprocess.Popen[bytes], Path, list[tuple[str, str]]]:
    """Start the CrossHair subprocess; collect with :func:`finish_crosshair`."""
    sel = crosshair_selection(p, budget)
    tmp = Path(tempfile.mkdtemp(prefix="atomik-crosshair-"))
    spec = tmp / "spec.json"
    out = tmp / "out.json"
    spec.write_text(json.dumps({"lean": str(lean_dir), "symbols": str(symbols), "root": str(root),
                                "properties": properties, "selection": sel,
                                "examples": budget.crosshair_examples,
                                "seconds": budget.crosshair_seconds}))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", ATOMIK_CONFORMANCE_PURE="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.Popen(
        [sys.executable, "-m", "atomik.conformance.engine", "crosshair-worker", str(spec),
         str(out)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    return proc, out, sel


def finish_crosshair(proc: subprocess.Popen[bytes], out: Path, sel: list[tuple[str, str]],
                     timeout: float) -> list[CheckResult]:
    """Wait for the CrossHair subprocess; a check it never reached is reported as not run."""
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    done = [CheckResult(**r) for r in json.loads(out.read_text())] if out.exists() else []
    seen = {(r.theorem, r.name) for r in done}
    for t, n in sel:
        if (t, n) not in seen:
            msg = (err or b"").decode(errors="replace")[-600:]
            done.append(CheckResult(t, "auto" if n == "auto" else "hand", "crosshair", n,
                                    result="error", counterexample=f"CrossHair worker did not "
                                    f"report this check (exit {proc.returncode}). {msg}"))
    return done


def run_crosshair(p: Plan, budget: Budget, lean_dir: Path, symbols: Path, root: Path,
                  properties: str = "atomik.conformance.properties") -> list[CheckResult]:
    """Run the CrossHair checks and wait for them."""
    proc, out, sel = start_crosshair(p, budget, lean_dir, symbols, root, properties)
    return finish_crosshair(proc, out, sel, timeout=60 + len(sel) * (budget.crosshair_seconds * 4))


def main(argv: list[str] | None = None) -> int:
    """Internal entry point of the CrossHair subprocess."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "crosshair-worker":
        return _crosshair_worker(Path(args[1]), Path(args[2]))
    print("usage: python -m atomik.conformance.engine crosshair-worker SPEC OUT", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
