"""Hand-written checks for ``Atomik.Table`` (snapshots, the per-address view of a batch, batches
of loads, and the diff of two tables)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from atomik import AtomikTable
from atomik.conformance import strategies as S
from atomik.conformance.registry import checks
from atomik.delta import compute_delta


def _ops(data: Any, w: int) -> list[tuple[int, int]]:
    return data.draw(S.lists_of(S.pairs(S.nats(), S.bitvecs(w))), label="ops")


@checks("Atomik.Table.read_accumBatch")
def read_accum_batch(data: Any) -> None:
    """After accum_batch, address a reads its old state XOR the deltas sent to a (in any
    number, duplicates included)."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    ops = _ops(data, w)
    a = data.draw(S.nats(), label="a")
    before = t.read(a)
    t.accum_batch(np.array([x for x, _ in ops], dtype=np.int64),
                  np.array([d for _, d in ops], dtype=np.uint64))
    sent = 0
    for x, d in ops:
        if x == a:
            sent ^= d
    left, right = t.read(a), before ^ sent
    assert left == right, (left, right)


def _restore_below(t: AtomikTable, n: int) -> AtomikTable:
    """Lean's ``restore (t.snapshot n)``: restore the entries of ``t.snapshot()`` below ``n``, as
    states loaded clean (the form ``AtomikTable.restore`` accepts for Lean's pairs)."""
    snap = t.snapshot()
    entries = {a: ref ^ acc for a, (ref, acc) in snap["entries"].items() if a < n}
    return AtomikTable.restore({"width": snap["width"], "num_contexts": snap["num_contexts"],
                                "entries": entries})


@checks("Atomik.Table.read_restore_snapshot")
def read_restore_snapshot(data: Any) -> None:
    """Every address below n reads its old state after restoring a snapshot."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    n = data.draw(st.integers(1, S.TABLE_SIZE), label="n")
    a = data.draw(st.integers(0, n - 1), label="a")
    left, right = _restore_below(t, n).read(a), t.read(a)
    assert left == right, (left, right)


@checks("Atomik.Table.read_restore_snapshot")
def restore_whole_snapshot(data: Any) -> None:
    """Restoring the full Python snapshot (reference, accumulator pairs) gives an equal table."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    r = AtomikTable.restore(t.snapshot())
    left, right = r.read_all().tolist(), t.read_all().tolist()
    assert left == right, (left, right)
    assert r == t, (r, t)


@checks("Atomik.Table.read_restore_snapshot_of_le")
def read_restore_snapshot_of_le(data: Any) -> None:
    """Addresses from n on read zero after restoring a snapshot taken below n."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    n = data.draw(st.integers(0, S.TABLE_SIZE - 1), label="n")
    a = data.draw(st.integers(n, S.TABLE_SIZE - 1), label="a")
    left, right = _restore_below(t, n).read(a), 0
    assert left == right, (left, right)


# --------------------------------------------------------------------------- load_batch


def _load_batch(t: AtomikTable, ops: list[tuple[int, int]]) -> None:
    t.load_batch(np.array([a for a, _ in ops], dtype=np.int64),
                 np.array([v for _, v in ops], dtype=np.uint64))


def _ops_avoiding(data: Any, w: int, a: int, label: str) -> list[tuple[int, int]]:
    """Lean's premise ``∀ u, (a, u) ∉ ops``, generated: ops whose addresses are never ``a``."""
    others = S.nats().filter(lambda x: x != a)
    return data.draw(S.lists_of(S.pairs(others, S.bitvecs(w))), label=label)


@checks("Atomik.Table.get_loadBatch_of_not_mem")
def load_batch_leaves_other_addresses(data: Any) -> None:
    """load_batch leaves the reference and accumulator of an address it does not load alone."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    a = data.draw(S.nats(), label="a")
    ops = _ops_avoiding(data, w, a, "ops")
    before = t.context(a)
    _load_batch(t, ops)
    left, right = t.context(a), before
    assert left == right, (left, right)


@checks("Atomik.Table.read_loadBatch_last")
def load_batch_last_wins(data: Any) -> None:
    """An address reads the value of the last load addressed to it, earlier loads of it and of
    other addresses notwithstanding."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    ops1 = _ops(data, w)
    a = data.draw(S.nats(), label="a")
    v = data.draw(S.bitvecs(w), label="v")
    ops2 = _ops_avoiding(data, w, a, "ops2")
    _load_batch(t, [*ops1, (a, v), *ops2])
    left, right = t.read(a), v
    assert left == right, (left, right)


# --------------------------------------------------------------------------- diff


def _other(data: Any, t: AtomikTable, w: int) -> AtomikTable:
    """A second table: drawn on its own, or ``t`` changed at a few addresses by loads, accums
    and swaps (a swap moves the state into the reference: the storage differs, the state not)."""
    if data.draw(st.booleans(), label="independent"):
        return data.draw(S.tables(w), label="t2")
    u = t.copy()
    kinds = st.sampled_from(("load", "accum", "swap"))
    for kind, a, v in data.draw(st.lists(st.tuples(kinds, S.nats(), S.bitvecs(w)), max_size=4),
                                label="changes"):
        if kind == "load":
            u.load(a, v)
        elif kind == "accum":
            u.accum(a, v)
        else:
            u.swap(a)
    return u


def _diff_below(t1: AtomikTable, t2: AtomikTable, n: int) -> dict[int, int]:
    """Lean's ``t₁.diff t₂ n`` as a dict: the entries of ``t1.diff(t2)`` below ``n``."""
    d = t1.diff(t2)
    assert all(isinstance(k, int) and isinstance(v, int) for k, v in d.items()), d
    return {a: x for a, x in d.items() if a < n}


def _two_tables(data: Any) -> tuple[int, AtomikTable, AtomikTable, int]:
    w = data.draw(S.widths(), label="w")
    t1 = data.draw(S.tables(w), label="t1")
    t2 = _other(data, t1, w)
    n = data.draw(st.integers(0, S.TABLE_SIZE), label="n")
    return w, t1, t2, n


@checks("Atomik.Table.mem_diff")
def mem_diff(data: Any) -> None:
    """(a, d) is in the diff exactly when a < n and d is the non-zero compute_delta of the two
    states at a; tried for every address with the true delta and with a drawn one."""
    w, t1, t2, n = _two_tables(data)
    diff = _diff_below(t1, t2, n)
    for a in range(S.TABLE_SIZE):
        delta = compute_delta(t1.read(a), t2.read(a), width=w)
        for d in (delta, data.draw(S.bitvecs(w), label=f"d{a}")):
            left = a in diff and diff[a] == d
            right = a < n and d == delta and d != 0
            assert left == right, (a, d, left, right)


@checks("Atomik.Table.read_accumBatch_diff")
def diff_applied_gives_other(data: Any) -> None:
    """accum_batch of the diff's addresses and deltas makes every address below n read as in
    the other table (n = TABLE_SIZE: the whole Python diff)."""
    _w, t1, t2, n = _two_tables(data)
    diff = _diff_below(t1, t2, n)
    u = t1.copy()
    u.accum_batch(list(diff), list(diff.values()))
    for a in range(n):
        left, right = u.read(a), t2.read(a)
        assert left == right, (a, left, right)


@checks("Atomik.Table.read_accumBatch_diff_of_le")
def diff_applied_leaves_rest(data: Any) -> None:
    """accum_batch of the diff below n leaves every address from n on as it was."""
    _w, t1, t2, n = _two_tables(data)
    diff = _diff_below(t1, t2, n)
    u = t1.copy()
    u.accum_batch(list(diff), list(diff.values()))
    for a in range(n, S.TABLE_SIZE):
        left, right = u.read(a), t1.read(a)
        assert left == right, (a, left, right)


@checks("Atomik.Table.diff_self")
def diff_self(data: Any) -> None:
    """A table's diff with itself (and with a copy of itself) is empty."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.tables(w), label="t")
    n = data.draw(st.integers(0, S.TABLE_SIZE), label="n")
    for other in (t, t.copy()):
        left, right = _diff_below(t, other, n), {}
        assert left == right, (left, right)


@checks("Atomik.Table.diff_comm")
def diff_comm(data: Any) -> None:
    """t1.diff(t2) and t2.diff(t1) hold the same deltas at the same addresses."""
    _w, t1, t2, n = _two_tables(data)
    left, right = _diff_below(t1, t2, n), _diff_below(t2, t1, n)
    assert left == right, (left, right)


@checks("Atomik.Table.diff_eq_nil_iff")
def diff_empty_iff_same_reads(data: Any) -> None:
    """The diff below n is empty exactly when the two tables read the same below n (tables that
    differ only by swaps, in reference and accumulator but not in state, included)."""
    _w, t1, t2, n = _two_tables(data)
    left = _diff_below(t1, t2, n) == {}
    right = all(t1.read(a) == t2.read(a) for a in range(n))
    assert left == right, (left, right)
