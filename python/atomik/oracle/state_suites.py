"""The vector suites of the state algebra: deltas (``delta``, ``delta_edges``,
``delta_invalid``), contexts (``context``, ``context_invalid``, ``context_core``) and tables
(``table``, ``table_invalid``). Each ``@vector`` function registers itself on import.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from atomik.oracle import MAX_WIDTH
from atomik.oracle.cases import WIDTHS, Case, Request, _int, _rand, _state, _w, vector


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
