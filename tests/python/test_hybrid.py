"""The hybrid: an eventsourcing SQLite store at the boundary, a durable atomik projection."""

from __future__ import annotations

import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("eventsourcing", reason="eventsourcing is not installed (extra 'hybrid')")

from atomik import AtomikContext, AtomikTable, EventLog, Replica
from atomik.errors import AtomikTypeError, SnapshotError
from atomik.replication.hybrid import (
    TABLE_FILE,
    Hybrid,
    ProjectionError,
    Register,
    StoreLog,
)
from atomik.replication.transport import InProcessHub, publish, pump
from atomik.wire import DeltaMessage

N, W = 16, 64
CHILD = Path(__file__).with_name("hybrid_crash_child.py")


def _fill(h: Hybrid, n: int, seed: int = 1) -> list[tuple[int, int]]:
    """Save ``n`` random Changed events (one save each, registers created on first use)."""
    rng = random.Random(seed)
    regs: dict[int, Register] = {}
    out = []
    for i in range(n):
        a = rng.randrange(N)
        reg = regs.setdefault(a, Register(a))
        d = rng.randrange(1, 1 << W)
        reg.changed(addr=a, delta=d, note=f"n{i}", author="t")
        h.save(reg)
        out.append((a, d))
    return out


def _fold(pairs: list[tuple[int, int]]) -> list[int]:
    acc = [0] * N
    for a, d in pairs:
        acc[a] ^= d
    return acc


def test_project_read_audit_trace(tmp_path: Path) -> None:
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        r = Register(17 % N)
        r.set(5, note="opened with 5", author="alice")
        r.set(9, note="set to 9", author="bob")
        assert h.save(r) == [1, 2, 3]
        assert (h.position, h.lag, h.read(1)) == (0, 3, 0)  # saved, not projected yet
        msgs = h.project()
        assert [(m.seq, m.addr, m.delta) for m in msgs] == [(0, 1, 0), (1, 1, 5), (2, 1, 12)]
        assert (h.position, h.lag, h.read(1)) == (3, 0, 9)
        assert h.project() == []  # nothing new: nothing applied twice
        assert [h.value_at(1, p) for p in range(4)] == [0, 0, 5, 9]  # time travel
        audit = h.audit(1)
        assert [(e.position, e.delta, e.event.author) for e in audit] == [(2, 5, "alice"),
                                                                          (3, 12, "bob")]
        assert [e.position for e in h.audit(1, upto=2)] == [2]
        assert h.trace(msgs[2]).note == "set to 9"
        assert h.consistent()


def test_restart_resumes_after_the_logged_position(tmp_path: Path) -> None:
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        pairs = _fill(h, 30)
        assert [m.seq for m in h.project(limit=10)] == list(range(10))
        first = h.position
        assert first == 10
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        assert h.position == first  # recovered from the table's log
        assert h.table.recovery.duplicates == 0
        rest = h.project()
        assert [m.seq for m in rest] == list(range(first, len(h.store)))
        want = h.store.fold_all()
        assert h.read_all() == [want.get(a, 0) for a in range(N)]
        assert h.read_all() == _fold(pairs)


def test_reprojecting_an_event_changes_nothing(tmp_path: Path) -> None:
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        _fill(h, 12)
        h.project()
        before = h.read_all()
        for p, a, d, _ in h.store.records(1):  # the same messages again, as after a crash
            assert not h.table.receive(DeltaMessage(1, 0, p - 1, a, W, d))
        assert h.read_all() == before


def test_bad_event_is_refused_before_saving(tmp_path: Path) -> None:
    with Hybrid(tmp_path, 4, 8, replica_id=1) as h:
        r = Register(2)
        r.changed(addr=2, delta=1 << 8, note="", author="")  # wider than the table
        with pytest.raises(ProjectionError, match="delta"):
            h.save(r)
        assert len(h.store) == 0
        far = Register(9)  # address outside the 4-context table
        with pytest.raises(ProjectionError):
            h.save(far)
        assert (len(h.store), h.project()) == (0, [])
        with pytest.raises(AtomikTypeError):
            h.trace("not a message")  # type: ignore[arg-type]
        with pytest.raises(SnapshotError):
            h.value_at(1, 5)


def test_rebuild_reaches_the_same_table(tmp_path: Path) -> None:
    with Hybrid(tmp_path / "h", N, W, replica_id=1) as h:
        _fill(h, 40, seed=3)
        h.project()
        t = h.rebuild(tmp_path / "rebuilt.log")
        try:
            assert t.read_all() == h.read_all()
            assert t.digest() == h.table.digest()
        finally:
            t.close()
        with pytest.raises(ProjectionError):
            h.rebuild(tmp_path / "h" / TABLE_FILE)


def test_storelog_is_the_eventlog_interface(tmp_path: Path) -> None:
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        _fill(h, 25, seed=5)
        s: StoreLog = h.store
        mem = s.to_eventlog()
        assert (len(s), s.offset) == (len(mem), mem.offset)
        assert s.fold() == mem.fold() and s.fold_all() == mem.fold_all()
        for a in range(N):
            assert s.fold(a) == mem.fold(a) and s.deltas(a) == mem.deltas(a)
        for k in (0, 7, len(s)):
            assert s.snapshot(k) == mem.snapshot(k)
            assert s.replay_from(s.snapshot(k)) == mem.fold_all()
        ctx = AtomikContext(W)
        ctx.load(123)
        assert s.replay(ctx) == mem.replay(ctx)
        assert s.snapshot_context(ctx, 9, 3) == mem.snapshot_context(ctx, 9, 3)
        t1, t2 = AtomikTable(N, W), AtomikTable(N, W)
        s.apply_to(t1)
        mem.apply_to(t2)
        assert not t1.diff(t2)
        with pytest.raises(SnapshotError):
            s.snapshot(len(s) + 1)
        with pytest.raises(SnapshotError):
            s.replay_from(mem.snapshot(3).__class__(3, {0: 1}))


def test_eventlog_pickles() -> None:
    log = EventLog(8)
    for i in range(1, 10):
        log.record(i % 3, i, note=f"e{i}")
    log.truncate(log.snapshot(4))
    back = pickle.loads(pickle.dumps(log))
    assert (back.offset, len(back), back.events) == (log.offset, len(log), log.events)
    assert back.fold_all() == log.fold_all() and back.snapshot(5) == log.snapshot(5)
    back.record(0, 1)
    assert len(back) == len(log) + 1  # independent
    assert pickle.loads(pickle.dumps(log.snapshot(6))) == log.snapshot(6)


def test_replicas_sync_by_deltas(tmp_path: Path) -> None:
    hub = InProcessHub()
    out = hub.endpoint("projection")
    readers = [(Replica(10 + i, N, W), hub.endpoint(f"r{i}")) for i in range(2)]
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        _fill(h, 20, seed=9)
        publish(out, h.project())
        for r, ep in readers:
            res = pump(r, ep)
            assert not res.dead_letters and r.read_all() == h.read_all()
        late = Replica(20, N, W)  # joins later: repaired by anti-entropy from the projection
        assert late.receive_all(h.missing_for(late.digest())) == len(h.store)
        assert late.read_all() == h.read_all()


# ------------------------------------------------------------------ crash test

KILLS = 12
EXTERNAL_KILLS = 3
EVENTS = 80
PHASES = ("saved", "torn", "logged", "applied")


def test_crash_between_append_and_apply(tmp_path: Path) -> None:
    """SIGKILL the projecting process at seeded random points; after every restart the table is
    the fold of the stored events and no record was written or applied twice."""
    rng = random.Random(2026)
    seen_phases = set()
    d = tmp_path / "h"
    stored = 0
    phases = rng.sample(PHASES * (KILLS // len(PHASES)), KILLS)  # each phase KILLS / 4 times
    for phase in phases:
        p = stored + rng.randint(1, 5)  # a position not stored yet
        proc = subprocess.run([sys.executable, str(CHILD), str(d), str(EVENTS), "7", str(p), phase],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == -signal.SIGKILL, (p, phase, proc.stderr[-2000:])
        seen_phases.add(phase)
        with Hybrid(d, 16, W, replica_id=1) as h:
            rec = h.table.recovery
            assert rec.duplicates == 0, (p, phase, rec)  # no record written twice
            if phase == "torn":
                assert rec.truncated_bytes > 0, rec
            stored = len(h.store)
            assert stored >= p
            where = {"saved": h.position < p, "torn": h.position == p - 1,
                     "logged": h.position == p, "applied": h.lag == 0}
            assert where[phase], (p, phase, h.position, h.lag)  # killed where it was told
            assert h.consistent()
            h.project()
            want = h.store.fold_all()
            assert h.read_all() == [want.get(a, 0) for a in range(16)], (p, phase)
            assert [m.seq for m in h.table.replica.messages()] == list(range(stored))
    for _ in range(EXTERNAL_KILLS):  # and killed from outside, wherever it happens to be
        child = subprocess.Popen([sys.executable, str(CHILD), str(d), str(EVENTS + 10_000), "7"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(1.0, 2.5))
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, err[-2000:]
        with Hybrid(d, 16, W, replica_id=1) as h:
            assert h.table.recovery.duplicates == 0 and h.consistent()
            h.project()
            want = h.store.fold_all()
            assert h.read_all() == [want.get(a, 0) for a in range(16)]
            assert [m.seq for m in h.table.replica.messages()] == list(range(len(h.store)))
    proc = subprocess.run([sys.executable, str(CHILD), str(d), str(EVENTS), "7"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Hybrid(d, 16, W, replica_id=1) as h:
        assert h.table.recovery.duplicates == 0 and h.lag == 0
        want = h.store.fold_all()
        assert h.read_all() == [want.get(a, 0) for a in range(16)]
        assert len(h.store) >= EVENTS
        rebuilt = h.rebuild(tmp_path / "rebuilt.log")
        assert rebuilt.read_all() == h.read_all()
        rebuilt.close()
    assert seen_phases == set(PHASES), seen_phases


def test_a_gap_in_the_positions_is_a_noop_record(tmp_path: Path) -> None:
    import sqlite3

    from atomik.replication.hybrid import STORE_FILE

    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        r = Register(2)
        r.set(1)
        r.set(3)
        r.set(7)  # deltas 1, 2, 4 at positions 2, 3, 4
        assert h.save(r) == [1, 2, 3, 4]
    with sqlite3.connect(tmp_path / STORE_FILE) as db:  # a position no event holds
        db.execute("DELETE FROM stored_events WHERE rowid = 3")
    with Hybrid(tmp_path, N, W, replica_id=1) as h:
        assert len(h.store) == 4
        msgs = h.project()
        assert [(m.seq, m.addr, m.delta) for m in msgs] == [(0, 2, 0), (1, 2, 1), (2, 0, 0),
                                                            (3, 2, 4)]
        assert (h.read(2), h.store.fold(2), h.position) == (5, 5, 4)
        assert h.store.deltas(2) == [0, 1, 4] and h.value_at(2, 3) == 1
        assert h.project(limit=0) == [] and h.project(limit=5) == []


def test_bad_input_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    from atomik.errors import WidthError
    from atomik.replication.hybrid import event_delta

    with pytest.raises(ProjectionError, match="no 'addr'"):
        event_delta(object())
    with Hybrid(tmp_path, N, W, to_delta=lambda e: (e.addr, "not an int"), replica_id=1) as h:
        with pytest.raises(ProjectionError, match="does not map"):
            h.save(Register(1))
        assert len(h.store) == 0
    with Hybrid(tmp_path / "ok", N, W, replica_id=1) as h:
        _fill(h, 5)
        h.project()
        t = AtomikTable(N, 32)
        with pytest.raises(WidthError):
            h.store.apply_to(t)
        assert not t.diff(AtomikTable(N, 32))
        with pytest.raises(AtomikTypeError):
            h.store.apply_to("table")  # type: ignore[arg-type]
        with pytest.raises(AtomikTypeError):
            h.store.replay_from({})  # type: ignore[arg-type]
        with pytest.raises(ProjectionError, match="not from this projection"):
            h.trace(DeltaMessage(99, 0, 0, 0, W, 1))
        with pytest.raises(SnapshotError):
            h.store.event_at(len(h.store) + 1)
        before = h.read_all()
        assert h.project() == [] and h.read_all() == before


def test_replica_id_is_required(tmp_path: Path) -> None:
    """No default origin: two hybrids that kept one would drop each other's writes."""
    with pytest.raises(TypeError, match="replica_id"):
        Hybrid(tmp_path, N, W)  # type: ignore[call-arg]
