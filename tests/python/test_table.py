"""atomik.table: AtomikTable scalar and batch operations, snapshot, diff, validation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import AddressError, AtomikContext, AtomikTypeError, RangeError, ShapeError
from atomik.errors import SnapshotError, WidthError
from atomik.table import AtomikTable


def test_scalar_ops() -> None:
    t = AtomikTable(4, width=8)
    assert t.num_contexts == len(t) == 4 and t.width == 8
    t.load(1, 0x10)
    t.accum(1, 0x03)
    assert t.read(1) == 0x13 and t.read(0) == 0
    assert t.swap(1) == 0x13
    assert t.context(1) == AtomikContext(8, 0x13)
    t.accum(1, 0x01)
    t.rollback(1, 0x01)
    assert t.read(1) == 0x13
    t.accum(2, 5)
    assert t.swap(2, new_reference=9) == 5 and t.read(2) == 9
    ctx = t.context(2)
    ctx.accum(1)
    assert t.read(2) == 9  # context() is a copy


@st.composite
def batch(draw: st.DrawFn) -> tuple[int, int, list[int], list[int]]:
    w = draw(st.sampled_from([1, 7, 8, 32, 63, 64]))
    n = draw(st.integers(1, 10))
    k = draw(st.integers(0, 30))
    addrs = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
    deltas = draw(st.lists(st.integers(0, (1 << w) - 1), min_size=k, max_size=k))
    return w, n, addrs, deltas


@given(batch(), st.randoms(use_true_random=False))
def test_accum_batch_equals_sequential_any_order(b: tuple, rnd: object) -> None:
    w, n, addrs, deltas = b
    seq, lst, arr = AtomikTable(n, w), AtomikTable(n, w), AtomikTable(n, w)
    for a, d in zip(addrs, deltas, strict=True):
        seq.accum(a, d)
    pairs = list(zip(addrs, deltas, strict=True))
    rnd.shuffle(pairs)  # type: ignore[attr-defined]
    lst.accum_batch([p[0] for p in pairs], [p[1] for p in pairs])
    arr.accum_batch(np.array(addrs, dtype=np.int64), np.array(deltas, dtype=np.uint64))
    assert seq == lst == arr
    assert [int(x) for x in arr.read_batch(list(range(n)))] == [seq.read(i) for i in range(n)]


@given(batch())
def test_load_batch_last_wins_and_snapshot_round_trip(b: tuple) -> None:
    w, n, addrs, values = b
    t = AtomikTable(n, w)
    t.accum_batch(addrs, values)
    t.load_batch(np.array(addrs, dtype=np.uint32), values)
    expected = {}
    for a, v in zip(addrs, values, strict=True):
        expected[a] = v
    for a, v in expected.items():
        assert t.read(a) == v and t.context(a).is_clean
    snap = t.snapshot()
    assert all(r or c for r, c in snap["entries"].values())
    assert AtomikTable.restore(snap) == t


def test_diff_copy_eq_repr() -> None:
    a = AtomikTable(5, 16)
    a.accum(3, 0xF0)
    b = a.copy()
    assert a == b and a.diff(b) == {}
    b.accum(1, 2)
    b.load(3, 0x0F)
    d = a.diff(b)
    assert d == {1: 2, 3: 0xFF}
    for addr, delta in d.items():
        a.accum(addr, delta)
    assert a.read_all().tolist() == b.read_all().tolist()
    assert a != b  # same reads, different reference/accumulator split
    assert (a == 3) is False
    assert repr(AtomikTable(5, 16)) == "AtomikTable(num_contexts=5, width=16, non_zero=0)"
    with pytest.raises(TypeError):
        hash(a)


def test_constructor_bad_inputs() -> None:
    with pytest.raises(RangeError, match="num_contexts must be an int >= 1"):
        AtomikTable(0)
    with pytest.raises(AtomikTypeError):
        AtomikTable(2.0)  # type: ignore[arg-type]
    with pytest.raises(WidthError, match=r"widths 1\.\.64, got 65"):
        AtomikTable(2, 65)
    with pytest.raises(WidthError):
        AtomikTable(2, 0)


def test_scalar_bad_inputs_change_nothing() -> None:
    t = AtomikTable(3, 8)
    t.accum(0, 1)
    before = t.copy()
    with pytest.raises(AddressError, match="address 3 out of range: expected 0 <= address < 3"):
        t.accum(3, 1)
    with pytest.raises(AddressError):
        t.read(-1)
    with pytest.raises(AddressError):
        t.context(3)
    with pytest.raises(AtomikTypeError):
        t.load(True, 1)
    with pytest.raises(RangeError, match="width 8"):
        t.load(0, 256)
    with pytest.raises(RangeError):
        t.swap(0, 256)
    with pytest.raises(IndexError):  # AddressError is an IndexError too
        t.rollback(7, 1)
    assert t == before


def test_batch_bad_inputs_change_nothing() -> None:
    t = AtomikTable(3, 8)
    before = t.copy()
    with pytest.raises(AddressError, match=r"addrs\[1\] = 5"):
        t.accum_batch([0, 5], [1, 1])
    with pytest.raises(AddressError, match=r"addrs\[0\] = -1"):
        t.accum_batch(np.array([-1, 0]), np.array([1, 1], dtype=np.uint64))
    with pytest.raises(ShapeError, match="same length, got 2 and 1"):
        t.accum_batch([0, 1], [1])
    with pytest.raises(RangeError, match=r"deltas\[1\]"):
        t.accum_batch([0, 1], np.array([1, 256], dtype=np.uint64))
    with pytest.raises(RangeError, match=r"deltas\[0\]"):
        t.accum_batch([0], [256])
    with pytest.raises(AtomikTypeError, match="dtype uint64"):
        t.accum_batch([0], np.array([1], dtype=np.int64))
    with pytest.raises(AtomikTypeError, match="integer dtype"):
        t.accum_batch(np.array([0.0]), [1])
    with pytest.raises(ShapeError, match="1-D"):
        t.accum_batch(np.zeros((1, 1), dtype=np.int64), [1])
    with pytest.raises(ShapeError, match="1-D"):
        t.load_batch([0], np.zeros((1, 1), dtype=np.uint64))
    with pytest.raises(AtomikTypeError):
        t.accum_batch(5, [1])  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        t.load_batch([0], "a")  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        t.read_batch([0.5])  # type: ignore[list-item]
    assert t == before


def test_restore_and_diff_bad_inputs() -> None:
    with pytest.raises(SnapshotError, match="missing entries"):
        AtomikTable.restore({"width": 8, "num_contexts": 2})
    with pytest.raises(SnapshotError, match="mapping"):
        AtomikTable.restore([])  # type: ignore[arg-type]
    with pytest.raises(SnapshotError, match="entries must be a mapping"):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": []})
    with pytest.raises(AddressError):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {2: (1, 0)}})
    with pytest.raises(SnapshotError, match="pair"):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {1: "5"}})
    with pytest.raises(SnapshotError, match="pair"):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {1: True}})
    with pytest.raises(RangeError, match=r"entries\[1\]"):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {1: 256}})
    states = AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {1: 5}})
    assert states.read(1) == 5 and states.context(1).is_clean
    with pytest.raises(RangeError, match="accumulator"):
        AtomikTable.restore({"width": 8, "num_contexts": 2, "entries": {1: (1, 300)}})
    with pytest.raises(ShapeError):
        AtomikTable(2, 8).diff(AtomikTable(3, 8))
    with pytest.raises(AtomikTypeError):
        AtomikTable(2, 8).diff({})  # type: ignore[arg-type]


def test_restore_snapshot_keeps_pairs_exactly() -> None:
    """Lean: Table.restorePairs_snapshotPairs, mem_snapshotPairs. An address with reference 0 and a
    non-zero accumulator is recorded as its pair and restored as that pair, not as a state."""
    from atomik import AtomikTable

    t = AtomikTable(65, 64)
    t.accum(64, 5)
    t.load(0, 9)
    t.accum(0, 9)
    snap = t.snapshot()
    assert snap["entries"] == {0: (9, 9), 64: (0, 5)}
    r = AtomikTable.restore(snap)
    assert r == t and r.context(64).accumulator == 5 and r.context(0).reference == 9


def test_table_swap_with_argument() -> None:
    """Lean: Table.read_swapTo, read_swapTo_of_ne."""
    from atomik import AtomikTable

    t = AtomikTable(3, 8)
    t.load(1, 5)
    t.accum(1, 2)
    t.accum(2, 4)
    assert t.swap(1, 127) == 7
    assert (t.read(1), t.context(1).accumulator, t.read(2), t.context(2).accumulator) == (
        127, 0, 4, 4)


def test_copy_deepcopy_pickle_keep_tables_independent() -> None:
    import copy
    import pickle

    t = AtomikTable(4, 16)
    t.accum(1, 5)
    deep = copy.deepcopy(t)
    deep.accum(1, 1)
    assert (t.read(1), deep.read(1)) == (5, 4)
    restored = pickle.loads(pickle.dumps(t))
    assert restored == t
    restored.load(2, 9)
    assert (t.read(2), restored.read(2)) == (0, 9)
    shallow = copy.copy(t)  # a shallow copy shares the arrays, as before
    shallow.accum(1, 1)
    assert t.read(1) == 4
