"""The event-log bridge: events that carry deltas, folded into accumulators.

An :class:`EventLog` keeps the events themselves (for audit and intent, which a context forgets)
and can always produce what a context keeps: folding the log gives each address's accumulator.
A :class:`LogSnapshot` records the fold at a position. Truncating at a snapshot moves the events
before it into the log's base (their per-address fold): the log then keeps fewer events, but
``fold``, ``fold_all``, ``replay`` and ``snapshot_context`` at a later position give what they
gave before (Lean: ``EventLog.fold_truncate``, ``foldAt_truncate``, ``replay_truncate``,
``snapshotContext_truncate``). So ``replay`` always replays the whole history, truncated part
included: to continue from ``snapshot_context(ctx, n)`` after truncating at ``n``, accumulate the
kept deltas, ``s.accum_many(log.deltas())`` (``read_replay_snapshot``); ``log.replay(s)`` would
apply the first ``n`` events a second time (``read_replay_truncate_snapshotContext``).

This is the in-memory backend of the event-log interface; the durable one is
:class:`atomik.replication.hybrid.StoreLog`, the notification log of an ``eventsourcing`` event
store read with the same methods and the same meaning (``len``, ``offset``, ``deltas``, ``fold``,
``fold_all``, ``snapshot``, ``replay_from``, ``replay``, ``snapshot_context``, ``apply_to``;
``StoreLog.to_eventlog`` gives this class's view of a store). Use this one for tests and throw-away
logs; it pickles (``pickle.dumps(log)``), but nothing saves it for you.

Lean: ``Atomik.EventLog`` models this storage (offset, truncated base, kept events); a position
outside ``offset <= n <= len(log)`` is ``none`` there and a :class:`SnapshotError` here
(``snapshot_isSome_iff``, ``truncate_isSome_iff``, ``snapshotContext_isSome_iff``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from atomik._check import as_int, check_count, check_value, check_width
from atomik.context import AtomikContext
from atomik.delta import compose_all
from atomik.errors import AtomikTypeError, SnapshotError, WidthError
from atomik.table import AtomikTable

__all__ = ["Event", "EventLog", "LogSnapshot"]


@dataclass(frozen=True, slots=True)
class Event:
    """An event at address ``addr`` whose effect is the delta ``delta``; ``note`` says why."""

    addr: int
    delta: int
    note: str = ""

    def __post_init__(self) -> None:
        """Validate: ``addr`` and ``delta`` non-negative ints, ``note`` a str."""
        check_count(self.addr, "addr")
        check_count(self.delta, "delta")
        if not isinstance(self.note, str):
            raise AtomikTypeError(f"note must be a str, got {type(self.note).__name__}")


@dataclass(frozen=True, slots=True)
class LogSnapshot:
    """The fold of a log's first ``offset`` events: ``{addr: accumulator}`` (non-zero only)."""

    offset: int
    accumulators: Mapping[int, int] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[LogSnapshot], tuple[int, dict[int, int]]]:
        """Pickle as ``(offset, dict)``: a read-only ``mappingproxy`` does not pickle."""
        return (LogSnapshot, (self.offset, dict(self.accumulators)))


def _xor_into(acc: dict[int, int], addr: int, delta: int) -> None:
    v = acc.get(addr, 0) ^ delta
    if v:
        acc[addr] = v
    else:
        acc.pop(addr, None)


class EventLog:
    """An append-only log of :class:`Event` of ``width`` bits each."""

    __slots__ = ("_base", "_events", "_width")

    def __init__(self, width: int = 64) -> None:
        """An empty log of ``width``-bit deltas."""
        self._width = check_width(width)
        self._events: list[Event] = []
        self._base = LogSnapshot(0, MappingProxyType({}))

    def append(self, event: Event) -> int:
        """Append ``event`` (its delta must fit the width); return its position."""
        if not isinstance(event, Event):
            raise AtomikTypeError(f"expected an Event, got {type(event).__name__}")
        check_value(event.delta, self._width, "delta")
        self._events.append(event)
        return len(self) - 1

    def record(self, addr: int, delta: int, note: str = "") -> Event:
        """Append ``Event(addr, delta, note)`` and return it."""
        e = Event(addr, delta, note)
        self.append(e)
        return e

    @property
    def width(self) -> int:
        """Bit width of every delta."""
        return self._width

    @property
    def offset(self) -> int:
        """Position of the first event still kept (events before it were truncated)."""
        return self._base.offset

    @property
    def events(self) -> tuple[Event, ...]:
        """The events still kept, oldest first."""
        return tuple(self._events)

    def __len__(self) -> int:
        """Number of events ever appended (kept or truncated)."""
        return self._base.offset + len(self._events)

    def _fold_from(self, base: LogSnapshot, start: int, stop: int) -> dict[int, int]:
        acc = dict(base.accumulators)
        for e in self._events[start - self._base.offset : stop - self._base.offset]:
            _xor_into(acc, e.addr, e.delta)
        return acc

    def fold_all(self) -> dict[int, int]:
        """``{addr: accumulator}`` over the whole log (non-zero accumulators only)."""
        return self._fold_from(self._base, self._base.offset, len(self))

    def deltas(self, addr: int | None = None) -> list[int]:
        """The deltas of the kept events in log order (only those at ``addr`` if given).

        Lean: ``EventLog.deltas``.
        """
        if addr is None:
            return [e.delta for e in self._events]
        a = check_count(addr, "addr")
        return [e.delta for e in self._events if e.addr == a]

    def fold(self, addr: int | None = None) -> int:
        """The XOR of every delta in the log (including truncated events, through the base
        snapshot); with ``addr``, only the events at ``addr``: that address's accumulator.

        Lean: ``EventLog.fold``.
        """
        return self._base_fold(addr) ^ compose_all(self.deltas(addr), width=self._width)

    def _base_fold(self, addr: int | None) -> int:
        """The fold of the truncated events (all of them, or those at ``addr``)."""
        if addr is not None:
            return self._base.accumulators.get(check_count(addr, "addr"), 0)
        acc = 0
        for v in self._base.accumulators.values():
            acc ^= v
        return acc

    def replay(self, ctx: AtomikContext, addr: int | None = None) -> AtomikContext:
        """A copy of ``ctx`` that has accumulated the log's whole fold (at ``addr`` if given),
        truncated events included: their base fold first, as one delta, then every kept delta;
        ``delta_count`` grows by the number of kept events replayed (plus one for a non-zero
        base). Truncation does not change the result (Lean: ``EventLog.replay_truncate``).

        Lean: ``EventLog.replay`` (``EventLog.replayAt`` with ``addr``).
        """
        if not isinstance(ctx, AtomikContext):
            raise AtomikTypeError(f"ctx must be an AtomikContext, got {type(ctx).__name__}")
        if ctx.width != self._width:
            raise WidthError(f"context has width {ctx.width}, this log has width {self._width}")
        out = ctx.copy()
        base = self._base_fold(addr)
        if base:  # the truncated events, already folded, count as one delta
            out.accum(base)
        out.accum_many(self.deltas(addr))
        return out

    def snapshot(self, at: int | None = None) -> LogSnapshot:
        """A snapshot of the fold after the first ``at`` events (default: the whole log).

        ``at`` must lie between :attr:`offset` and ``len(self)``.
        """
        off = len(self) if at is None else as_int(at, "at")
        if not self._base.offset <= off <= len(self):
            raise SnapshotError(
                f"snapshot position {off} outside the kept log: expected "
                f"{self._base.offset} <= position <= {len(self)}"
            )
        return LogSnapshot(
            off, MappingProxyType(self._fold_from(self._base, self._base.offset, off))
        )

    def snapshot_context(
        self, ctx: AtomikContext, at: int, addr: int | None = None
    ) -> AtomikContext:
        """The clean context holding the state after replaying the first ``at`` events onto
        ``ctx`` (at ``addr`` if given), i.e. that replay followed by ``swap``. ``at`` must lie
        between :attr:`offset` and ``len(self)`` (:class:`SnapshotError` otherwise).

        Lean: ``EventLog.snapshotContext`` (``read_snapshotContext``, ``accumulator_snapshot``).
        """
        snap = self.snapshot(at)
        prefix = EventLog(self._width)
        prefix._base = self._base
        prefix._events = self._events[: snap.offset - self._base.offset]
        out = prefix.replay(ctx, addr)
        out.swap()
        return out

    def _check_snapshot(self, snap: object) -> LogSnapshot:
        if not isinstance(snap, LogSnapshot):
            raise AtomikTypeError(f"expected a LogSnapshot, got {type(snap).__name__}")
        off = as_int(snap.offset, "snapshot offset")
        if not self._base.offset <= off <= len(self):
            raise SnapshotError(
                f"snapshot offset {off} outside the kept log: expected "
                f"{self._base.offset} <= offset <= {len(self)}"
            )
        expected = self._fold_from(self._base, self._base.offset, off)
        if dict(snap.accumulators) != expected:
            raise SnapshotError(f"snapshot at offset {off} does not match this log's fold there")
        return snap

    def replay_from(self, snap: LogSnapshot) -> dict[int, int]:
        """The fold obtained by starting from ``snap`` and replaying the events after it.

        Equals :meth:`fold_all` for every valid snapshot of this log (Lean:
        ``EventLog.replayFromAt_snapshot``).
        """
        s = self._check_snapshot(snap)
        return self._fold_from(s, s.offset, len(self))

    def truncate(self, snap: LogSnapshot) -> int:
        """Drop the events before ``snap`` (which must be a snapshot of this log) into the
        base; the fold is unchanged. Returns how many events were dropped. A snapshot outside the
        kept log, or not matching this log's fold, raises :class:`SnapshotError` and changes
        nothing.

        Lean: ``EventLog.truncate`` (``truncate_eq``, ``fold_truncate``, ``replay_truncate``).
        """
        s = self._check_snapshot(snap)
        dropped = s.offset - self._base.offset
        del self._events[:dropped]
        self._base = LogSnapshot(s.offset, MappingProxyType(dict(s.accumulators)))
        return dropped

    def apply_to(self, table: AtomikTable) -> None:
        """Accumulate the whole fold into ``table`` (validated first; unchanged on error).

        Lean: ``EventLog.applyTo`` (``read_applyTo``).
        """
        if not isinstance(table, AtomikTable):
            raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
        if table.width != self._width:
            raise WidthError(f"table has width {table.width}, this log has width {self._width}")
        acc = self.fold_all()
        table.accum_batch(list(acc), list(acc.values()))

    def copy(self) -> EventLog:
        """An independent copy (events are immutable, so they are shared)."""
        out = EventLog(self._width)
        out._base = self._base
        out._events = list(self._events)
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as width, base snapshot and kept events (the base's ``mappingproxy`` does not
        pickle by itself)."""
        return (_restore, (self._width, self._base.offset, dict(self._base.accumulators),
                           tuple(self._events)))

    def __repr__(self) -> str:
        return f"EventLog(width={self._width}, events={len(self)}, kept_from={self.offset})"


def _restore(width: int, offset: int, base: dict[int, int], events: tuple[Event, ...]) -> EventLog:
    """Rebuild a pickled :class:`EventLog`."""
    out = EventLog(width)
    out._base = LogSnapshot(offset, MappingProxyType(dict(base)))
    out._events = list(events)
    return out
