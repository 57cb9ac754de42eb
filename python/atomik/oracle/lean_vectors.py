"""The Lean rendering of the vectors: each vector the Lean model covers becomes kernel-checked
facts in ``lean/Atomik/Vectors.lean`` (:func:`lean_facts`), with the suites outside the model and
why (:data:`LEAN_OUTSIDE`), the generated table of ``spec/vectors.md`` (:func:`lean_table`,
:func:`render_doc`) and the per-suite summary the coverage report reads (:func:`lean_summary`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from atomik.oracle.cases import DEFAULT_OUT, Request, Vector, _int, _state

# ================================================================================ Lean facts
#: The generated Lean module: every vector the Lean model covers, as kernel-checked facts.
LEAN_OUT = Path("lean/Atomik/Vectors.lean")

#: Suites (or parts of suites) the Lean model does not cover, with the reason (shown in
#: spec/vectors.md and the coverage report).
LEAN_OUTSIDE: dict[str, str] = {
    "delta_invalid": "protocol-level faults (JSON word format, unknown op, version, width bounds "
    "of the protocol): the Lean model has typed inputs, so these inputs cannot be stated",
    "context_invalid": "errors of the oracle session (names, widths, ranges of JSON words): "
    "the Lean model's typed contexts cannot be given these inputs",
    "table_invalid": "address and batch-shape errors: the Lean table is a total function on Nat "
    "addresses with no size, so it has no out-of-range address or length mismatch",
}

#: Why some vectors of a covered suite are not stated.
LEAN_PARTIAL: dict[str, str] = {}

_WIRE_ERRORS = {
    "frame_length": "length",
    "frame_version": "version",
    "frame_checksum": "checksum",
    "frame_field": "field",
}


class _NotModelled(Exception):
    """A request whose operation the Lean model does not cover."""


def _lean_bv(v: int, width: int) -> str:
    return f"0x{v:x}#{width}"


def _lean_bytes(data: bytes) -> str:
    return "[" + ", ".join(f"0x{b:02x}#8" for b in data) + "]"


def _lean_state(term: str, res: dict[str, Any], width: int) -> str:
    r, a, s = _state(res)
    return (
        f"({term}).reference = {_lean_bv(r, width)} ∧ ({term}).accumulator = "
        f"{_lean_bv(a, width)} ∧ Context.read ({term}) = {_lean_bv(s, width)}"
    )


def _lean_msg(fields: dict[str, Any]) -> str:
    w = fields["width"]
    return (
        f"({{ origin := {fields['origin']}, epoch := {fields['epoch']}, seq := "
        f"{_int(fields['seq'])}, addr := {fields['addr']}, width := {w}, delta := "
        f"{_int(fields['delta'])} }} : Wire.Msg)"
    )


class _LeanSession:
    """Follows an oracle session symbolically: each named object is the Lean term that builds
    it from the session's inputs, so each answer becomes `model term = recorded answer`."""

    def __init__(self) -> None:
        self.ctx: dict[str, tuple[str, int]] = {}
        self.tables: dict[str, tuple[str, int]] = {}

    def fact(self, req: Request, res: Any) -> str | None:
        op = req["op"]
        w = cast(int, req.get("width"))  # every op that renders a width carries one
        if op in ("delta.compose", "delta.compute", "delta.apply"):
            args = {
                "delta.compose": ("Delta.compose", "a", "b"),
                "delta.compute": ("Delta.computeDelta", "old", "new"),
                "delta.apply": ("Delta.applyDelta", "state", "delta"),
            }[op]
            x, y = (_lean_bv(_int(req[k]), w) for k in args[1:])
            return f"{args[0]} {x} {y} = {_lean_bv(_int(res), w)}"
        if op == "delta.compose_all":
            ds = ", ".join(_lean_bv(_int(d), w) for d in req["deltas"])
            return f"Delta.composeAll ([{ds}] : List (BitVec {w})) = {_lean_bv(_int(res), w)}"
        if op.startswith("ctx."):
            return self._ctx_fact(op, req, res)
        if op.startswith("table."):
            return self._table_fact(op, req, res)
        if op == "fingerprint":
            data = bytes.fromhex(req["data"])
            return (
                f"Fingerprint.ofChunks (Wire.chunks64 {_lean_bytes(data)}) = "
                f"{_lean_bv(_int(res), 64)}"
            )
        if op == "fingerprint.update_chunk":
            fp, old, new = (_lean_bv(_int(req[k]), 64) for k in ("fp", "old", "new"))
            return f"Fingerprint.updateChunk {fp} {old} {new} = {_lean_bv(_int(res), 64)}"
        if op == "wire.encode":
            frame = bytes.fromhex(res["frame"])
            fields = {k: req[k] for k in ("origin", "epoch", "seq", "addr", "width", "delta")}
            return f"Wire.encode {_lean_msg(fields)} = {_lean_bytes(frame)}"
        if op == "wire.decode":
            frame = bytes.fromhex(req["frame"])
            return f"Wire.decode {_lean_bytes(frame)} = .ok {_lean_msg(res)}"
        if op == "wire.decode_batch":
            frame = bytes.fromhex(req["frame"])
            ms = ", ".join(_lean_msg(m) for m in res)
            return f"Wire.decodeBatch {_lean_bytes(frame)} = .ok [{ms}]"
        raise _NotModelled(op)

    def _ctx_fact(self, op: str, req: Request, res: Any) -> str | None:
        name = req["name"]
        if op == "ctx.new":
            w = req["width"]
            init = _int(req["initial"]) if "initial" in req else 0
            term = f"(⟨{_lean_bv(init, w)}, 0#{w}⟩ : Context {w})"
            self.ctx[name] = (term, w)
            return _lean_state(term, res, w)
        term, w = self.ctx[name]
        if op in ("ctx.accum", "ctx.rollback"):
            fn = "accum" if op == "ctx.accum" else "rollback"
            term = f"(Context.{fn} {term} {_lean_bv(_int(req['delta']), w)})"
        elif op == "ctx.load":
            term = f"(Context.load {term} {_lean_bv(_int(req['value']), w)})"
        elif op == "ctx.swap":
            term = f"(Context.swap {term})"
        elif op == "ctx.accum_many":
            ds = ", ".join(_lean_bv(_int(d), w) for d in req["deltas"])
            term = f"(Context.accumAll {term} [{ds}])"
        elif op == "ctx.merge":
            other, _ = self.ctx[req["other"]]
            term = f"(Context.merge {term} {other})"
        elif op == "ctx.read":
            return f"Context.read ({term}) = {_lean_bv(_int(res), w)}"
        elif op == "ctx.is_clean":
            return f"Context.isClean ({term}) = {'true' if res else 'false'}"
        elif op != "ctx.state":
            raise _NotModelled(op)
        self.ctx[name] = (term, w)
        return _lean_state(term, res, w)

    def _table_fact(self, op: str, req: Request, res: Any) -> str | None:
        name = req["name"]
        if op == "table.new":
            w = req["width"]
            self.tables[name] = (f"(Table.empty {w})", w)
            return None
        term, w = self.tables[name]
        if op in ("table.load_batch", "table.accum_batch"):
            load = op == "table.load_batch"
            key, fn = ("values", "loadBatch") if load else ("deltas", "accumBatch")
            vals = zip(req["addrs"], req[key], strict=True)
            pairs = ", ".join(f"({a}, {_lean_bv(_int(v), w)})" for a, v in vals)
            self.tables[name] = (f"(Table.{fn} {term} [{pairs}])", w)
            return None
        if op == "table.read_batch":
            read = ", ".join(_lean_bv(_int(v), w) for v in res)
            return f"Table.readBatch {term} {req['addrs']} = [{read}]"
        if op == "table.read":
            return f"Table.read {term} {req['addr']} = {_lean_bv(_int(res), w)}"
        a = req["addr"]
        if op in ("table.accum", "table.rollback"):
            fn = "accum" if op == "table.accum" else "rollback"
            term = f"(Table.{fn} {term} {a} {_lean_bv(_int(req['delta']), w)})"
        elif op == "table.load":
            term = f"(Table.load {term} {a} {_lean_bv(_int(req['value']), w)})"
        elif op == "table.swap":
            term = f"(Table.swap {term} {a})"
        else:
            raise _NotModelled(op)
        self.tables[name] = (term, w)
        return _lean_state(f"{term}.get {a}", res, w)


@dataclass
class LeanFacts:
    """What the generator states in Lean: per vector, its facts; per suite, the counts."""

    text: str
    #: suite -> (vectors stated in Lean, vectors in the suite, valid vectors in the suite)
    counts: dict[str, tuple[int, int, int]]
    #: suite/case -> why it is not stated (only for vectors left out of a covered suite)
    skipped: dict[str, str]


def _vector_facts(v: Vector) -> list[str]:
    """The Lean propositions of one vector (raises :class:`_NotModelled`)."""
    if v.output is None:
        # an invalid vector is stated only where the model has the error: damaged frames
        *setup, last = v.requests
        decoder = {"wire.decode": "Wire.decode", "wire.decode_batch": "Wire.decodeBatch"}
        if v.error in _WIRE_ERRORS and last["op"] in decoder and not setup:
            frame = bytes.fromhex(last["frame"])
            return [f"{decoder[last['op']]} {_lean_bytes(frame)} = .error "
                    f".{_WIRE_ERRORS[v.error]}"]
        raise _NotModelled(last["op"])
    session = _LeanSession()
    facts = [session.fact(r, res) for r, res in zip(v.requests, v.output, strict=True)]
    return [f for f in facts if f is not None]


def lean_facts(vs: list[Vector]) -> LeanFacts:
    """The generated Lean module for the vectors ``vs`` and what it covers."""
    body: list[str] = []
    counts: dict[str, list[int]] = {}
    skipped: dict[str, str] = {}
    for v in vs:
        c = counts.setdefault(v.suite, [0, 0, 0])
        c[1] += 1
        c[2] += v.output is not None
        try:
            if v.suite in LEAN_OUTSIDE:
                raise _NotModelled(v.suite)
            facts = _vector_facts(v)
            if not facts:
                raise _NotModelled(v.requests[-1]["op"])
        except _NotModelled as exc:
            if v.suite not in LEAN_OUTSIDE:
                skipped[f"{v.suite}/{v.case}"] = f"op {exc} is not modelled in Lean"
            continue
        c[0] += 1
        body.append(f"-- {v.suite}/{v.case}")
        for i, f in enumerate(facts):
            body.append(f'example : Vec "{v.suite}/{v.case} #{i}" ({f}) := by decide')
        body.append("")
    table = [
        f"  {s}: {n} of {total} vectors stated ({valid} valid)"
        for s, (n, total, valid) in counts.items()
    ]
    header = _LEAN_HEADER.format(summary="\n".join(table))
    return LeanFacts(
        header + "\n".join(body) + "end Atomik.Vectors\n",
        {s: (n, t, va) for s, (n, t, va) in counts.items()},
        skipped,
    )


#: Where spec/vectors.md holds the generated per-suite table of Lean-stated vectors.
DOC_PATH = Path("spec/vectors.md")
_DOC_BEGIN = "<!-- lean-vectors:begin (generated by python -m atomik.oracle.vectors) -->"
_DOC_END = "<!-- lean-vectors:end -->"


def lean_table(facts: LeanFacts) -> str:
    """The markdown table of spec/vectors.md: per suite, the vectors stated in Lean."""
    rows = [
        "| suite | vectors | valid | stated in Lean (kernel-checked by `make lean`) | "
        "outside the model |",
        "|---|---:|---:|---:|---|",
    ]
    for suite, (n, total, valid) in facts.counts.items():
        why = LEAN_OUTSIDE.get(suite, "")
        left = sorted(k.split("/", 1)[1] for k in facts.skipped if k.startswith(suite + "/"))
        if left:
            why = (why + "; " if why else "") + (
                f"{LEAN_PARTIAL.get(suite, 'not modelled in Lean')}: "
                + ", ".join(f"`{c}`" for c in left)
            )
        rows.append(f"| `{suite}` | {total} | {valid} | {n} | {why} |")
    stated = sum(n for n, _, _ in facts.counts.values())
    valid = sum(v for _, _, v in facts.counts.values())
    stated_valid = sum(
        min(n, v) for s, (n, _, v) in facts.counts.items() if not s.endswith("_invalid")
    )
    rows.append(
        f"| **all** | {sum(t for _, t, _ in facts.counts.values())} | {valid} | {stated} | "
        f"{stated_valid} of the {valid} valid vectors, and {stated - stated_valid} invalid "
        "wire frames with their error kind |"
    )
    return "\n".join(rows)


def render_doc(doc: str, facts: LeanFacts) -> str:
    """spec/vectors.md with its generated table replaced (the markers must be present)."""
    start, end = doc.index(_DOC_BEGIN) + len(_DOC_BEGIN), doc.index(_DOC_END)
    return doc[:start] + "\n" + lean_table(facts) + "\n" + doc[end:]


def lean_summary(
    lean_modules: dict[str, Any], root: Path | None = None
) -> list[dict[str, Any]]:
    """Per suite, from the committed files: vectors, valid ones, those stated in
    lean/Atomik/Vectors.lean, those confirmed (stated, and the module checked by the Lean
    build whose status is ``lean_modules``), and why the rest is outside the model. Read by the
    coverage report."""
    base = root if root is not None else Path(__file__).resolve().parents[3]
    lean = base / LEAN_OUT
    stated: dict[str, set[str]] = {}
    if lean.is_file():
        for m in re.finditer(r'^example : Vec "([^/"]+)/([^ "]+) #', lean.read_text("utf-8"), re.M):
            stated.setdefault(m.group(1), set()).add(m.group(2))
    checked = (lean_modules.get("Atomik.Vectors") or {}).get("status") == "checked"
    rows: list[dict[str, Any]] = []
    if not (base / DEFAULT_OUT).is_dir():
        return rows
    for suite_dir in sorted(p for p in (base / DEFAULT_OUT).iterdir() if p.is_dir()):
        docs = [json.loads(f.read_text("utf-8")) for f in sorted(suite_dir.glob("*.json"))]
        n = len(stated.get(suite_dir.name, ()))
        rows.append({
            "suite": suite_dir.name,
            "vectors": len(docs),
            "valid": sum(d["output"] is not None for d in docs),
            "stated": n,
            "confirmed": n if checked else 0,
            "outside": LEAN_OUTSIDE.get(suite_dir.name, LEAN_PARTIAL.get(suite_dir.name, "")),
        })
    return rows


_LEAN_HEADER = """\
module

public import Atomik.Table
public import Atomik.Fingerprint
public import Atomik.Wire

public section

set_option autoImplicit false
-- the elaborator's recursion limit, for `decide` over the byte strings of wire frames
set_option maxRecDepth 100000

/-!
# The committed conformance vectors, checked by the Lean kernel

GENERATED by `python -m atomik.oracle.vectors` from spec/vectors/ — do not edit (`make vectors`
fails when this file is stale). Each `example` states that the Lean model, run on a vector's inputs,
gives the answer the Python oracle recorded; `decide` has the kernel evaluate it. A false statement
fails `make lean` with "decide proved that the proposition Vec "<suite>/<case> #<i>" … is false",
naming the vector and the request.

{summary}
-/

namespace Atomik.Vectors

open Atomik

/-- A vector's expected answer `p`, labelled with the vector's name so that a failing check says
which vector it is. -/
@[expose] def Vec (_name : String) (p : Prop) : Prop := p

instance (name : String) (p : Prop) [h : Decidable p] : Decidable (Vec name p) := h

"""
