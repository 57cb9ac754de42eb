"""atomik.context: AtomikContext and replay."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import (
    AtomikContext,
    AtomikTypeError,
    RangeError,
    ReferenceMismatchError,
    ShapeError,
    SnapshotError,
    WidthError,
    replay,
)

WIDTHS = st.sampled_from([1, 7, 8, 16, 32, 63, 64, 65, 128, 200])


@st.composite
def wv(draw: st.DrawFn, n: int) -> tuple[int, list[int]]:
    w = draw(WIDTHS)
    return w, draw(st.lists(st.integers(0, (1 << w) - 1), min_size=n, max_size=n + 15))


def state_of(c: AtomikContext) -> tuple[int, int, int, int]:
    return c.width, c.reference, c.accumulator, c.delta_count


def test_defaults() -> None:
    c = AtomikContext()
    assert (c.width, c.reference, c.accumulator, c.read(), c.delta_count) == (64, 0, 0, 0, 0)
    assert c.is_clean


@given(wv(2))
def test_load_accum_read_rollback(v: tuple[int, list[int]]) -> None:
    w, (s, d, *rest) = v
    c = AtomikContext(width=w)
    c.load(s)
    assert c.read() == s and c.accumulator == 0 and c.reference == s
    c.accum(d)
    assert c.read() == s ^ d
    assert c.delta_count == 1
    assert c.is_clean == (d == 0)
    c.rollback(d)
    assert c.read() == s and c.is_clean
    assert c.delta_count == 2
    for x in rest:
        c.accum(x)
    assert c.read() == replay(s, rest, width=w)


@given(wv(1))
def test_swap(v: tuple[int, list[int]]) -> None:
    w, (s, *ds) = v
    c = AtomikContext(width=w, initial_state=s)
    for d in ds:
        c.accum(d)
    before = c.read()
    assert c.swap() == before
    assert (c.reference, c.accumulator, c.delta_count, c.read()) == (before, 0, 0, before)
    c.accum(s)
    assert c.swap(new_reference=ds[0] if ds else 0) == before ^ s
    assert c.read() == (ds[0] if ds else 0) and c.is_clean


@given(wv(3), st.randoms(use_true_random=False))
def test_accum_order_independent(v: tuple[int, list[int]], rnd: object) -> None:
    w, ds = v
    a, b = AtomikContext(w), AtomikContext(w)
    for d in ds:
        a.accum(d)
    shuffled = list(ds)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for d in shuffled:
        b.accum(d)
    assert a == b


@given(wv(0), st.data())
def test_accum_many_matches_accum(v: tuple[int, list[int]], data: st.DataObject) -> None:
    w, ds = v
    s = data.draw(st.integers(0, (1 << w) - 1))
    seq, lst, arr = (AtomikContext(w, s) for _ in range(3))
    for d in ds:
        seq.accum(d)
    lst.accum_many(ds)
    if w <= 64:
        arr.accum_many(np.array(ds, dtype=np.uint64))
    else:
        nw = (w + 63) // 64
        rows = np.array(
            [[(d >> (64 * k)) & ((1 << 64) - 1) for k in range(nw)] for d in ds], dtype=np.uint64
        ).reshape(len(ds), nw)
        arr.accum_many(rows)
    assert state_of(seq) == state_of(lst) == state_of(arr)
    assert seq.read() == replay(s, ds, width=w)


def test_accum_many_bad_input_changes_nothing() -> None:
    c = AtomikContext(8, 5)
    c.accum(1)
    before = state_of(c)
    with pytest.raises(RangeError, match=r"deltas\[2\] = 0x100"):
        c.accum_many(np.array([1, 2, 256], dtype=np.uint64))
    with pytest.raises(RangeError, match=r"deltas\[1\]"):
        c.accum_many([3, -1])
    with pytest.raises(AtomikTypeError, match="dtype uint64"):
        c.accum_many(np.array([1.0]))
    with pytest.raises(AtomikTypeError, match=r"deltas\[0\] must be an int"):
        c.accum_many([1.5])
    with pytest.raises(AtomikTypeError):
        c.accum_many(7)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        c.accum_many(b"\x01\x02")
    with pytest.raises(ShapeError, match=r"\(n, 1\)"):
        c.accum_many(np.zeros((2, 2), dtype=np.uint64))
    assert state_of(c) == before
    wide = AtomikContext(100)
    with pytest.raises(ShapeError, match=r"\(n, 2\)"):
        wide.accum_many(np.zeros(3, dtype=np.uint64))
    with pytest.raises(RangeError, match="row 0"):
        wide.accum_many(np.array([[0, 1 << 36]], dtype=np.uint64))
    assert wide.is_clean


def test_bad_values_change_nothing() -> None:
    c = AtomikContext(8, 5)
    c.accum(3)
    before = state_of(c)
    for op in (c.load, c.accum, c.rollback, c.swap):
        with pytest.raises(RangeError, match="width 8"):
            op(256)
        with pytest.raises(RangeError):
            op(-1)
        with pytest.raises(AtomikTypeError):
            op(1.0)  # type: ignore[arg-type]
        with pytest.raises(AtomikTypeError):
            op(True)
    assert state_of(c) == before
    with pytest.raises(RangeError, match="initial_state"):
        AtomikContext(8, 256)
    with pytest.raises(WidthError):
        AtomikContext(0)


def test_merge() -> None:
    a, b = AtomikContext(16, 7), AtomikContext(16, 7)
    a.accum(1)
    a.accum(2)
    b.accum(4)
    b.accum(1)
    expected = AtomikContext(16, 7)
    expected.accum_many([1, 2, 4, 1])
    a.merge(b)
    assert a == expected and a.delta_count == 4
    assert b.read() == 7 ^ 4 ^ 1  # other unchanged


def test_merge_bad_inputs() -> None:
    a = AtomikContext(16, 7)
    a.accum(1)
    before = state_of(a)
    with pytest.raises(WidthError, match="width-8 context into a width-16"):
        a.merge(AtomikContext(8, 7))
    with pytest.raises(ReferenceMismatchError, match="shared reference"):
        a.merge(AtomikContext(16, 8))
    with pytest.raises(AtomikTypeError):
        a.merge(5)  # type: ignore[arg-type]
    assert state_of(a) == before
    other = AtomikContext(16, 8)
    other.accum(2)
    a.merge(other, allow_different_reference=True)
    assert (a.reference, a.accumulator) == (7, 3)


def test_snapshot_restore_copy_eq_repr() -> None:
    c = AtomikContext(12, 0xABC)
    c.accum(0x00F)
    snap = c.snapshot()
    assert snap == {
        "width": 12,
        "reference": 0xABC,
        "accumulator": 0xF,
        "state": 0xAB3,
        "delta_count": 1,
    }
    d = AtomikContext.from_snapshot(snap)
    assert d == c and d.delta_count == 1
    e = AtomikContext()
    e.restore(snap)
    assert e == c and e.width == 12
    f = c.copy()
    f.accum(1)
    assert f != c and c.accumulator == 0xF
    assert c != AtomikContext(13, 0xABC)
    assert (c == 5) is False
    assert repr(c) == (
        "AtomikContext(width=12, reference=0xabc, accumulator=0x00f, state=0xab3, delta_count=1)"
    )
    with pytest.raises(TypeError):
        hash(c)


def test_snapshot_bad_inputs() -> None:
    c = AtomikContext(8, 1)
    before = state_of(c)
    with pytest.raises(SnapshotError, match="missing accumulator"):
        c.restore({"width": 8, "reference": 1})
    with pytest.raises(SnapshotError, match="mapping"):
        c.restore([1, 2])  # type: ignore[arg-type]
    with pytest.raises(SnapshotError, match="not reference \\^ accumulator"):
        c.restore({"width": 8, "reference": 1, "accumulator": 2, "state": 4})
    with pytest.raises(RangeError, match="accumulator"):
        c.restore({"width": 8, "reference": 1, "accumulator": 256})
    with pytest.raises(WidthError):
        AtomikContext.from_snapshot({"width": 0, "reference": 0, "accumulator": 0})
    with pytest.raises(RangeError, match="delta_count"):
        c.restore({"width": 8, "reference": 1, "accumulator": 2, "delta_count": -1})
    assert state_of(c) == before


def test_replay() -> None:
    assert replay(5, [1, 2, 4], width=8) == 5 ^ 7
    assert replay(5, [], width=8) == 5
    with pytest.raises(RangeError, match=r"deltas\[1\]"):
        replay(0, [1, 256], width=8)
    with pytest.raises(RangeError, match="initial"):
        replay(256, [], width=8)
    with pytest.raises(AtomikTypeError):
        replay(0, 5, width=8)  # type: ignore[arg-type]


def test_swap_with_argument_reads_the_argument() -> None:
    """Lean: Context.read_swapTo, swapTo_eq_load. A context reading 7 reads 127 after
    swap(127): the argument replaces the state, the accumulated deltas are discarded."""
    from atomik import AtomikContext

    c = AtomikContext(8, 5)
    c.accum(2)
    assert c.swap(127) == 7
    d = AtomikContext(8, 5)
    d.accum(2)
    d.load(127)
    assert (c.read(), c.reference, c.accumulator, c.delta_count) == (127, 127, 0, 0)
    assert c == d


def test_delta_count_is_outside_equality() -> None:
    """Lean: Counted.accum_zero, Counted.accumMany_eq_foldl."""
    from atomik import AtomikContext

    c = AtomikContext(8, 1)
    d = c.copy()
    c.accum(0)
    assert c == d and (c.delta_count, d.delta_count) == (1, 0)
    c.accum_many([0, 3, 0])
    d.accum(3)
    assert c == d and c.delta_count == 4
