"""Transports that carry v1 frames between replicas: an in-process hub and Redis Streams.

A transport moves bytes; it does not need to be reliable. Frames are the v1 wire frames of
``spec/wire-format.md`` (single messages or batches); the receiving
:class:`~atomik.replication.replica.Replica` deduplicates by ``(origin, seq)``, so a transport may
duplicate or redeliver freely, and anti-entropy repairs what it loses.

- :class:`InProcessHub`: the embedded default (tests, one machine). Every frame an endpoint sends
  is delivered once to every *other* endpoint, in send order.
- :class:`RedisStreamsTransport`: for several machines, over an existing broker instead of a
  hand-made protocol. One Redis stream per table; ``send`` is ``XADD stream * frame <bytes> from
  <node>``, ``poll`` is ``XREAD`` from the last id seen (skipping the node's own entries). The
  stream keeps history (until trimmed with ``maxlen``), so a replica that starts late, or
  restarts from ``"0"``, catches up from it.

:func:`publish` encodes messages and sends them; :func:`pump` polls a transport and applies
what arrives. Nothing is lost off the happy path: a frame that does not decode, and a message
the replica rejects (another epoch, too far ahead of its window, another width or an address
outside the table), becomes a :class:`DeadLetter` (frame, message, error, source) and the pump goes
on with the rest; an unexpected failure (e.g. the replica's write-ahead log raising ``OSError``)
propagates with the transport's cursor left *before* the frame that failed, so the next pump
delivers it again. The cursor moves one frame at a time (:meth:`Transport.peek` /
:meth:`Transport.advance`).

Anti-entropy over the same transport: :func:`request_repair` sends the replica's
:class:`~atomik.replication.replica.Digest` as a digest frame (kind 0x03); a peer whose :func:`pump`
reads it answers with the stored messages that digest lacks
(:meth:`~atomik.replication.replica.Replica.missing_for`), as batch frames in ``(origin, seq)``
order. So a replica that lost frames, restarted, or joined after the stream was trimmed catches up
from any peer that still stores the messages.

Durable nodes: ``RedisStreamsTransport(..., group=name)`` keeps the node's cursor in Redis as a
consumer group (``XACK`` once an entry is in the durable log; a restart re-reads only what was
delivered and not acknowledged), and :class:`DurableNode` publishes a
:class:`~atomik.replication.log.PersistentTable`'s writes from its outbox, so a write acknowledged
while Redis is down reaches the peers when it is back. :class:`ShardedRedisTransport` spreads a
table over one stream per address range (hash-tagged keys) for a Redis Cluster.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from atomik.errors import AtomikError, AtomikTypeError, FrameError
from atomik.replication.digest import KIND_DIGEST, Digest
from atomik.replication.log import PersistentTable
from atomik.replication.replica import Replica
from atomik.wire import DeltaMessage, decode_any, encode, encode_batch

__all__ = [
    "DeadLetter",
    "DurableNode",
    "HubEndpoint",
    "InProcessHub",
    "PumpResult",
    "RedisStreamsTransport",
    "ShardedRedisTransport",
    "Transport",
    "publish",
    "pump",
    "request_repair",
]

REPAIR_BATCH = 256  # messages per batch frame of a repair reply


def _transient_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [OSError]
    try:
        import redis.exceptions as rex
    except ImportError:  # pragma: no cover - redis-py is the optional extra 'replication'
        pass
    else:
        errs += [rex.ConnectionError, rex.TimeoutError, rex.BusyLoadingError]
    return tuple(errs)


TRANSIENT_ERRORS = _transient_errors()  # a transport that is down (for now), not a bug


class Transport(Protocol):
    """What :func:`publish` and :func:`pump` need: send bytes; read entries without moving the
    cursor, then move it past what was handled."""

    def send(self, frame: bytes) -> None:
        """Send one frame to every other participant."""
        ...

    def peek(self, max_count: int | None = None) -> list[tuple[Any, bytes | None]]:
        """The next entries after the cursor, oldest first, *without* moving it: ``(cursor,
        frame)`` pairs, where ``cursor`` is the position just after the entry and ``frame`` is
        ``None`` for the participant's own entries (to skip)."""
        ...

    def advance(self, cursor: Any) -> None:
        """Move the cursor to ``cursor`` (one returned by :meth:`peek`)."""
        ...

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """Frames from other participants not returned before (may be empty); moves the cursor
        past them."""
        ...


def _poll(t: Transport, max_count: int | None) -> list[bytes]:
    entries = t.peek(max_count)
    if entries:
        t.advance(entries[-1][0])
    return [f for _, f in entries if f is not None]


def _check_frame(frame: object) -> bytes:
    if not isinstance(frame, bytes | bytearray | memoryview):
        raise AtomikTypeError(f"frame must be bytes, got {type(frame).__name__}")
    return bytes(frame)


class InProcessHub:
    """An in-memory broadcast hub: a shared append-only list of ``(sender, frame)``."""

    def __init__(self) -> None:
        """An empty hub."""
        self._frames: list[tuple[str, bytes]] = []
        self._names: set[str] = set()

    def endpoint(self, name: str, *, from_start: bool = True) -> HubEndpoint:
        """A new endpoint called ``name`` (unique); it sees frames sent before it joined when
        ``from_start``."""
        if not isinstance(name, str) or not name:
            raise AtomikTypeError(f"endpoint name must be a non-empty str, got {name!r}")
        if name in self._names:
            raise ValueError(f"endpoint name {name!r} is already taken on this hub")
        self._names.add(name)
        return HubEndpoint(self, name, 0 if from_start else len(self._frames))

    def __len__(self) -> int:
        """Frames sent through the hub so far."""
        return len(self._frames)


@dataclass
class HubEndpoint:
    """One participant of an :class:`InProcessHub`."""

    hub: InProcessHub
    name: str
    position: int = 0

    def send(self, frame: bytes) -> None:
        """Append ``frame`` for every other endpoint."""
        self.hub._frames.append((self.name, _check_frame(frame)))

    def peek(self, max_count: int | None = None) -> list[tuple[Any, bytes | None]]:
        """Entries after the position (at most ``max_count``), own ones as ``None``."""
        frames = self.hub._frames
        end = len(frames) if max_count is None else min(len(frames), self.position + max_count)
        return [
            (i + 1, None if who == self.name else f)
            for i, (who, f) in enumerate(frames[self.position : end], start=self.position)
        ]

    def advance(self, cursor: Any) -> None:
        """Move the position to ``cursor`` (an index into the hub's frames)."""
        if not isinstance(cursor, int) or not 0 <= cursor <= len(self.hub._frames):
            raise AtomikTypeError(f"not a cursor of this hub: {cursor!r}")
        self.position = cursor

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """Frames from other endpoints since the last poll (at most ``max_count`` entries)."""
        return _poll(self, max_count)


class RedisStreamsTransport:
    """Frames over a Redis stream (redis-py client), one stream per table."""

    def __init__(
        self,
        client: Any,
        stream: str,
        node: str,
        *,
        start: str = "0",
        block_ms: int | None = None,
        maxlen: int | None = None,
        group: str | None = None,
    ) -> None:
        """Use ``client`` (a ``redis.Redis``) on ``stream`` as participant ``node``.

        ``start`` is the stream id to read after (``"0"``: the whole history, ``"$"``: only
        new entries); ``block_ms`` makes :meth:`poll` wait that long for new entries;
        ``maxlen`` trims the stream approximately to that many entries on send (a replica
        further behind must then be repaired by anti-entropy).

        ``group`` stores the cursor in Redis: the node reads through its own consumer group
        (``XGROUP CREATE stream group start MKSTREAM``, once; one group per node, since every
        node reads every entry) with ``XREADGROUP``, and :meth:`advance` ``XACK``s what was
        handled. A new transport on the same group (a restarted process) first re-reads the
        entries delivered but never acknowledged (its pending list), then continues after the
        group's last delivered id: a restart resumes, it does not replay the stream. Call
        :meth:`advance` only once the entry's messages are in the durable log (``pump`` does
        so): an entry acknowledged is never read again.
        """
        if not isinstance(stream, str) or not stream or not isinstance(node, str) or not node:
            raise AtomikTypeError("stream and node must be non-empty strs")
        if any(
            inspect.iscoroutinefunction(getattr(client, m, None))
            for m in ("xadd", "execute_command")
        ):
            raise AtomikTypeError(
                f"{type(client).__module__}.{type(client).__name__} is an asyncio client: its "
                "commands return coroutines, so nothing would be sent or read; pass a "
                "synchronous redis.Redis (or redis.RedisCluster)"
            )
        self._r = client
        self._stream = stream
        self._node = node.encode()
        self._last = start
        self._block = block_ms
        self._maxlen = maxlen
        self._group = group
        self._peeked: list[Any] = []  # ids returned by the last peek, not yet acknowledged
        self._reread = True  # the pending list may hold entries: read it before new ones
        if group is not None:
            if not isinstance(group, str) or not group:
                raise AtomikTypeError(f"group must be a non-empty str, got {group!r}")
            try:
                client.xgroup_create(stream, group, id=start, mkstream=True)
            except Exception as e:  # redis.ResponseError; redis-py is optional here
                if "BUSYGROUP" not in str(e):
                    raise
            self._last = "0"
        elif start == "$":  # resolve now, so entries sent after this call are not missed
            info = client.xinfo_stream(stream) if client.exists(stream) else None
            self._last = info["last-generated-id"] if info else "0"

    def send(self, frame: bytes) -> None:
        """``XADD`` the frame with this node's name."""
        fields = {b"frame": _check_frame(frame), b"from": self._node}
        if self._maxlen is None:
            self._r.xadd(self._stream, fields)
        else:
            self._r.xadd(self._stream, fields, maxlen=self._maxlen, approximate=True)

    def peek(self, max_count: int | None = None) -> list[tuple[Any, bytes | None]]:
        """``XREAD`` entries after the cursor, without moving it; own entries as ``None``.

        With a consumer group: the entries delivered to this node but not acknowledged first
        (after a restart, or a pump that raised), else ``XREADGROUP ... >`` (new entries).
        An entry trimmed from the stream while pending comes back without fields: ``None``.
        """
        if self._group is None:
            resp = self._r.xread({self._stream: self._last}, count=max_count, block=self._block)
        else:
            resp = None
            if self._reread:
                resp = self._r.xreadgroup(
                    self._group, self._node, {self._stream: self._last}, count=max_count
                )
                if not resp or not resp[0][1]:
                    self._reread = False
                    resp = None
            if resp is None:
                resp = self._r.xreadgroup(
                    self._group, self._node, {self._stream: ">"}, count=max_count,
                    block=self._block,
                )
        out: list[tuple[Any, bytes | None]] = []
        for _name, entries in resp or []:
            for entry_id, fields in entries:
                if not fields:  # a pending entry since trimmed: nothing to apply
                    out.append((entry_id, None))
                    continue
                own = fields.get(b"from") == self._node
                out.append((entry_id, None if own else bytes(fields.get(b"frame", b""))))
        if self._group is not None:
            self._peeked = [c for c, _ in out]
            if out:
                self._reread = True  # unacknowledged until advance: a failed pump re-reads them
        return out

    def advance(self, cursor: Any) -> None:
        """Move the cursor to the stream id ``cursor``; with a consumer group, ``XACK`` every
        entry of the last :meth:`peek` up to and including it."""
        if self._group is not None:
            if cursor not in self._peeked:
                raise AtomikTypeError(f"not an id returned by the last peek: {cursor!r}")
            k = self._peeked.index(cursor) + 1
            self._r.xack(self._stream, self._group, *self._peeked[:k])
            del self._peeked[:k]
            if not self._peeked:
                self._reread = False  # all delivered entries acknowledged: read new ones next
        self._last = cursor

    def trim_acknowledged(self) -> int:
        """``XTRIM MINID`` below the oldest entry some consumer group of the stream has not
        acknowledged (its oldest pending entry, or the first entry after its last delivered
        id): every node reading through a group has handled what is removed. Return the number
        of entries removed (0 when the stream has no group)."""
        groups = self._r.xinfo_groups(self._stream)
        if not groups:
            return 0
        bound: tuple[int, int] | None = None
        for g in groups:
            pend = self._r.xpending(self._stream, g["name"])
            if pend and pend.get("pending"):
                low = _stream_id(pend["min"])
            else:
                ms, sq = _stream_id(g["last-delivered-id"])
                low = (ms, sq + 1)
            bound = low if bound is None else min(bound, low)
        assert bound is not None
        return int(self._r.xtrim(self._stream, minid=f"{bound[0]}-{bound[1]}", approximate=False))

    @property
    def cursor(self) -> Any:
        """The id of the last stream entry handled (``XREAD`` reads after it)."""
        return self._last

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """``XREAD`` entries after the last one seen; return the other nodes' frames."""
        return _poll(self, max_count)


class ShardedRedisTransport:
    """Frames over ``shards`` Redis streams, one per contiguous address range, for a Redis
    Cluster: shard ``k`` holds addresses ``[k*n//shards, (k+1)*n//shards)`` of a table of ``n``
    contexts, in the stream ``atomik:{<table>:<k>}``. The braces are a hash tag: Redis Cluster
    hashes only ``<table>:<k>``, so each shard's stream is one key in one slot and the shards
    spread over the cluster's nodes (one stream would be one slot, hence one Redis node).

    ``send`` splits a frame's messages by shard (one frame per shard touched, a batch when it
    holds several); digest frames (repair requests) and frames that do not decode go to shard 0,
    which every node reads, so repair and dead letters work as on one stream. ``peek`` reads every
    shard (each with its own cursor, or its own consumer group ``group``); its cursors are
    ``(shard, stream id)`` and :meth:`advance` moves (acknowledges) that shard only. Order is kept
    within a shard, not across shards: the replica's window and dedup do not need it.
    """

    def __init__(
        self,
        client: Any,
        table: str,
        node: str,
        num_contexts: int,
        shards: int,
        *,
        start: str = "0",
        group: str | None = None,
    ) -> None:
        """Use ``client`` (``redis.RedisCluster`` or ``redis.Redis``) for table ``table``."""
        if not isinstance(table, str) or not table or "{" in table or "}" in table:
            raise AtomikTypeError(f"table must be a non-empty str without braces, got {table!r}")
        for name, v in (("num_contexts", num_contexts), ("shards", shards)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise AtomikTypeError(f"{name} must be a positive int, got {v!r}")
        if shards > num_contexts:
            raise ValueError(f"{shards} shards for {num_contexts} contexts: some would be empty")
        self.num_contexts, self.shards = num_contexts, shards
        self.keys = [self.key(table, k) for k in range(shards)]
        self._parts = [
            RedisStreamsTransport(client, key, node, start=start, group=group) for key in self.keys
        ]

    @staticmethod
    def key(table: str, shard: int) -> str:
        """The stream key of ``shard``: ``atomik:{<table>:<shard>}`` (hash-tagged)."""
        return f"atomik:{{{table}:{shard}}}"

    def shard_of(self, addr: int) -> int:
        """The shard holding ``addr``: ``addr * shards // num_contexts``."""
        return addr * self.shards // self.num_contexts

    def send(self, frame: bytes) -> None:
        """Send the frame's messages to their shards (digests and undecodable frames: shard 0)."""
        frame = _check_frame(frame)
        if len(frame) >= 3 and frame[2] == KIND_DIGEST:
            self._parts[0].send(frame)
            return
        try:
            msgs = decode_any(frame)
        except FrameError:
            self._parts[0].send(frame)  # the receivers' pump makes it a dead letter
            return
        by: dict[int, list[DeltaMessage]] = {}
        for m in msgs:
            k = self.shard_of(m.addr) if m.addr < self.num_contexts else 0
            by.setdefault(k, []).append(m)
        for k, ms in sorted(by.items()):
            self._parts[k].send(encode(ms[0]) if len(ms) == 1 else encode_batch(ms))

    def peek(self, max_count: int | None = None) -> list[tuple[Any, bytes | None]]:
        """Entries after each shard's cursor (at most ``max_count`` per shard), shard by shard."""
        return [((k, c), f) for k, t in enumerate(self._parts) for c, f in t.peek(max_count)]

    def advance(self, cursor: Any) -> None:
        """Move (acknowledge) shard ``cursor[0]`` to stream id ``cursor[1]``."""
        if not (isinstance(cursor, tuple) and len(cursor) == 2 and cursor[0] in range(self.shards)):
            raise AtomikTypeError(f"not a cursor of this sharded transport: {cursor!r}")
        self._parts[cursor[0]].advance(cursor[1])

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """Frames from other participants on every shard since the last poll."""
        entries = self.peek(max_count)
        last = {c[0]: c for c, _ in entries}
        for c in last.values():
            self.advance(c)
        return [f for _, f in entries if f is not None]

    def trim_acknowledged(self) -> int:
        """:meth:`RedisStreamsTransport.trim_acknowledged` on every shard; entries removed."""
        return sum(t.trim_acknowledged() for t in self._parts)


def _stream_id(raw: Any) -> tuple[int, int]:
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    ms, _, sq = text.partition("-")
    return int(ms), int(sq or 0)


def publish(transport: Transport, msgs: Iterable[DeltaMessage], *, batch: bool = False) -> int:
    """Send ``msgs`` (one frame each, or one batch frame); return the number of frames sent."""
    ms = list(msgs)
    if batch:
        if ms:
            transport.send(encode_batch(ms))
        return 1 if ms else 0
    for m in ms:
        transport.send(encode(m))
    return len(ms)


@dataclass(frozen=True)
class DeadLetter:
    """A frame, or one message of a frame, that :func:`pump` could not apply, kept whole.

    ``message`` is ``None`` when the frame itself did not decode; otherwise it is the decoded
    message the replica rejected, and ``error`` is the exception it raised (e.g. an
    :class:`~atomik.errors.EpochError`, or a :class:`~atomik.replication.replica.ReorderWindowError`
    that a later delivery of the missing seqs, or anti-entropy, resolves: deliver ``message``
    again).
    """

    frame: bytes
    message: DeltaMessage | None
    error: AtomikError
    source: Any

    @property
    def reason(self) -> str:
        """``"<ErrorClass>: <message>"``."""
        return f"{type(self.error).__name__}: {self.error}"


@dataclass
class PumpResult:
    """What one :func:`pump` did: frames read, messages applied and duplicate, dead letters."""

    frames: int = 0
    applied: int = 0
    duplicates: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)
    digests: int = 0  # digest frames (repair requests) read
    repairs_sent: int = 0  # messages sent in reply to them

    @property
    def rejected(self) -> list[tuple[bytes, str]]:
        """``(frame, reason)`` of every dead letter."""
        return [(d.frame, d.reason) for d in self.dead_letters]


def pump(replica: Replica, transport: Transport, max_count: int | None = None) -> PumpResult:
    """Read what ``transport`` has after its cursor and apply it to ``replica`` (exactly once).

    Every entry is handled before the cursor moves past it, one at a time. A frame that does
    not decode, and a message the replica rejects with an :class:`~atomik.errors.AtomikError`,
    is kept as a :class:`DeadLetter` and the pump goes on: one poison frame never hides the
    frames behind it. A digest frame from a peer (:func:`request_repair`) is answered with what
    that peer lacks. Any other exception (the replica's write-ahead sink failing, say)
    propagates with the cursor just before the frame in progress, so nothing after the last
    fully handled frame is skipped (messages of that frame already applied are duplicates when it
    is delivered again).
    """
    if not isinstance(replica, Replica):
        raise AtomikTypeError(f"replica must be a Replica, got {type(replica).__name__}")
    res = PumpResult()
    for cursor, frame in transport.peek(max_count):
        if frame is not None:
            res.frames += 1
            _pump_frame(replica, transport, frame, cursor, res)
        transport.advance(cursor)
    return res


def request_repair(replica: Replica, transport: Transport) -> None:
    """Ask every peer on ``transport`` for what ``replica`` lacks: send its digest frame."""
    if not isinstance(replica, Replica):
        raise AtomikTypeError(f"replica must be a Replica, got {type(replica).__name__}")
    transport.send(replica.digest().encode())


def _answer_digest(
    replica: Replica, transport: Transport, frame: bytes, source: Any, res: PumpResult
) -> None:
    res.digests += 1
    try:
        missing = replica.missing_for(Digest.decode(frame))
    except AtomikError as e:  # undecodable, or a digest of another epoch
        res.dead_letters.append(DeadLetter(frame, None, e, source))
        return
    for i in range(0, len(missing), REPAIR_BATCH):
        transport.send(encode_batch(missing[i : i + REPAIR_BATCH]))
    res.repairs_sent += len(missing)


def _pump_frame(
    replica: Replica, transport: Transport, frame: bytes, source: Any, res: PumpResult
) -> None:
    if len(frame) >= 3 and frame[2] == KIND_DIGEST:
        _answer_digest(replica, transport, frame, source, res)
        return
    try:
        msgs = decode_any(frame)
    except FrameError as e:
        res.dead_letters.append(DeadLetter(frame, None, e, source))
        return
    for m in msgs:
        try:
            applied = replica.receive(m)
        except AtomikError as e:
            res.dead_letters.append(DeadLetter(frame, m, e, source))
            continue
        if applied:
            res.applied += 1
        else:
            res.duplicates += 1


class DurableNode:
    """A :class:`~atomik.replication.log.PersistentTable` and a transport, with the outbox in
    between.

    ``put``/``accum`` log the write (write-ahead) and return it: from then on it is
    acknowledged, whether or not the transport is up. The write is then published from the log's
    outbox (:meth:`~atomik.replication.log.PersistentTable.outbox`: own writes above the published
    mark); a publish that fails with a transient error (Redis down: ``redis.ConnectionError``,
    ``TimeoutError``, ``OSError``) leaves it there, and every later ``put``, :meth:`pump` or
    :meth:`flush_outbox` retries, oldest first, so the writes reach the peers once the transport
    is back -- also after a crash of this process, since the outbox is read from the log. A write
    can be sent twice (the send succeeded but the reply was lost, or the process died before the
    mark was written); receivers see it once, deduplicated by ``(origin, seq)``.
    """

    def __init__(self, log: PersistentTable, transport: Transport) -> None:
        """Publish ``log``'s writes on ``transport`` and apply what ``transport`` brings."""
        if not isinstance(log, PersistentTable):
            raise AtomikTypeError(f"log must be a PersistentTable, got {type(log).__name__}")
        self.log = log
        self.transport = transport
        self.publish_failures = 0  # flushes that stopped on a transient error
        self.last_error: BaseException | None = None

    def put(self, addr: int, value: int) -> DeltaMessage:
        """Set ``addr`` to ``value``: logged, applied, acknowledged; then published (or kept in
        the outbox)."""
        m = self.log.put(addr, value)
        self.flush_outbox()
        return m

    def accum(self, addr: int, delta: int) -> DeltaMessage:
        """XOR ``delta`` into ``addr``: logged, applied, acknowledged; then published (or kept
        in the outbox)."""
        m = self.log.accum(addr, delta)
        self.flush_outbox()
        return m

    def flush_outbox(self) -> int:
        """Send the outbox, oldest first (one frame, or batch frames of up to 256 messages);
        return how many messages were sent. A transient failure stops the flush, keeps the rest
        for the next call and returns the count so far."""
        box = self.log.outbox()
        sent = 0
        try:
            for i in range(0, len(box), REPAIR_BATCH):
                chunk = box[i : i + REPAIR_BATCH]
                self.transport.send(encode(chunk[0]) if len(chunk) == 1 else encode_batch(chunk))
                sent += len(chunk)
                self.log.mark_published(chunk[-1].seq)
        except TRANSIENT_ERRORS as e:
            self.publish_failures += 1
            self.last_error = e
        return sent

    @property
    def pending(self) -> int:
        """Writes in the outbox (acknowledged, not yet published)."""
        return len(self.log.outbox())

    def pump(self, max_count: int | None = None) -> PumpResult:
        """Flush the outbox, then :func:`pump` the transport into the log's replica."""
        self.flush_outbox()
        return pump(self.log.replica, self.transport, max_count)

    def request_repair(self) -> None:
        """:func:`request_repair` for this node."""
        request_repair(self.log.replica, self.transport)
