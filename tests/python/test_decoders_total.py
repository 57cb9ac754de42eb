"""Every decoder is total, canonical and bounded: on any buffer-like input it returns the value
whose encoding is exactly that input, or raises a documented AtomikError subclass (never a bare
TypeError or MemoryError), and it allocates no more than the input can describe."""

from __future__ import annotations

import array
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik import delta as delta_mod
from atomik.delta import SparseDelta, decode_sparse, encode_sparse
from atomik.errors import AtomikError, FrameError, FrameFieldError, FrameLengthError
from atomik.fingerprint import fingerprint
from atomik.replication.log import HEADER_SIZE, LogCorruptionError, PersistentTable
from atomik.replication.replica import Digest, Replica
from atomik.wire import DeltaMessage, crc32c, decode, decode_any, decode_batch, encode

DECODERS: list[Callable[[Any], Any]] = [
    decode,
    decode_batch,
    decode_any,
    SparseDelta.decode,
    decode_sparse,
    Digest.decode,
]


# ------------------------------------------------------------------ empty multi-dimensional buffers
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0, 2), (0,)])
@pytest.mark.parametrize("fn", DECODERS, ids=lambda f: f.__qualname__)
def test_empty_buffer_of_any_shape_is_a_length_error(
    fn: Callable[[Any], Any], shape: tuple[int, ...]
) -> None:
    """np.zeros((0, 3)) used to raise a bare TypeError from memoryview.cast."""
    with pytest.raises(FrameLengthError):
        fn(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0, 2)])
def test_fingerprint_of_an_empty_buffer_of_any_shape_is_zero(shape: tuple) -> None:
    assert fingerprint(np.zeros(shape, np.uint8)) == 0 == fingerprint(b"")


def test_a_released_view_is_a_type_error_of_atomik() -> None:
    mv = memoryview(b"abc")
    mv.release()
    for fn in DECODERS:
        with pytest.raises(AtomikError):
            fn(mv)


def test_multidimensional_and_strided_buffers_decode_as_their_bytes() -> None:
    frame = encode(DeltaMessage(origin=1, epoch=2, seq=3, addr=4, width=16, delta=0xBEEF))
    assert len(frame) == 31
    wide = np.frombuffer(frame + b"\0", np.uint8).reshape(4, 8)  # one extra byte, 2-D
    with pytest.raises(FrameLengthError):
        decode(wide)
    as_2d = np.frombuffer(frame[:30], np.uint8).reshape(5, 6)
    with pytest.raises(FrameLengthError):
        decode(as_2d)
    strided = np.frombuffer(bytes(b for x in frame for b in (x, 0)), np.uint8)[::2]
    assert decode(strided) == decode(frame)
    assert decode(array.array("B", frame)) == decode(frame)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=64), st.sampled_from(["B", "H", "I", "Q", "d"]))
def test_decoders_raise_only_atomik_errors_on_typed_buffers(blob: bytes, fmt: str) -> None:
    size = struct.calcsize(fmt)
    blob = blob[: len(blob) - len(blob) % size]
    buf = memoryview(blob).cast(fmt) if blob else memoryview(b"")
    for fn in DECODERS:
        try:
            fn(buf)
        except FrameError:
            pass


# ------------------------------------------------------------------ sparse delta bomb
def test_sparse_bomb_is_refused_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    """8 bytes declaring a 4 GiB state used to make decode_sparse allocate 4 GiB."""
    bomb = struct.pack("<II", 0xFFFFFFFF, 0)

    def no_alloc(self: SparseDelta) -> bytes:
        raise AssertionError("to_dense must not run for a state above max_length")

    monkeypatch.setattr(SparseDelta, "to_dense", no_alloc)
    with pytest.raises(FrameLengthError, match="max_length"):
        decode_sparse(bomb)
    assert SparseDelta.decode(bomb).length == 0xFFFFFFFF  # the sparse form itself is tiny


def test_sparse_bound_is_configurable() -> None:
    dense = bytes(range(1, 101))
    blob = encode_sparse(dense)
    assert decode_sparse(blob, max_length=100) == dense
    with pytest.raises(FrameLengthError):
        decode_sparse(blob, max_length=99)
    assert delta_mod.MAX_DENSE_BYTES >= 1 << 20


# ------------------------------------------------------------------ digest canonicity
def _digest_frame(epoch: int, origins: list[tuple[int, int, list[int]]]) -> bytes:
    body = struct.pack("<BBBII", 0xA7, 1, 0x03, epoch, len(origins))
    for o, w, seqs in origins:
        body += struct.pack("<IqI", o, w, len(seqs)) + b"".join(struct.pack("<Q", s) for s in seqs)
    return body + struct.pack("<I", crc32c(body))


def test_digest_canonical_frame_decodes() -> None:
    blob = _digest_frame(3, [(1, 5, [7, 9]), (4, -1, [2])])
    d = Digest.decode(blob)
    assert d.encode() == blob


@pytest.mark.parametrize(
    "origins",
    [
        [(4, 5, []), (1, 5, [])],  # origins out of order
        [(4, 5, []), (4, 6, [])],  # origin listed twice
        [(1, 5, [9, 7])],  # ahead seqs unsorted
        [(1, 5, [7, 7])],  # duplicate ahead seq
        [(1, 5, [6])],  # ahead seq == watermark + 1: the watermark would have moved
        [(1, -1, [0])],
        [(1, 5, [5])],
        [(1, -2, [])],
    ],
)
def test_digest_non_canonical_frames_are_field_errors(origins: list) -> None:
    """CRC-valid digests that encode() never writes used to be accepted."""
    with pytest.raises(FrameFieldError):
        Digest.decode(_digest_frame(0, origins))


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=80))
def test_digest_decode_is_canonical_on_resealed_bytes(blob: bytes) -> None:
    """Any body with a valid CRC: decoded only if it is exactly what encode writes."""
    frame = bytes([0xA7, 1, 3]) + blob
    frame += struct.pack("<I", crc32c(frame))
    try:
        d = Digest.decode(frame)
    except FrameError:
        return
    assert d.encode() == frame


# ------------------------------------------------------------------ log header and snapshot
W, N = 16, 4


def _log_with_snapshot(path: Path) -> None:
    with PersistentTable(path, N, W, replica_id=1) as t:
        t.put(0, 0x1111)
        t.put(2, 0x2222)
        t.compact()


def _reseal_header(data: bytearray) -> None:
    data[HEADER_SIZE - 4 : HEADER_SIZE] = struct.pack("<I", crc32c(bytes(data[: HEADER_SIZE - 4])))


def test_log_header_flags_must_be_zero(tmp_path: Path) -> None:
    """A CRC-valid header with a non-zero flags byte used to be accepted."""
    p = tmp_path / "a.log"
    _log_with_snapshot(p)
    data = bytearray(p.read_bytes())
    assert data[9] == 0
    data[9] = 0x01
    _reseal_header(data)
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorruptionError, match="flags"):
        PersistentTable(p, N, W, replica_id=1)


def _snapshot_block(path: Path) -> tuple[bytearray, int, int]:
    data = bytearray(path.read_bytes())
    (snap_len,) = struct.unpack_from("<Q", data, HEADER_SIZE - 12)
    return data, HEADER_SIZE, HEADER_SIZE + snap_len


def _rewrite_snapshot(path: Path, data: bytearray, start: int, end: int, block: bytes) -> None:
    sealed = block + struct.pack("<I", crc32c(block))
    out = data[:start] + sealed + data[end:]
    struct.pack_into("<Q", out, HEADER_SIZE - 12, len(sealed))
    _reseal_header(out)
    path.write_bytes(bytes(out))


def test_log_snapshot_listing_an_address_twice_is_refused(tmp_path: Path) -> None:
    """A CRC-valid snapshot naming one address twice used to be loaded (the second entry won,
    after accumulating into the first)."""
    p = tmp_path / "a.log"
    _log_with_snapshot(p)
    data, start, end = _snapshot_block(p)
    block = bytes(data[start : end - 4])
    next_seq, count = struct.unpack_from("<QI", block, 0)
    assert count == 2
    entry = 4 + 2 * 2
    entries = block[12 : 12 + count * entry]
    first = entries[:entry]
    twice = struct.pack("<QI", next_seq, 3) + entries + first + block[12 + count * entry :]
    _rewrite_snapshot(p, data, start, end, twice)
    with pytest.raises(LogCorruptionError, match="not increasing"):
        PersistentTable(p, N, W, replica_id=1)
    tail = block[12 + 2 * entry :]
    swapped = struct.pack("<QI", next_seq, 2) + entries[entry:] + entries[:entry] + tail
    _rewrite_snapshot(p, data, start, end, swapped)
    with pytest.raises(LogCorruptionError, match="not increasing"):
        PersistentTable(p, N, W, replica_id=1)


def test_log_snapshot_rewritten_canonically_still_loads(tmp_path: Path) -> None:
    """The test's own rewriting is sound: the unchanged block, resealed, loads."""
    p = tmp_path / "a.log"
    _log_with_snapshot(p)
    data, start, end = _snapshot_block(p)
    _rewrite_snapshot(p, data, start, end, bytes(data[start : end - 4]))
    with PersistentTable(p, N, W, replica_id=1) as t:
        assert t.read_all() == [0x1111, 0, 0x2222, 0]


def test_replica_digest_roundtrip_is_canonical() -> None:
    a = Replica(1, N, W)
    b = Replica(2, N, W)
    ms = [a.put(i % N, i + 1) for i in range(5)]
    b.receive_all([ms[0], ms[3], ms[4]])
    d = b.digest()
    assert Digest.decode(d.encode()) == d
