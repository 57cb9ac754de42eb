"""Delta messages and wire format v1 (specified in ``spec/wire-format.md``).

A :class:`DeltaMessage` says "replica ``origin``, in epoch ``epoch``, as its ``seq``-th update,
XORed ``delta`` (``width`` bits) into address ``addr``". Frames carry a magic byte, a version byte,
a kind byte, fixed-size little-endian fields, the delta as ``ceil(width / 8)`` little-endian bytes,
and a CRC32C (Castagnoli, from the ``crc32c`` package) over every byte before it.

Decoding is total on bytes: it returns exactly the message that was encoded, or raises a
:class:`~atomik.errors.FrameError` subclass saying what is wrong — never another exception, never a
partial or different message.

Lean: ``Atomik.Wire`` models these bytes (``encode``, ``decode``, ``frameSize``, ``crc32c``) and
proves the round trip (``decode_encode``), canonicity (``encode_of_decode``: the only bytes that
decode to ``m`` are ``encode(m)``), the frame size and each error; the hand properties of
``conformance/properties/wire.py`` hold this module to them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import crc32c as _crc32c
import numpy as np
import numpy.typing as npt

from atomik._check import as_buffer, check_value, check_width
from atomik.errors import (
    AtomikTypeError,
    FrameChecksumError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
    WidthError,
)

__all__ = [
    "BATCH_HEADER_SIZE",
    "KIND_BATCH",
    "KIND_MESSAGE",
    "MAGIC",
    "MAX_WIDTH",
    "MESSAGE_HEADER_SIZE",
    "VERSION",
    "DeltaMessage",
    "crc32c",
    "decode",
    "decode_any",
    "decode_batch",
    "decode_batch_columns",
    "encode",
    "encode_batch",
    "frame_size",
]

MAGIC = 0xA7
VERSION = 1
KIND_MESSAGE = 0x01
KIND_BATCH = 0x02
MAX_WIDTH = 0xFFFF

_PREFIX = struct.Struct("<BBB")  # magic, version, kind
_FIELDS = struct.Struct("<IIQIH")  # origin, epoch, seq, addr, width
_COUNT = struct.Struct("<I")
_CRC = struct.Struct("<I")
MESSAGE_HEADER_SIZE = _PREFIX.size + _FIELDS.size  # 25
BATCH_HEADER_SIZE = _PREFIX.size + _COUNT.size  # 7
_WIDTH_OFFSET = _FIELDS.size - 2  # offset of width inside a record
_BATCH_PREFIX = bytes([MAGIC, VERSION, KIND_BATCH])


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """CRC32C (Castagnoli) of ``data``, as used by every frame."""
    return _crc32c.crc32c(data)


def _delta_bytes(width: int) -> int:
    return (width + 7) // 8


def frame_size(width: int) -> int:
    """Exact size in bytes of a single-message frame whose delta has ``width`` bits."""
    return MESSAGE_HEADER_SIZE + _delta_bytes(check_width(width)) + _CRC.size


@dataclass(frozen=True, slots=True)
class DeltaMessage:
    """One delta addressed to one context, as sent between replicas.

    Field ranges (checked on construction): ``origin``, ``epoch`` and ``addr`` are u32, ``seq``
    is u64, ``width`` is 1..65535 and ``0 <= delta < 2**width``.
    """

    origin: int
    epoch: int
    seq: int
    addr: int
    width: int
    delta: int

    def __post_init__(self) -> None:
        """Validate every field (see the class docstring)."""
        o, e, s, a, w, d = self.origin, self.epoch, self.seq, self.addr, self.width, self.delta
        if (
            type(o) is int
            and type(e) is int
            and type(s) is int
            and type(a) is int
            and type(w) is int
            and type(d) is int
            and not (o | e | a) >> 32  # a negative one keeps its sign: not 0
            and not s >> 64
            and 0 < w <= MAX_WIDTH
            and not d >> w
        ):
            return  # the common case: plain ints in range
        for name, bits in (("origin", 32), ("epoch", 32), ("seq", 64), ("addr", 32)):
            check_value(getattr(self, name), bits, name)
        w = check_width(self.width)
        if w > MAX_WIDTH:
            raise WidthError(f"width must be at most {MAX_WIDTH} on the wire, got {w}")
        check_value(self.delta, w, "delta")
        for name in ("origin", "epoch", "seq", "addr", "width", "delta"):
            object.__setattr__(self, name, int(getattr(self, name)))

    @classmethod
    def _decoded(
        cls, origin: int, epoch: int, seq: int, addr: int, width: int, delta: int
    ) -> DeltaMessage:
        """A message from fields the decoder has already range-checked (skips re-validation).

        Only for :func:`_parse_record`: ``struct`` bounds origin/epoch/addr to u32, seq to u64 and
        width to u16 (= ``MAX_WIDTH``); the decoder itself rejects width 0 and a delta that does
        not fit the width. Every field is a plain ``int``.
        """
        return _new_message(origin, epoch, seq, addr, width, delta)

    @property
    def id(self) -> tuple[int, int]:
        """``(origin, seq)``: the identity replicas deduplicate by. Lean: ``Message.id``."""
        return (self.origin, self.seq)

    def encode(self) -> bytes:
        """This message as a v1 single-message frame."""
        return encode(self)


class _Fields:
    """The slot layout of :class:`DeltaMessage` without its frozen ``__setattr__``: a message the
    library builds from checked ints is filled here (plain slot stores) and then becomes a
    ``DeltaMessage`` by ``__class__`` assignment, which is allowed because both classes have the
    same slots in the same order (checked below, at import)."""

    __slots__ = DeltaMessage.__slots__


def _new_message(
    origin: int, epoch: int, seq: int, addr: int, width: int, delta: int
) -> DeltaMessage:
    """A message from plain ints the caller has already range-checked (no re-validation): the
    decoder and a replica's own writes."""
    m = _Fields()
    m.origin = origin  # type: ignore[attr-defined]
    m.epoch = epoch  # type: ignore[attr-defined]
    m.seq = seq  # type: ignore[attr-defined]
    m.addr = addr  # type: ignore[attr-defined]
    m.width = width  # type: ignore[attr-defined]
    m.delta = delta  # type: ignore[attr-defined]
    m.__class__ = DeltaMessage  # type: ignore[assignment]
    return m  # type: ignore[return-value]


if _new_message(1, 2, 3, 4, 5, 6) != DeltaMessage(1, 2, 3, 4, 5, 6):  # pragma: no cover
    raise ImportError("wire: _Fields no longer matches the DeltaMessage layout")


def _record(m: DeltaMessage) -> bytes:
    return _FIELDS.pack(m.origin, m.epoch, m.seq, m.addr, m.width) + m.delta.to_bytes(
        _delta_bytes(m.width), "little"
    )


def _seal(body: bytes) -> bytes:
    return body + _CRC.pack(crc32c(body))


def _check_message(m: object) -> DeltaMessage:
    if not isinstance(m, DeltaMessage):
        raise AtomikTypeError(f"expected a DeltaMessage, got {type(m).__name__}")
    return m


_MESSAGE_HEAD = struct.Struct("<BBBIIQIH")  # prefix + fields of a single-message frame
_MESSAGE_64 = struct.Struct("<BBBIIQIHQ")  # ... and the delta, for width 64
# The width-64 encoder packs the three prefix bytes as one ``3s`` field (one argument, not three
# global loads): the same bytes as ``_MESSAGE_64`` (checked at import).
_MESSAGE_PREFIX = bytes([MAGIC, VERSION, KIND_MESSAGE])
_PACK_64 = struct.Struct("<3sIIQIHQ").pack
if _PACK_64(_MESSAGE_PREFIX, 1, 2, 3, 4, 64, 5) != _MESSAGE_64.pack(
    MAGIC, VERSION, KIND_MESSAGE, 1, 2, 3, 4, 64, 5
):  # pragma: no cover
    raise ImportError("wire: the width-64 encoder no longer packs the _MESSAGE_64 layout")
_CRC_PACK = _CRC.pack
_CRC32C = _crc32c.crc32c


def encode(msg: DeltaMessage) -> bytes:
    """Encode one message as a v1 single-message frame (``frame_size(msg.width)`` bytes)."""
    if type(msg) is not DeltaMessage:
        msg = _check_message(msg)
    w = msg.width
    if w == 64:
        body = _PACK_64(_MESSAGE_PREFIX, msg.origin, msg.epoch, msg.seq, msg.addr, 64, msg.delta)
        return body + _CRC_PACK(_CRC32C(body))
    body = _MESSAGE_HEAD.pack(
        MAGIC, VERSION, KIND_MESSAGE, msg.origin, msg.epoch, msg.seq, msg.addr, w
    ) + msg.delta.to_bytes((w + 7) >> 3, "little")
    return body + _CRC_PACK(_CRC32C(body))


def encode_batch(msgs: Iterable[DeltaMessage]) -> bytes:
    """Encode many messages in one v1 batch frame (one CRC32C over the whole frame)."""
    ms = [_check_message(m) for m in msgs]
    if len(ms) > 0xFFFF_FFFF:
        raise FrameLengthError(f"a batch holds at most {0xFFFF_FFFF} messages, got {len(ms)}")
    parts = [_PREFIX.pack(MAGIC, VERSION, KIND_BATCH), _COUNT.pack(len(ms))]
    parts += [_record(m) for m in ms]
    return _seal(b"".join(parts))


def _check_prefix(mv: memoryview, kind: int) -> None:
    if mv.nbytes < _PREFIX.size:
        raise FrameLengthError(f"frame needs at least {_PREFIX.size} bytes, got {mv.nbytes}")
    magic, version, got_kind = _PREFIX.unpack_from(mv, 0)
    if magic != MAGIC:
        raise FrameVersionError(
            f"not an atomik frame: magic byte 0x{magic:02x}, expected 0x{MAGIC:02x}"
        )
    if version != VERSION:
        raise FrameVersionError(f"unknown frame version {version}, expected {VERSION}")
    if got_kind != kind:
        names = {KIND_MESSAGE: "single message", KIND_BATCH: "batch"}
        raise FrameFieldError(
            f"frame kind 0x{got_kind:02x} ({names.get(got_kind, 'unknown')}), "
            f"expected 0x{kind:02x} ({names[kind]})"
        )


#: CRC32C of any frame *including* its correct little-endian CRC32C: for a CRC the map from the
#: stored 4 bytes to the CRC of the whole frame is a bijection, so "the stored CRC is the CRC of
#: the bytes before it" holds exactly when the CRC of the whole frame is this constant (one pass
#: over the frame, no slice).
_RESIDUE = 0x48674BC7


def _check_crc(mv: memoryview | bytes) -> None:
    if crc32c(mv) != _RESIDUE:
        body_len = len(mv) - _CRC.size  # memoryviews here are flat bytes ("B"): len is nbytes
        (stored,) = _CRC.unpack_from(mv, body_len)
        actual = crc32c(mv[:body_len])
        raise FrameChecksumError(
            f"CRC32C mismatch: frame says 0x{stored:08x}, contents give 0x{actual:08x}"
        )


def _parse_record(mv: memoryview, off: int, index: str) -> DeltaMessage:
    origin, epoch, seq, addr, width = _FIELDS.unpack_from(mv, off)
    if width == 0:
        raise FrameFieldError(f"{index}width 0: expected 1 <= width <= {MAX_WIDTH}")
    n = _delta_bytes(width)
    start = off + _FIELDS.size
    delta = int.from_bytes(mv[start : start + n], "little")
    if delta >> width:
        raise FrameFieldError(
            f"{index}delta {hex(delta)} does not fit width {width}: "
            f"expected 0 <= delta < {hex(1 << width)}"
        )
    return DeltaMessage._decoded(origin, epoch, seq, addr, width, delta)


def decode(data: bytes | bytearray | memoryview) -> DeltaMessage:
    """Decode a v1 single-message frame; the whole buffer must be exactly one frame.

    Checks, in order: magic and version (:class:`FrameVersionError`), kind
    (:class:`FrameFieldError`), length (:class:`FrameLengthError`), CRC32C
    (:class:`FrameChecksumError`), field ranges (:class:`FrameFieldError`).
    """
    if type(data) is bytes:  # the common case: fixed checks in the order above, one unpack
        n = len(data)
        if n == _FRAME_64:  # the size of a width-64 frame: prefix, fields and delta at once
            magic, version, kind, origin, epoch, seq, addr, width, delta = _UNPACK_64(data)
            if (
                magic == MAGIC
                and version == VERSION
                and kind == KIND_MESSAGE
                and width == 64
                and _CRC32C(data) == _RESIDUE  # else the full decoder raises the CRC error
            ):
                m = _Fields()  # _new_message, inlined
                m.origin = origin  # type: ignore[attr-defined]
                m.epoch = epoch  # type: ignore[attr-defined]
                m.seq = seq  # type: ignore[attr-defined]
                m.addr = addr  # type: ignore[attr-defined]
                m.width = 64  # type: ignore[attr-defined]
                m.delta = delta  # type: ignore[attr-defined]
                m.__class__ = DeltaMessage  # type: ignore[assignment]
                return m  # type: ignore[return-value]
        if (
            n >= _MIN_MESSAGE
            and data[0] == MAGIC
            and data[1] == VERSION
            and data[2] == KIND_MESSAGE
        ):
            origin, epoch, seq, addr, width = _FIELDS_UNPACK(data, _PREFIX_SIZE)
            if n == _MIN_MESSAGE + ((width + 7) >> 3):
                _check_crc(data)
                delta = _FROM_BYTES(data[MESSAGE_HEADER_SIZE : n - 4], "little")
                if width and not delta >> width:
                    return _new_message(origin, epoch, seq, addr, width, delta)
        # anything else: the full decoder below raises the right error
    mv = as_buffer(data, "data")
    _check_prefix(mv, KIND_MESSAGE)
    minimum = MESSAGE_HEADER_SIZE + _CRC.size
    if mv.nbytes < minimum:
        raise FrameLengthError(
            f"single-message frame needs at least {minimum} bytes, got {mv.nbytes}"
        )
    (width,) = struct.unpack_from("<H", mv, _PREFIX.size + _WIDTH_OFFSET)
    expected = minimum + _delta_bytes(width)
    if mv.nbytes != expected:
        raise FrameLengthError(
            f"frame with width {width} must be {expected} bytes, got {mv.nbytes}"
        )
    _check_crc(mv)
    return _parse_record(mv, _PREFIX.size, "")


_MIN_MESSAGE = MESSAGE_HEADER_SIZE + _CRC.size
_FRAME_64 = _MESSAGE_64.size + _CRC.size
_UNPACK_64 = struct.Struct(_MESSAGE_64.format + "4x").unpack
_PREFIX_SIZE = _PREFIX.size
_FIELDS_UNPACK = _FIELDS.unpack_from
_FROM_BYTES = int.from_bytes


def decode_batch(data: bytes | bytearray | memoryview) -> list[DeltaMessage]:
    """Decode a v1 batch frame into its messages (same checks as :func:`decode`)."""
    mv = as_buffer(data, "data")
    _check_prefix(mv, KIND_BATCH)
    minimum = BATCH_HEADER_SIZE + _CRC.size
    if mv.nbytes < minimum:
        raise FrameLengthError(f"batch frame needs at least {minimum} bytes, got {mv.nbytes}")
    (count,) = _COUNT.unpack_from(mv, _PREFIX.size)
    end = mv.nbytes - _CRC.size
    if count * _FIELDS.size > end - BATCH_HEADER_SIZE:
        raise FrameLengthError(
            f"batch says {count} messages, but {end - BATCH_HEADER_SIZE} bytes cannot hold them"
        )
    offsets: list[int] = []
    off = BATCH_HEADER_SIZE
    for i in range(count):
        if off + _FIELDS.size > end:
            raise FrameLengthError(f"batch message {i} is cut short: frame has {mv.nbytes} bytes")
        (width,) = struct.unpack_from("<H", mv, off + _WIDTH_OFFSET)
        offsets.append(off)
        off += _FIELDS.size + _delta_bytes(width)
        if off > end:
            raise FrameLengthError(f"batch message {i} is cut short: frame has {mv.nbytes} bytes")
    if off != end:
        raise FrameLengthError(
            f"batch of {count} messages must be {off + _CRC.size} bytes, got {mv.nbytes}"
        )
    _check_crc(mv)
    return [_parse_record(mv, o, f"batch message {i}: ") for i, o in enumerate(offsets)]


def decode_any(data: bytes | bytearray | memoryview) -> Sequence[DeltaMessage]:
    """Decode either frame kind into a list of messages."""
    mv = as_buffer(data, "data")
    if mv.nbytes >= 3 and mv[2] == KIND_BATCH:
        return decode_batch(mv)
    return [decode(mv)]


def decode_batch_columns(
    data: bytes | bytearray | memoryview,
) -> (
    tuple[
        int,
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint64],
    ]
    | None
):
    """A v1 batch frame whose records all share one width ``1..64``, as numpy columns.

    Returns ``(width, origin, epoch, seq, addr, delta)`` (``uint64`` arrays, one entry per
    record, in frame order) exactly when :func:`decode_batch` would return that many messages
    of that width with these fields; ``None`` for every other buffer (another frame kind, a
    length, CRC32C or field error, an empty batch, mixed or wider widths): call
    :func:`decode_batch` then, which decodes or raises the precise error. No message objects are
    built.
    """
    mv = as_buffer(data, "data")
    n = mv.nbytes
    if n < BATCH_HEADER_SIZE + _CRC.size + _FIELDS.size or bytes(mv[:3]) != _BATCH_PREFIX:
        return None
    (count,) = _COUNT.unpack_from(mv, _PREFIX.size)
    (width,) = struct.unpack_from("<H", mv, BATCH_HEADER_SIZE + _WIDTH_OFFSET)
    if count == 0 or not 1 <= width <= 64:
        return None
    nb = _delta_bytes(width)
    if n != BATCH_HEADER_SIZE + count * (_FIELDS.size + nb) + _CRC.size:
        return None
    if crc32c(mv) != _RESIDUE:
        return None
    dt = np.dtype(
        [("origin", "<u4"), ("epoch", "<u4"), ("seq", "<u8"), ("addr", "<u4"),
         ("width", "<u2"), ("delta", "u1", (nb,))]
    )  # packed: exactly the record layout
    rec = np.frombuffer(mv, dtype=dt, count=count, offset=BATCH_HEADER_SIZE)
    if (rec["width"] != width).any():
        return None
    raw = np.zeros((count, 8), dtype=np.uint8)
    raw[:, :nb] = rec["delta"]
    delta = raw.view("<u8").reshape(count).astype(np.uint64, copy=False)
    if width < 64 and (delta >> np.uint64(width)).any():
        return None
    return (
        width,
        rec["origin"].astype(np.uint64),
        rec["epoch"].astype(np.uint64),
        rec["seq"].astype(np.uint64),
        rec["addr"].astype(np.uint64),
        delta,
    )
