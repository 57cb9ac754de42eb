"""atomik-core 0.4.0's most used names, with its signatures and shapes, on atomik's classes.

For code written against the published SDK ``atomik_core``: change the import
(``from atomik_core import AtomikTable`` -> ``from atomik.compat import AtomikTable``) and the
code keeps its calls and, for values that fit the width, its answers. Underneath, every call goes
through atomik's validating classes, so atomik's safety stays:

- **values are checked, not masked**: a value outside ``0 <= v < 2**width`` raises
  :class:`~atomik.errors.RangeError`, a ``bool``/``float``/``str`` raises
  :class:`~atomik.errors.AtomikTypeError`, an address outside the table raises
  :class:`~atomik.errors.AddressError`; a rejected call changes nothing (atomik-core masked);
- **messages are deduplicated**: :class:`SyncTable` and :class:`DeltaStream` are built on
  :class:`~atomik.replication.replica.Replica`, so a message received twice is applied once
  (atomik-core XORed it in again, undoing the update);
- ``merge`` checks the reference and the width (atomik-core ignored both).

Where atomik's own class would answer differently *without an error*, the compat name gives
atomik-core's answer or fails loudly:

- :meth:`AtomikTable.context` returns a **live view**: writes through it reach the table (as in
  atomik-core; ``atomik.AtomikTable.context`` returns a detached copy);
- :meth:`AtomikTable.snapshot` has atomik-core's shape ``{addr: state}``;
- :class:`AtomikContext` ``==`` compares ``read()`` and ``width`` (atomik-core's equality), and
  ``with ctx:`` loads 0 on exit;
- :meth:`Fingerprint.reset` clears the difference (``value`` goes back to the loaded
  fingerprint; ``atomik.Fingerprint.reset`` makes the current data the baseline);
- :meth:`SyncTable.put` of an unchanged value returns ``None`` and sends nothing (atomik-core
  returned a delta-0 message reusing the previous ``seq``: an atomik receiver would take it for
  the earlier message of that id, a duplicate or a conflict).

Covered: :class:`AtomikContext`, :class:`AtomikTable` (``load``, ``accum``, ``read``, ``swap``,
``context``, ``batch_accum``, ``snapshot``, ``num_contexts``, ``width``), :class:`Fingerprint`
(``load``, ``update``, ``accumulate_delta``, ``changed``, ``value``, ``delta``, ``reset``; width
64 only), :class:`SyncTable` (``put``, ``get``, ``receive``, ``on_delta``, ``snapshot``,
``from_snapshot``, ``diff``, ``len``/``iter``/``in``) and :class:`DeltaStream` (``load``,
``accum``, ``apply``, ``read``, ``pending``).

Not covered (use atomik's own API, see docs/migrating-from-atomik-core.md): atomik-core's
``DeltaMessage`` and its 16-byte format (messages here are :class:`atomik.DeltaMessage`, sent
with ``msg.encode()`` and read with :func:`atomik.decode`), ``PersistentSyncTable``
(:class:`atomik.replication.log.PersistentTable`), ``MemoryTransport``, ``CallbackTransport``,
``AsyncCallbackTransport``, ``AsyncSyncTable`` (:mod:`atomik.replication.transport`),
``DeviceContext``, ``DeviceTable``, ``DeltaStream.contexts`` and the ``bench_*`` functions.

Other differences that stay (each raises or is documented, none is silent about the state):
tables and streams hold widths 1..64 (:class:`~atomik.errors.WidthError` beyond); addresses are
``0 .. num_contexts - 1`` also in :class:`DeltaStream`; ``seq`` numbers start at 0 and every
message carries its sender's ``origin``; a replica id is drawn for each :class:`SyncTable` and
:class:`DeltaStream` (unique within the process, random across processes: pass ``replica_id=``
when several processes write).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator, Mapping

from atomik import context as _context
from atomik import table as _table
from atomik._check import check_value
from atomik.errors import AtomikTypeError, SnapshotError, WidthError
from atomik.fingerprint import BytesLike, fingerprint, update_chunk
from atomik.replication.replica import Replica
from atomik.wire import DeltaMessage

__all__ = ["AtomikContext", "AtomikTable", "ContextView", "DeltaStream", "Fingerprint", "SyncTable"]

# Replica ids for tables and streams made without one: distinct within this process, starting at
# a random u32 so that two processes are unlikely to share one.
_NEXT_ID = itertools.count(secrets.randbits(32))


def _replica_id(replica_id: int | None) -> int:
    if replica_id is None:
        return next(_NEXT_ID) & 0xFFFF_FFFF
    return replica_id


def _core_equal(a: object, b: object) -> bool:
    """atomik-core's context equality: same ``read()`` and same ``width``."""
    return bool(a.read() == b.read() and a.width == b.width)  # type: ignore[attr-defined]


def _is_context(other: object) -> bool:
    return isinstance(other, _context.AtomikContext | ContextView)


class AtomikContext(_context.AtomikContext):
    """:class:`atomik.AtomikContext` with atomik-core's ``==`` and context manager.

    ``a == b`` when both read the same state at the same width (whatever the split between
    reference and accumulator); ``with ctx:`` returns the context and loads 0 on exit. Everything
    else is atomik's: values are validated, ``merge`` checks the reference and the width.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        """atomik-core's equality: the same ``read()`` and ``width``."""
        if not _is_context(other):
            return NotImplemented
        return _core_equal(self, other)

    __hash__ = None  # mutable, as in atomik-core

    def __enter__(self) -> AtomikContext:
        """``with ctx:`` gives the context itself."""
        return self

    def __exit__(self, *_: object) -> None:
        """Leaving the ``with`` block loads 0 (atomik-core's reset to a clean state)."""
        self.load(0)


class ContextView:
    """A live view of one address of a compat :class:`AtomikTable`: ``load``, ``accum``,
    ``rollback`` and ``swap`` write to the table, the properties read it (atomik-core's
    ``table.context(addr)``). Not an :class:`atomik.AtomikContext` instance."""

    __slots__ = ("_addr", "_owner")

    def __init__(self, owner: AtomikTable, addr: int) -> None:
        self._owner = owner
        self._addr = addr

    def load(self, value: int) -> None:
        """``table.load(addr, value)``."""
        self._owner.load(self._addr, value)

    def accum(self, delta: int) -> None:
        """``table.accum(addr, delta)``."""
        self._owner.accum(self._addr, delta)

    def rollback(self, delta: int) -> None:
        """Undo ``delta`` by accumulating it again (XOR is self-inverse)."""
        self._owner.accum(self._addr, delta)

    def read(self) -> int:
        """The state at this address."""
        return self._owner.read(self._addr)

    def swap(self, new_reference: int | None = None) -> int:
        """``table.swap(addr, new_reference)``."""
        return self._owner.swap(self._addr, new_reference)

    def merge(self, other: _context.AtomikContext | ContextView) -> None:
        """Accumulate ``other``'s accumulator here; atomik's checks: the same reference and width
        (:class:`~atomik.errors.ReferenceMismatchError`, :class:`~atomik.errors.WidthError`)."""
        if not _is_context(other):
            raise AtomikTypeError(f"other must be a context, got {type(other).__name__}")
        probe = self._copy()
        probe.merge(other.copy() if isinstance(other, ContextView) else other)  # raises first
        self._owner._accum_counted(self._addr, other.accumulator, other.delta_count)

    def copy(self) -> _context.AtomikContext:
        """A detached :class:`atomik.AtomikContext` holding this address's current values."""
        return self._copy()

    def _copy(self) -> _context.AtomikContext:
        return _context.AtomikContext.from_snapshot(self.snapshot())

    @property
    def reference(self) -> int:
        """The reference at this address."""
        return self._owner._table.context(self._addr).reference

    @property
    def accumulator(self) -> int:
        """The accumulator at this address."""
        return self._owner._table.context(self._addr).accumulator

    @property
    def is_clean(self) -> bool:
        """True when the accumulator is zero."""
        return self.accumulator == 0

    @property
    def delta_count(self) -> int:
        """Deltas accumulated at this address (through the compat table) since its last load or
        swap."""
        return self._owner._counts.get(self._addr, 0)

    @property
    def width(self) -> int:
        """The table's width."""
        return self._owner.width

    def snapshot(self) -> dict[str, int]:
        """atomik-core's context snapshot dict of this address."""
        c = self._owner._table.context(self._addr)
        return {
            "width": c.width,
            "reference": c.reference,
            "accumulator": c.accumulator,
            "state": c.read(),
            "delta_count": self.delta_count,
        }

    def __eq__(self, other: object) -> bool:
        """atomik-core's equality: the same ``read()`` and ``width``."""
        if not _is_context(other):
            return NotImplemented
        return _core_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ContextView(addr={self._addr}, state=0x{self.read():x}, width={self.width})"


class AtomikTable:
    """atomik-core's ``AtomikTable(num_contexts=256, width=64)`` on an :class:`atomik.AtomikTable`
    (widths 1..64; validated; a rejected call changes nothing)."""

    __slots__ = ("_counts", "_table")

    def __init__(self, num_contexts: int = 256, width: int = 64) -> None:
        """A table of ``num_contexts`` contexts of ``width`` bits, all reading 0."""
        self._table = _table.AtomikTable(num_contexts, width)
        self._counts: dict[int, int] = {}

    def load(self, addr: int, initial_state: int) -> None:
        """Set ``addr``'s reference to ``initial_state`` and clear its accumulator."""
        self._table.load(addr, initial_state)
        self._counts.pop(addr, None)

    def accum(self, addr: int, delta: int) -> None:
        """XOR ``delta`` into ``addr``'s accumulator."""
        self._accum_counted(addr, delta, 1)

    def _accum_counted(self, addr: int, delta: int, count: int) -> None:
        self._table.accum(addr, delta)  # validates addr and delta first
        self._counts[addr] = self._counts.get(addr, 0) + count

    def read(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._table.read(addr)

    def swap(self, addr: int, new_reference: int | None = None) -> int:
        """Start a new epoch at ``addr``; return the state read just before."""
        old = self._table.swap(addr, new_reference)
        self._counts.pop(addr, None)
        return old

    def context(self, addr: int) -> ContextView:
        """A live view of ``addr`` (writes reach the table, as in atomik-core)."""
        self._table.read(addr)  # AddressError now, not at first use
        return ContextView(self, addr)

    def batch_accum(self, deltas: Mapping[int, int]) -> None:
        """``accum(addr, delta)`` for every item of ``{addr: delta}``; every item is validated
        before any is applied."""
        if not isinstance(deltas, Mapping):
            raise AtomikTypeError(f"deltas must be a mapping, got {type(deltas).__name__}")
        addrs, values = list(deltas.keys()), list(deltas.values())
        for a, d in zip(addrs, values, strict=True):
            self._table.read(a)  # AddressError / AtomikTypeError before anything changes
            check_value(d, self._table.width, f"deltas[{a!r}]")
        self._table.accum_batch(addrs, values)
        for a in addrs:
            self._counts[a] = self._counts.get(a, 0) + 1

    def snapshot(self) -> dict[int, int]:
        """atomik-core's shape: ``{addr: state}`` for every address whose state is non-zero."""
        return {a: int(s) for a, s in enumerate(self._table.read_all()) if s}

    def to_atomik(self) -> _table.AtomikTable:
        """A copy as an :class:`atomik.AtomikTable` (atomik's snapshot, diff, batch forms)."""
        return self._table.copy()

    @property
    def num_contexts(self) -> int:
        """Number of addresses."""
        return self._table.num_contexts

    @property
    def width(self) -> int:
        """Bit width of every value."""
        return self._table.width

    def __repr__(self) -> str:
        live = sum(1 for s in self._table.read_all() if s)
        return f"AtomikTable(contexts={self.num_contexts}, width={self.width}, active={live})"


class Fingerprint:
    """atomik-core's ``Fingerprint(width=64)`` on :func:`atomik.fingerprint.fingerprint` (the same
    values as atomik-core's 64-bit fingerprint). Only ``width=64``: another width raises
    :class:`~atomik.errors.WidthError` (fold the 64-bit value for a narrower one, see the
    migration guide)."""

    __slots__ = ("_reference", "_value")

    def __init__(self, width: int = 64) -> None:
        """A tracker with baseline and value 0."""
        if type(width) is not int or width != 64:
            raise WidthError(
                f"atomik.compat.Fingerprint supports width 64 only, got {width!r} "
                "(atomik's fingerprints are 64-bit)"
            )
        self._reference = 0
        self._value = 0

    def load(self, data: BytesLike) -> int:
        """Set the baseline to ``data``'s fingerprint; return it."""
        fp = fingerprint(data)
        self._reference = self._value = fp
        return fp

    def update(self, data: BytesLike) -> int:
        """Recompute the current value from a whole buffer; return it."""
        self._value = fingerprint(data)
        return self._value

    def accumulate_delta(self, old_chunk: int, new_chunk: int) -> None:
        """One 64-bit chunk changed from ``old_chunk`` to ``new_chunk``: update in O(1)
        (validated: both must be ints in ``[0, 2**64)``)."""
        self._value = update_chunk(self._value, old_chunk, new_chunk)

    @property
    def changed(self) -> bool:
        """True when the current value differs from the loaded baseline."""
        return self._value != self._reference

    @property
    def value(self) -> int:
        """The current fingerprint."""
        return self._value

    @property
    def delta(self) -> int:
        """``baseline ^ value``."""
        return self._reference ^ self._value

    def reset(self) -> None:
        """atomik-core's reset: forget the difference, ``value`` is the loaded baseline again."""
        self._value = self._reference

    def __repr__(self) -> str:
        return f"Fingerprint(value=0x{self._value:016x}, changed={self.changed}, width=64)"


class SyncTable:
    """atomik-core's ``SyncTable(num_contexts=256, width=64)`` on a
    :class:`~atomik.replication.replica.Replica`: messages are :class:`atomik.DeltaMessage`
    (``origin``, ``epoch``, ``seq``, ``addr``, ``width``, ``delta``), ``receive`` applies each
    ``(origin, seq)`` once and returns whether it did."""

    __slots__ = ("_callback", "_n", "_replica", "_width")

    def __init__(
        self, num_contexts: int = 256, width: int = 64, *, replica_id: int | None = None
    ) -> None:
        """A synchronised table; ``replica_id`` names its messages (drawn if not given)."""
        self._init(Replica(_replica_id(replica_id), num_contexts, width))

    def _init(self, replica: Replica) -> None:
        t = replica.table
        self._replica, self._n, self._width = replica, t.num_contexts, t.width
        self._callback: Callable[[DeltaMessage], None] | None = None

    @classmethod
    def _of(cls, replica: Replica) -> SyncTable:
        s = cls.__new__(cls)
        s._init(replica)
        return s

    def on_delta(self, callback: Callable[[DeltaMessage], None]) -> None:
        """Call ``callback(msg)`` with the message of every local write that changes a value."""
        if not callable(callback):
            raise AtomikTypeError(f"callback must be callable, got {type(callback).__name__}")
        self._callback = callback

    def put(self, addr: int, value: int) -> DeltaMessage | None:
        """Set ``addr`` to ``value``; return the message carrying the delta (and pass it to the
        ``on_delta`` callback). An unchanged value sends nothing and returns ``None``."""
        current = self._replica.read(addr)  # AddressError first
        if check_value(value, self.width, "value") == current:
            return None
        msg = self._replica.put(addr, value)
        if self._callback is not None:
            self._callback(msg)
        return msg

    def get(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._replica.read(addr)

    def receive(self, msg: DeltaMessage) -> bool:
        """Apply a peer's message unless it was applied already; return whether it was (raises
        for another width, epoch or an address outside the table; nothing changes)."""
        return self._replica.receive(msg)

    def snapshot(self) -> dict[int, int]:
        """``{addr: state}`` for every address (zeros included)."""
        return dict(enumerate(self._replica.read_all()))

    @classmethod
    def from_snapshot(
        cls, snap: Mapping[int, int], width: int = 64, *, replica_id: int | None = None
    ) -> SyncTable:
        """A table sized by the largest address of ``snap`` (256 if empty), each address loaded
        with its state (validated: :class:`~atomik.errors.SnapshotError` and friends)."""
        if not isinstance(snap, Mapping):
            raise SnapshotError(f"snapshot must be a mapping, got {type(snap).__name__}")
        size = 256
        if snap:
            for a in snap:
                if type(a) is not int or a < 0:
                    raise SnapshotError(f"snapshot addresses must be ints >= 0, got {a!r}")
            size = max(snap) + 1
        t = _table.AtomikTable.restore({"width": width, "num_contexts": size, "entries": snap})
        return cls._of(Replica.from_table(_replica_id(replica_id), t))

    def diff(self, other: SyncTable) -> list[int]:
        """Sorted addresses (up to the smaller size) where the two tables read differently."""
        if not isinstance(other, SyncTable):
            raise AtomikTypeError(f"other must be a SyncTable, got {type(other).__name__}")
        mine, theirs = self._replica.read_all(), other._replica.read_all()
        return [a for a, (x, y) in enumerate(zip(mine, theirs, strict=False)) if x != y]

    @property
    def replica(self) -> Replica:
        """The underlying replica (live: digests, anti-entropy, ``messages()``)."""
        return self._replica

    @property
    def num_contexts(self) -> int:
        """Number of addresses."""
        return self._n

    @property
    def width(self) -> int:
        """Bit width of every value."""
        return self._width

    def __len__(self) -> int:
        return self.num_contexts

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.num_contexts))

    def __contains__(self, addr: object) -> bool:
        return type(addr) is int and 0 <= addr < self.num_contexts

    def __repr__(self) -> str:
        active = sum(1 for s in self._replica.read_all() if s)
        return f"SyncTable(contexts={self.num_contexts}, width={self.width}, active={active})"


class DeltaStream:
    """atomik-core's ``DeltaStream(width=64, num_contexts=256)`` on a
    :class:`~atomik.replication.replica.Replica`.

    ``load(addr, initial_state)`` is local, as in atomik-core (both sides load the same state);
    ``accum`` returns the message and queues it for :meth:`pending`; ``apply`` applies a message
    once per ``(origin, seq)``. Addresses are ``0 .. num_contexts - 1`` (atomik-core accepted any
    address): another raises :class:`~atomik.errors.AddressError`.
    """

    __slots__ = ("_offset", "_pending", "_replica", "_width")

    def __init__(
        self, width: int = 64, num_contexts: int = 256, *, replica_id: int | None = None
    ) -> None:
        """A stream over ``num_contexts`` addresses of ``width`` bits (1..64)."""
        self._replica = Replica(_replica_id(replica_id), num_contexts, width)
        self._width = self._replica.table.width
        # per address, loaded state XOR the replica's state at the load: read() is the
        # replica's state XOR this, so a load resets the address locally and later deltas apply
        self._offset: dict[int, int] = {}
        self._pending: list[DeltaMessage] = []

    def load(self, addr: int, initial_state: int) -> None:
        """Set ``addr`` to ``initial_state`` locally (no message is sent)."""
        base = self._replica.read(addr)  # AddressError first
        self._offset[addr] = base ^ check_value(initial_state, self.width, "initial_state")

    def accum(self, addr: int, delta: int) -> DeltaMessage:
        """XOR ``delta`` into ``addr``; return the message to send (also kept for
        :meth:`pending`)."""
        msg = self._replica.accum(addr, delta)
        self._pending.append(msg)
        return msg

    def apply(self, msg: DeltaMessage) -> bool:
        """Apply a peer's message unless it was applied already; return whether it was."""
        return self._replica.receive(msg)

    def read(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._replica.read(addr) ^ self._offset.get(addr, 0)

    def pending(self) -> list[DeltaMessage]:
        """The messages of local ``accum`` calls since the last call, oldest first."""
        out, self._pending = self._pending, []
        return out

    @property
    def width(self) -> int:
        """Bit width of every value."""
        return self._width

    @property
    def replica(self) -> Replica:
        """The underlying replica (its states do not include local loads)."""
        return self._replica

    def __repr__(self) -> str:
        return f"DeltaStream(width={self.width}, replica_id={self._replica.replica_id})"

