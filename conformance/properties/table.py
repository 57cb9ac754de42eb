"""Hand-written checks for ``Atomik.Table`` (snapshots, and the per-address view of a batch)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from atomik import AtomikTable
from atomik.conformance import strategies as S
from atomik.conformance.registry import checks


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
