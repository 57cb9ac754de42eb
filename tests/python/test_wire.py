"""atomik.wire: DeltaMessage, v1 frames, specific decode errors, and decoder fuzzing."""

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik import errors
from atomik.wire import (
    BATCH_HEADER_SIZE,
    MESSAGE_HEADER_SIZE,
    DeltaMessage,
    crc32c,
    decode,
    decode_any,
    decode_batch,
    encode,
    encode_batch,
    frame_size,
)


@st.composite
def messages(draw: st.DrawFn) -> DeltaMessage:
    w = draw(st.one_of(st.sampled_from([1, 7, 8, 16, 32, 63, 64]), st.integers(1, 300)))
    return DeltaMessage(
        origin=draw(st.integers(0, 2**32 - 1)),
        epoch=draw(st.integers(0, 2**32 - 1)),
        seq=draw(st.integers(0, 2**64 - 1)),
        addr=draw(st.integers(0, 2**32 - 1)),
        width=w,
        delta=draw(st.integers(0, (1 << w) - 1)),
    )


def reseal(body: bytes) -> bytes:
    """A frame body with a fresh, correct CRC32C (to reach the field checks)."""
    return body + struct.pack("<I", crc32c(body))


@given(messages())
def test_round_trip(m: DeltaMessage) -> None:
    f = encode(m)
    assert len(f) == frame_size(m.width) == MESSAGE_HEADER_SIZE + (m.width + 7) // 8 + 4
    assert m.encode() == f
    assert decode(f) == m
    assert decode(bytearray(f)) == m
    assert decode(memoryview(f)) == m
    assert decode_any(f) == [m]
    assert m.id == (m.origin, m.seq)


@given(st.lists(messages(), max_size=8))
def test_batch_round_trip(ms: list[DeltaMessage]) -> None:
    f = encode_batch(ms)
    assert len(f) == BATCH_HEADER_SIZE + sum(22 + (m.width + 7) // 8 for m in ms) + 4
    assert decode_batch(f) == ms
    assert list(decode_any(f)) == ms


def test_known_frame_layout() -> None:
    m = DeltaMessage(origin=1, epoch=2, seq=3, addr=4, width=12, delta=0xABC)
    f = encode(m)
    assert f[:25].hex() == "a70101" + "01000000" + "02000000" + "0300000000000000" + (
        "04000000" + "0c00"
    )
    assert f[25:27] == bytes([0xBC, 0x0A])
    assert f[27:] == struct.pack("<I", crc32c(f[:27]))
    assert crc32c(b"123456789") == 0xE3069283  # the CRC32C check value


def test_message_validation() -> None:
    with pytest.raises(errors.RangeError, match="origin"):
        DeltaMessage(2**32, 0, 0, 0, 8, 0)
    with pytest.raises(errors.RangeError, match="seq"):
        DeltaMessage(0, 0, -1, 0, 8, 0)
    with pytest.raises(errors.RangeError, match="addr"):
        DeltaMessage(0, 0, 0, 2**32, 8, 0)
    with pytest.raises(errors.RangeError, match="epoch"):
        DeltaMessage(0, 2**32, 0, 0, 8, 0)
    with pytest.raises(errors.WidthError):
        DeltaMessage(0, 0, 0, 0, 0, 0)
    with pytest.raises(errors.WidthError, match="at most 65535"):
        DeltaMessage(0, 0, 0, 0, 65536, 0)
    with pytest.raises(errors.RangeError, match="delta 0x100 does not fit width 8"):
        DeltaMessage(0, 0, 0, 0, 8, 256)
    with pytest.raises(errors.AtomikTypeError):
        DeltaMessage(True, 0, 0, 0, 8, 0)
    with pytest.raises(errors.AtomikTypeError):
        encode("not a message")  # type: ignore[arg-type]
    with pytest.raises(errors.AtomikTypeError):
        encode_batch([DeltaMessage(0, 0, 0, 0, 8, 0), 5])  # type: ignore[list-item]
    with pytest.raises(errors.AtomikTypeError):
        decode("a7")  # type: ignore[arg-type]


GOOD = DeltaMessage(origin=7, epoch=1, seq=42, addr=3, width=64, delta=0xDEADBEEF)


def test_wrong_length() -> None:
    f = encode(GOOD)
    with pytest.raises(errors.FrameLengthError, match="at least 3"):
        decode(f[:2])
    with pytest.raises(errors.FrameLengthError, match="at least 29"):
        decode(f[:20])
    with pytest.raises(errors.FrameLengthError, match="must be 37 bytes, got 36"):
        decode(f[:-1])
    with pytest.raises(errors.FrameLengthError, match="got 38"):
        decode(f + b"\0")
    b = encode_batch([GOOD, GOOD])
    with pytest.raises(errors.FrameLengthError):
        decode_batch(b[:-1])
    with pytest.raises(errors.FrameLengthError):
        decode_batch(b + b"\0")
    with pytest.raises(errors.FrameLengthError, match="at least 11"):
        decode_batch(b[:8])
    huge_count = bytearray(b)
    huge_count[3:7] = struct.pack("<I", 2**32 - 1)
    with pytest.raises(errors.FrameLengthError, match="cannot hold them"):
        decode_batch(bytes(huge_count))


def test_unknown_version_and_magic() -> None:
    f = bytearray(encode(GOOD))
    f[1] = 2
    with pytest.raises(errors.FrameVersionError, match="unknown frame version 2, expected 1"):
        decode(bytes(f))
    f[1] = 1
    f[0] = 0x00
    with pytest.raises(errors.FrameVersionError, match="magic"):
        decode(bytes(f))


def test_bad_checksum() -> None:
    f = bytearray(encode(GOOD))
    f[30] ^= 0x01
    with pytest.raises(errors.FrameChecksumError, match="CRC32C mismatch"):
        decode(bytes(f))
    b = bytearray(encode_batch([GOOD]))
    b[-1] ^= 0x80
    with pytest.raises(errors.FrameChecksumError):
        decode_batch(bytes(b))


def test_out_of_range_fields() -> None:
    body = encode(GOOD)[:-4]
    zero_width = bytearray(body[:MESSAGE_HEADER_SIZE])
    zero_width[23:25] = b"\0\0"
    with pytest.raises(errors.FrameFieldError, match="width 0"):
        decode(reseal(bytes(zero_width)))
    too_wide = bytearray(encode(DeltaMessage(0, 0, 0, 0, 12, 0xFFF))[:-4])
    too_wide[26] = 0x1F  # bit 12 set in a width-12 delta
    with pytest.raises(errors.FrameFieldError, match="does not fit width 12"):
        decode(reseal(bytes(too_wide)))
    with pytest.raises(errors.FrameFieldError, match="expected 0x01 \\(single message\\)"):
        decode(encode_batch([GOOD]))
    with pytest.raises(errors.FrameFieldError, match="expected 0x02 \\(batch\\)"):
        decode_batch(encode(GOOD))
    kind9 = bytearray(body)
    kind9[2] = 9
    with pytest.raises(errors.FrameFieldError, match="unknown"):
        decode(reseal(bytes(kind9)))
    one = encode_batch([GOOD])[:-4]
    zero_record = struct.pack("<IIQIH", 1, 0, 0, 0, 0)  # width 0, no delta bytes
    two = b"\xa7\x01\x02" + struct.pack("<I", 2) + one[BATCH_HEADER_SIZE:] + zero_record
    with pytest.raises(errors.FrameFieldError, match="batch message 1: width 0"):
        decode_batch(reseal(two))


# ------------------------------------------------------------------ fuzzing


@settings(max_examples=300)
@given(st.binary(max_size=120))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    for fn in (decode, decode_batch, decode_any):
        try:
            fn(data)
        except errors.FrameError:
            pass


@st.composite
def mutated(draw: st.DrawFn) -> tuple[list[DeltaMessage], bool, bytes]:
    batch = draw(st.booleans())
    ms = draw(st.lists(messages(), min_size=1, max_size=1 if not batch else 4))
    frame = bytearray(encode_batch(ms) if batch else encode(ms[0]))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "extend"]))
        i = draw(st.integers(0, max(len(frame) - 1, 0)))
        if op == "flip" and frame:
            frame[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and frame:
            frame[i] = draw(st.integers(0, 255))
        elif op == "insert":
            frame.insert(i, draw(st.integers(0, 255)))
        elif op == "delete" and frame:
            del frame[i]
        elif op == "truncate":
            del frame[i:]
        elif op == "extend":
            frame += draw(st.binary(min_size=1, max_size=8))
    return ms, batch, bytes(frame)


@settings(max_examples=400)
@given(mutated())
def test_fuzz_mutated_frames(case: tuple[list[DeltaMessage], bool, bytes]) -> None:
    ms, batch, frame = case
    try:
        got = decode_batch(frame) if batch else [decode(frame)]
    except errors.FrameError:
        return
    assert got == ms  # a mutation may only be accepted if it changed nothing
