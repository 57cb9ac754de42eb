"""Transports that carry v1 frames between replicas: an in-process hub and Redis Streams.

A transport moves bytes; it does not need to be reliable. Frames are the v1 wire frames of
``spec/wire-format.md`` (single messages or batches); the receiving :class:`~atomik.replica.Replica`
deduplicates by ``(origin, seq)``, so a transport may duplicate or redeliver freely, and
anti-entropy repairs what it loses.

- :class:`InProcessHub`: the embedded default (tests, one machine). Every frame an endpoint sends
  is delivered once to every *other* endpoint, in send order.
- :class:`RedisStreamsTransport`: for several machines, over an existing broker instead of a
  hand-made protocol. One Redis stream per table; ``send`` is ``XADD stream * frame <bytes> from
  <node>``, ``poll`` is ``XREAD`` from the last id seen (skipping the node's own entries). The
  stream keeps history (until trimmed with ``maxlen``), so a replica that starts late, or
  restarts from ``"0"``, catches up from it.

:func:`publish` encodes messages and sends them; :func:`pump` polls a transport and applies
what arrives, reporting frames that fail to decode instead of dropping them silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atomik.errors import AtomikTypeError, FrameError
from atomik.replica import Replica
from atomik.wire import DeltaMessage, decode_any, encode, encode_batch

__all__ = [
    "HubEndpoint",
    "InProcessHub",
    "PumpResult",
    "RedisStreamsTransport",
    "Transport",
    "publish",
    "pump",
]


class Transport(Protocol):
    """What :func:`publish` and :func:`pump` need: send bytes, poll for bytes."""

    def send(self, frame: bytes) -> None:
        """Send one frame to every other participant."""
        ...

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """Frames from other participants not returned before (may be empty)."""
        ...


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

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """Frames from other endpoints since the last poll (at most ``max_count``)."""
        frames = self.hub._frames
        end = len(frames) if max_count is None else min(len(frames), self.position + max_count)
        out = [f for who, f in frames[self.position : end] if who != self.name]
        self.position = end
        return out


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
    ) -> None:
        """Use ``client`` (a ``redis.Redis``) on ``stream`` as participant ``node``.

        ``start`` is the stream id to read after (``"0"``: the whole history, ``"$"``: only
        new entries); ``block_ms`` makes :meth:`poll` wait that long for new entries;
        ``maxlen`` trims the stream approximately to that many entries on send (a replica
        further behind must then be repaired by anti-entropy).
        """
        if not isinstance(stream, str) or not stream or not isinstance(node, str) or not node:
            raise AtomikTypeError("stream and node must be non-empty strs")
        self._r = client
        self._stream = stream
        self._node = node.encode()
        self._last = start
        self._block = block_ms
        self._maxlen = maxlen
        if start == "$":  # resolve now, so entries sent after this call are not missed
            info = client.xinfo_stream(stream) if client.exists(stream) else None
            self._last = info["last-generated-id"] if info else "0"

    def send(self, frame: bytes) -> None:
        """``XADD`` the frame with this node's name."""
        fields = {b"frame": _check_frame(frame), b"from": self._node}
        if self._maxlen is None:
            self._r.xadd(self._stream, fields)
        else:
            self._r.xadd(self._stream, fields, maxlen=self._maxlen, approximate=True)

    def poll(self, max_count: int | None = None) -> list[bytes]:
        """``XREAD`` entries after the last one seen; return the other nodes' frames."""
        resp = self._r.xread({self._stream: self._last}, count=max_count, block=self._block)
        out: list[bytes] = []
        for _name, entries in resp or []:
            for entry_id, fields in entries:
                self._last = entry_id
                if fields.get(b"from") != self._node:
                    out.append(bytes(fields.get(b"frame", b"")))
        return out


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


@dataclass
class PumpResult:
    """What one :func:`pump` did."""

    frames: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[tuple[bytes, str]] = field(default_factory=list)


def pump(replica: Replica, transport: Transport, max_count: int | None = None) -> PumpResult:
    """Poll ``transport`` once and apply every message to ``replica`` (exactly once).

    A frame that does not decode is not dropped silently: it is returned in ``rejected`` with
    the reason. Errors from the replica (another epoch, the reorder window) propagate; the
    messages before the failing one stay applied.
    """
    if not isinstance(replica, Replica):
        raise AtomikTypeError(f"replica must be a Replica, got {type(replica).__name__}")
    res = PumpResult()
    frames: Sequence[bytes] = transport.poll(max_count)
    for frame in frames:
        res.frames += 1
        try:
            msgs = decode_any(frame)
        except FrameError as e:
            res.rejected.append((frame, str(e)))
            continue
        for m in msgs:
            if replica.receive(m):
                res.applied += 1
            else:
                res.duplicates += 1
    return res
