"""Replicas: local writes become delta messages; each message is applied exactly once.

A :class:`Replica` owns an :class:`~atomik.table.AtomikTable`. Local ``put``/``accum`` return the
:class:`~atomik.wire.DeltaMessage` to send; ``receive`` applies a message unless its
``(origin, seq)`` was already applied (then it is a silent duplicate if it equals the stored
message of that id, and :class:`ConflictError` if its address or delta differs: one id, one
content). Deduplication is not optional: XOR is self-inverse, so a
message applied twice *undoes* its update (it does not "self-cancel harmlessly").
:func:`deliver_all_no_dedup` shows that failure on purpose.

Memory for deduplication is bounded by reordering, not by history: per origin, a contiguous
watermark (every ``seq <= watermark`` was applied) plus the set of applied ``seq`` above it. That
set is bounded by ``max_pending``: a message more than ``max_pending`` ahead of its origin's
watermark is refused with :class:`ReorderWindowError` (nothing changes; deliver the gap first, e.g.
by an anti-entropy round, then resend) -- never silently dropped. :meth:`Replica.receive_all`
receives a batch in ``(origin, seq)`` order, so a batch without gaps never trips the window
whatever order it came in; a rejected message changes nothing and the rest are still received.

Anti-entropy: :meth:`Replica.digest` summarises what a replica has applied (per-origin watermarks
plus the out-of-order ids); :meth:`Replica.missing_for` returns exactly the stored messages a peer
with that digest lacks. A replica stores every message it applied (its own and received ones) to
serve them; :meth:`Replica.prune` forgets the ones every listed peer already has (it refuses an
empty list, and a digest of another epoch covers nothing).

Concurrent writes: two replicas that ``put`` ``x`` and ``y`` at the same address from state ``s``
converge to ``s ^ x ^ y`` -- both deltas are kept, neither writer's value wins. For registers that
need last-writer-wins use :class:`LWWRegisters` (see ``spec/replication.md``).

Lean: ``Atomik.Replica`` (the abstract replica: ``receive``, ``receiveAll``, ``Table.deliverAll``)
and ``Atomik.ReplicaImpl`` (this algorithm: ``State.receive``, ``State.receiveAll``, the refinement
``State.refines_receiveAll``, ``State.missingFor``, ``State.prune``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from atomik._check import check_addr, check_count, check_iterable, check_value, check_width
from atomik.errors import (
    AddressError,
    AtomikError,
    AtomikTypeError,
    ConflictError,
    EpochError,
    PruneError,
    RejectedMessagesError,
    ReorderWindowError,
    WidthError,
)
from atomik.replication.digest import KIND_DIGEST, Digest
from atomik.replication.ingest import ingest_into
from atomik.replication.lww import LWWRegisters, LWWWrite
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage, _new_message

# Digest, the LWW registers and the replica's errors live in their own modules (digest.py,
# lww.py, atomik/errors.py); this module still exports them, as it always did.
__all__ = [
    "DEFAULT_MAX_PENDING",
    "KIND_DIGEST",
    "ConflictError",
    "DeltaMessage",
    "Digest",
    "LWWRegisters",
    "LWWWrite",
    "PruneError",
    "RejectedMessagesError",
    "ReorderWindowError",
    "Replica",
    "deliver_all_no_dedup",
]

DEFAULT_MAX_PENDING = 4096


def _msg_order(m: DeltaMessage) -> tuple[int, int]:
    return (m.origin, m.seq)


def _check_message(msg: object, table: AtomikTable) -> DeltaMessage:
    if not isinstance(msg, DeltaMessage):
        raise AtomikTypeError(f"expected a DeltaMessage, got {type(msg).__name__}")
    if msg.width != table.width:
        raise WidthError(f"message has width {msg.width}, this table has width {table.width}")
    check_addr(msg.addr, table.num_contexts)
    return msg


# --------------------------------------------------------------------------- replicas
class Replica:
    """One replica of a table of ``num_contexts`` contexts of ``width`` bits (1..64: the table is
    an :class:`~atomik.table.AtomikTable`)."""

    __slots__ = (
        "_ahead",
        "_cols",
        "_epoch",
        "_id",
        "_max_pending",
        "_next_seq",
        "_sink",
        "_store_d",
        "_table",
        "_water",
    )

    def __init__(
        self,
        replica_id: int,
        num_contexts: int,
        width: int = 64,
        *,
        epoch: int = 0,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        """A replica named ``replica_id`` (u32) whose messages carry epoch ``epoch`` (u32).

        ``max_pending`` (>= 1) bounds, per origin, how far ahead of the contiguous watermark a
        message may arrive (so it bounds the out-of-order set).
        """
        self._id = check_value(replica_id, 32, "replica_id")
        self._epoch = check_value(epoch, 32, "epoch")
        self._max_pending = check_count(max_pending, "max_pending", minimum=1)
        self._table = AtomikTable(num_contexts, check_width(width))
        self._next_seq = 0
        self._water: dict[int, int] = {}
        self._ahead: dict[int, set[int]] = {}
        self._store_d: dict[int, dict[int, DeltaMessage]] = {}
        # messages applied by ingest, kept as columns until someone asks for them (_store)
        self._cols: list[tuple[Any, ...]] = []
        self._sink: Callable[[DeltaMessage], None] | None = None

    @classmethod
    def from_table(
        cls,
        replica_id: int,
        table: AtomikTable,
        *,
        epoch: int = 0,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> Replica:
        """A replica starting from a copy of ``table`` that has applied no message yet.

        Lean: ``Replica.init``, ``ReplicaImpl.State.init``.
        """
        if not isinstance(table, AtomikTable):
            raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
        r = cls(replica_id, table.num_contexts, table.width, epoch=epoch, max_pending=max_pending)
        r._table = table.copy()
        return r

    # ----------------------------------------------------------------- applying
    @property
    def _store(self) -> dict[int, dict[int, DeltaMessage]]:
        """Every stored message, per origin and seq (turns ingested columns into messages)."""
        if self._cols:
            cols, self._cols = self._cols, []
            store = self._store_d
            for epoch, width, *arrays in cols:
                origins, seqs, addrs, deltas = (a.tolist() for a in arrays)
                for o, s, a, d in zip(origins, seqs, addrs, deltas, strict=True):
                    st = store.get(o)
                    if st is None:
                        st = store[o] = {}
                    st[s] = _new_message(o, epoch, s, a, width, d)
        return self._store_d

    @_store.setter
    def _store(self, value: dict[int, dict[int, DeltaMessage]]) -> None:
        self._cols = []
        self._store_d = value

    def _apply(self, msg: DeltaMessage) -> None:
        """Write-ahead (if a sink is set), then apply, mark and store ``msg``."""
        if self._sink is not None:
            self._sink(msg)  # may raise: then nothing below happens
        o, s = msg.origin, msg.seq
        self._table.accum(msg.addr, msg.delta)
        self._mark(o, s)
        st = self._store_d.get(o)
        if st is None:
            self._store_d[o] = {s: msg}
        else:
            st[s] = msg
        if msg.origin == self._id and msg.seq >= self._next_seq:
            self._next_seq = msg.seq + 1  # never reuse a seq a peer already holds

    # ----------------------------------------------------------------- local writes
    def _emit(self, addr: int, delta: int) -> DeltaMessage:
        """Apply and return a local write of a validated ``addr`` and ``delta``."""
        seq = self._next_seq
        if seq >> 64:  # past the u64 seq space: raises, nothing changes
            check_value(seq, 64, "seq")
        t = self._table
        o = self._id
        msg = _new_message(o, self._epoch, seq, addr, t._width, delta)
        water = self._water
        if water.get(o, -1) != seq - 1 or o in self._ahead:
            self._apply(msg)  # own seqs were received out of order before
            return msg
        # _apply, inlined for the common case: seq is the next after the watermark
        if self._sink is not None:
            self._sink(msg)  # write-ahead; may raise: then nothing below happens
        t._accv[addr] ^= delta  # addr < num_contexts, delta fits the width
        water[o] = seq
        st = self._store_d.get(o)
        if st is None:
            self._store_d[o] = {seq: msg}
        else:
            st[seq] = msg
        self._next_seq = seq + 1
        return msg

    # One type test and one comparison per argument in the common case (a plain ``int`` in
    # range); anything else goes through the full validators (same errors).
    def accum(self, addr: int, delta: int) -> DeltaMessage:
        """XOR ``delta`` into ``addr`` locally; return the message that carries it."""
        t = self._table
        if type(addr) is not int or not 0 <= addr < t._n:
            addr = check_addr(addr, t._n)
        if type(delta) is not int or not 0 <= delta <= t._max:
            delta = check_value(delta, t._width, "delta")
        return self._emit(addr, delta)

    def put(self, addr: int, value: int) -> DeltaMessage:
        """Set ``addr`` to ``value`` locally (as the delta ``read(addr) ^ value``); return the
        message that carries that delta."""
        t = self._table
        if type(addr) is not int or not 0 <= addr < t._n:
            addr = check_addr(addr, t._n)
        if type(value) is not int or not 0 <= value <= t._max:
            value = check_value(value, t._width, "value")
        return self._emit(addr, t._refv[addr] ^ t._accv[addr] ^ value)

    # ----------------------------------------------------------------- remote messages
    def seen(self, origin: int, seq: int) -> bool:
        """Whether the message ``(origin, seq)`` was already applied here."""
        o = check_value(origin, 32, "origin")
        s = check_value(seq, 64, "seq")
        return s <= self._water.get(o, -1) or s in self._ahead.get(o, ())

    def _mark(self, origin: int, seq: int) -> None:
        w = self._water.get(origin, -1)
        if seq <= w:
            return  # already marked (marking is idempotent)
        ahead = self._ahead.get(origin)
        if seq == w + 1:
            w = seq
            if ahead is not None:
                while w + 1 in ahead:
                    w += 1
                    ahead.remove(w)
                if not ahead:
                    del self._ahead[origin]
            self._water[origin] = w
        elif ahead is None:
            self._ahead[origin] = {seq}
        else:
            ahead.add(seq)

    def check(self, msg: DeltaMessage) -> DeltaMessage:
        """Validate ``msg`` for this replica without applying it (what :meth:`receive` raises)."""
        t = self._table
        if type(msg) is DeltaMessage and msg.width == t._width and msg.addr < t._n:
            m = msg  # the common case (a message's fields are ints in range by construction)
        else:
            m = _check_message(msg, t)
        if m.epoch != self._epoch:
            kind = "stale" if m.epoch < self._epoch else "future"
            raise EpochError(
                f"message from epoch {m.epoch}, this replica is in epoch {self._epoch} "
                f"({kind} epoch; message {m.id} not applied)"
            )
        water = self._water.get(m.origin, -1)
        if m.seq - water > self._max_pending and not self.seen(m.origin, m.seq):
            raise self._window_error(m, water)
        return m

    def _window_error(self, m: DeltaMessage, water: int) -> ReorderWindowError:
        return ReorderWindowError(
            f"message {m.id} is {m.seq - water} ahead of origin {m.origin}'s watermark "
            f"{water}; at most max_pending={self._max_pending} allowed: deliver seqs "
            f"{water + 1}..{m.seq - 1} first (anti-entropy), then this one again"
        )

    def _duplicate(self, msg: DeltaMessage) -> bool:
        """``False`` for a message whose id was seen, if it equals the stored message of that id;
        :class:`ConflictError` if the address or delta differs. A seen id whose message was pruned
        cannot be compared: a duplicate. Only seen ids get here (a new message pays nothing).

        Lean: ``ReplicaImpl.State.conflicts``, ``State.receive_eq_conflict_iff``.
        """
        st = (self._store if self._cols else self._store_d).get(msg.origin)
        first = None if st is None else st.get(msg.seq)
        if first is not None and (first.addr != msg.addr or first.delta != msg.delta):
            raise ConflictError(first, msg)
        return False

    def receive(self, msg: DeltaMessage) -> bool:
        """Apply ``msg`` unless ``(origin, seq)`` was already applied; return whether it was.

        Raises (and changes nothing) for a message of another width, an address outside the
        table, another epoch (:class:`~atomik.errors.EpochError`), one too far ahead of its
        origin's watermark (:class:`ReorderWindowError`), or one whose id was applied with another
        address or delta (:class:`ConflictError`; the same content is a silent duplicate).
        """
        t = self._table
        if (
            type(msg) is not DeltaMessage
            or msg.width != t._width
            or msg.addr >= t._n
            or msg.epoch != self._epoch
        ):
            msg = self.check(msg)  # raises for a bad message (a DeltaMessage subclass passes)
        # what check() says about the window, after the dedup (a seen message is never refused)
        o, s = msg.origin, msg.seq
        water = self._water
        w = water.get(o, -1)
        if s == w + 1 and o not in self._ahead and o != self._id and self._sink is None:
            # the common case, inlined: the next seq of a peer (so not seen, and within the
            # window: max_pending >= 1), no write-ahead log
            t._accv[msg.addr] ^= msg.delta  # addr < num_contexts, delta fits the width
            water[o] = s
            try:
                self._store_d[o][s] = msg
            except KeyError:  # the first message stored from o
                self._store_d[o] = {s: msg}
            return True
        ahead = self._ahead.get(o)
        if s <= w or (ahead is not None and s in ahead):
            return self._duplicate(msg)
        if s - w > self._max_pending:
            raise self._window_error(msg, w)
        self._apply(msg)
        return True

    def receive_all(
        self,
        msgs: Iterable[DeltaMessage],
        *,
        rejected: list[tuple[object, AtomikError]] | None = None,
    ) -> int:
        """Receive a batch; return how many messages were applied (not duplicates).

        The batch is received in ``(origin, seq)`` order (stable, so of two messages with one id the
        first given is tried first): a batch that holds an origin's messages from its watermark on
        without a gap never trips the window, whatever order it came in. A message that is rejected
        (not a ``DeltaMessage``, another width, an address outside the table, another epoch, too far
        ahead, an id applied with another content: :class:`ConflictError`) changes nothing and
        every other message is still received, so ``[bad, good]`` and ``[good, bad]`` apply the
        same. The rejected ones, with their errors, are appended to
        ``rejected`` when it is given; otherwise :class:`RejectedMessagesError` is raised *after*
        the rest were received, naming them. An error of the write-ahead sink (I/O) propagates at
        once: that message and the ones after it are not applied.

        Lean: ``ReplicaImpl.State.receiveBatch`` (sort by id, then ``State.receiveAll``;
        ``State.receiveBatch_perm``: the order of a batch does not matter), ``State.passed``,
        ``State.rejected``.
        """
        check_iterable(msgs, "msgs")
        bad: list[tuple[object, AtomikError]] = []
        batch: list[DeltaMessage] = []
        for m in msgs:
            if isinstance(m, DeltaMessage):
                batch.append(m)
            else:
                bad.append((m, AtomikTypeError(f"expected a DeltaMessage, got {type(m).__name__}")))
        batch.sort(key=_msg_order)
        applied = 0
        for m in batch:
            try:
                self.check(m)
            except AtomikError as e:
                bad.append((m, e))
                continue
            water = self._water.get(m.origin, -1)
            if not (m.seq <= water or m.seq in self._ahead.get(m.origin, ())):
                self._apply(m)
                applied += 1
            else:
                try:
                    self._duplicate(m)
                except ConflictError as e:
                    bad.append((m, e))
        if bad:
            if rejected is None:
                raise RejectedMessagesError(applied, bad)
            rejected.extend(bad)
        return applied

    def ingest(
        self,
        batch: bytes | bytearray | memoryview | Iterable[DeltaMessage],
        *,
        rejected: list[tuple[object, AtomikError]] | None = None,
    ) -> int:
        """:meth:`receive_all` in one compiled pass: the same result, the same errors.

        ``batch`` is a v1 batch frame (bytes-like) or an iterable of messages. A frame whose records
        share one width is read straight into numpy columns (no message objects); the messages are
        validated as :meth:`check` does (another width, an address outside the table, another epoch:
        rejected, reported, nothing changed), sorted by ``(origin, seq)`` (stable), then one numba
        pass (``kernels.ingest_runs``) deduplicates, applies the window and XORs the deltas into the
        table. Outcome per message, as in :meth:`receive_all`: applied, duplicate (skipped; one
        that differs from the stored message of its id is rejected with :class:`ConflictError`), or
        rejected; the rejected ones are appended to ``rejected`` when it is given, otherwise
        :class:`RejectedMessagesError` is raised after every other message was received. A frame
        that does not decode raises its :class:`~atomik.errors.FrameError` before anything changes.
        Applied messages are stored as columns and become :class:`DeltaMessage` objects when first
        asked for (:meth:`messages`, :meth:`missing_for`, :meth:`prune`). With a write-ahead sink (a
        :class:`~atomik.replication.log.PersistentTable`) every message must be logged first, one by
        one: the batch then goes through :meth:`receive_all`.

        Lean: ``ReplicaImpl.State.receiveBatch`` (``receiveBatch_perm``), as for
        :meth:`receive_all`; the property ``ingest_is_receive_all`` holds the two equal.
        """
        return ingest_into(self, batch, rejected)

    # ----------------------------------------------------------------- anti-entropy
    def digest(self) -> Digest:
        """What this replica has applied, to send to a peer (see :meth:`missing_for`)."""
        return Digest(
            self._epoch, dict(self._water), {o: frozenset(s) for o, s in self._ahead.items()}
        )

    def missing_for(self, digest: Digest) -> list[DeltaMessage]:
        """Exactly the stored messages the replica that sent ``digest`` has not applied, in
        ``(origin, seq)`` order (oldest first, so the peer's watermarks advance)."""
        if not isinstance(digest, Digest):
            raise AtomikTypeError(f"expected a Digest, got {type(digest).__name__}")
        if digest.epoch != self._epoch:
            raise EpochError(
                f"digest from epoch {digest.epoch}, this replica is in epoch {self._epoch}"
            )
        out: list[DeltaMessage] = []
        for o in sorted(self._store):
            msgs = self._store[o]
            out += [msgs[s] for s in sorted(msgs) if not digest.covers(o, s)]
        return out

    def messages(self) -> list[DeltaMessage]:
        """Every stored message (own and received), in ``(origin, seq)`` order."""
        return [self._store[o][s] for o in sorted(self._store) for s in sorted(self._store[o])]

    def prune(self, digests: Iterable[Digest]) -> int:
        """Forget stored messages that every digest in ``digests`` covers; return how many.

        Pass the digests of *all* peers that may still need repair: a pruned message can no
        longer be served by :meth:`missing_for` (the state it produced is kept). Every peer whose
        digest was given is then sent by ``missing_for`` exactly what it would have been sent
        without the prune (Lean ``ReplicaImpl.State.missingFor_prune``). An empty list raises
        :class:`PruneError` (it would forget everything); a digest of another epoch covers
        nothing of this epoch, so with one in the list nothing is pruned
        (``State.prune_other_epoch``). Nothing changes on an error.
        """
        check_iterable(digests, "digests")
        ds = list(digests)
        for d in ds:
            if not isinstance(d, Digest):
                raise AtomikTypeError(f"expected a Digest, got {type(d).__name__}")
        if not ds:
            raise PruneError(
                "prune needs the digests of the peers that may still need repair; got none "
                "(an empty list would forget every stored message)"
            )
        if any(d.epoch != self._epoch for d in ds):
            return 0  # another epoch's digest covers nothing of this epoch
        n = 0
        for o in list(self._store):
            msgs = self._store[o]
            for s in [s for s in msgs if all(d.covers(o, s) for d in ds)]:
                del msgs[s]
                n += 1
            if not msgs:
                del self._store[o]
        return n

    def sync_with(
        self,
        other: Replica,
        *,
        rejected: list[tuple[object, AtomikError]] | None = None,
    ) -> tuple[int, int]:
        """One anti-entropy round both ways; return how many messages each side applied.

        Each side receives what the other's digest lacks as one batch in ``(origin, seq)`` order,
        so the window is never tripped unless the sender itself has a gap (then the messages past
        the gap are refused, nothing else: they stay with the sender for a later round). Those
        refusals are appended to ``rejected`` when given; any other rejection raises
        :class:`RejectedMessagesError` after both sides received the rest. Replicas of another
        epoch, width or size raise before anything changes.
        """
        if not isinstance(other, Replica):
            raise AtomikTypeError(f"other must be a Replica, got {type(other).__name__}")
        _check_peers([self, other])
        to_other = self.missing_for(other.digest())
        to_self = other.missing_for(self.digest())
        refused: list[tuple[object, AtomikError]] = []
        n_other = other.receive_all(to_other, rejected=refused)
        n_self = self.receive_all(to_self, rejected=refused)
        _report(n_other + n_self, refused, rejected)
        return n_other, n_self

    # ----------------------------------------------------------------- state
    def read(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._table.read(addr)

    def read_all(self) -> list[int]:
        """Every address's state, in address order."""
        return [int(v) for v in self._table.read_all()]

    @property
    def replica_id(self) -> int:
        """This replica's origin id."""
        return self._id

    @property
    def epoch(self) -> int:
        """The epoch this replica sends and accepts."""
        return self._epoch

    @property
    def next_seq(self) -> int:
        """The ``seq`` of this replica's next local write."""
        return self._next_seq

    @property
    def max_pending(self) -> int:
        """The bound on how far ahead of its origin's watermark a message may arrive."""
        return self._max_pending

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


def _check_peers(replicas: list[Replica]) -> None:
    """Replicas that exchange messages share epoch, width and size (else nothing is sent)."""
    first = replicas[0]
    for r in replicas[1:]:
        if r._epoch != first._epoch:
            raise EpochError(
                f"replicas of epochs {first._epoch} and {r._epoch} do not exchange messages"
            )
        if r._table.width != first._table.width:
            raise WidthError(f"replicas of widths {first._table.width} and {r._table.width}")
        if r._table.num_contexts != first._table.num_contexts:
            raise AddressError(
                f"replicas of {first._table.num_contexts} and {r._table.num_contexts} contexts"
            )


def _report(
    applied: int,
    refused: list[tuple[object, AtomikError]],
    rejected: list[tuple[object, AtomikError]] | None,
) -> None:
    """Hand refusals to the caller's list, or raise for any that is not a window refusal."""
    if rejected is not None:
        rejected.extend(refused)
        return
    other = [(m, e) for m, e in refused if not isinstance(e, ReorderWindowError)]
    if other:
        raise RejectedMessagesError(applied, other)


def deliver_all_no_dedup(table: AtomikTable, msgs: Iterable[DeltaMessage]) -> None:
    """Apply every message to ``table`` *without* deduplication (the negative example).

    A message delivered twice reverts its own effect. Use :meth:`Replica.receive` instead.
    Every message is validated before any is applied. Lean: ``Table.deliverAll``.
    """
    if not isinstance(table, AtomikTable):
        raise AtomikTypeError(f"table must be an AtomikTable, got {type(table).__name__}")
    ms = [_check_message(m, table) for m in msgs]
    table.accum_batch([m.addr for m in ms], [m.delta for m in ms])
