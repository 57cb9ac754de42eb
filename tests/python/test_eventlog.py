"""atomik.eventlog: fold equals accumulator; truncate then replay gives the same state."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import AtomikContext, AtomikTypeError, RangeError, SnapshotError, WidthError
from atomik.eventlog import Event, EventLog, LogSnapshot
from atomik.table import AtomikTable

events = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 255)), max_size=25)


@given(events, st.data())
def test_fold_equals_accumulator_and_truncation(evs: list, data: st.DataObject) -> None:
    log = EventLog(width=8)
    ctxs = [AtomikContext(8) for _ in range(4)]
    snaps = [log.snapshot()]
    for addr, d in evs:
        log.record(addr, d, note="test")
        ctxs[addr].accum(d)
        snaps.append(log.snapshot())
    for a in range(4):
        assert log.fold(a) == ctxs[a].accumulator
    full = log.fold_all()
    assert full == {a: c.accumulator for a, c in enumerate(ctxs) if c.accumulator}
    snap = data.draw(st.sampled_from(snaps))
    assert log.replay_from(snap) == full
    dropped = log.truncate(snap)
    assert dropped == snap.offset and log.offset == snap.offset
    assert len(log) == len(evs) and len(log.events) == len(evs) - snap.offset
    assert log.fold_all() == full
    for a in range(4):
        assert log.fold(a) == ctxs[a].accumulator
    later = data.draw(st.sampled_from(snaps[snap.offset :]))
    assert log.replay_from(later) == full
    t = AtomikTable(4, 8)
    log.apply_to(t)
    assert [t.read(a) for a in range(4)] == [c.read() for c in ctxs]


def test_bad_inputs() -> None:
    log = EventLog(width=8)
    log.record(0, 1)
    s1 = log.snapshot()
    log.record(1, 2)
    with pytest.raises(RangeError, match="width 8"):
        log.record(0, 256)
    with pytest.raises(RangeError):
        Event(-1, 0)
    with pytest.raises(AtomikTypeError):
        Event(0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        Event(0, 1, note=5)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        log.append((0, 1))  # type: ignore[arg-type]
    assert len(log) == 2
    with pytest.raises(SnapshotError, match="does not match"):
        log.replay_from(LogSnapshot(1, {0: 7}))
    with pytest.raises(SnapshotError, match="outside the kept log"):
        log.truncate(LogSnapshot(3, {}))
    with pytest.raises(AtomikTypeError):
        log.truncate({"offset": 1})  # type: ignore[arg-type]
    assert len(log.events) == 2
    log.truncate(s1)
    with pytest.raises(SnapshotError, match="outside the kept log"):
        log.replay_from(LogSnapshot(0, {}))  # truncated away
    with pytest.raises(WidthError):
        log.apply_to(AtomikTable(2, 16))
    with pytest.raises(AtomikTypeError):
        log.apply_to([])  # type: ignore[arg-type]
    assert repr(log) == "EventLog(width=8, events=2, kept_from=1)"
    assert log.width == 8


@given(events, st.integers(0, 255), st.data())
def test_lean_shaped_api(evs: list, start: int, data: st.DataObject) -> None:
    log = EventLog(width=8)
    for addr, d in evs:
        log.record(addr, d)
    all_deltas = [d for _, d in evs]
    assert log.deltas() == all_deltas
    assert log.deltas(1) == [d for a, d in evs if a == 1]
    x = 0
    for d in all_deltas:
        x ^= d
    assert log.fold() == x
    ctx = AtomikContext(8, start)
    ctx.accum(3)
    replayed = log.replay(ctx)
    assert replayed.read() == ctx.read() ^ x and replayed.reference == start
    assert replayed.delta_count == ctx.delta_count + len(evs)
    assert ctx.accumulator == 3  # not mutated
    n = data.draw(st.integers(0, len(evs)))
    snap_ctx = log.snapshot_context(ctx, n, addr=2)
    expected = ctx.read()
    for a, d in evs[:n]:
        if a == 2:
            expected ^= d
    assert snap_ctx.is_clean and snap_ctx.read() == expected
    log.truncate(log.snapshot(n))
    assert log.deltas() == all_deltas[n:]
    assert log.fold() == x and log.replay(ctx).read() == replayed.read()
    for a in range(4):
        assert log.replay(ctx, a).read() == ctx.read() ^ log.fold(a)


def test_snapshot_position_bad_inputs() -> None:
    log = EventLog(width=8)
    log.record(0, 1)
    with pytest.raises(SnapshotError, match="position 2 outside"):
        log.snapshot(2)
    with pytest.raises(AtomikTypeError):
        log.snapshot(1.0)  # type: ignore[arg-type]
    with pytest.raises(WidthError):
        log.replay(AtomikContext(16))
    with pytest.raises(AtomikTypeError):
        log.replay(5)  # type: ignore[arg-type]
    with pytest.raises(RangeError):
        log.fold(-1)


def test_replay_after_truncation_regression() -> None:
    """The original case: deltas 1, 2, 4 at address 0, n = 2. log.replay covers the truncated
    events too (Atomik.EventLog.replay_truncate), so replaying the truncated log onto the snapshot
    context applies the first two events twice and reads 7 ^ 3 = 4
    (read_replay_truncate_snapshotContext); continuing from the snapshot context means
    accumulating only the kept deltas, which reads 7 (read_replay_snapshot)."""
    log = EventLog(width=8)
    for d in (1, 2, 4):
        log.record(0, d)
    c = AtomikContext(8)
    whole = log.replay(c).read()
    snap_ctx = log.snapshot_context(c, 2)
    assert (whole, snap_ctx.read(), snap_ctx.is_clean) == (7, 3, True)
    log.truncate(log.snapshot(2))
    assert (log.offset, log.deltas(), log.fold(), log.fold(0)) == (2, [4], 7, 7)
    assert log.replay(c).read() == 7 and log.replay(c, 0).read() == 7
    assert log.snapshot_context(c, 2) == snap_ctx
    assert log.replay(snap_ctx).read() == 4
    cont = snap_ctx.copy()
    cont.accum_many(log.deltas())
    assert cont.read() == 7


def test_rejected_truncation_changes_nothing() -> None:
    log = EventLog(width=8)
    for a, d in ((0, 1), (1, 2), (0, 4)):
        log.record(a, d)
    log.truncate(log.snapshot(1))
    stale = LogSnapshot(0, {})
    before = (log.offset, log.events, log.fold_all())
    for bad in (stale, LogSnapshot(4, {}), LogSnapshot(2, {0: 5})):
        with pytest.raises(SnapshotError):
            log.truncate(bad)
        assert (log.offset, log.events, log.fold_all()) == before
    for n in (0, 4):
        with pytest.raises(SnapshotError):
            log.snapshot_context(AtomikContext(8), n)


def test_copy_is_independent() -> None:
    log = EventLog(width=8)
    log.record(0, 1)
    log.truncate(log.snapshot(1))
    log.record(1, 2)
    dup = log.copy()
    dup.record(0, 4)
    dup.truncate(dup.snapshot(3))
    assert (len(log), log.offset, log.fold_all()) == (2, 1, {0: 1, 1: 2})
    assert (len(dup), dup.offset, dup.fold_all()) == (3, 3, {0: 5, 1: 2})
