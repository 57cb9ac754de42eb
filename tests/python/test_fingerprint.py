"""atomik.fingerprint: definition, incremental updates, detection and its stated limits."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import AddressError, AtomikTypeError, RangeError
from atomik.fingerprint import (
    Fingerprint,
    chunk_words,
    fingerprint,
    fingerprint_of_chunks,
    update_chunk,
)


def reference_fp(data: bytes) -> int:
    acc = 0
    for i in range(0, len(data), 8):
        acc ^= int.from_bytes(data[i : i + 8].ljust(8, b"\0"), "little")
    return acc


@given(st.binary(max_size=100))
def test_definition(data: bytes) -> None:
    assert fingerprint(data) == reference_fp(data)
    assert fingerprint(bytearray(data)) == fingerprint(memoryview(data))
    assert fingerprint_of_chunks(chunk_words(data).tolist()) == fingerprint(data)


def test_known_values() -> None:
    assert fingerprint(b"") == 0
    assert fingerprint(b"\x01") == 1
    assert fingerprint(b"\x00" * 7 + b"\x01") == 1 << 56
    assert fingerprint(bytes(range(16))) == 0x0706050403020100 ^ 0x0F0E0D0C0B0A0908


def test_unaligned_view() -> None:
    data = bytes(range(64))
    assert fingerprint(memoryview(data)[3:40]) == reference_fp(data[3:40])
    arr = np.arange(6, dtype=np.uint32)
    assert fingerprint(arr) == reference_fp(arr.tobytes())  # type: ignore[arg-type]


@given(st.binary(min_size=1, max_size=64), st.data())
def test_incremental_equals_recompute_and_detects(data: bytes, d: st.DataObject) -> None:
    fp = Fingerprint()
    assert fp.load(data) == fingerprint(data) and not fp.changed
    nchunks = (len(data) + 7) // 8
    i = d.draw(st.integers(0, nchunks - 1))
    old = data[8 * i : 8 * i + 8]
    new = d.draw(st.binary(min_size=len(old), max_size=len(old)))
    buf = data[: 8 * i] + new + data[8 * i + 8 :]
    v = fp.update_chunk(i, old, new)
    assert v == fingerprint(buf) == fp.value
    assert update_chunk(
        fingerprint(data), int.from_bytes(old, "little"), int.from_bytes(new, "little")
    ) == fingerprint(buf)
    assert fp.changed == (old != new)
    assert fp.delta == fp.reference ^ fp.value
    fp.reset()
    assert not fp.changed and fp.reference == fingerprint(buf)
    assert fp.update(data) == fingerprint(data)
    assert fp.changed == (old != new)


def test_stated_limits() -> None:
    base = bytes(32)
    flipped_twice = bytearray(base)
    flipped_twice[0] ^= 0x80
    flipped_twice[8] ^= 0x80  # the same delta in two chunks cancels
    assert fingerprint(bytes(flipped_twice)) == fingerprint(base)
    swapped = bytes(range(8, 16)) + bytes(range(8))  # chunk order is not mixed in
    assert fingerprint(swapped) == fingerprint(bytes(range(16)))
    assert fingerprint(b"\x01") == fingerprint(b"\x01\x00")  # nor is the length


def test_update_chunk_accepts_ints() -> None:
    fp = Fingerprint()
    fp.load(bytes(16))
    assert fp.update_chunk(1, 0, 5) == 5
    assert repr(fp).startswith("Fingerprint(reference=0x0000000000000000, value=0x")


def test_bad_inputs() -> None:
    fp = Fingerprint()
    with pytest.raises(AddressError, match="no buffer loaded"):
        fp.update_chunk(0, 0, 1)
    fp.load(bytes(10))
    with pytest.raises(AddressError, match="expected 0 <= index < 2"):
        fp.update_chunk(2, 0, 1)
    with pytest.raises(RangeError, match="at most 8 bytes"):
        fp.update_chunk(0, bytes(9), bytes(8))
    with pytest.raises(RangeError):
        fp.update_chunk(0, 1 << 64, 0)
    with pytest.raises(AtomikTypeError):
        fp.update_chunk(0, "a", 0)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        fp.update_chunk(0.0, 0, 0)  # type: ignore[arg-type]
    assert not fp.changed
    with pytest.raises(AtomikTypeError, match="bytes-like, got str"):
        fingerprint("abc")  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError, match="bytes-like, got int"):
        fingerprint(5)  # type: ignore[arg-type]
    with pytest.raises(RangeError, match="width 8"):
        update_chunk(0, 256, 0, width=8)
    with pytest.raises(RangeError):
        fingerprint_of_chunks([1 << 64])


def test_strided_buffer_is_read_in_order() -> None:
    arr = np.arange(20, dtype=np.uint8)[::2]  # not contiguous
    assert fingerprint(memoryview(arr)) == reference_fp(arr.tobytes())
