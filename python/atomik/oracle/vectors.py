"""Deterministic conformance vectors for ports: ``python -m atomik.oracle.vectors [--out DIR]
[--check]``.

Each vector is a short session of oracle-protocol requests (``spec/oracle.md``) with the
responses the reference implementation gives, written to ``spec/vectors/<suite>/<case>.json``
(format in ``spec/vectors.md``, schema in ``spec/vectors.schema.json``).

One function is both the test and the vector generator: each ``@vector`` function below builds its
requests from a seeded :class:`random.Random`, runs them through a fresh oracle
:class:`~atomik.oracle.Session` (so the outputs come from the real ``atomik`` code) and *asserts*
the laws it exercises on those outputs, independently of the oracle (plain int XOR, sequential
replay). The suite is the function's ``suite``; the case name is the function name followed by its
parameters (``delta_ops_width_8``); the seed is the CRC32 of ``suite/case``. Nothing depends on
time or on the machine, so ``--check`` can regenerate and compare byte for byte.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from atomik import __version__
from atomik.oracle import MAX_WIDTH, PROTOCOL_VERSION, Session, to_word
from atomik.wire import DeltaMessage, encode, encode_batch

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

#: Version of the vector format and of the protocol the requests use.
SPEC_VERSION = PROTOCOL_VERSION
#: Widths every per-width suite covers (the last one is a wide, multi-word state).
WIDTHS = (1, 7, 8, 16, 32, 63, 64, 200)
DEFAULT_OUT = Path("spec/vectors")

Request = dict[str, Any]
_PROTOCOL_OPS = frozenset(Session().ops)


@dataclass
class Case:
    """What a vector function returns: its requests, the theorems they exercise, and a check.

    ``check(results)`` receives the oracle's results (one per request; for an invalid case, the
    results of every request but the last) and asserts the laws on them.
    """

    requests: list[Request]
    theorems: list[str]
    check: Callable[[list[Any]], None] | None = None


@dataclass
class Vector:
    """One generated vector: a file ``<suite>/<case>.json``."""

    suite: str
    case: str
    seed: int
    theorems: list[str]
    requests: list[Request]
    output: list[Any] | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The vector as the JSON object written to disk."""
        doc: dict[str, Any] = {
            "manifest": {
                "spec_version": SPEC_VERSION,
                "suite": self.suite,
                "case": self.case,
                "seed": self.seed,
                "theorems": sorted(self.theorems),
                "requires": self.requires(),
            },
            "input": {"requests": self.requests},
            "output": self.output,
        }
        if self.error is not None:
            doc["error"] = self.error
        return doc

    def requires(self) -> dict[str, Any]:
        """What a port needs to replay this vector: the protocol ops it uses (a deliberately
        unknown op is not listed) and the widest valid width it uses (0 when none)."""
        ops = sorted({r["op"] for r in self.requests if r.get("op") in _PROTOCOL_OPS})
        widths = [
            r["width"]
            for r in self.requests
            if type(r.get("width")) is int and 1 <= r["width"] <= MAX_WIDTH
        ]
        return {"ops": ops, "max_width": max(widths, default=0)}

    def dumps(self) -> str:
        """The file contents: sorted keys, 2-space indent, newline at end."""
        return json.dumps(self.to_json(), sort_keys=True, indent=2) + "\n"


@dataclass
class _Spec:
    suite: str
    fn: Callable[..., Case]
    params: dict[str, tuple[Any, ...]] = field(default_factory=dict)


_SPECS: list[_Spec] = []


def vector(
    suite: str, **params: tuple[Any, ...]
) -> Callable[[Callable[..., Case]], Callable[..., Case]]:
    """Declare a vector function of ``suite``, generated once per combination of ``params``."""

    def deco(fn: Callable[..., Case]) -> Callable[..., Case]:
        _SPECS.append(_Spec(suite, fn, dict(params)))
        return fn

    return deco


def _case_name(fn: Callable[..., Case], combo: dict[str, Any]) -> str:
    parts = [fn.__name__] + [f"{k}_{v}" for k, v in combo.items()]
    return "_".join(parts)


def _seed(suite: str, case: str) -> int:
    return zlib.crc32(f"{suite}/{case}".encode())


def _rand(rng: random.Random, width: int) -> int:
    """A random ``width``-bit value, biased towards edge patterns now and then."""
    r = rng.random()
    if r < 0.1:
        return (1 << width) - 1
    if r < 0.2:
        return 1 << (width - 1)
    return rng.getrandbits(width)


def _w(v: int, width: int) -> Any:
    return to_word(v, width)


def _int(word: Any) -> int:
    if isinstance(word, list):
        return sum(int(x, 16) << (64 * i) for i, x in enumerate(word))
    return int(word, 16)


def _state(result: dict[str, Any]) -> tuple[int, int, int]:
    return _int(result["reference"]), _int(result["accumulator"]), _int(result["state"])


# ================================================================================ delta
@vector("delta", width=WIDTHS)
def delta_ops(rng: random.Random, width: int) -> Case:
    """compose, compute, apply and compose_all on random values of one width."""
    a, b, c, old, new = (_rand(rng, width) for _ in range(5))
    ds = [_rand(rng, width) for _ in range(5)]
    w = width

    def req(op: str, **kw: Any) -> Request:
        return {"op": op, "width": w, **kw}

    requests = [
        req("delta.compose", a=_w(a, w), b=_w(b, w)),
        req("delta.compose", a=_w(b, w), b=_w(a, w)),
        req("delta.compose", a=_w(a ^ b, w), b=_w(c, w)),
        req("delta.compose", a=_w(a, w), b=_w(b ^ c, w)),
        req("delta.compute", old=_w(old, w), new=_w(new, w)),
        req("delta.compute", old=_w(new, w), new=_w(old, w)),
        req("delta.apply", state=_w(old, w), delta=_w(old ^ new, w)),
        req("delta.compose_all", deltas=[_w(d, w) for d in ds]),
        req("delta.compose_all", deltas=[]),
        req("delta.compose_all", deltas=[_w(d, w) for d in (*ds, ds[1])]),
    ]

    def check(r: list[Any]) -> None:
        v = [_int(x) for x in r]
        assert v[0] == a ^ b and v[0] == v[1]
        assert v[2] == v[3] == a ^ b ^ c
        assert v[4] == old ^ new == v[5]
        assert v[6] == new
        acc = 0
        for d in ds:
            acc ^= d
        assert v[7] == acc and v[8] == 0 and v[9] == acc ^ ds[1]

    return Case(
        requests,
        [
            "Atomik.Delta.compose_comm",
            "Atomik.Delta.compose_assoc",
            "Atomik.Delta.computeDelta_comm",
            "Atomik.Delta.applyDelta_computeDelta",
            "Atomik.Delta.composeAll_nil",
            "Atomik.Delta.composeAll_cons",
            "Atomik.Delta.composeAll_append",
        ],
        check,
    )


_EDGE: dict[str, Callable[[int], int]] = {
    "zero": lambda w: 0,
    "ones": lambda w: (1 << w) - 1,
    "top": lambda w: 1 << (w - 1),
}


@vector("delta_edges", width=(1, 7, 8, 63, 64, 200), value=tuple(_EDGE))
def delta_edge(rng: random.Random, width: int, value: str) -> Case:
    """Identity, self-inverse and all-ones laws at the edge values 0, all ones and the top bit."""
    w = width
    x = _EDGE[value](w)
    ones = (1 << w) - 1
    requests = [
        {"op": "delta.compose", "width": w, "a": _w(x, w), "b": _w(x, w)},
        {"op": "delta.compose", "width": w, "a": _w(x, w), "b": _w(0, w)},
        {"op": "delta.compose", "width": w, "a": _w(0, w), "b": _w(x, w)},
        {"op": "delta.compose", "width": w, "a": _w(x, w), "b": _w(ones, w)},
        {"op": "delta.compute", "width": w, "old": _w(x, w), "new": _w(x, w)},
        {"op": "delta.apply", "width": w, "state": _w(x, w), "delta": _w(0, w)},
        {"op": "delta.apply", "width": w, "state": _w(x, w), "delta": _w(x, w)},
    ]

    def check(r: list[Any]) -> None:
        v = [_int(t) for t in r]
        assert v[0] == 0 and v[1] == x and v[2] == x
        assert v[3] == x ^ ones and v[3] != x
        assert v[4] == 0 and v[5] == x and v[6] == 0

    return Case(
        requests,
        [
            "Atomik.Delta.compose_self",
            "Atomik.Delta.compose_zero",
            "Atomik.Delta.zero_compose",
            "Atomik.Delta.compose_allOnes_ne",
            "Atomik.Delta.computeDelta_self",
            "Atomik.Delta.applyDelta_zero",
        ],
        check,
    )


_DELTA_FAULTS: dict[str, Callable[[], Request]] = {
    "range_width_1": lambda: {"op": "delta.compose", "width": 1, "a": _w(2, 64), "b": _w(0, 64)},
    "range_width_8": lambda: {
        "op": "delta.apply",
        "width": 8,
        "state": _w(0, 64),
        "delta": _w(0x100, 64),
    },
    "range_width_63": lambda: {
        "op": "delta.compute",
        "width": 63,
        "old": _w(1 << 63, 64),
        "new": _w(0, 64),
    },
    "range_wide_top_word": lambda: {
        "op": "delta.compose",
        "width": 200,
        "a": _w(1 << 200, 256),
        "b": _w(0, 200),
    },
    "width_zero": lambda: {"op": "delta.compose", "width": 0, "a": _w(0, 64), "b": _w(0, 64)},
    "width_too_large": lambda: {"op": "delta.compose_all", "width": MAX_WIDTH + 1, "deltas": []},
    "width_mismatch_word_count": lambda: {
        "op": "delta.compose",
        "width": 130,
        "a": _w(0, 128),
        "b": _w(0, 130),
    },
    "bad_word_uppercase": lambda: {
        "op": "delta.compose",
        "width": 64,
        "a": "0x00000000000000FF",
        "b": _w(0, 64),
    },
    "bad_word_short": lambda: {"op": "delta.compose", "width": 64, "a": "0x1", "b": _w(0, 64)},
    "bad_word_number": lambda: {"op": "delta.compose", "width": 8, "a": 5, "b": _w(0, 64)},
    "missing_field": lambda: {"op": "delta.compose", "width": 8, "a": _w(0, 64)},
    "unknown_op": lambda: {"op": "delta.frobnicate", "width": 8},
    "unsupported_version": lambda: {"v": 99, "op": "hello"},
}


@vector("delta_invalid", fault=tuple(_DELTA_FAULTS))
def delta_invalid(rng: random.Random, fault: str) -> Case:
    """One malformed or out-of-range delta request; the expected answer is an error code."""
    return Case([_DELTA_FAULTS[fault]()], [])


# ================================================================================ context
@vector("context", width=(1, 8, 63, 64, 200), run=(0, 1))
def context_sequence(rng: random.Random, width: int, run: int) -> Case:
    """A random sequence of load / accum / rollback / swap / read with the state after each step."""
    w = width
    initial = _rand(rng, w)
    requests: list[Request] = [
        {"op": "ctx.new", "name": "c", "width": w, "initial": _w(initial, w)}
    ]
    accumulated: list[int] = []
    for _ in range(12):
        kind = rng.choice(("accum", "accum", "accum", "rollback", "swap", "load", "read"))
        if kind == "rollback" and not accumulated:
            kind = "accum"
        if kind == "accum":
            d = _rand(rng, w)
            accumulated.append(d)
            requests.append({"op": "ctx.accum", "name": "c", "delta": _w(d, w)})
        elif kind == "rollback":
            d = rng.choice(accumulated)
            requests.append({"op": "ctx.rollback", "name": "c", "delta": _w(d, w)})
        elif kind == "load":
            accumulated.clear()
            requests.append({"op": "ctx.load", "name": "c", "value": _w(_rand(rng, w), w)})
        elif kind == "swap":
            accumulated.clear()
            requests.append({"op": "ctx.swap", "name": "c"})
        else:
            requests.append({"op": "ctx.read", "name": "c"})
    requests.append({"op": "ctx.is_clean", "name": "c"})

    def check(results: list[Any]) -> None:
        # An independent model: a list of deltas since the last load/swap, replayed from scratch.
        ref, log = initial, []
        for req, res in zip(requests, results, strict=True):
            op = req["op"]
            if op in ("ctx.accum", "ctx.rollback"):
                log.append(_int(req["delta"]))
            elif op == "ctx.load":
                ref, log = _int(req["value"]), []
            elif op == "ctx.swap":
                state = ref
                for d in log:
                    state ^= d
                ref, log = state, []
            state = ref
            for d in log:
                state ^= d
            if op == "ctx.read":
                assert _int(res) == state
            elif op == "ctx.is_clean":
                assert res is (state == ref)
            else:
                assert _state(res) == (ref, state ^ ref, state)

    return Case(
        requests,
        [
            "Atomik.Context.read_load",
            "Atomik.Context.accumulator_load",
            "Atomik.Context.read_accum",
            "Atomik.Context.reference_accum",
            "Atomik.Context.read_swap",
            "Atomik.Context.isClean_swap",
            "Atomik.Context.rollback_accum",
            "Atomik.Context.read_accumAll_eq_replay",
        ],
        check,
    )


@vector("context", width=(8, 64))
def context_duplicate_delta(rng: random.Random, width: int) -> Case:
    """A delta accumulated twice reverts its effect: the duplicate does not "self-cancel
    harmlessly", it undoes the update (why replicas must deduplicate)."""
    w = width
    v, d = _rand(rng, w), _rand(rng, w) | 1
    requests = [
        {"op": "ctx.new", "name": "c", "width": w, "initial": _w(v, w)},
        {"op": "ctx.accum", "name": "c", "delta": _w(d, w)},
        {"op": "ctx.accum", "name": "c", "delta": _w(d, w)},
        {"op": "ctx.is_clean", "name": "c"},
    ]

    def check(r: list[Any]) -> None:
        assert _state(r[1])[2] == v ^ d != v
        assert _state(r[2]) == (v, 0, v) and r[3] is True

    return Case(
        requests,
        [
            "Atomik.Context.rollback_accum",
            "Atomik.Context.accumAll_accumAll_self",
            "Atomik.Delta.composeAll_append_self",
        ],
        check,
    )


@vector("context", width=(8, 64, 200))
def context_merge(rng: random.Random, width: int) -> Case:
    """Two contexts loaded with the same value; merging equals accumulating both delta lists."""
    w = width
    v = _rand(rng, w)
    ds1 = [_rand(rng, w) for _ in range(3)]
    ds2 = [_rand(rng, w) for _ in range(4)]
    requests: list[Request] = [
        {"op": "ctx.new", "name": "a", "width": w},
        {"op": "ctx.new", "name": "b", "width": w},
        {"op": "ctx.load", "name": "a", "value": _w(v, w)},
        {"op": "ctx.load", "name": "b", "value": _w(v, w)},
        {"op": "ctx.accum_many", "name": "a", "deltas": [_w(d, w) for d in ds1]},
        {"op": "ctx.accum_many", "name": "b", "deltas": [_w(d, w) for d in ds2]},
        {"op": "ctx.merge", "name": "a", "other": "b"},
        {"op": "ctx.state", "name": "b"},
    ]

    def check(r: list[Any]) -> None:
        total = v
        for d in ds1 + ds2:
            total ^= d
        assert _state(r[6])[2] == total and _state(r[6])[0] == v
        assert _state(r[7]) == _state(r[5])

    return Case(
        requests,
        [
            "Atomik.Context.read_merge",
            "Atomik.Context.merge_accumAll_load",
            "Atomik.Context.read_accumAll",
        ],
        check,
    )


_CTX_FAULTS: dict[str, list[Request]] = {
    "unknown_object": [{"op": "ctx.read", "name": "nobody"}],
    "name_taken": [
        {"op": "ctx.new", "name": "c", "width": 8},
        {"op": "ctx.new", "name": "c", "width": 8},
    ],
    "bad_name": [{"op": "ctx.new", "name": "has space", "width": 8}],
    "delta_out_of_range": [
        {"op": "ctx.new", "name": "c", "width": 7},
        {"op": "ctx.accum", "name": "c", "delta": _w(0x80, 64)},
    ],
    "rollback_top_bit_out_of_range": [
        {"op": "ctx.new", "name": "c", "width": 63},
        {"op": "ctx.rollback", "name": "c", "delta": _w(1 << 63, 64)},
    ],
    "initial_out_of_range": [{"op": "ctx.new", "name": "c", "width": 1, "initial": _w(2, 64)}],
    "merge_width_mismatch": [
        {"op": "ctx.new", "name": "a", "width": 8},
        {"op": "ctx.new", "name": "b", "width": 16},
        {"op": "ctx.merge", "name": "a", "other": "b"},
    ],
    "merge_reference_mismatch": [
        {"op": "ctx.new", "name": "a", "width": 8, "initial": _w(1, 8)},
        {"op": "ctx.new", "name": "b", "width": 8, "initial": _w(2, 8)},
        {"op": "ctx.merge", "name": "a", "other": "b"},
    ],
    "table_is_not_a_context": [
        {"op": "table.new", "name": "t", "size": 2, "width": 8},
        {"op": "ctx.read", "name": "t"},
    ],
}


@vector("context_invalid", fault=tuple(_CTX_FAULTS))
def context_invalid(rng: random.Random, fault: str) -> Case:
    """A context session whose last request is rejected (and changes nothing)."""
    return Case([dict(r) for r in _CTX_FAULTS[fault]], [])


@vector("context_core", width=(64,), run=(0, 1, 2, 3, 4, 5))
def context_core(rng: random.Random, width: int, run: int) -> Case:
    """Only ctx.new / load / accum / read at one width: what the smallest port (e.g. a 64-bit
    hardware core) can replay. Two contexts, repeated deltas, reloads."""
    w = width
    refs = {"a": _rand(rng, w), "b": _rand(rng, w)}
    accs = {"a": 0, "b": 0}
    requests: list[Request] = [
        {"op": "ctx.new", "name": n, "width": w, "initial": _w(refs[n], w)} for n in ("a", "b")
    ]
    expected: list[Any] = [(refs[n], 0) for n in ("a", "b")]
    seen: list[int] = []
    for _ in range(10 + 2 * run):
        n = rng.choice(("a", "b"))
        kind = rng.choice(("accum", "accum", "accum", "again", "load", "read", "read"))
        if kind == "again" and not seen:
            kind = "accum"
        if kind in ("accum", "again"):
            d = rng.choice(seen) if kind == "again" else _rand(rng, w)
            seen.append(d)
            accs[n] ^= d
            requests.append({"op": "ctx.accum", "name": n, "delta": _w(d, w)})
            expected.append((refs[n], accs[n]))
        elif kind == "load":
            refs[n], accs[n] = _rand(rng, w), 0
            requests.append({"op": "ctx.load", "name": n, "value": _w(refs[n], w)})
            expected.append((refs[n], 0))
        else:
            requests.append({"op": "ctx.read", "name": n})
            expected.append(refs[n] ^ accs[n])

    def check(results: list[Any]) -> None:
        for want, got in zip(expected, results, strict=True):
            if isinstance(want, tuple):
                assert _state(got) == (want[0], want[1], want[0] ^ want[1])
            else:
                assert _int(got) == want

    return Case(
        requests,
        [
            "Atomik.Context.read_load",
            "Atomik.Context.accumulator_load",
            "Atomik.Context.read_accum",
            "Atomik.Context.reference_accum",
        ],
        check,
    )


# ================================================================================ table
@vector("table", width=(8, 64), run=(0, 1))
def table_batch(rng: random.Random, width: int, run: int) -> Case:
    """Batch loads and scatter-XOR batch accumulates (duplicate addresses allowed) then reads."""
    w, n = width, 6
    loads = [(a, _rand(rng, w)) for a in rng.sample(range(n), 4)]
    ops = [(rng.randrange(n), _rand(rng, w)) for _ in range(10)]
    ops.append(ops[0])  # a duplicated (addr, delta): it cancels the first one
    requests: list[Request] = [
        {"op": "table.new", "name": "t", "size": n, "width": w},
        {
            "op": "table.load_batch",
            "name": "t",
            "addrs": [a for a, _ in loads],
            "values": [_w(v, w) for _, v in loads],
        },
        {
            "op": "table.accum_batch",
            "name": "t",
            "addrs": [a for a, _ in ops],
            "deltas": [_w(d, w) for _, d in ops],
        },
        {"op": "table.read_batch", "name": "t", "addrs": list(range(n))},
        {"op": "table.accum", "name": "t", "addr": ops[1][0], "delta": _w(ops[1][1], w)},
        {"op": "table.rollback", "name": "t", "addr": ops[1][0], "delta": _w(ops[1][1], w)},
        {"op": "table.swap", "name": "t", "addr": ops[2][0]},
        {"op": "table.read", "name": "t", "addr": ops[2][0]},
        {"op": "table.load", "name": "t", "addr": 0, "value": _w(0, w)},
        {"op": "table.read_batch", "name": "t", "addrs": [0, n - 1, 0]},
    ]

    def check(r: list[Any]) -> None:
        model = [0] * n
        for a, v in loads:
            model[a] = v
        for a, d in ops:
            model[a] ^= d
        assert [_int(x) for x in r[3]] == model
        assert _state(r[5])[2] == model[ops[1][0]]
        assert _state(r[6]) == (model[ops[2][0]], 0, model[ops[2][0]])
        assert _int(r[7]) == model[ops[2][0]]
        model[0] = 0
        assert [_int(x) for x in r[9]] == [model[0], model[n - 1], model[0]]

    return Case(
        requests,
        [
            "Atomik.Table.read_load",
            "Atomik.Table.read_accum",
            "Atomik.Table.read_accum_of_ne",
            "Atomik.Table.accum_accum",
            "Atomik.Table.rollback_accum",
            "Atomik.Table.read_swap",
            "Atomik.Table.accumBatch_eq_accumSeq",
            "Atomik.Table.read_accumBatch",
            "Atomik.Table.readBatch_cons",
        ],
        check,
    )


_TABLE_FAULTS: dict[str, list[Request]] = {
    "address_out_of_range": [
        {"op": "table.new", "name": "t", "size": 4, "width": 8},
        {"op": "table.accum", "name": "t", "addr": 4, "delta": _w(1, 8)},
    ],
    "negative_address": [
        {"op": "table.new", "name": "t", "size": 4, "width": 8},
        {"op": "table.read", "name": "t", "addr": -1},
    ],
    "batch_address_out_of_range": [
        {"op": "table.new", "name": "t", "size": 4, "width": 8},
        {"op": "table.accum_batch", "name": "t", "addrs": [0, 9], "deltas": [_w(1, 8), _w(1, 8)]},
    ],
    "batch_length_mismatch": [
        {"op": "table.new", "name": "t", "size": 4, "width": 8},
        {"op": "table.accum_batch", "name": "t", "addrs": [0, 1], "deltas": [_w(1, 8)]},
    ],
    "batch_delta_out_of_range": [
        {"op": "table.new", "name": "t", "size": 4, "width": 8},
        {
            "op": "table.accum_batch",
            "name": "t",
            "addrs": [0, 1],
            "deltas": [_w(1, 8), _w(256, 64)],
        },
    ],
    "width_too_wide": [{"op": "table.new", "name": "t", "size": 4, "width": 65}],
    "size_zero": [{"op": "table.new", "name": "t", "size": 0, "width": 8}],
}


@vector("table_invalid", fault=tuple(_TABLE_FAULTS))
def table_invalid(rng: random.Random, fault: str) -> Case:
    """A table session whose last request is rejected (and changes nothing)."""
    return Case([dict(r) for r in _TABLE_FAULTS[fault]], [])


# ================================================================================ fingerprint
@vector("fingerprint", length=(0, 1, 7, 8, 9, 64, 100))
def fingerprint_buffer(rng: random.Random, length: int) -> Case:
    """The XOR of the buffer's zero-padded little-endian 64-bit chunks, and a one-chunk update."""
    data = bytes(rng.getrandbits(8) for _ in range(length))
    padded = data + bytes(-len(data) % 8)
    chunks = [int.from_bytes(padded[i : i + 8], "little") for i in range(0, len(padded), 8)]
    expected = 0
    for c in chunks:
        expected ^= c
    requests: list[Request] = [{"op": "fingerprint", "data": data.hex()}]
    if chunks:
        i = rng.randrange(len(chunks))
        new = rng.getrandbits(64) | 1
        while new == chunks[i]:
            new = rng.getrandbits(64)
        changed = [*chunks[:i], new, *chunks[i + 1 :]]
        buf2 = b"".join(c.to_bytes(8, "little") for c in changed)
        requests += [
            {"op": "fingerprint", "data": buf2.hex()},
            {
                "op": "fingerprint.update_chunk",
                "fp": _w(expected, 64),
                "old": _w(chunks[i], 64),
                "new": _w(new, 64),
            },
        ]

    def check(r: list[Any]) -> None:
        assert _int(r[0]) == expected
        if chunks:
            assert _int(r[1]) == _int(r[2]) != expected

    theorems = ["Atomik.Fingerprint.ofChunks_append", "Atomik.Fingerprint.ofChunks_nil"]
    if chunks:
        theorems += [
            "Atomik.Fingerprint.updateChunk_ofChunks",
            "Atomik.Fingerprint.ofChunks_ne_of_ne",
            "Atomik.Fingerprint.updateChunk_ne",
        ]
    return Case(requests, theorems, check)


@vector("fingerprint", length=(16, 64))
def fingerprint_paired_change(rng: random.Random, length: int) -> Case:
    """The stated limit: flipping the same bits in two different chunks leaves the fingerprint
    unchanged (an XOR fingerprint detects any single-chunk change, not every change)."""
    data = bytearray(rng.getrandbits(8) for _ in range(length))
    i, j = rng.sample(range(length // 8), 2)
    d = rng.getrandbits(64) | 1
    changed = bytearray(data)
    for k in (i, j):
        word = int.from_bytes(changed[8 * k : 8 * k + 8], "little") ^ d
        changed[8 * k : 8 * k + 8] = word.to_bytes(8, "little")
    requests: list[Request] = [
        {"op": "fingerprint", "data": data.hex()},
        {"op": "fingerprint", "data": changed.hex()},
    ]

    def check(r: list[Any]) -> None:
        assert changed != data and r[0] == r[1]

    return Case(requests, ["Atomik.Fingerprint.ofChunks_paired_change"], check)


# ================================================================================ wire
def _msg(rng: random.Random, width: int) -> DeltaMessage:
    return DeltaMessage(
        origin=rng.getrandbits(32),
        epoch=rng.getrandbits(8),
        seq=rng.getrandbits(64),
        addr=rng.getrandbits(16),
        width=width,
        delta=_rand(rng, width),
    )


def _msg_request(m: DeltaMessage) -> Request:
    return {
        "op": "wire.encode",
        "origin": m.origin,
        "epoch": m.epoch,
        "seq": f"0x{m.seq:016x}",
        "addr": m.addr,
        "width": m.width,
        "delta": _w(m.delta, m.width),
    }


@vector("wire", width=(1, 8, 13, 64, 200))
def wire_message(rng: random.Random, width: int) -> Case:
    """A v1 single-message frame: encode, then decode back to the same fields."""
    m = _msg(rng, width)
    frame = encode(m).hex()
    requests = [_msg_request(m), {"op": "wire.decode", "frame": frame}]

    def check(r: list[Any]) -> None:
        assert r[0] == {"frame": frame}
        back = dict(_msg_request(m))
        del back["op"]
        assert r[1] == back

    return Case(requests, ["Atomik.Wire.decode_encode", "Atomik.Wire.length_encode"], check)


@vector("wire", count=(0, 1, 3))
def wire_batch(rng: random.Random, count: int) -> Case:
    """A v1 batch frame of messages of mixed widths, decoded in order."""
    ms = [_msg(rng, rng.choice((1, 8, 64, 70))) for _ in range(count)]
    frame = encode_batch(ms).hex()

    def check(r: list[Any]) -> None:
        assert len(r[0]) == count
        for got, m in zip(r[0], ms, strict=True):
            want = dict(_msg_request(m))
            del want["op"]
            assert got == want

    return Case([{"op": "wire.decode_batch", "frame": frame}], [], check)


def _reseal(body: bytes) -> bytes:
    from atomik.wire import crc32c

    return body + crc32c(body).to_bytes(4, "little")


def _wire_fault(fault: str) -> Request:
    good = encode(DeltaMessage(origin=7, epoch=1, seq=42, addr=3, width=16, delta=0xBEEF))
    body = good[:-4]
    frame: bytes
    op = "wire.decode"
    if fault == "truncated":
        frame = good[:-1]
    elif fault == "truncated_header":
        frame = good[:10]
    elif fault == "empty":
        frame = b""
    elif fault == "trailing_byte":
        frame = good + b"\x00"
    elif fault == "bad_version":
        frame = _reseal(body[:1] + b"\x02" + body[2:])
    elif fault == "bad_magic":
        frame = _reseal(b"\x00" + body[1:])
    elif fault == "bad_checksum":
        frame = good[:-1] + bytes([good[-1] ^ 0x01])
    elif fault == "flipped_payload_bit":
        frame = good[:-6] + bytes([good[-6] ^ 0x80]) + good[-5:]
    elif fault == "width_zero":
        # width field sits just before the delta bytes: offset 23..24 in a single-message frame
        frame = _reseal(body[:23] + b"\x00\x00")
    elif fault == "delta_out_of_range":
        narrow = encode(DeltaMessage(origin=7, epoch=1, seq=42, addr=3, width=12, delta=0xFFF))
        nb = narrow[:-4]
        frame = _reseal(nb[:-2] + (0xFFFF).to_bytes(2, "little"))
    elif fault == "batch_truncated":
        op = "wire.decode_batch"
        m = DeltaMessage(origin=1, epoch=0, seq=1, addr=0, width=8, delta=1)
        frame = encode_batch([m, m])[:-3]
    elif fault == "batch_count_too_large":
        op = "wire.decode_batch"
        m = DeltaMessage(origin=1, epoch=0, seq=1, addr=0, width=8, delta=1)
        b = encode_batch([m])[:-4]
        frame = _reseal(b[:3] + (5).to_bytes(4, "little") + b[7:])
    else:  # pragma: no cover - the parameter list is the dict below
        raise ValueError(fault)
    return {"op": op, "frame": frame.hex()}


_WIRE_FAULTS = (
    "truncated",
    "truncated_header",
    "empty",
    "trailing_byte",
    "bad_version",
    "bad_magic",
    "bad_checksum",
    "flipped_payload_bit",
    "width_zero",
    "delta_out_of_range",
    "batch_truncated",
    "batch_count_too_large",
)


@vector("wire_invalid", fault=_WIRE_FAULTS)
def wire_invalid(rng: random.Random, fault: str) -> Case:
    """A damaged frame; decoding must fail with the named error code, never return a message."""
    return Case([_wire_fault(fault)], [])


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
