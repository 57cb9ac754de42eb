"""Minimal replicas: local writes become delta messages; each message is applied exactly once.

A :class:`Replica` owns an :class:`~atomik.table.AtomikTable`. Local ``put``/``accum`` return the
:class:`~atomik.wire.DeltaMessage` to send; ``receive`` applies a message unless its
``(origin, seq)`` was already applied. Deduplication is not optional: XOR is self-inverse, so a
message applied twice *undoes* its update (it does not "self-cancel harmlessly").
:func:`deliver_all_no_dedup` shows that failure on purpose.

Memory for deduplication is bounded by reordering, not by history: per origin, a contiguous
watermark (every ``seq <= watermark`` was applied) plus the set of applied ``seq`` above it.

Concurrent writes: two replicas that ``put`` ``x`` and ``y`` at the same address from state ``s``
converge to ``s ^ x ^ y`` — both deltas are kept, neither writer's value wins.

Lean: ``Atomik.Replica.receive``, ``Replica.receiveAll``, ``Table.deliverAll``.
"""

from __future__ import annotations

from collections.abc import Iterable

from atomik._check import check_addr, check_value, check_width
from atomik.errors import AtomikTypeError, EpochError, WidthError
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage

__all__ = ["DeltaMessage", "Replica", "deliver_all_no_dedup"]


def _check_message(msg: object, table: AtomikTable) -> DeltaMessage:
    if not isinstance(msg, DeltaMessage):
        raise AtomikTypeError(f"expected a DeltaMessage, got {type(msg).__name__}")
    if msg.width != table.width:
        raise WidthError(f"message has width {msg.width}, this table has width {table.width}")
    check_addr(msg.addr, table.num_contexts)
    return msg


class Replica:
    """One replica of a table of ``num_contexts`` contexts of ``width`` bits (1..64)."""

    __slots__ = ("_ahead", "_epoch", "_id", "_next_seq", "_table", "_water")

    def __init__(
        self, replica_id: int, num_contexts: int, width: int = 64, *, epoch: int = 0
    ) -> None:
        """A replica named ``replica_id`` (u32) whose messages carry epoch ``epoch`` (u32)."""
        self._id = check_value(replica_id, 32, "replica_id")
        self._epoch = check_value(epoch, 32, "epoch")
        self._table = AtomikTable(num_contexts, check_width(width))
        self._next_seq = 0
        self._water: dict[int, int] = {}
        self._ahead: dict[int, set[int]] = {}

    @classmethod
    def from_table(cls, replica_id: int, table: AtomikTable, *, epoch: int = 0) -> Replica:
        """A replica starting from a copy of ``table`` that has applied no message yet.

        Lean: ``Replica.init``.
        """
        if not isinstance(table, AtomikTable):
            raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
        r = cls(replica_id, table.num_contexts, table.width, epoch=epoch)
        r._table = table.copy()
        return r

    # ----------------------------------------------------------------- local writes
    def _emit(self, addr: int, delta: int) -> DeltaMessage:
        msg = DeltaMessage(self._id, self._epoch, self._next_seq, addr, self._table.width, delta)
        self._table.accum(addr, delta)
        self._mark(msg.origin, msg.seq)
        self._next_seq += 1
        return msg

    def accum(self, addr: int, delta: int) -> DeltaMessage:
        """XOR ``delta`` into ``addr`` locally; return the message that carries it."""
        a = check_addr(addr, self._table.num_contexts)
        d = check_value(delta, self._table.width, "delta")
        return self._emit(a, d)

    def put(self, addr: int, value: int) -> DeltaMessage:
        """Set ``addr`` to ``value`` locally (as the delta ``read(addr) ^ value``); return the
        message that carries that delta."""
        a = check_addr(addr, self._table.num_contexts)
        v = check_value(value, self._table.width, "value")
        return self._emit(a, self._table.read(a) ^ v)

    # ----------------------------------------------------------------- remote messages
    def seen(self, origin: int, seq: int) -> bool:
        """Whether the message ``(origin, seq)`` was already applied here."""
        o = check_value(origin, 32, "origin")
        s = check_value(seq, 64, "seq")
        return s <= self._water.get(o, -1) or s in self._ahead.get(o, ())

    def _mark(self, origin: int, seq: int) -> None:
        w = self._water.get(origin, -1)
        ahead = self._ahead.setdefault(origin, set())
        if seq == w + 1:
            w = seq
            while w + 1 in ahead:
                w += 1
                ahead.remove(w)
            self._water[origin] = w
        else:
            ahead.add(seq)
        if not ahead:
            del self._ahead[origin]

    def receive(self, msg: DeltaMessage) -> bool:
        """Apply ``msg`` unless ``(origin, seq)`` was already applied; return whether it was.

        Raises (and changes nothing) for a message of another width, an address outside the
        table, or another epoch (:class:`~atomik.errors.EpochError`).
        """
        m = _check_message(msg, self._table)
        if m.epoch != self._epoch:
            raise EpochError(
                f"message from epoch {m.epoch}, this replica is in epoch {self._epoch}"
            )
        if self.seen(m.origin, m.seq):
            return False
        self._table.accum(m.addr, m.delta)
        self._mark(m.origin, m.seq)
        return True

    def receive_all(self, msgs: Iterable[DeltaMessage]) -> int:
        """``receive`` each message in order; return how many were applied (not duplicates)."""
        return sum(1 for m in msgs if self.receive(m))

    # ----------------------------------------------------------------- state
    def read(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._table.read(addr)

    @property
    def replica_id(self) -> int:
        """This replica's origin id."""
        return self._id

    @property
    def epoch(self) -> int:
        """The epoch this replica sends and accepts."""
        return self._epoch

    @property
    def table(self) -> AtomikTable:
        """A copy of the underlying table."""
        return self._table.copy()

    def watermarks(self) -> dict[int, int]:
        """Per origin, the highest ``seq`` such that every ``seq`` up to it was applied
        (``-1``: none yet, but some later one was)."""
        out = dict(self._water)
        for o in self._ahead:
            out.setdefault(o, -1)
        return out

    def pending(self) -> dict[int, frozenset[int]]:
        """Per origin, the applied ``seq`` numbers above its watermark (out-of-order arrivals)."""
        return {o: frozenset(s) for o, s in self._ahead.items()}

    def same_state(self, other: Replica) -> bool:
        """Whether both replicas read the same value at every address."""
        if not isinstance(other, Replica):
            raise AtomikTypeError(f"other must be a Replica, got {type(other).__name__}")
        return not self._table.diff(other._table)

    def __repr__(self) -> str:
        return (
            f"Replica(id={self._id}, epoch={self._epoch}, num_contexts={self._table.num_contexts}, "
            f"width={self._table.width}, sent={self._next_seq})"
        )


def deliver_all_no_dedup(table: AtomikTable, msgs: Iterable[DeltaMessage]) -> None:
    """Apply every message to ``table`` *without* deduplication (the negative example).

    A message delivered twice reverts its own effect. Use :meth:`Replica.receive` instead.
    Every message is validated before any is applied. Lean: ``Table.deliverAll``.
    """
    if not isinstance(table, AtomikTable):
        raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
    ms = [_check_message(m, table) for m in msgs]
    table.accum_batch([m.addr for m in ms], [m.delta for m in ms])
