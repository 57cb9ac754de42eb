"""The digest frame accepts only canonical encodings: each non-canonical kind, built field by
field with a valid CRC, is a FrameFieldError (the Lean canonicity theorem
Atomik.Wire.encodeDigest_of_decodeDigest rules them out)."""

from __future__ import annotations

import struct

import pytest

from atomik.errors import FrameFieldError, FrameLengthError
from atomik.replication.replica import Digest
from atomik.wire import crc32c


def _frame(origins: list[tuple[int, int, list[int]]], count: int | None = None,
           tail: bytes = b"") -> bytes:
    body = struct.pack("<BBBII", 0xA7, 1, 3, 9, len(origins) if count is None else count)
    for o, w, seqs in origins:
        body += struct.pack("<IqI", o, w, len(seqs)) + b"".join(struct.pack("<Q", s) for s in seqs)
    body += tail
    return body + struct.pack("<I", crc32c(body))


def test_canonical_frame_decodes_and_reencodes() -> None:
    f = _frame([(1, -1, [3]), (2, 7, [9, 12])])
    d = Digest.decode(f)
    assert d == Digest(9, {1: -1, 2: 7}, {1: {3}, 2: {9, 12}}) and d.encode() == f


@pytest.mark.parametrize("origins", [
    [(2, 0, []), (1, 0, [])],          # origins out of order
    [(1, 0, []), (1, 3, [])],          # an origin twice
    [(1, 0, [5, 5])],                  # an ahead seq twice
    [(1, 0, [6, 5])],                  # ahead seqs unsorted
    [(1, 4, [5])],                     # an ahead seq at watermark + 1
    [(1, 4, [4])],                     # an ahead seq at the watermark
    [(1, -2, [])],                     # a watermark below -1
])
def test_non_canonical_frames_are_field_errors(origins: list[tuple[int, int, list[int]]]) -> None:
    with pytest.raises(FrameFieldError):
        Digest.decode(_frame(origins))


def test_count_and_trailing_bytes_are_length_errors() -> None:
    with pytest.raises(FrameLengthError):
        Digest.decode(_frame([(1, 0, [])], count=2))
    with pytest.raises(FrameLengthError):
        Digest.decode(_frame([(1, 0, [])], tail=b"\x00"))
    with pytest.raises(FrameLengthError):
        Digest.decode(_frame([(1, 0, [])], count=0))


def test_every_constructible_digest_round_trips() -> None:
    """An ahead seq at watermark + 1 (which the canonical frame cannot carry) moves into the
    watermark: same ids covered, and the frame decodes back to the digest."""
    d = Digest(0, {1: 4}, {1: frozenset({5, 6, 9})})
    assert (dict(d.watermarks), dict(d.ahead)) == ({1: 6}, {1: frozenset({9})})
    assert all(d.covers(1, s) for s in (0, 4, 5, 6, 9)) and not d.covers(1, 7)
    assert Digest.decode(d.encode()) == d
    assert Digest(0, {}, {2: {0, 1}}) == Digest(0, {2: 1})
