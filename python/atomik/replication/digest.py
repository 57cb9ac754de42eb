"""Digests: what a replica has applied, in a frame a peer can read (anti-entropy).

A :class:`Digest` holds per origin a contiguous watermark and the applied ``seq`` numbers above
it, in canonical form; :meth:`Digest.encode`/:meth:`Digest.decode` are the kind-0x03 frame of
``spec/replication.md`` (CRC32C, strictly increasing origins and seqs). A replica makes one with
:meth:`~atomik.replication.replica.Replica.digest` and serves a peer's with
:meth:`~atomik.replication.replica.Replica.missing_for`. Lean: ``Atomik.Wire`` (the digest frame)
and ``Atomik.ReplicaImpl`` (``State.missingFor``, ``State.prune``).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from atomik._check import as_buffer, as_int, check_iterable, check_value
from atomik.errors import (
    AtomikTypeError,
    FrameChecksumError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
)
from atomik.wire import MAGIC, crc32c

__all__ = ["KIND_DIGEST", "Digest"]

KIND_DIGEST = 0x03
_DIGEST_HEAD = struct.Struct("<BBBII")  # magic, version, kind, epoch, number of origins
_DIGEST_ORIGIN = struct.Struct("<IqI")  # origin, watermark (-1: none), number of ahead seqs
_U64 = struct.Struct("<Q")
_CRC = struct.Struct("<I")


@dataclass(frozen=True, slots=True)
class Digest:
    """What a replica has applied: per origin a contiguous watermark (every ``seq`` up to it;
    ``-1`` for none) and the applied ``seq`` numbers above it. Compact: its size grows with the
    number of origins and the reordering, not with history. Kept canonical: ahead seqs that
    continue the watermark are moved into it (``Digest(0, {1: 4}, {1: {5, 7}})`` has watermark
    5 and ahead ``{7}`` for origin 1), so equal sets of ids give equal digests and one frame."""

    epoch: int
    watermarks: Mapping[int, int] = field(default_factory=dict)
    ahead: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Validate and freeze the fields."""
        check_value(self.epoch, 32, "epoch")
        if not isinstance(self.watermarks, Mapping) or not isinstance(self.ahead, Mapping):
            raise AtomikTypeError("watermarks and ahead must be mappings")
        water: dict[int, int] = {}
        for o, w in self.watermarks.items():
            origin = check_value(o, 32, "origin")
            wv = as_int(w, f"watermark of origin {origin}")
            if not -1 <= wv < 2**63:
                raise FrameFieldError(f"watermark of origin {origin} must be >= -1, got {wv}")
            water[origin] = wv
        ahead: dict[int, frozenset[int]] = {}
        for o, seqs in self.ahead.items():
            origin = check_value(o, 32, "origin")
            check_iterable(seqs, f"ahead seqs of origin {origin}")
            vals = frozenset(check_value(s, 64, "seq") for s in seqs)
            if any(s <= water.get(origin, -1) for s in vals):
                raise FrameFieldError(f"ahead seqs of origin {origin} must exceed its watermark")
            if vals:
                # canonical form: seqs that continue the watermark move into it (the digest
                # covers the same ids, and it encodes to the one frame that decodes back to it)
                w = water.get(origin, -1)
                while w + 1 in vals and w + 1 < 2**63:
                    w += 1
                rest = frozenset(s for s in vals if s > w)
                water[origin] = w
                if rest:
                    ahead[origin] = rest
        object.__setattr__(self, "epoch", int(self.epoch))
        object.__setattr__(self, "watermarks", MappingProxyType(water))
        object.__setattr__(self, "ahead", MappingProxyType(ahead))

    def covers(self, origin: int, seq: int) -> bool:
        """Whether the replica that produced this digest had applied ``(origin, seq)``."""
        return seq <= self.watermarks.get(origin, -1) or seq in self.ahead.get(origin, ())

    def encode(self) -> bytes:
        """This digest as bytes: ``spec/replication.md`` (kind 0x03 frame with CRC32C)."""
        parts = [_DIGEST_HEAD.pack(MAGIC, 1, KIND_DIGEST, self.epoch, len(self.watermarks))]
        for o in sorted(self.watermarks):
            seqs = sorted(self.ahead.get(o, ()))
            parts.append(_DIGEST_ORIGIN.pack(o, self.watermarks[o], len(seqs)))
            parts += [_U64.pack(s) for s in seqs]
        body = b"".join(parts)
        return body + _CRC.pack(crc32c(body))

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview) -> Digest:
        """Decode :meth:`encode`'s bytes; raises a :class:`~atomik.errors.FrameError` subclass."""
        mv = as_buffer(data, "data")
        n = mv.nbytes
        if n < _DIGEST_HEAD.size + _CRC.size:
            raise FrameLengthError(
                f"digest needs at least {_DIGEST_HEAD.size + _CRC.size} bytes, got {n}"
            )
        magic, version, kind, epoch, count = _DIGEST_HEAD.unpack_from(mv, 0)
        if magic != MAGIC or version != 1:
            raise FrameVersionError(
                f"not a v1 atomik digest: magic 0x{magic:02x} version {version}"
            )
        if kind != KIND_DIGEST:
            raise FrameFieldError(f"frame kind 0x{kind:02x}, expected 0x{KIND_DIGEST:02x} (digest)")
        (stored,) = _CRC.unpack_from(mv, n - _CRC.size)
        if stored != crc32c(mv[: n - _CRC.size]):
            raise FrameChecksumError("digest CRC32C mismatch")
        off, end = _DIGEST_HEAD.size, n - _CRC.size
        water: dict[int, int] = {}
        ahead: dict[int, frozenset[int]] = {}
        prev = -1
        for _ in range(count):
            if off + _DIGEST_ORIGIN.size > end:
                raise FrameLengthError("digest is cut short")
            o, w, k = _DIGEST_ORIGIN.unpack_from(mv, off)
            off += _DIGEST_ORIGIN.size
            if off + k * _U64.size > end:
                raise FrameLengthError("digest is cut short")
            seqs = [_U64.unpack_from(mv, off + i * _U64.size)[0] for i in range(k)]
            off += k * _U64.size
            # canonical (what encode writes): origins strictly increasing, watermark >= -1, ahead
            # seqs strictly increasing and above watermark + 1 (that one would extend the mark)
            if o <= prev:
                raise FrameFieldError(f"digest origin {o} after origin {prev}: not increasing")
            if w < -1:
                raise FrameFieldError(f"digest origin {o}: watermark {w} < -1")
            low = w + 1
            for s in seqs:
                if s <= low:
                    raise FrameFieldError(
                        f"digest origin {o}: ahead seq {s} must exceed {low} (watermark {w} + 1) "
                        "and the seq before it"
                    )
                low = s
            prev = o
            water[o] = w
            if seqs:
                ahead[o] = frozenset(seqs)
        if off != end:
            raise FrameLengthError(f"digest has {end - off} trailing bytes")
        return cls(epoch, water, ahead)
