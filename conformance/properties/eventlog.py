"""Hand-written checks for ``Atomik.EventLog``: the real ``EventLog`` (events at several
addresses, truncated part-way half the time) against the model of what it stores.

Lean ↔ Python: ``L.fold`` ↔ ``log.fold()``, ``L.foldAt a`` ↔ ``log.fold(a)``, ``L.deltas`` ↔
``log.deltas()``, ``L.replay c`` ↔ ``log.replay(c)``, ``L.replayAt c a`` ↔ ``log.replay(c, a)``,
``L.truncate n`` ↔ ``log.truncate(log.snapshot(n))`` (``none`` ↔ ``SnapshotError``, log
unchanged), ``L.snapshotContext c n`` ↔ ``log.snapshot_context(c, n)``, ``(L.prefixLog n).fold``
↔ the XOR of ``log.snapshot(n).accumulators``, ``L.replayFromAt s a`` ↔
``log.replay_from(s).get(a, 0)``, ``L.applyTo t`` ↔ ``log.apply_to(t)``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik import AtomikContext
from atomik.conformance import strategies as S
from atomik.conformance.engine import observe_iff
from atomik.conformance.registry import checks
from atomik.delta import compose_all
from atomik.errors import SnapshotError
from atomik.eventlog import EventLog, LogSnapshot


def _width(data: Any) -> int:
    return data.draw(S.widths(wide=True), label="w")


def _log(data: Any, w: int) -> EventLog:
    return data.draw(S.eventlogs(w), label="L")


def _xor(values: Any) -> int:
    out = 0
    for v in values:
        out ^= v
    return out


def _state(log: EventLog) -> tuple[Any, ...]:
    """Everything a log holds (to check that a rejected call changed nothing)."""
    snap = log.snapshot(log.offset)
    return (log.offset, len(log), log.events, dict(snap.accumulators))


def _pos(data: Any, log: EventLog, label: str = "n") -> int:
    """A position inside the kept log (``offset ≤ n ≤ len``)."""
    return data.draw(st.integers(log.offset, len(log)), label=label)


def _any_pos(data: Any, log: EventLog) -> int:
    """A position in the kept log half the time, just outside it otherwise."""
    if data.draw(st.booleans(), label="inside"):
        return data.draw(st.integers(log.offset, len(log)), label="n")
    outside = sorted({len(log) + 1, len(log) + 2}
                     | ({log.offset - 1, 0} if log.offset > 0 else set()))
    return data.draw(st.sampled_from(outside), label="n")


def _truncated_copy(log: EventLog, n: int) -> EventLog:
    out = log.copy()
    out.truncate(out.snapshot(n))
    return out


def _prefix_fold(log: EventLog, n: int) -> int:
    return _xor(log.snapshot(n).accumulators.values())


# ------------------------------------------------------------------ lists of events


@checks("Atomik.EventLog.deltasAt_append")
def deltas_at_append(data: Any) -> None:
    """The deltas at an address of a log holding l₁ then l₂ are those of l₁, then of l₂."""
    w = _width(data)
    l1 = data.draw(S.lists_of(S.events(w)), label="l₁")
    l2 = data.draw(S.lists_of(S.events(w)), label="l₂")
    a = data.draw(S.nats(), label="a")
    logs = [EventLog(w) for _ in range(3)]
    for log, es in zip(logs, (l1, l2, l1 + l2), strict=True):
        for e in es:
            log.append(e)
    left, right = logs[2].deltas(a), logs[0].deltas(a) + logs[1].deltas(a)
    assert left == right, (left, right)


@checks("Atomik.EventLog.composeAll_take_drop")
def compose_take_drop(data: Any) -> None:
    """Truncating a log anywhere keeps the composition of all its deltas (Python's fold)."""
    w = _width(data)
    log = EventLog(w)
    for e in data.draw(S.lists_of(S.events(w)), label="l"):
        log.append(e)
    k = _pos(data, log, "k")
    ds = log.deltas()
    left = compose_all(ds[:k], width=w) ^ compose_all(ds[k:], width=w)
    right = compose_all(ds, width=w)
    assert left == right, (left, right)
    assert log.replay_from(log.snapshot(k)) == log.fold_all()


@checks("Atomik.EventLog.composeAll_deltasAt_take_drop")
def compose_at_take_drop(data: Any) -> None:
    """Splitting a log at k keeps the composition of the deltas at each address."""
    w = _width(data)
    log = EventLog(w)
    for e in data.draw(S.lists_of(S.events(w)), label="l"):
        log.append(e)
    k = _pos(data, log, "k")
    a = data.draw(S.nats(), label="a")
    snap = log.snapshot(k)
    rest = [e.delta for e in log.events[k:] if e.addr == a]
    left = snap.accumulators.get(a, 0) ^ compose_all(rest, width=w)
    right = compose_all(log.deltas(a), width=w)
    assert left == right, (left, right)


@checks("Atomik.EventLog.composeAll_take_drop_take")
def compose_take_drop_take(data: Any) -> None:
    """Truncating at n and then snapshotting at a later m gives the fold of the first m events."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log, "n")
    m = data.draw(st.integers(n, len(log)), label="m")
    before = _prefix_fold(log, m)
    t = _truncated_copy(log, n)
    left, right = _prefix_fold(t, m), before
    assert left == right, (left, right)


# ------------------------------------------------------------------ appending, folding, replaying


@checks("Atomik.EventLog.fold_empty")
def fold_empty(data: Any) -> None:
    """A new log folds to zero, at every address."""
    w = _width(data)
    log = EventLog(w)
    a = data.draw(S.nats(), label="a")
    assert (log.fold(), log.fold(a), log.fold_all()) == (0, 0, {}), log


@checks("Atomik.EventLog.length_append")
def length_append(data: Any) -> None:
    """Appending adds one to len(log); record/append return the old length."""
    w = _width(data)
    log = _log(data, w)
    e = data.draw(S.events(w), label="e")
    n = len(log)
    pos = log.append(e)
    assert (len(log), pos) == (n + 1, n), (len(log), pos, n)


@checks("Atomik.EventLog.fold_append")
def fold_append(data: Any) -> None:
    """Appending an event composes its delta into the whole fold (truncated base included)."""
    w = _width(data)
    log = _log(data, w)
    e = data.draw(S.events(w), label="e")
    before = log.fold()
    log.append(e)
    left, right = log.fold(), before ^ e.delta
    assert left == right, (left, right)


@checks("Atomik.EventLog.foldAt_append_self")
def fold_at_append_self(data: Any) -> None:
    """Appending an event composes its delta into its own address's fold."""
    w = _width(data)
    log = _log(data, w)
    e = data.draw(S.events(w), label="e")
    before = log.fold(e.addr)
    log.append(e)
    left, right = log.fold(e.addr), before ^ e.delta
    assert left == right, (left, right)


@checks("Atomik.EventLog.foldAt_append_of_ne")
def fold_at_append_of_ne(data: Any) -> None:
    """Appending an event leaves every other address's fold alone (b ≠ a generated)."""
    w = _width(data)
    log = _log(data, w)
    e = data.draw(S.events(w), label="e")
    b = data.draw(S.nats().filter(lambda x: x != e.addr), label="b")
    before = log.fold(b)
    log.append(e)
    left, right = log.fold(b), before
    assert left == right, (left, right)


@checks("Atomik.EventLog.fold_perm")
def fold_perm(data: Any) -> None:
    """Two logs with the same truncated base and permuted kept events have the same fold."""
    w = _width(data)
    es = data.draw(S.lists_of(S.events(w)), label="es")
    n = data.draw(st.integers(0, len(es)), label="n")
    kept = data.draw(st.permutations(es[n:]), label="permuted kept events")
    logs = [EventLog(w), EventLog(w)]
    for log, evs in zip(logs, (es, es[:n] + kept), strict=True):
        for e in evs:
            log.append(e)
        log.truncate(log.snapshot(n))
    left, right = logs[1].fold(), logs[0].fold()
    assert left == right, (left, right)


@checks("Atomik.EventLog.replay_eq")
def replay_eq(data: Any) -> None:
    """log.replay(c) equals c with the whole fold accumulated once."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    right = c.copy()
    right.accum(log.fold())
    left = log.replay(c)
    assert left == right, (left, right)


@checks("Atomik.EventLog.replayAt_eq")
def replay_at_eq(data: Any) -> None:
    """log.replay(c, a) equals c with that address's fold accumulated once."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    a = data.draw(S.nats(), label="a")
    right = c.copy()
    right.accum(log.fold(a))
    left = log.replay(c, a)
    assert left == right, (left, right)


@checks("Atomik.EventLog.read_replay")
def read_replay(data: Any) -> None:
    """After log.replay(c) the context reads c's state XOR the fold; c is unchanged."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    before = c.copy()
    left, right = log.replay(c).read(), c.read() ^ log.fold()
    assert left == right, (left, right)
    assert c == before


@checks("Atomik.EventLog.read_replayAt")
def read_replay_at(data: Any) -> None:
    """After log.replay(c, a) the context reads c's state XOR that address's fold."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    a = data.draw(S.nats(), label="a")
    left, right = log.replay(c, a).read(), c.read() ^ log.fold(a)
    assert left == right, (left, right)


@checks("Atomik.EventLog.accumulator_replay_load")
def accumulator_replay_load(data: Any) -> None:
    """Replaying onto a freshly loaded context leaves exactly the fold in the accumulator."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    v = data.draw(S.bitvecs(w), label="v")
    c.load(v)
    left, right = log.replay(c).accumulator, log.fold()
    assert left == right, (left, right)


@checks("Atomik.EventLog.read_applyTo")
def read_apply_to(data: Any) -> None:
    """After log.apply_to(t) every address reads its old state XOR its fold."""
    w = data.draw(S.widths(), label="w")
    log = _log(data, w)
    t = data.draw(S.tables(w), label="t")
    a = data.draw(S.nats(), label="a")
    before = t.read(a)
    log.apply_to(t)
    left, right = t.read(a), before ^ log.fold(a)
    assert left == right, (left, right)


# ------------------------------------------------------------------ snapshots and truncation


def _accepts(fn: Any) -> bool:
    try:
        fn()
    except SnapshotError:
        return False
    return True


@checks("Atomik.EventLog.snapshot_isSome_iff")
def snapshot_accepts_iff(data: Any) -> None:
    """log.snapshot(n) is accepted exactly when offset ≤ n ≤ len(log)."""
    w = _width(data)
    log = _log(data, w)
    n = _any_pos(data, log)
    before = _state(log)
    left, right = _accepts(lambda: log.snapshot(n)), log.offset <= n <= len(log)
    observe_iff(left)
    assert left == right, (left, right, n, log)
    assert _state(log) == before


@checks("Atomik.EventLog.truncate_isSome_iff")
def truncate_accepts_iff(data: Any) -> None:
    """Truncating at n is accepted exactly in the kept log; a rejected truncation (of a stale or
    foreign snapshot) changes nothing."""
    w = _width(data)
    log = _log(data, w)
    n = _any_pos(data, log)
    inside = log.offset <= n <= len(log)
    before = _state(log)
    snap = log.snapshot(n) if inside else LogSnapshot(n, {})
    left, right = _accepts(lambda: log.truncate(snap)), inside
    observe_iff(left)
    assert left == right, (left, right, n, log)
    if not inside:
        assert _state(log) == before


@checks("Atomik.EventLog.snapshotContext_isSome_iff")
def snapshot_context_accepts_iff(data: Any) -> None:
    """log.snapshot_context(c, n) is accepted exactly when offset ≤ n ≤ len(log)."""
    w = _width(data)
    log = _log(data, w)
    c = data.draw(S.contexts(w), label="c")
    n = _any_pos(data, log)
    left = _accepts(lambda: log.snapshot_context(c, n))
    right = log.offset <= n <= len(log)
    observe_iff(left)
    assert left == right, (left, right, n, log)


@checks("Atomik.EventLog.truncate_eq")
def truncate_eq(data: Any) -> None:
    """After truncating at n: offset n, the kept events are the old ones from n on, and the base
    holds the fold of everything before n."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    kept = log.events[n - log.offset :]
    base = dict(log.snapshot(n).accumulators)
    t = _truncated_copy(log, n)
    left = (t.offset, t.events, dict(t.snapshot(t.offset).accumulators))
    right = (n, kept, base)
    assert left == right, (left, right)


@checks("Atomik.EventLog.length_truncate")
def length_truncate(data: Any) -> None:
    """Truncation keeps len(log), the number of events ever appended."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    left, right = len(_truncated_copy(log, n)), len(log)
    assert left == right, (left, right)


@checks("Atomik.EventLog.fold_truncate")
def fold_truncate(data: Any) -> None:
    """Truncation does not change log.fold() or fold_all()."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    t = _truncated_copy(log, n)
    left, right = (t.fold(), t.fold_all()), (log.fold(), log.fold_all())
    assert left == right, (left, right)


@checks("Atomik.EventLog.foldAt_truncate")
def fold_at_truncate(data: Any) -> None:
    """Truncation does not change any address's fold."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    a = data.draw(S.nats(), label="a")
    left, right = _truncated_copy(log, n).fold(a), log.fold(a)
    assert left == right, (left, right)


@checks("Atomik.EventLog.replay_truncate")
def replay_truncate(data: Any) -> None:
    """log.replay(c) after truncating equals log.replay(c) before (the base is replayed too)."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    c = data.draw(S.contexts(w), label="c")
    a = data.draw(S.nats(), label="a")
    t = _truncated_copy(log, n)
    left, right = t.replay(c), log.replay(c)
    assert left == right, (left, right)
    assert t.replay(c, a) == log.replay(c, a)


@checks("Atomik.EventLog.read_snapshotContext")
def read_snapshot_context(data: Any) -> None:
    """snapshot_context(c, n) reads c's state XOR the fold of the first n events (the XOR of
    snapshot(n).accumulators)."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    c = data.draw(S.contexts(w), label="c")
    left, right = log.snapshot_context(c, n).read(), c.read() ^ _prefix_fold(log, n)
    assert left == right, (left, right)


@checks("Atomik.EventLog.accumulator_snapshot")
def snapshot_is_clean(data: Any) -> None:
    """snapshot_context gives a clean context."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    c = data.draw(S.contexts(w), label="c")
    left, right = log.snapshot_context(c, n).accumulator, 0
    assert left == right, (left, right)


@checks("Atomik.EventLog.read_replay_snapshot")
def truncate_then_continue(data: Any) -> None:
    """Truncate at n, then accumulate the kept deltas into snapshot_context(c, n): it reads what
    log.replay(c) read before truncating, and what log.replay(c) still reads after."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    c = data.draw(S.contexts(w), label="c")
    whole = log.replay(c).read()
    s = log.snapshot_context(c, n)
    log.truncate(log.snapshot(n))
    s.accum_many(log.deltas())
    left, right = s.read(), whole
    assert left == right, (left, right)
    assert log.replay(c).read() == whole


@checks("Atomik.EventLog.read_replay_truncate_snapshotContext")
def replay_onto_snapshot(data: Any) -> None:
    """After truncating at n, log.replay(snapshot_context(c, n)) applies the first n events a
    second time: it reads the whole log's state XOR the prefix fold (e.g. deltas 1, 2, 4 at one
    address, n = 2: 7 ^ 3 = 4)."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    c = data.draw(S.contexts(w), label="c")
    whole = log.replay(c).read()
    prefix = _prefix_fold(log, n)
    s = log.snapshot_context(c, n)
    log.truncate(log.snapshot(n))
    left, right = log.replay(s).read(), whole ^ prefix
    assert left == right, (left, right)


@checks("Atomik.EventLog.snapshotContext_truncate")
def snapshot_context_truncate(data: Any) -> None:
    """A snapshot context at m ≥ n is the same before and after truncating at n (and both are
    rejected beyond the log)."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    m = data.draw(st.integers(n, len(log) + 1), label="m")
    c = data.draw(S.contexts(w), label="c")
    t = _truncated_copy(log, n)

    def ctx(lg: EventLog) -> AtomikContext | None:
        try:
            return lg.snapshot_context(c, m)
        except SnapshotError:
            return None

    left, right = ctx(t), ctx(log)
    assert left == right, (left, right)


@checks("Atomik.EventLog.replayFromAt_snapshot")
def replay_from_snapshot(data: Any) -> None:
    """replay_from(snapshot(n)) gives every address its whole fold."""
    w = _width(data)
    log = _log(data, w)
    n = _pos(data, log)
    a = data.draw(S.nats(), label="a")
    out = log.replay_from(log.snapshot(n))
    left, right = out.get(a, 0), log.fold(a)
    assert left == right, (left, right)
    assert out == log.fold_all()
