"""The hybrid: domain events in an ``eventsourcing`` event store, atomik deltas for the hot path.

Domain events (with their intent: who, why, when) are saved by an ``eventsourcing``
:class:`~eventsourcing.application.Application` whose event store is SQLite by default (a file in
the hybrid's folder, through eventsourcing's own ``eventsourcing.sqlite`` persistence module) or
whatever its environment configures (``PERSISTENCE_MODULE=eventsourcing.postgres`` and the
``POSTGRES_*`` settings). The store is the source of truth.

A *projection* follows the store's notification log by position and turns the event at position
``p`` into exactly one :class:`~atomik.wire.DeltaMessage` ``(origin, epoch, seq = p - 1, addr,
width, delta)``, applied to a :class:`~atomik.replication.log.PersistentTable` (write-ahead: the
record is on disk before the table changes) and returned for the replicas. ``(addr, delta)`` comes
from the event (:func:`event_delta` reads its ``addr`` and ``delta`` attributes; an event without a
``delta`` is a no-op record). Exactly once, across crashes (``spec/hybrid.md``):

* the notification position *is* the record's ``seq``: the position the projection reached and
  the delta it applied are one CRC-checked record of the table's log, written in one append, so
  they can never disagree (no separate tracking record to keep in step);
* the projection resumes after the table's contiguous watermark for its origin (recovered from
  the log), and a message is deterministic in its position, so re-projecting an event after a
  crash produces the same id and the table's deduplication refuses it: idempotent by position.

Reads (:meth:`Hybrid.read`) are the table's O(1) reads. Time travel and audit come from the store
(:class:`StoreLog`: :meth:`~StoreLog.value_at`, :meth:`~StoreLog.audit`), and any record traces
back to its event (:meth:`StoreLog.event_at` of ``seq + 1``). :meth:`Hybrid.rebuild` rebuilds
the projection from the store into a new log; it reaches the same table.

:class:`StoreLog` has the read interface of :class:`~atomik.eventlog.EventLog` (``len``,
``offset``, ``deltas``, ``fold``, ``fold_all``, ``snapshot``, ``replay_from``, ``replay``,
``snapshot_context``, ``apply_to``) with the same meaning, the event at position ``p`` being
index ``p - 1`` of the log; the in-memory ``EventLog`` is the same interface without a store.
The Lean laws of ``Atomik.EventLog`` are checked against the real SQLite store in
``conformance/properties/hybrid.py``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from atomik._check import as_int, check_addr, check_count, check_value
from atomik.context import AtomikContext
from atomik.errors import AtomikError, AtomikTypeError, SnapshotError, WidthError
from atomik.eventlog import Event, EventLog, LogSnapshot
from atomik.replication.log import PersistentTable
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage

__all__ = [
    "AuditEntry",
    "Hybrid",
    "HybridApplication",
    "ProjectionError",
    "Register",
    "StoreLog",
    "event_delta",
]

STORE_FILE = "events.sqlite"
TABLE_FILE = "projection.atomiklog"
PAGE = 500  # notifications read per query

ToDelta = Callable[[Any], tuple[int, int]]


class ProjectionError(AtomikError, ValueError):
    """A domain event does not map to a valid delta of the table (address outside it, delta wider
    than its width, no ``addr``). Raised before the event is saved; nothing changes."""


def event_delta(domain_event: Any) -> tuple[int, int]:
    """``(addr, delta)`` of a domain event: its ``addr`` and ``delta`` attributes (``delta``
    defaults to 0: an event without one, such as an aggregate's ``Created``, is a no-op record)."""
    addr = getattr(domain_event, "addr", None)
    if addr is None:
        raise ProjectionError(
            f"{type(domain_event).__qualname__} has no 'addr': give the hybrid a to_delta that "
            "maps it to (addr, delta)"
        )
    return addr, getattr(domain_event, "delta", 0)


class Register(Aggregate):
    """A generic register aggregate at one table address: ``Changed`` events carry the delta and
    the intent (``note``, ``author``; eventsourcing adds the ``timestamp``)."""

    def __init__(self, addr: int) -> None:
        """A register at ``addr`` (holding 0)."""
        self.addr = addr
        self.value = 0

    @staticmethod
    def create_id(addr: int) -> uuid.UUID:
        """One aggregate per address: its id is derived from the address."""
        return uuid.uuid5(uuid.NAMESPACE_URL, f"atomik-register:{addr}")

    def set(self, value: int, note: str = "", author: str = "") -> None:
        """Record the change to ``value`` as the delta ``old ^ value`` (computed here, at the
        domain boundary, so the event alone says what it does to the table)."""
        self.changed(addr=self.addr, delta=self.value ^ value, note=note, author=author)

    @event("Changed")
    def changed(self, addr: int, delta: int, note: str, author: str) -> None:
        """The event: XOR ``delta`` into the register."""
        self.value ^= delta


class HybridApplication(Application[uuid.UUID]):
    """The eventsourcing application holding the domain events (subclass it for your aggregates
    and commands)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored event that changed an address: its notification position, the aggregate it
    belongs to, its version, topic, delta and the domain event itself (intent, timestamp)."""

    position: int
    originator_id: uuid.UUID
    originator_version: int
    topic: str
    delta: int
    event: Any


class StoreLog:
    """The store's notification log read as an :class:`~atomik.eventlog.EventLog` of
    ``width``-bit deltas: the event at notification position ``p`` is index ``p - 1``; a gap in the
    positions is a no-op event. The store is never truncated: :attr:`offset` is 0."""

    def __init__(self, app: Application[Any], num_contexts: int, width: int,
                 to_delta: ToDelta = event_delta) -> None:
        """A view of ``app``'s notification log; ``to_delta`` maps a domain event to
        ``(addr, delta)``."""
        self._app = app
        self._n = check_count(num_contexts, "num_contexts", minimum=1)
        self._width = AtomikTable(1, width).width
        self._to_delta = to_delta

    @property
    def width(self) -> int:
        """Bit width of every delta."""
        return self._width

    @property
    def offset(self) -> int:
        """Always 0: the store keeps every event."""
        return 0

    def __len__(self) -> int:
        """The last notification position (the number of events, gaps counted as no-ops)."""
        return int(self._app.recorder.max_notification_id() or 0)

    def delta_of(self, domain_event: Any) -> tuple[int, int]:
        """``(addr, delta)`` of a domain event, validated for the table
        (:class:`ProjectionError` otherwise)."""
        try:
            addr, delta = self._to_delta(domain_event)
            return (check_addr(addr, self._n), check_value(delta, self._width, "delta"))
        except ProjectionError:
            raise
        except (AtomikError, TypeError, ValueError) as e:
            raise ProjectionError(
                f"{type(domain_event).__qualname__} does not map to a delta of this table: {e}"
            ) from None

    def notifications(self, start: int = 1, stop: int | None = None) -> Iterator[Any]:
        """The stored notifications with ``start <= position <= stop``, in order (paged)."""
        rec = self._app.recorder
        nxt = max(1, start)
        while stop is None or nxt <= stop:
            page = rec.select_notifications(start=nxt, limit=PAGE, stop=stop)
            if not page:
                return
            yield from page
            nxt = page[-1].id + 1

    def records(self, start: int = 1, stop: int | None = None
                ) -> Iterator[tuple[int, int, int, Any]]:
        """``(position, addr, delta, notification)`` for every position in ``start..stop``
        (``stop``: the last stored); a gap in the positions yields ``(p, 0, 0, None)``."""
        nxt = max(1, start)
        for n in self.notifications(nxt, stop):
            while nxt < n.id:  # a position no event holds: a no-op
                yield nxt, 0, 0, None
                nxt += 1
            addr, delta = self.delta_of(self._app.mapper.to_domain_event(n))
            yield n.id, addr, delta, n
            nxt = n.id + 1

    def event_at(self, position: int) -> Any:
        """The domain event stored at ``position`` (a record's ``seq + 1``): the trace of a delta
        back to the event that produced it."""
        p = check_count(position, "position", minimum=1)
        page = self._app.recorder.select_notifications(start=p, limit=1, stop=p)
        if not page:
            raise SnapshotError(f"no event at position {p} (the store holds 1..{len(self)})")
        return self._app.mapper.to_domain_event(page[0])

    # ------------------------------------------------------------------ the EventLog interface
    def _stop(self, at: int | None) -> int:
        n = len(self)
        off = n if at is None else as_int(at, "at")
        if not 0 <= off <= n:
            raise SnapshotError(
                f"snapshot position {off} outside the store: expected 0 <= position <= {n}"
            )
        return off

    def deltas(self, addr: int | None = None) -> list[int]:
        """The deltas of every stored event in order (only those at ``addr`` if given)."""
        if addr is None:
            return [d for _, _, d, _ in self.records()]
        a = check_count(addr, "addr")
        return [d for _, x, d, _ in self.records() if x == a]

    def fold(self, addr: int | None = None) -> int:
        """The XOR of every stored delta (at ``addr`` if given: that address's accumulator)."""
        acc = 0
        for d in self.deltas(addr):
            acc ^= d
        return acc

    def snapshot(self, at: int | None = None) -> LogSnapshot:
        """The fold after the first ``at`` events (positions ``1..at``; default: all)."""
        off = self._stop(at)
        acc: dict[int, int] = {}
        if off:
            for _, a, d, _ in self.records(1, off):
                v = acc.get(a, 0) ^ d
                if v:
                    acc[a] = v
                else:
                    acc.pop(a, None)
        return LogSnapshot(off, acc)

    def fold_all(self) -> dict[int, int]:
        """``{addr: accumulator}`` over the whole store (non-zero only)."""
        return dict(self.snapshot().accumulators)

    def replay_from(self, snap: LogSnapshot) -> dict[int, int]:
        """Start from ``snap`` (a snapshot of this store) and fold the events after it."""
        if not isinstance(snap, LogSnapshot):
            raise AtomikTypeError(f"expected a LogSnapshot, got {type(snap).__name__}")
        off = self._stop(snap.offset)
        if dict(snap.accumulators) != dict(self.snapshot(off).accumulators):
            raise SnapshotError(f"snapshot at offset {off} does not match this store's fold there")
        acc = dict(snap.accumulators)
        for _, a, d, _ in self.records(off + 1):
            v = acc.get(a, 0) ^ d
            if v:
                acc[a] = v
            else:
                acc.pop(a, None)
        return acc

    def to_eventlog(self, at: int | None = None) -> EventLog:
        """The first ``at`` stored events (default: all) as an in-memory
        :class:`~atomik.eventlog.EventLog` (each event's note is its topic)."""
        off = self._stop(at)
        log = EventLog(self._width)
        if off:
            for _, a, d, n in self.records(1, off):
                log.append(Event(a, d, "" if n is None else n.topic))
        return log

    def replay(self, ctx: AtomikContext, addr: int | None = None) -> AtomikContext:
        """:meth:`EventLog.replay <atomik.eventlog.EventLog.replay>` of the stored events."""
        return self.to_eventlog().replay(ctx, addr)

    def snapshot_context(self, ctx: AtomikContext, at: int,
                         addr: int | None = None) -> AtomikContext:
        """:meth:`EventLog.snapshot_context <atomik.eventlog.EventLog.snapshot_context>` at
        ``at`` (time travel onto a context)."""
        return self.to_eventlog(at).snapshot_context(ctx, self._stop(at), addr)

    def apply_to(self, table: AtomikTable) -> None:
        """Accumulate the whole fold into ``table`` (validated first; unchanged on error)."""
        if not isinstance(table, AtomikTable):
            raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
        if table.width != self._width:
            raise WidthError(f"table has width {table.width}, the store has width {self._width}")
        acc = self.fold_all()
        table.accum_batch(list(acc), list(acc.values()))

    # ------------------------------------------------------------------ time travel and audit
    def value_at(self, addr: int, position: int) -> int:
        """What ``addr`` held after the events at positions ``1..position``."""
        a = check_addr(addr, self._n)
        return self.snapshot(position).accumulators.get(a, 0)

    def audit(self, addr: int, upto: int | None = None) -> list[AuditEntry]:
        """Every stored event up to position ``upto`` (default: all) with a non-zero delta at
        ``addr``, oldest first."""
        a = check_addr(addr, self._n)
        stop = self._stop(upto)
        out: list[AuditEntry] = []
        if stop:
            for p, x, d, n in self.records(1, stop):
                if x == a and d and n is not None:
                    out.append(AuditEntry(p, n.originator_id, n.originator_version, n.topic, d,
                                          self._app.mapper.to_domain_event(n)))
        return out

    def __repr__(self) -> str:
        return f"StoreLog(width={self._width}, events={len(self)})"


def sqlite_env(path: str | os.PathLike[str]) -> dict[str, str]:
    """The eventsourcing environment of an SQLite event store in the file ``path``."""
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": os.fspath(path)}


class Hybrid:
    """Domain events in an eventsourcing store, projected exactly once into a durable atomik
    table (``num_contexts`` contexts of ``width`` bits, 1..64) under the folder ``path``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        num_contexts: int,
        width: int = 64,
        *,
        replica_id: int,
        app_class: type[Application[Any]] = HybridApplication,
        env: dict[str, str] | None = None,
        to_delta: ToDelta = event_delta,
        epoch: int = 0,
        fsync: str = "always",
    ) -> None:
        """Open (recovering) or create the hybrid in the folder ``path``: the store is
        ``path/events.sqlite`` unless ``env`` configures another one (e.g. PostgreSQL), the
        projection's log is ``path/projection.atomiklog``. ``replica_id`` is the origin of the
        projection's messages; it has no default (as for ``PersistentTable``): two nodes that
        kept one would drop each other's writes as duplicates, so give each node its own."""
        self._path = Path(os.fspath(path))
        self._path.mkdir(parents=True, exist_ok=True)
        self.app = app_class(env=sqlite_env(self._path / STORE_FILE) if env is None else env)
        self.store = StoreLog(self.app, num_contexts, width, to_delta)
        self._table = PersistentTable(self._path / TABLE_FILE, num_contexts, width, fsync,
                                      replica_id=replica_id, epoch=epoch)
        self._rid = self._table.replica.replica_id
        self._epoch = self._table.replica.epoch
        self._width = self.store.width
        self._projected = 0

    # ------------------------------------------------------------------ the domain boundary
    def save(self, *aggregates: Any) -> list[int]:
        """Save the aggregates' pending events to the store (not projected yet: see
        :meth:`project`); return their positions. Every event is checked to map to a valid delta
        first: a bad one raises :class:`ProjectionError` and nothing is saved."""
        for agg in aggregates:
            for e in getattr(agg, "pending_events", ()):
                self.store.delta_of(e)
        return [r.notification.id for r in self.app.save(*aggregates)]

    def commit(self, *aggregates: Any) -> list[DeltaMessage]:
        """:meth:`save`, then :meth:`project`: the messages for the replicas."""
        self.save(*aggregates)
        return self.project()

    # ------------------------------------------------------------------ the projection
    @property
    def position(self) -> int:
        """The last notification position projected (durably: read from the table's log)."""
        return self._table.replica.watermarks().get(self._rid, -1) + 1

    def project(self, limit: int | None = None) -> list[DeltaMessage]:
        """Project the stored events after :attr:`position` (at most ``limit``), in order: each
        becomes the message ``seq = position - 1``, logged then applied. Returns the messages
        applied (send them to the replicas). An event already in the log is never applied again
        (its id is deduplicated)."""
        start = self.position + 1
        stop = None if limit is None else start + check_count(limit, "limit") - 1
        if stop is not None and stop < start:
            return []
        out: list[DeltaMessage] = []
        for p, addr, delta, _ in self.store.records(start, stop):
            msg = DeltaMessage(self._rid, self._epoch, p - 1, addr, self._width, delta)
            if self._table.receive(msg):
                self._projected += 1
                out.append(msg)
        return out

    @property
    def lag(self) -> int:
        """How many stored events the projection has not applied yet."""
        return len(self.store) - self.position

    # ------------------------------------------------------------------ reads
    def read(self, addr: int) -> int:
        """The projected state at ``addr``: O(1), from the table."""
        return self._table.read(addr)

    def read_all(self) -> list[int]:
        """Every address's projected state."""
        return self._table.read_all()

    @property
    def table(self) -> PersistentTable:
        """The projection's durable table (write to it only through the projection)."""
        return self._table

    def value_at(self, addr: int, position: int) -> int:
        """Time travel, from the store: ``addr`` after the events at positions ``1..position``."""
        return self.store.value_at(addr, position)

    def audit(self, addr: int, upto: int | None = None) -> list[AuditEntry]:
        """The stored events that changed ``addr`` (up to position ``upto``)."""
        return self.store.audit(addr, upto)

    def trace(self, msg: DeltaMessage) -> Any:
        """The domain event a projected message came from."""
        if not isinstance(msg, DeltaMessage):
            raise AtomikTypeError(f"expected a DeltaMessage, got {type(msg).__name__}")
        if msg.origin != self._rid:
            raise ProjectionError(f"message {msg.id} is not from this projection ({self._rid})")
        return self.store.event_at(msg.seq + 1)

    def missing_for(self, digest: Any) -> list[DeltaMessage]:
        """The projected messages a replica with ``digest`` lacks (anti-entropy)."""
        return self._table.missing_for(digest)

    # ------------------------------------------------------------------ rebuild
    def rebuild(self, path: str | os.PathLike[str]) -> PersistentTable:
        """A new projection log at ``path`` (which must not exist) rebuilt from the store:
        the same messages, so the same table and the same position."""
        p = Path(os.fspath(path))
        if p.exists():
            raise ProjectionError(f"{p} exists: rebuild writes a new log")
        r = self._table.replica
        t = PersistentTable(p, r.table.num_contexts, self._width, "close",
                            replica_id=self._rid, epoch=self._epoch)
        try:
            for q, addr, delta, _ in self.store.records(1):
                t.receive(DeltaMessage(self._rid, self._epoch, q - 1, addr, self._width, delta))
            t.flush()
        except BaseException:
            t.close()
            raise
        return t

    def consistent(self) -> bool:
        """Whether the projection reads exactly the fold of the events it has projected."""
        want = self.store.snapshot(self.position).accumulators
        got = self.read_all()
        return all(got[a] == want.get(a, 0) for a in range(len(got)))

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the table's log and the store."""
        self._table.close()
        self.app.close()

    def __enter__(self) -> Hybrid:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Hybrid({str(self._path)!r}, position={self.position}, "
                f"stored={len(self.store)}, width={self._width})")
