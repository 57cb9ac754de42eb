"""Hand-written checks of the ``Atomik.EventLog`` laws against the hybrid's real event store: an
``eventsourcing`` SQLite store in a temporary folder (``atomik.replication.hybrid``), generated
events, and the projection into a durable ``PersistentTable``.

Lean ↔ Python: ``L`` ↔ the store read as a log (``StoreLog``: the event at notification position
``p`` is index ``p - 1``, ``offset`` 0), ``L.fold`` ↔ ``store.fold()``, ``L.foldAt a`` ↔
``store.fold(a)``, ``L.append e`` ↔ saving one event, ``L.length`` ↔ ``len(store)``, ``L.applyTo
t`` ↔ ``store.apply_to(t)`` and the projection (``Hybrid.project``, from a zero table),
``L.replayFromAt s a`` ↔ the projection resumed after a restart at position ``n`` (the table's
durable state is the snapshot at ``n``), ``(L.prefixLog n)`` ↔ ``store.snapshot(n)``.

Every example opens its own store; each aggregate's ``Created`` event (a no-op record, delta 0)
is saved first, so each generated event is then exactly one position.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from atomik.conformance import strategies as S
from atomik.conformance.engine import observe_iff
from atomik.conformance.registry import checks
from atomik.delta import compose_all
from atomik.errors import SnapshotError
from atomik.eventlog import Event

N = S.TABLE_SIZE


def _events(data: Any, w: int, label: str = "events") -> list[Event]:
    return data.draw(S.lists_of(S.events(w)), label=label)


@contextmanager
def _hybrid(w: int, folder: Path | None = None) -> Iterator[Any]:
    from atomik.replication.hybrid import Hybrid

    if folder is not None:
        with Hybrid(folder, N, w, replica_id=1) as h:
            yield h
        return
    with tempfile.TemporaryDirectory(prefix="atomik-hybrid-") as d, \
            Hybrid(Path(d), N, w, replica_id=1) as h:
        yield h


class _Writer:
    """Saves generated events into a hybrid's store through ``Register`` aggregates."""

    def __init__(self, h: Any, *, new: bool = True) -> None:
        """New registers (their Created events: positions 1..N, no-ops) or, after a restart,
        the stored ones."""
        from atomik.replication.hybrid import Register

        self.h = h
        if new:
            self.regs = [Register(a) for a in range(N)]
            h.save(*self.regs)
        else:
            self.regs = [h.app.repository.get(Register.create_id(a)) for a in range(N)]

    def save(self, events: list[Event]) -> None:
        """Save ``events`` (in one eventsourcing save per aggregate run): one position each."""
        for e in events:
            self.regs[e.addr].changed(addr=e.addr, delta=e.delta, note=e.note, author="gen")
            self.h.save(self.regs[e.addr])


def _store(data: Any, w: int, h: Any, label: str = "events") -> tuple[_Writer, list[Event]]:
    wr = _Writer(h)
    es = _events(data, w, label)
    wr.save(es)
    return wr, es


def _width(data: Any) -> int:
    return data.draw(S.widths(), label="w")


@checks("Atomik.EventLog.fold_empty")
def store_fold_empty(data: Any) -> None:
    """A new store folds to zero at every address, and the projection of it reads zero."""
    w = _width(data)
    a = data.draw(S.nats(), label="a")
    with _hybrid(w) as h:
        left = (h.store.fold(), h.store.fold(a), h.store.fold_all(), len(h.store))
        assert left == (0, 0, {}, 0), left
        assert h.project() == [] and h.read_all() == [0] * N


@checks("Atomik.EventLog.length_append")
def store_length_append(data: Any) -> None:
    """Saving one event adds one position to the store."""
    w = _width(data)
    e = data.draw(S.events(w), label="e")
    with _hybrid(w) as h:
        wr, _ = _store(data, w, h)
        n = len(h.store)
        wr.save([e])
        left, right = len(h.store), n + 1
        assert left == right, (left, right)


@checks("Atomik.EventLog.fold_append")
def store_fold_append(data: Any) -> None:
    """Saving an event composes its delta into the store's whole fold."""
    w = _width(data)
    e = data.draw(S.events(w), label="e")
    with _hybrid(w) as h:
        wr, _ = _store(data, w, h)
        before = h.store.fold()
        wr.save([e])
        left, right = h.store.fold(), before ^ e.delta
        assert left == right, (left, right)


@checks("Atomik.EventLog.foldAt_append_self")
def store_fold_at_append_self(data: Any) -> None:
    """Saving an event composes its delta into its address's fold, and the projection reads it."""
    w = _width(data)
    e = data.draw(S.events(w), label="e")
    with _hybrid(w) as h:
        wr, _ = _store(data, w, h)
        h.project()
        before = h.read(e.addr)
        wr.save([e])
        h.project()
        left, right = h.store.fold(e.addr), before ^ e.delta
        assert left == right, (left, right)
        assert h.read(e.addr) == right


@checks("Atomik.EventLog.foldAt_append_of_ne")
def store_fold_at_append_of_ne(data: Any) -> None:
    """Saving an event leaves every other address's fold alone (b ≠ a generated)."""
    w = _width(data)
    e = data.draw(S.events(w), label="e")
    b = data.draw(S.nats().filter(lambda x: x != e.addr), label="b")
    with _hybrid(w) as h:
        wr, _ = _store(data, w, h)
        before = h.store.fold(b)
        wr.save([e])
        left, right = h.store.fold(b), before
        assert left == right, (left, right)


@checks("Atomik.EventLog.replay_eq")
def store_replay_eq(data: Any) -> None:
    """store.replay(c) equals c with the store's whole fold accumulated once."""
    w = _width(data)
    c = data.draw(S.contexts(w), label="c")
    with _hybrid(w) as h:
        _store(data, w, h)
        right = c.copy()
        right.accum(h.store.fold())
        left = h.store.replay(c)
        assert left == right, (left, right)


@checks("Atomik.EventLog.read_applyTo")
def projection_reads_the_fold(data: Any) -> None:
    """store.apply_to(t) makes every address read its old state XOR its fold; the projection
    (from a zero table) and the rebuild of it from the store read exactly the fold."""
    w = _width(data)
    t = data.draw(S.tables(w), label="t")
    a = data.draw(S.nats(), label="a")
    with tempfile.TemporaryDirectory(prefix="atomik-hybrid-") as d, _hybrid(w, Path(d)) as h:
        _store(data, w, h)
        before = t.read(a)
        h.store.apply_to(t)
        left, right = t.read(a), before ^ h.store.fold(a)
        assert left == right, (left, right)
        h.project()
        fold = h.store.fold_all()
        assert h.read_all() == [fold.get(x, 0) for x in range(N)]
        rebuilt = h.rebuild(Path(d) / "rebuilt.log")
        try:
            assert rebuilt.read_all() == h.read_all()
        finally:
            rebuilt.close()


@checks("Atomik.EventLog.replayFromAt_snapshot")
def projection_resumes_from_its_snapshot(data: Any) -> None:
    """Projecting up to a position n, restarting (the table's durable log is the snapshot at n)
    and projecting the rest gives every address its whole fold, whatever n, with restarts and
    more saved events in between; every event is applied once (one record per position)."""
    w = _width(data)
    with tempfile.TemporaryDirectory(prefix="atomik-hybrid-") as d:
        folder = Path(d)
        with _hybrid(w, folder) as h:
            _store(data, w, h, "first events")
            n = data.draw(st.integers(0, len(h.store)), label="n")
            h.project(limit=n)
            assert h.position == n, (h.position, n)
        rounds = data.draw(st.integers(1, 3), label="restarts")
        for i in range(rounds):
            with _hybrid(w, folder) as h:
                _Writer(h, new=False).save(_events(data, w, f"events after restart {i}"))
                if data.draw(st.booleans(), label=f"project before restart {i + 1}"):
                    h.project(limit=data.draw(st.integers(0, 12), label="limit"))
        with _hybrid(w, folder) as h:
            assert h.table.recovery.duplicates == 0
            h.project()
            a = data.draw(S.nats(), label="a")
            left, right = h.read(a), h.store.fold(a)
            assert left == right, (left, right)
            fold = h.store.fold_all()
            assert h.read_all() == [fold.get(x, 0) for x in range(N)]
            seqs = [m.seq for m in h.table.replica.messages()]
            assert seqs == list(range(len(h.store))) and h.lag == 0, (seqs, len(h.store))


@checks("Atomik.EventLog.composeAll_deltasAt_take_drop")
def store_split_at(data: Any) -> None:
    """The store's snapshot at k composed with the deltas after k at an address is that address's
    whole fold (time travel to k, then forward)."""
    w = _width(data)
    a = data.draw(S.nats(), label="a")
    with _hybrid(w) as h:
        _store(data, w, h)
        k = data.draw(st.integers(0, len(h.store)), label="k")
        rest = [d for _, x, d, _ in h.store.records(k + 1) if x == a]
        left = h.store.value_at(a, k) ^ compose_all(rest, width=w)
        right = compose_all(h.store.deltas(a), width=w)
        assert left == right, (left, right)
        assert h.store.fold(a) == right


@checks("Atomik.EventLog.read_snapshotContext")
def store_time_travel(data: Any) -> None:
    """snapshot_context(c, n) on the store reads c's state XOR the fold of positions 1..n."""
    w = _width(data)
    c = data.draw(S.contexts(w), label="c")
    with _hybrid(w) as h:
        _store(data, w, h)
        n = data.draw(st.integers(0, len(h.store)), label="n")
        prefix = 0
        for v in h.store.snapshot(n).accumulators.values():
            prefix ^= v
        left, right = h.store.snapshot_context(c, n).read(), c.read() ^ prefix
        assert left == right, (left, right)
        by_hand = 0
        for p, _, d, _ in h.store.records(1, n) if n else ():
            assert p <= n
            by_hand ^= d
        assert prefix == by_hand, (prefix, by_hand)


@checks("Atomik.EventLog.snapshot_isSome_iff")
def store_snapshot_accepts_iff(data: Any) -> None:
    """store.snapshot(n) is accepted exactly when 0 ≤ n ≤ len(store)."""
    w = _width(data)
    with _hybrid(w) as h:
        _store(data, w, h)
        if data.draw(st.booleans(), label="inside"):  # both sides of the iff, half each
            n = data.draw(st.integers(0, len(h.store)), label="n")
        else:
            n = data.draw(st.sampled_from([-2, -1, len(h.store) + 1, len(h.store) + 2]),
                          label="n")
        try:
            h.store.snapshot(n)
            left = True
        except SnapshotError:
            left = False
        right = 0 <= n <= len(h.store)
        observe_iff(left)
        assert left == right, (left, right, n)
