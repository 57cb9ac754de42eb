"""Deterministic conformance vectors for ports: ``python -m atomik.oracle.vectors [--out DIR]
[--check]``.

Each vector is a short session of oracle-protocol requests (``spec/oracle.md``) with the
responses the reference implementation gives, written to ``spec/vectors/<suite>/<case>.json``
(format in ``spec/vectors.md``, schema in ``spec/vectors.schema.json``).

One function is both the test and the vector generator: each ``@vector`` function builds its
requests from a seeded :class:`random.Random`, runs them through a fresh oracle
:class:`~atomik.oracle.Session` (so the outputs come from the real ``atomik`` code) and *asserts*
the laws it exercises on those outputs, independently of the oracle (plain int XOR, sequential
replay). The suite is the function's ``suite``; the case name is the function name followed by its
parameters (``delta_ops_width_8``); the seed is the CRC32 of ``suite/case``. Nothing depends on
time or on the machine, so ``--check`` can regenerate and compare byte for byte.

The code is split by what it holds: :mod:`~atomik.oracle.cases` the framework (:class:`Case`,
:class:`Vector`, the ``@vector`` registry, seeds), :mod:`~atomik.oracle.state_suites` and
:mod:`~atomik.oracle.wire_suites` the vector functions, :mod:`~atomik.oracle.lean_vectors` the
Lean statements of the vectors; this module runs them (:func:`build_all`), writes and checks the
files, and re-exports the names above so ``atomik.oracle.vectors`` keeps its interface.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atomik import __version__
from atomik.oracle import Session, state_suites, wire_suites
from atomik.oracle.cases import _SPECS, _case_name, _seed, _Spec
from atomik.oracle.cases import DEFAULT_OUT as DEFAULT_OUT
from atomik.oracle.cases import SPEC_VERSION as SPEC_VERSION
from atomik.oracle.cases import WIDTHS as WIDTHS
from atomik.oracle.cases import Case as Case
from atomik.oracle.cases import Request as Request
from atomik.oracle.cases import Vector as Vector
from atomik.oracle.cases import vector as vector
from atomik.oracle.lean_vectors import DOC_PATH as DOC_PATH
from atomik.oracle.lean_vectors import LEAN_OUT as LEAN_OUT
from atomik.oracle.lean_vectors import LEAN_OUTSIDE as LEAN_OUTSIDE
from atomik.oracle.lean_vectors import LEAN_PARTIAL as LEAN_PARTIAL
from atomik.oracle.lean_vectors import LeanFacts as LeanFacts
from atomik.oracle.lean_vectors import _vector_facts as _vector_facts
from atomik.oracle.lean_vectors import lean_facts as lean_facts
from atomik.oracle.lean_vectors import lean_summary as lean_summary
from atomik.oracle.lean_vectors import lean_table as lean_table
from atomik.oracle.lean_vectors import render_doc as render_doc
from atomik.oracle.state_suites import context_core as context_core
from atomik.oracle.state_suites import context_duplicate_delta as context_duplicate_delta
from atomik.oracle.state_suites import context_invalid as context_invalid
from atomik.oracle.state_suites import context_merge as context_merge
from atomik.oracle.state_suites import context_sequence as context_sequence
from atomik.oracle.state_suites import delta_edge as delta_edge
from atomik.oracle.state_suites import delta_invalid as delta_invalid
from atomik.oracle.state_suites import delta_ops as delta_ops
from atomik.oracle.state_suites import table_batch as table_batch
from atomik.oracle.state_suites import table_invalid as table_invalid
from atomik.oracle.wire_suites import fingerprint_buffer as fingerprint_buffer
from atomik.oracle.wire_suites import fingerprint_paired_change as fingerprint_paired_change
from atomik.oracle.wire_suites import wire_batch as wire_batch
from atomik.oracle.wire_suites import wire_invalid as wire_invalid
from atomik.oracle.wire_suites import wire_message as wire_message

__all__ = [
    "LEAN_OUT",
    "SPEC_VERSION",
    "Case",
    "LeanFacts",
    "Vector",
    "build_all",
    "check",
    "lean_facts",
    "lean_summary",
    "main",
    "write",
]


#: The suite modules: importing them registers their ``@vector`` functions, state suites first
#: then wire suites (the order of the vectors, of their Lean facts and of the per-suite table).
_SUITE_MODULES = (state_suites, wire_suites)


# ================================================================================ generation
def iter_cases() -> Iterator[tuple[_Spec, dict[str, Any], str]]:
    """Every (spec, parameters, case name), in declaration order."""
    for spec in _SPECS:
        keys = list(spec.params)
        for values in itertools.product(*(spec.params[k] for k in keys)):
            combo = dict(zip(keys, values, strict=True))
            yield spec, combo, _case_name(spec.fn, combo)


def build(spec: _Spec, combo: dict[str, Any], case: str) -> Vector:
    """Run one vector function: build its session, answer it with the oracle, check its laws."""
    seed = _seed(spec.suite, case)
    built = spec.fn(random.Random(seed), **combo)
    session = Session()
    responses = [session.handle_request(json.loads(json.dumps(r))) for r in built.requests]
    *setup, last = responses
    bad_setup = [i for i, r in enumerate(setup) if not r["ok"]]
    if bad_setup:
        raise AssertionError(f"{spec.suite}/{case}: setup request {bad_setup[0]} failed: {setup}")
    if last["ok"]:
        results = [r["result"] for r in responses]
        if built.check is not None:
            built.check(results)
        return Vector(spec.suite, case, seed, built.theorems, built.requests, results)
    if built.check is not None:
        raise AssertionError(f"{spec.suite}/{case}: last request failed: {last['error']}")
    return Vector(
        spec.suite, case, seed, built.theorems, built.requests, None, last["error"]["code"]
    )


def build_all() -> list[Vector]:
    """Every vector, each checked against the laws its function asserts."""
    return [build(spec, combo, case) for spec, combo, case in iter_cases()]


def write(out: Path, vs: list[Vector] | None = None) -> list[Path]:
    """Write every vector under ``out`` (``<suite>/<case>.json``); return the paths written."""
    paths = []
    for v in build_all() if vs is None else vs:
        p = out / v.suite / f"{v.case}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(v.dumps(), encoding="utf-8")
        paths.append(p)
    return paths


def check(committed: Path, lean: Path | None = None, doc: Path | None = None) -> list[str]:
    """Regenerate into a temporary folder; return the differences from ``committed`` (empty when
    identical), each naming a file. With ``lean``, also compare the generated Lean module (and
    with ``doc``, the generated table of spec/vectors.md)."""
    problems: list[str] = []
    vs = build_all()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write(fresh, vs)
        new = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*.json")}
        old = (
            {p.relative_to(committed).as_posix() for p in committed.rglob("*.json")}
            if committed.is_dir()
            else set()
        )
        for rel in sorted(new - old):
            problems.append(f"missing (would be generated): {committed / rel}")
        for rel in sorted(old - new):
            problems.append(f"stale (no longer generated): {committed / rel}")
        for rel in sorted(new & old):
            if (fresh / rel).read_bytes() != (committed / rel).read_bytes():
                problems.append(f"differs from the generator: {committed / rel}")
    if lean is not None:
        facts = lean_facts(vs)
        if not lean.is_file():
            problems.append(f"missing (would be generated): {lean}")
        elif lean.read_text(encoding="utf-8") != facts.text:
            problems.append(f"stale Lean facts, differs from the generator: {lean}")
        if doc is not None and doc.is_file():
            text = doc.read_text(encoding="utf-8")
            if render_doc(text, facts) != text:
                problems.append(f"stale table of Lean-stated vectors: {doc}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m atomik.oracle.vectors``."""
    ap = argparse.ArgumentParser(
        prog="python -m atomik.oracle.vectors", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="vector folder (spec/vectors)")
    ap.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and fail if anything differs from --out",
    )
    ap.add_argument(
        "--lean",
        type=Path,
        default=LEAN_OUT,
        help="the generated Lean module of kernel-checked vector facts (lean/Atomik/Vectors.lean)",
    )
    ap.add_argument(
        "--doc",
        type=Path,
        default=DOC_PATH,
        help="the document whose generated table counts the Lean-stated vectors (spec/vectors.md)",
    )
    args = ap.parse_args(argv)
    if args.check:
        problems = check(args.out, args.lean, args.doc)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print(
                f"vectors: {len(problems)} file(s) differ; run `python -m atomik.oracle.vectors "
                f"--out {args.out}` and review the diff",
                file=sys.stderr,
            )
            return 1
        print(f"vectors: {args.out} matches the generator")
        return 0
    if args.out.is_dir():
        for old in args.out.rglob("*.json"):
            old.unlink()
    vs = build_all()
    paths = write(args.out, vs)
    suites = len({p.parent for p in paths})
    print(f"vectors: wrote {len(paths)} files in {suites} suites under {args.out}")
    facts = lean_facts(vs)
    args.lean.parent.mkdir(parents=True, exist_ok=True)
    args.lean.write_text(facts.text, encoding="utf-8")
    stated = sum(n for n, _, _ in facts.counts.values())
    print(f"vectors: wrote {args.lean} stating {stated} of {len(vs)} vectors in Lean")
    if args.doc.is_file():
        args.doc.write_text(render_doc(args.doc.read_text(encoding="utf-8"), facts), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
