"""Hand-written checks for ``Atomik.Api``: swap with an argument, the table snapshot in Python's
own format, the delta count, and the acceptance rule of every validating boundary, checked at
exactly the boundary (largest accepted, smallest rejected) for every input form: ints, 1-D and
2-D ``uint64`` arrays, lists, and batches; a rejected call must leave the object equal to a copy
taken before it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from atomik import AtomikContext, AtomikTable
from atomik._check import check_addr, check_value, int_to_words, words_for, words_to_int
from atomik.conformance import strategies as S
from atomik.conformance.engine import observe_iff
from atomik.conformance.registry import checks
from atomik.context import replay
from atomik.delta import apply_delta, compute_delta
from atomik.errors import AddressError, AtomikError, RangeError, ShapeError

# --------------------------------------------------------------------------- helpers


def _accepted(fn: Callable[[], object], *errors: type[AtomikError]) -> bool:
    """Run ``fn``; False if it raised one of ``errors`` (any other exception propagates)."""
    try:
        fn()
    except errors:
        return False
    return True


def _edge_value(data: Any, w: int, label: str = "v") -> int:
    """A value next to the width's boundary half the time, anywhere in [0, 2**(w+1)) otherwise:
    accepted about as often as rejected."""
    top = 1 << w
    edge = st.sampled_from((top - 1, top, 0, top + 1, (top << 1) - 1))
    return data.draw(st.one_of(edge, st.integers(0, (top << 1) - 1)), label=label)


def _edge_word(data: Any, w: int, label: str = "x") -> int:
    """A uint64 word next to ``2**w`` (for ``w < 64``) or anywhere in ``[0, 2**64)``."""
    if w >= 64:
        return data.draw(st.sampled_from((0, 1, (1 << 64) - 1)) | st.integers(0, (1 << 64) - 1),
                         label=label)
    top = 1 << w
    edge = st.sampled_from((top - 1, top, top + 1, 0, (1 << 64) - 1))
    return data.draw(st.one_of(edge, st.integers(0, (1 << 64) - 1)), label=label)


def _edge_address(data: Any, size: int) -> int:
    """An address inside ``[0, size)`` half the time (often 0 or ``size - 1``), just outside it
    otherwise (often ``size`` or ``-1``)."""
    if data.draw(st.booleans(), label="address inside"):
        return data.draw(st.sampled_from((size - 1, 0)) | st.integers(0, size - 1), label="a")
    return data.draw(st.sampled_from((size, -1)) | st.integers(-3, -1)
                     | st.integers(size, size + 3), label="a")


def _ctx_state(c: AtomikContext) -> tuple[int, int, int, int]:
    return (c.width, c.reference, c.accumulator, c.delta_count)


# --------------------------------------------------------------------------- swap with an argument


@checks("Atomik.Context.read_swapTo")
def swap_to_reads_argument(data: Any) -> None:
    """ctx.swap(v) returns the old state; afterwards the context reads v (e.g. 7 → 127)."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    v = data.draw(S.bitvecs(w), label="v")
    old = c.read()
    returned = c.swap(v)
    left, right = (c.read(), returned), (v, old)
    assert left == right, (left, right)


@checks("Atomik.Context.isClean_swapTo")
def swap_to_is_clean(data: Any) -> None:
    """ctx.swap(v) leaves a clean context whose delta_count is 0."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    c.swap(data.draw(S.bitvecs(w), label="v"))
    assert (c.is_clean, c.delta_count) == (True, 0), c


@checks("Atomik.Context.swapTo_read")
def swap_to_read_is_swap(data: Any) -> None:
    """ctx.swap(ctx.read()) gives the same context as ctx.swap()."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    d = c.copy()
    c.swap(c.read())
    d.swap()
    assert c == d, (c, d)


@checks("Atomik.Context.swapTo_eq_load")
def swap_to_is_load(data: Any) -> None:
    """ctx.swap(v) gives the same context (reference, accumulator, count) as ctx.load(v)."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    v = data.draw(S.bitvecs(w), label="v")
    d = c.copy()
    c.swap(v)
    d.load(v)
    left, right = _ctx_state(c), _ctx_state(d)
    assert left == right, (left, right)


@checks("Atomik.Context.read_swapTo_eq_applyDelta")
def swap_to_applies_delta(data: Any) -> None:
    """The state after ctx.swap(v) is the old state with compute_delta(old, v) applied."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    v = data.draw(S.bitvecs(w), label="v")
    old = c.read()
    c.swap(v)
    left, right = c.read(), apply_delta(old, compute_delta(old, v, width=w), width=w)
    assert left == right, (left, right)


@checks("Atomik.Table.read_swapTo")
def table_swap_to_reads_argument(data: Any) -> None:
    """table.swap(a, v) returns the old state at a; afterwards a reads v with a clean context."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    a = data.draw(st.integers(0, len(t) - 1), label="a")
    v = data.draw(S.bitvecs(w), label="v")
    old = t.read(a)
    returned = t.swap(a, v)
    left, right = (t.read(a), returned, t.context(a).accumulator), (v, old, 0)
    assert left == right, (left, right)


@checks("Atomik.Table.read_swapTo_of_ne")
def table_swap_to_leaves_others(data: Any) -> None:
    """table.swap(a, v) leaves every other address (reference and accumulator) alone."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    a = data.draw(st.integers(0, len(t) - 1), label="a")
    before = t.copy()
    t.swap(a, data.draw(S.bitvecs(w), label="v"))
    for b in range(len(t)):
        if b != a:
            left, right = t.context(b), before.context(b)
            assert left == right, (b, left, right)


# --------------------------------------------------------------------------- table snapshots


@checks("Atomik.Table.mem_snapshotPairs")
def snapshot_entries(data: Any) -> None:
    """An address is in snapshot()["entries"] exactly when its (reference, accumulator) pair is
    not (0, 0), and then with exactly that pair; tried for every address and a drawn pair."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    entries = t.snapshot()["entries"]
    for a in range(len(t) + 1):
        c = t.context(a) if a < len(t) else AtomikContext(w)
        pair = (c.reference, c.accumulator)
        for p in (pair, (data.draw(S.bitvecs(w)), data.draw(S.bitvecs(w)))):
            left = entries.get(a) == p
            right = a < len(t) and p == pair and p != (0, 0)
            assert left == right, (a, p, left, right)


@checks("Atomik.Table.restoreEntry_snapshotPairs")
def restore_entry(data: Any) -> None:
    """Each address of restore(snapshot()) has exactly the reference and accumulator it had."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    r = AtomikTable.restore(t.snapshot())
    for a in range(len(t)):
        left, right = r.context(a), t.context(a)
        assert (left.reference, left.accumulator) == (right.reference, right.accumulator), (
            a, left, right)


@checks("Atomik.Table.restorePairs_snapshotPairs")
def restore_snapshot_exactly(data: Any) -> None:
    """AtomikTable.restore(t.snapshot()) == t: size, width, every reference and accumulator
    (the premise, nothing stored beyond the size, holds for every Python table)."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    r = AtomikTable.restore(t.snapshot())
    assert r == t, (r, t)
    assert r.snapshot() == t.snapshot()


@checks("Atomik.Table.ext_get")
def table_eq_by_contexts(data: Any) -> None:
    """Two tables are == exactly when every address holds the same reference and accumulator."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    u = t.copy()
    if data.draw(st.booleans(), label="change one address"):
        a = data.draw(st.integers(0, len(t) - 1), label="a")
        u.accum(a, data.draw(st.integers(1, (1 << w) - 1), label="d"))
    left = u == t
    right = all(u.context(a) == t.context(a) for a in range(len(t)))
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Table.context_eq_zero")
def zero_context(data: Any) -> None:
    """A context with reference 0 and accumulator 0 equals a new context (and is omitted from a
    table snapshot)."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    for a in range(len(t)):
        c = t.context(a)
        if (c.reference, c.accumulator) == (0, 0):
            assert c == AtomikContext(w), c
            assert a not in t.snapshot()["entries"]


# --------------------------------------------------------------------------- delta_count


@checks("Atomik.Counted.accumMany_eq_foldl")
def accum_many_counts_like_accum(data: Any) -> None:
    """accum_many(ds) (list, 1-D or 2-D array) gives the same context and delta_count as
    accum(d) for each d in turn."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    ds = data.draw(S.lists_of(st.one_of(st.just(0), S.bitvecs(w))), label="ds (zeros count too)")
    form = data.draw(st.sampled_from(("list", "array")), label="form")
    one, many = c.copy(), c.copy()
    for d in ds:
        one.accum(d)
    if form == "list":
        many.accum_many(ds)
    elif w <= 64:
        many.accum_many(np.array(ds, dtype=np.uint64))
    else:
        many.accum_many(np.array([int_to_words(d, words_for(w)) for d in ds],
                                 dtype=np.uint64).reshape(len(ds), words_for(w)))
    left, right = _ctx_state(many), _ctx_state(one)
    assert left == right, (left, right)


@checks("Atomik.Counted.accum_zero")
def accum_zero_counts(data: Any) -> None:
    """accum(0) counts one delta and leaves the context == to what it was."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    before = c.copy()
    c.accum(0)
    left, right = (c == before, c.delta_count), (True, before.delta_count + 1)
    assert left == right, (left, right)


@checks("Atomik.Counted.count_accumMany")
def count_accum_many(data: Any) -> None:
    """accum_many(ds) adds len(ds) to delta_count."""
    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    ds = data.draw(S.lists_of(st.one_of(st.just(0), S.bitvecs(w))), label="ds (zeros count too)")
    n = c.delta_count
    c.accum_many(ds)
    left, right = c.delta_count, n + len(ds)
    assert left == right, (left, right)


@checks("Atomik.Counted.count_merge")
def count_merge(data: Any) -> None:
    """merge adds the other context's delta_count."""
    w = data.draw(S.widths(wide=True), label="w")
    c1 = data.draw(S.contexts(w), label="c1")
    c2 = data.draw(S.contexts(w), label="c2")
    n1, n2 = c1.delta_count, c2.delta_count
    c1.merge(c2, allow_different_reference=True)
    left, right = c1.delta_count, n1 + n2
    assert left == right, (left, right)


# --------------------------------------------------------------------------- value boundary


@checks("Atomik.Boundary.div_two_pow_eq_zero_iff")
def shift_is_zero_iff_below(data: Any) -> None:
    """x >> t == 0 exactly when x < 2**t, for Python ints and for uint64 words (t < 64)."""
    t = data.draw(st.sampled_from((*S.WIDTHS, *S.WIDE_WIDTHS)), label="t")
    x = _edge_value(data, t, "x")
    left, right = (x >> t) == 0, x < (1 << t)
    observe_iff(left)
    assert left == right, (left, right)
    if t < 64 and x < (1 << 64):
        assert (int(np.uint64(x) >> np.uint64(t)) == 0) == right


def _value_entry_points(w: int, v: int) -> list[tuple[str, Callable[[], object], object]]:
    """(name, call, object it may change) for every public entry point taking one raw value."""
    c = AtomikContext(w, 1)
    c.accum(1 if w == 1 else 3)
    out: list[tuple[str, Callable[[], object], object]] = [
        ("AtomikContext(w, v)", lambda: AtomikContext(w, v), None),
        ("ctx.accum", lambda: c.accum(v), c),
        ("ctx.load", lambda: c.load(v), c),
        ("ctx.swap", lambda: c.swap(v), c),
        ("ctx.rollback", lambda: c.rollback(v), c),
        ("ctx.accum_many([v])", lambda: c.accum_many([0, v]), c),
        ("replay", lambda: replay(0, [v], width=w), None),
    ]
    if w <= 64:
        t = AtomikTable(3, w)
        t.load(1, 1)
        out += [
            ("table.accum", lambda: t.accum(1, v), t),
            ("table.load", lambda: t.load(2, v), t),
            ("table.swap", lambda: t.swap(0, v), t),
            ("table.accum_batch(list)", lambda: t.accum_batch([0, 1], [0, v]), t),
            ("table.load_batch(list)", lambda: t.load_batch([0, 1], [0, v]), t),
        ]
    return out


def _snapshot_of(obj: object) -> object:
    if isinstance(obj, AtomikContext):
        return _ctx_state(obj)
    if isinstance(obj, AtomikTable):
        return obj.copy()
    return None


@checks("Atomik.Boundary.checkValue_isSome_iff")
def value_accepted_iff_below(data: Any) -> None:
    """Every entry point taking a raw int accepts it exactly when it is below 2**w (2**w - 1 the
    largest accepted, 2**w the smallest rejected), at every width; a rejected call changes
    nothing."""
    w = data.draw(S.widths(wide=True), label="w")
    v = _edge_value(data, w)
    observe_iff(v < (1 << w))
    for name, call, obj in _value_entry_points(w, v):
        before = _snapshot_of(obj)
        left, right = _accepted(call, RangeError), v < (1 << w)
        assert left == right, (name, w, v, left, right)
        if not left:
            assert _snapshot_of(obj) == before, (name, "changed by a rejected call")


@checks("Atomik.Boundary.checkValue_neg")
def negative_value_rejected(data: Any) -> None:
    """A negative int is rejected by every entry point, at every width, changing nothing."""
    w = data.draw(S.widths(wide=True), label="w")
    v = data.draw(st.sampled_from((-1, -(1 << w), -(1 << (w + 1)))) | st.integers(max_value=-1),
                  label="v")
    for name, call, obj in _value_entry_points(w, v):
        before = _snapshot_of(obj)
        assert not _accepted(call, RangeError), (name, w, v)
        assert _snapshot_of(obj) == before, (name, "changed by a rejected call")


@checks("Atomik.Boundary.checkValue_isSome_iff_int")
def int_value_accepted_iff(data: Any) -> None:
    """An int (negative ones included) is accepted exactly when 0 <= v < 2**w."""
    w = data.draw(S.widths(wide=True), label="w")
    v = data.draw(st.one_of(st.just(-1), st.integers(max_value=-1), st.just(0)), label="neg") \
        if data.draw(st.integers(0, 3), label="sign") == 0 else _edge_value(data, w)
    c = AtomikContext(w)
    left, right = _accepted(lambda: c.accum(v), RangeError), 0 <= v < (1 << w)
    observe_iff(left)
    assert left == right, (w, v, left, right)


@checks("Atomik.Boundary.checkValue_toNat")
def accepted_value_kept(data: Any) -> None:
    """An accepted value is kept exactly, never masked: load(v) reads v, accum(v) XORs v."""
    w = data.draw(S.widths(wide=True), label="w")
    v = data.draw(st.sampled_from(((1 << w) - 1, 0, 1)) | S.bitvecs(w), label="v")
    c = AtomikContext(w)
    c.load(v)
    d = AtomikContext(w)
    d.accum(v)
    left, right = (c.read(), d.accumulator), (v, v)
    assert left == right, (left, right)


# --------------------------------------------------------------------------- arrays


@checks("Atomik.Boundary.wordFits_iff")
def array_word_accepted_iff(data: Any) -> None:
    """A uint64 word in a 1-D array is accepted exactly when it is below 2**w (w <= 64): by
    accum_many, accum_batch and load_batch; a rejected call changes nothing."""
    w = data.draw(S.widths(), label="w")
    x = _edge_word(data, w)
    observe_iff(x < (1 << w))
    arr = np.array([0, x], dtype=np.uint64)
    c = AtomikContext(w)
    t = AtomikTable(2, w)
    addrs = np.array([0, 1], dtype=np.int64)
    for name, call, obj in (("accum_many", lambda: c.accum_many(arr), c),
                            ("accum_batch", lambda: t.accum_batch(addrs, arr), t),
                            ("load_batch", lambda: t.load_batch(addrs, arr), t)):
        before = _snapshot_of(obj)
        left, right = _accepted(call, RangeError), x < (1 << w)
        assert left == right, (name, w, x, left, right)
        if not left:
            assert _snapshot_of(obj) == before, (name, "changed by a rejected call")


@checks("Atomik.Boundary.arrayFits_iff")
def array_accepted_iff(data: Any) -> None:
    """A 1-D uint64 array is accepted by accum_many exactly when w <= 64 and every element is
    below 2**w (ShapeError above 64 bits, RangeError on a word that does not fit)."""
    w = data.draw(S.widths(wide=True), label="w")
    xs = data.draw(S.lists_of(st.one_of(S.bitvecs(min(w, 64)), st.just(0)), max_size=6),
                   label="xs")
    if w < 64 and data.draw(st.booleans(), label="one word too wide"):
        xs = [*xs, 1 << w]
    c = AtomikContext(w)
    before = _ctx_state(c)
    left = _accepted(lambda: c.accum_many(np.array(xs, dtype=np.uint64)), RangeError, ShapeError)
    right = w <= 64 and all(x < (1 << w) for x in xs)
    observe_iff(left)
    assert left == right, (w, xs, left, right)
    if not left:
        assert _ctx_state(c) == before


@checks("Atomik.Boundary.wordsToNat_lt")
def words_below_power(data: Any) -> None:
    """words_to_int of k words below 2**64 is below 2**(64 k)."""
    ws = data.draw(S.lists_of(st.integers(0, (1 << 64) - 1), max_size=6), label="ws")
    left, right = words_to_int(ws) < (1 << (64 * len(ws))), True
    assert left == right, (ws, left)


@checks("Atomik.Boundary.wordsToNat_append_single")
def words_top(data: Any) -> None:
    """words_to_int(lo + [top]) == words_to_int(lo) + 2**(64 len(lo)) * top; int_to_words is
    its inverse."""
    lo = data.draw(S.lists_of(st.integers(0, (1 << 64) - 1), max_size=5), label="lo")
    top = data.draw(st.integers(0, (1 << 64) - 1), label="top")
    left = words_to_int([*lo, top])
    right = words_to_int(lo) + (1 << (64 * len(lo))) * top
    assert left == right, (left, right)
    assert [int(x) for x in int_to_words(left, len(lo) + 1)] == [*lo, top]


@checks("Atomik.Boundary.lt_mul_iff")
def lt_mul(data: Any) -> None:
    """lo + B*top < B*T exactly when top < T (lo < B): the top-word comparison."""
    b = data.draw(st.sampled_from((1, 2, 1 << 63, 1 << 64)), label="B")
    lo = data.draw(st.integers(0, b - 1), label="lo")
    big = st.integers(0, 1 << 70)
    top = data.draw(big, label="top")
    t = data.draw(st.one_of(st.just(top), st.just(top + 1), big), label="T")
    left, right = lo + b * top < b * t, top < t
    observe_iff(left)
    assert left == right, (left, right)


def _row(data: Any, w: int) -> tuple[list[int], int]:
    """Lower words and a top word next to the top word's boundary ``2**topBits``."""
    nw = words_for(w)
    lo = data.draw(st.lists(st.sampled_from((0, 1, (1 << 64) - 1)) | st.integers(0, (1 << 64) - 1),
                            min_size=nw - 1, max_size=nw - 1), label="lo")
    tb = w - 64 * (nw - 1)
    return lo, _edge_word(data, tb, "top")


@checks("Atomik.Boundary.rowFits_iff")
def row_accepted_iff(data: Any) -> None:
    """A row of words_for(w) little-endian words is accepted by the 2-D accum_many exactly when
    its value is below 2**w, at every width (64, 65, 127, 128, 129, 1000 included); a wrong
    number of words is a ShapeError; a rejected call changes nothing."""
    w = data.draw(S.widths(wide=True), label="w")
    lo, top = _row(data, w)
    row = [*lo, top]
    c = AtomikContext(w)
    before = _ctx_state(c)
    mat = np.array([row], dtype=np.uint64)
    left, right = _accepted(lambda: c.accum_many(mat), RangeError), words_to_int(row) < (1 << w)
    observe_iff(left)
    assert left == right, (w, row, left, right)
    if left:
        assert c.accumulator == words_to_int(row)
    else:
        assert _ctx_state(c) == before
    extra = np.zeros((1, len(row) + 1), dtype=np.uint64)
    assert not _accepted(lambda: c.accum_many(extra), ShapeError), "a row one word too wide"
    if len(row) > 1:
        short = np.zeros((1, len(row) - 1), dtype=np.uint64)
        assert not _accepted(lambda: c.accum_many(short), ShapeError), "a row one word short"


# --------------------------------------------------------------------------- addresses, batches


@checks("Atomik.Boundary.checkAddr_eq_some_iff")
def address_accepted_iff(data: Any) -> None:
    """An address is accepted by every table entry point exactly when 0 <= a < size (size - 1
    the largest accepted, size and -1 the smallest rejected); a rejected call changes nothing."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    n = len(t)
    a = _edge_address(data, n)
    observe_iff(0 <= a < n)
    calls: list[tuple[str, Callable[[], object]]] = [
        ("read", lambda: t.read(a)), ("accum", lambda: t.accum(a, 1)),
        ("load", lambda: t.load(a, 1)), ("swap", lambda: t.swap(a)),
        ("context", lambda: t.context(a)), ("read_batch(list)", lambda: t.read_batch([0, a])),
        ("accum_batch(array)", lambda: t.accum_batch(np.array([0, a], dtype=np.int64),
                                                     np.array([1, 1], dtype=np.uint64))),
        ("load_batch(list)", lambda: t.load_batch([a], [1])),
    ]
    for name, call in calls:
        before = t.copy()
        left, right = _accepted(call, AddressError), 0 <= a < n
        assert left == right, (name, n, a, left, right)
        if not left:
            assert t == before, (name, "changed by a rejected call")


@checks("Atomik.Boundary.checkAddr_isSome_iff")
def address_check(data: Any) -> None:
    """atomik._check.check_addr accepts exactly 0 <= a < size and returns a unchanged."""
    from atomik._check import check_addr

    size = data.draw(st.sampled_from((1, 2, 8, 64, 65, 1000)), label="size")
    a = _edge_address(data, size)
    left, right = _accepted(lambda: check_addr(a, size), AddressError), 0 <= a < size
    observe_iff(left)
    assert left == right, (size, a, left, right)
    if left:
        assert check_addr(a, size) == a


def _batch(data: Any, w: int, n: int) -> list[tuple[int, int]]:
    """Mostly valid (address, value) pairs with repeated addresses; one pair at or just past a
    boundary half the time."""
    ops = data.draw(S.lists_of(S.pairs(st.integers(0, n - 1), S.bitvecs(w))), label="ops")
    at = data.draw(st.integers(0, len(ops)), label="at")
    if not data.draw(st.booleans(), label="one bad pair"):
        ops.insert(at, (n - 1, (1 << w) - 1))  # the largest accepted address and value
    elif data.draw(st.booleans(), label="bad address"):
        ops.insert(at, (data.draw(st.sampled_from((n, -1)), label="a"), 0))
    else:
        ops.insert(at, (0, data.draw(st.sampled_from(((1 << w), -1)), label="v")))
    return ops


@checks("Atomik.Boundary.checkBatch_isSome_iff")
def batch_accepted_iff(data: Any) -> None:
    """accum_batch (lists, or int64 / uint64 arrays) accepts a batch exactly when every address
    is in the table and every value is in [0, 2**w); a rejected batch changes nothing."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    n = len(t)
    ops = _batch(data, w, n)
    right = all(0 <= a < n and 0 <= v < (1 << w) for a, v in ops)
    observe_iff(right)
    addrs, vals = [a for a, _ in ops], [v for _, v in ops]
    forms: list[tuple[object, object]] = [(addrs, vals)]
    if all(v >= 0 for v in vals) and all(v < (1 << 64) for v in vals):
        forms.append((np.array(addrs, dtype=np.int64), np.array(vals, dtype=np.uint64)))
    for xs, ys in forms:
        u = t.copy()
        left = _accepted(lambda xs=xs, ys=ys, u=u: u.accum_batch(xs, ys), AddressError, RangeError)
        assert left == right, (type(xs).__name__, ops, left, right)
        if not left:
            assert u == t, "changed by a rejected batch"


@checks("Atomik.Boundary.checkColumns_isSome_iff")
def columns_accepted_iff(data: Any) -> None:
    """accum_batch's two columns (lists, or int64 / uint64 arrays) are accepted exactly when their
    lengths are equal, every address is in the table and every value in [0, 2**w); columns one
    element apart (either one longer) are rejected and change nothing, with ShapeError when each
    column alone is valid."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    n = len(t)
    ops = _batch(data, w, n)
    addrs, vals = [a for a, _ in ops], [v for _, v in ops]
    if data.draw(st.booleans(), label="lengths differ"):
        if data.draw(st.booleans(), label="addresses longer") or not vals:
            addrs.append(data.draw(st.integers(0, n - 1), label="extra address"))
        else:
            vals.pop(data.draw(st.integers(0, len(vals) - 1), label="dropped value"))
    columns_valid = all(0 <= a < n for a in addrs) and all(0 <= v < (1 << w) for v in vals)
    right = len(addrs) == len(vals) and columns_valid
    observe_iff(right)
    forms: list[tuple[object, object]] = [(addrs, vals)]
    if all(0 <= v < (1 << 64) for v in vals):
        forms.append((np.array(addrs, dtype=np.int64), np.array(vals, dtype=np.uint64)))
    for xs, ys in forms:
        u = t.copy()
        left = _accepted(lambda xs=xs, ys=ys, u=u: u.accum_batch(xs, ys), AddressError,
                         RangeError, ShapeError)
        assert left == right, (type(xs).__name__, addrs, vals, left, right)
        if not left:
            assert u == t, "changed by a rejected batch"
        if len(addrs) != len(vals) and columns_valid:
            try:  # each column alone is valid: the lengths are what is refused
                t.copy().accum_batch(xs, ys)
            except ShapeError:
                pass
            else:
                raise AssertionError("columns of different lengths were not a ShapeError")


@checks("Atomik.Boundary.forall_mem_zip_checks")
def zipped_columns_pass_iff_each_column_passes(data: Any) -> None:
    """For columns of one length, every (address, value) pair passes check_addr and check_value
    exactly when every address and every value does (the real checks, at the boundaries)."""
    w = data.draw(S.widths(), label="w")
    n = data.draw(st.integers(1, 40), label="size")
    ops = _batch(data, w, n)
    addrs, vals = [a for a, _ in ops], [v for _, v in ops]

    def ok_addr(a: int) -> bool:
        return _accepted(lambda: check_addr(a, n), AddressError)

    def ok_value(v: int) -> bool:
        return _accepted(lambda: check_value(v, w), RangeError)

    left = all(ok_addr(a) and ok_value(v) for a, v in zip(addrs, vals, strict=True))
    right = all(ok_addr(a) for a in addrs) and all(ok_value(v) for v in vals)
    observe_iff(right)
    assert left == right, (addrs, vals, left, right)


@checks("Atomik.Boundary.checkColumns_of_length_ne")
def columns_of_different_lengths_rejected(data: Any) -> None:
    """Columns of different lengths are refused whatever they hold (valid or not), as lists and
    as arrays, and the table is unchanged. Python checks the addresses, then the values, then the
    lengths: the error is ShapeError when both columns are valid on their own."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    n = len(t)
    addrs = data.draw(st.lists(st.integers(-1, n), max_size=12), label="addrs")
    k = data.draw(st.integers(0, 12).filter(lambda k: k != len(addrs)), label="len(vals)")
    vals = data.draw(st.lists(S.bitvecs(w), min_size=k, max_size=k), label="vals")
    for xs, ys in ((addrs, vals), (np.array(addrs, dtype=np.int64),
                                   np.array([v & ((1 << 64) - 1) for v in vals], np.uint64))):
        u = t.copy()
        valid = all(0 <= a < n for a in addrs)
        try:
            u.accum_batch(xs, ys)
        except ShapeError:
            pass
        except AddressError:
            assert not valid, "AddressError for valid addresses"
        else:
            raise AssertionError(f"lengths {len(addrs)} and {len(vals)} accepted")
        assert u == t, "changed by a rejected batch"


@checks("Atomik.Boundary.checkBatch_isSome")
def batch_checked_pair_by_pair(data: Any) -> None:
    """A batch is accepted exactly when each pair alone would be accepted by accum."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    ops = _batch(data, w, len(t))
    each = all(_accepted(lambda a=a, v=v: t.copy().accum(a, v), AddressError, RangeError)
               for a, v in ops)
    u = t.copy()
    left = _accepted(lambda: u.accum_batch([a for a, _ in ops], [v for _, v in ops]),
                     AddressError, RangeError)
    assert left == each, (ops, left, each)


@checks("Atomik.Boundary.accumBatchRaw_rejected")
def rejected_batch_changes_nothing(data: Any) -> None:
    """A batch with a bad pair anywhere (or arrays of different lengths) changes nothing."""
    w = data.draw(S.widths(), label="w")
    t = data.draw(S.sized_tables(w), label="t")
    ops = _batch(data, w, len(t))
    u = t.copy()
    ok = _accepted(lambda: u.accum_batch([a for a, _ in ops], [v for _, v in ops]),
                   AddressError, RangeError)
    if not ok:
        assert u == t, "changed by a rejected batch"
    v = t.copy()
    assert not _accepted(lambda: v.accum_batch([0, 0], [1]), ShapeError)
    assert v == t, "changed by a batch of mismatched lengths"
