"""Hand-written checks for ``Atomik.Wire``: the word and byte encodings of wide values, the v1
single-message frame (round trip, canonicity, size, each error), held against the real codec.

Frames are built three ways: by ``encode`` (round trip), field by field with ``struct`` (raw
records that break one range rule while keeping a valid CRC), and byte by byte by Hypothesis
starting from a real frame and editing it (a flipped bit, a changed width field, a resealed CRC),
so that inputs one step away from canonical reach the decoder on purpose.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from hypothesis import strategies as st

from atomik import delta as D
from atomik._check import check_rows_fit, int_to_words, words_for, words_to_int
from atomik.conformance.registry import checks
from atomik.errors import (
    FrameChecksumError,
    FrameError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
    RangeError,
)
from atomik.wire import (
    _FIELDS,
    _WIDTH_OFFSET,
    DeltaMessage,
    _delta_bytes,
    _parse_record,
    _record,
    crc32c,
    decode,
    decode_batch,
    encode,
    encode_batch,
    frame_size,
)

#: Widths that reach every word-boundary case: one bit, just under/at/over one and two words,
#: and large multi-word states.
WIDE = (1, 7, 8, 63, 64, 65, 127, 128, 129, 1000, 4096)
FRAME_WIDTHS = (1, 7, 8, 9, 13, 16, 63, 64, 65, 128, 129, 200, 1000)


def _value(data: Any, width: int, label: str = "x") -> int:
    top = (1 << width) - 1
    return data.draw(
        st.one_of(st.integers(0, top), st.sampled_from([0, top, 1 << (width - 1)])), label=label
    )


def _width(data: Any, widths: tuple[int, ...] = WIDE) -> int:
    return data.draw(st.one_of(st.sampled_from(widths), st.integers(1, 300)), label="width")


def _message(data: Any) -> DeltaMessage:
    w = _width(data, FRAME_WIDTHS)
    return DeltaMessage(
        origin=data.draw(st.integers(0, 2**32 - 1), label="origin"),
        epoch=data.draw(st.integers(0, 2**32 - 1), label="epoch"),
        seq=data.draw(st.integers(0, 2**64 - 1), label="seq"),
        addr=data.draw(st.integers(0, 2**32 - 1), label="addr"),
        width=w,
        delta=_value(data, w, "delta"),
    )


def _seal(body: bytes) -> bytes:
    return body + struct.pack("<I", crc32c(body))


def _raw_frame(data: Any) -> tuple[bytes, int, int]:
    """A CRC-valid frame from fields that fit their bytes but may break a range rule: width 0,
    or a delta with bits at or above its width (returns the frame, width, delta)."""
    w = data.draw(st.one_of(st.sampled_from([0, 1, 7, 8, 9, 64, 65]), st.integers(0, 200)),
                  label="raw width")
    nb = _delta_bytes(w)
    d = data.draw(st.one_of(st.integers(0, (1 << (8 * nb)) - 1), st.just((1 << (8 * nb)) - 1)),
                  label="raw delta")
    head = bytes([0xA7, 1, 1]) + _FIELDS.pack(1, 2, 3, 4, w)
    return _seal(head + d.to_bytes(nb, "little")), w, d


# ------------------------------------------------------------------ little-endian digits, words
@checks("Atomik.Wire.length_toLE")
def words_have_the_requested_count(data: Any) -> None:
    """int_to_words(n, k) has k words whatever n is."""
    k = data.draw(st.integers(0, 70), label="k")
    n = data.draw(st.integers(0, 2 ** (64 * 70)), label="n")
    assert len(int_to_words(n, k)) == k


@checks("Atomik.Wire.ofLE_toLE")
def words_read_back_modulo(data: Any) -> None:
    """words_to_int(int_to_words(n, k)) is n modulo 2^(64k): high words are dropped, not kept."""
    k = data.draw(st.integers(0, 6), label="k")
    n = data.draw(st.integers(0, 2 ** (64 * 8)), label="n")
    left, right = words_to_int(int_to_words(n, k)), n % (1 << (64 * k))
    assert left == right, (left, right)


@checks("Atomik.Wire.ofLE_toLE_of_lt")
def words_read_back_exactly(data: Any) -> None:
    """A number below 2^(64k) survives int_to_words then words_to_int."""
    k = data.draw(st.integers(0, 8), label="k")
    n = data.draw(st.integers(0, max(0, (1 << (64 * k)) - 1)), label="n")
    assert words_to_int(int_to_words(n, k)) == n


@checks("Atomik.Wire.ofLE_lt")
def words_value_is_bounded(data: Any) -> None:
    """k words denote a number below 2^(64k)."""
    ws = data.draw(st.lists(st.integers(0, 2**64 - 1), max_size=8), label="words")
    assert words_to_int(np.array(ws, dtype=np.uint64)) < 1 << (64 * len(ws))


@checks("Atomik.Wire.toLE_ofLE")
def words_are_canonical(data: Any) -> None:
    """Writing the value of k words as k words gives the same words back."""
    ws = data.draw(st.lists(st.integers(0, 2**64 - 1), max_size=8), label="words")
    back = int_to_words(words_to_int(ws), len(ws)).tolist()
    assert back == ws, (back, ws)


@checks("Atomik.Wire.toLE_xor")
def words_of_xor_are_xor_of_words(data: Any) -> None:
    """int_to_words(m ^ n) is the word-wise XOR (atomik.delta.compose on uint64 arrays)."""
    k = data.draw(st.integers(0, 6), label="k")
    m, n = (data.draw(st.integers(0, 2 ** (64 * 7)), label=s) for s in "mn")
    left = int_to_words(m ^ n, k).tolist()
    right = D.compose(int_to_words(m, k), int_to_words(n, k)).tolist()
    assert left == right, (left, right)


@checks("Atomik.Wire.two_pow_le_words")
@checks("Atomik.Wire.length_toWords")
def words_for_holds_the_width(data: Any) -> None:
    """words_for(w) words hold w bits, and int_to_words of a w-bit value has words_for(w) words."""
    w = _width(data)
    x = _value(data, w)
    assert 64 * words_for(w) >= w and 64 * (words_for(w) - 1) < w
    assert len(int_to_words(x, words_for(w))) == words_for(w)


@checks("Atomik.Wire.ofLE_toWords")
@checks("Atomik.Wire.ofWords_toWords")
def wide_values_round_trip_through_rows(data: Any) -> None:
    """A w-bit value as a (1, words_for(w)) row passes check_rows_fit and reads back."""
    w = _width(data)
    x = _value(data, w)
    row = int_to_words(x, words_for(w)).reshape(1, -1)
    check_rows_fit(row, w, "row")
    assert words_to_int(row[0]) == x


@checks("Atomik.Wire.toWords_of_ofWords")
def rows_accepted_are_canonical(data: Any) -> None:
    """A row check_rows_fit accepts is exactly int_to_words of its value; rows with a bit above
    the width in the top word (drawn on purpose) are refused."""
    w = _width(data)
    nw = words_for(w)
    ws = [data.draw(st.integers(0, 2**64 - 1), label=f"w{i}") for i in range(nw)]
    if data.draw(st.booleans(), label="masked"):
        ws[-1] &= (1 << (w - 64 * (nw - 1))) - 1
    row = np.array([ws], dtype=np.uint64)
    try:
        check_rows_fit(row, w, "row")
    except RangeError:
        assert words_to_int(ws) >> w, ws
        return
    assert int_to_words(words_to_int(ws), nw).tolist() == ws
    assert words_to_int(ws) < 1 << w


@checks("Atomik.Wire.toWords_xor")
def compose_on_word_arrays_is_bitvector_xor(data: Any) -> None:
    """atomik.delta.compose on the words of x and y gives the words of x ^ y, at every width."""
    w = _width(data)
    x, y = _value(data, w, "x"), _value(data, w, "y")
    nw = words_for(w)
    left = D.compose(int_to_words(x, nw), int_to_words(y, nw)).tolist()
    assert left == int_to_words(x ^ y, nw).tolist(), (left, x ^ y)


@checks("Atomik.Wire.length_toBytes")
@checks("Atomik.Wire.two_pow_le_bytes")
def delta_bytes_hold_the_width(data: Any) -> None:
    """A w-bit delta travels as _delta_bytes(w) = ceil(w/8) bytes, enough for every bit."""
    w = _width(data)
    x = _value(data, w)
    nb = _delta_bytes(w)
    assert 8 * nb >= w > 8 * (nb - 1)
    assert len(x.to_bytes(nb, "little")) == nb


@checks("Atomik.Wire.ofBytes_toBytes")
@checks("Atomik.Wire.toBytes_of_ofBytes")
def delta_bytes_accepted_are_canonical(data: Any) -> None:
    """The decoder accepts delta bytes exactly when they hold a value below 2^width, and then
    they are that value's bytes (raw frames with bits above the width drawn on purpose)."""
    frame, w, d = _raw_frame(data)
    try:
        m = decode(frame)
    except FrameFieldError:
        assert w == 0 or d >> w
        return
    assert m.width == w and m.delta == d and d < 1 << w, (w, d)
    assert d.to_bytes(_delta_bytes(w), "little") == frame[25:-4]


@checks("Atomik.Wire.toBytes_xor")
def compose_on_bytes_is_bitvector_xor(data: Any) -> None:
    """atomik.delta.compose on the bytes of x and y gives the bytes of x ^ y."""
    w = _width(data)
    x, y = _value(data, w, "x"), _value(data, w, "y")
    nb = _delta_bytes(w)
    left = D.compose(x.to_bytes(nb, "little"), y.to_bytes(nb, "little"))
    assert left == (x ^ y).to_bytes(nb, "little")


# ------------------------------------------------------------------ fields and records
@checks("Atomik.Wire.readLE_toLE_append")
@checks("Atomik.Wire.readLE_split")
@checks("Atomik.Wire.length_readLE_snd")
def fixed_fields_read_back(data: Any) -> None:
    """The record's struct reads back what it packs, at its offset, from any longer buffer."""
    vals = [data.draw(st.integers(0, 2**b - 1), label=f"f{b}") for b in (32, 32, 64, 32, 16)]
    rest = data.draw(st.binary(max_size=20), label="rest")
    buf = _FIELDS.pack(*vals) + rest
    assert list(_FIELDS.unpack_from(buf, 0)) == vals
    assert buf[_FIELDS.size :] == rest and _FIELDS.pack(*_FIELDS.unpack_from(buf, 0)) == buf[:22]


@checks("Atomik.Wire.length_record")
@checks("Atomik.Wire.Msg.Valid.fits")
def record_size(data: Any) -> None:
    """A record is 22 bytes plus ceil(width/8) delta bytes."""
    m = _message(data)
    assert len(_record(m)) == 22 + _delta_bytes(m.width)


@checks("Atomik.Wire.parseRecord_record")
@checks("Atomik.Wire.width_parseRecord")
@checks("Atomik.Wire.length_parseRecord_snd")
def records_parse_back_from_a_batch(data: Any) -> None:
    """Records back to back in a batch parse back one by one: each record ends where the next
    begins, and the width sits at offset 20 of its record."""
    ms = [_message(data) for _ in range(data.draw(st.integers(1, 4), label="count"))]
    frame = encode_batch(ms)
    assert decode_batch(frame) == ms
    off = 7
    for m in ms:
        rec = _record(m)
        assert frame[off : off + len(rec)] == rec
        assert struct.unpack_from("<H", frame, off + _WIDTH_OFFSET)[0] == m.width
        assert _parse_record(memoryview(frame), off, "") == m
        off += len(rec)
    assert off == len(frame) - 4


@checks("Atomik.Wire.record_parseRecord")
def parsed_records_are_canonical(data: Any) -> None:
    """Bytes the record parser accepts are exactly the record of what it returns."""
    frame, w, _ = _raw_frame(data)
    body = memoryview(frame)
    try:
        m = _parse_record(body, 3, "")
    except FrameFieldError:
        return
    assert _record(m) == bytes(body[3 : 3 + 22 + _delta_bytes(w)])


# ------------------------------------------------------------------ single-message frame
@checks("Atomik.Wire.length_encode")
def frame_size_is_exact(data: Any) -> None:
    """len(encode(m)) == frame_size(m.width) == 29 + ceil(width/8)."""
    m = _message(data)
    assert len(encode(m)) == frame_size(m.width) == 29 + _delta_bytes(m.width)


@checks("Atomik.Wire.decode_encode")
def decode_inverts_encode(data: Any) -> None:
    """decode(encode(m)) == m, from bytes, bytearray and memoryview."""
    m = _message(data)
    f = encode(m)
    assert decode(f) == m == decode(bytearray(f)) == decode(memoryview(f))


@checks("Atomik.Wire.decode_encode_eq_checkMsg")
@checks("Atomik.Wire.decode_encode_field")
def raw_frames_fail_only_on_field_ranges(data: Any) -> None:
    """A CRC-valid frame from fitting fields decodes unless width is 0 or the delta has bits at
    or above the width, and then it is a field error."""
    frame, w, d = _raw_frame(data)
    bad = w == 0 or d >> w != 0
    try:
        m = decode(frame)
    except FrameFieldError:
        assert bad
        return
    assert not bad and (m.width, m.delta) == (w, d)


def _near_canonical(data: Any) -> bytes:
    """A frame one edit away from a real one: a flipped bit, a changed width field, a cut or
    extended frame, any of them resealed with a correct CRC or not."""
    f = bytearray(encode(_message(data)))
    kind = data.draw(st.sampled_from(["bit", "width", "cut", "extend", "byte", "none"]),
                     label="edit")
    if kind == "bit":
        i = data.draw(st.integers(0, len(f) - 1), label="at")
        f[i] ^= 1 << data.draw(st.integers(0, 7), label="bit")
    elif kind == "width":
        struct.pack_into("<H", f, 23, data.draw(st.integers(0, 2**16 - 1), label="w"))
    elif kind == "cut":
        del f[data.draw(st.integers(0, len(f) - 1), label="cut") :]
    elif kind == "extend":
        f += data.draw(st.binary(min_size=1, max_size=9), label="extra")
    elif kind == "byte":
        f[data.draw(st.integers(0, len(f) - 1), label="at")] = data.draw(
            st.integers(0, 255), label="value")
    if len(f) >= 4 and data.draw(st.booleans(), label="reseal"):
        f[-4:] = struct.pack("<I", crc32c(bytes(f[:-4])))
    return bytes(f)


@checks("Atomik.Wire.encode_of_decode")
def accepted_frames_are_canonical(data: Any) -> None:
    """Whatever bytes decode accepts are exactly encode of the result (near-canonical inputs)."""
    f = _near_canonical(data)
    try:
        m = decode(f)
    except FrameError:
        return
    assert encode(m) == f, (f.hex(), m)


@checks("Atomik.Wire.decode_encode_append")
def trailing_bytes_are_a_length_error(data: Any) -> None:
    """A frame followed by any bytes is a length error."""
    f = encode(_message(data)) + data.draw(st.binary(min_size=1, max_size=40), label="extra")
    try:
        decode(f)
    except FrameLengthError:
        return
    raise AssertionError("a frame with trailing bytes was accepted")


@checks("Atomik.Wire.decode_take_encode")
def truncated_frames_are_a_length_error(data: Any) -> None:
    """Every proper prefix of a frame is a length error."""
    f = encode(_message(data))
    n = data.draw(st.integers(0, len(f) - 1), label="n")
    try:
        decode(f[:n])
    except FrameLengthError:
        return
    raise AssertionError(f"a {n}-byte prefix of a {len(f)}-byte frame was not a length error")


@checks("Atomik.Wire.decode_bad_magic")
@checks("Atomik.Wire.decode_bad_version")
def wrong_magic_or_version_is_a_version_error(data: Any) -> None:
    """Any other magic or version byte is a version error (CRC resealed or not)."""
    f = bytearray(encode(_message(data)))
    i = data.draw(st.sampled_from([0, 1]), label="which")
    f[i] = data.draw(st.integers(0, 255).filter(lambda b: b != (0xA7, 1)[i]), label="byte")
    if data.draw(st.booleans(), label="reseal"):
        f[-4:] = struct.pack("<I", crc32c(bytes(f[:-4])))
    try:
        decode(bytes(f))
    except FrameVersionError:
        return
    raise AssertionError("a wrong magic/version byte was not a version error")


@checks("Atomik.Wire.decode_bad_kind")
def wrong_kind_is_a_field_error(data: Any) -> None:
    """Any kind byte but 0x01 in a single-message frame is a field error."""
    f = bytearray(encode(_message(data)))
    f[2] = data.draw(st.integers(0, 255).filter(lambda b: b != 1), label="kind")
    try:
        decode(bytes(f))
    except FrameFieldError:
        return
    raise AssertionError("a wrong kind byte was not a field error")


@checks("Atomik.Wire.decode_bad_checksum")
def wrong_crc_is_a_checksum_error(data: Any) -> None:
    """Any 4-byte trailer but the CRC32C of the frame is a checksum error."""
    f = encode(_message(data))
    c = data.draw(st.binary(min_size=4, max_size=4).filter(lambda c: c != f[-4:]), label="crc")
    try:
        decode(f[:-4] + c)
    except FrameChecksumError:
        return
    raise AssertionError("a wrong CRC32C was not a checksum error")


# ------------------------------------------------------------ strategies named in spec/symbols.toml
def wire_messages(width: int) -> st.SearchStrategy[DeltaMessage]:
    """``Atomik.Wire.Msg``: a valid message of any frame width (the drawn width is unused)."""
    return st.builds(
        DeltaMessage,
        origin=st.integers(0, 2**32 - 1),
        epoch=st.integers(0, 2**32 - 1),
        seq=st.integers(0, 2**64 - 1),
        addr=st.integers(0, 2**32 - 1),
        width=st.just(max(1, width)),
        delta=st.integers(0, (1 << max(1, width)) - 1),
    )


def wire_bytes(width: int) -> st.SearchStrategy[bytes]:
    """``Atomik.Wire.Bytes``: any byte string (the drawn width is unused)."""
    return st.binary(max_size=64)


# ------------------------------------------------------------------ batch frame
def _messages(data: Any, max_size: int = 4) -> list[DeltaMessage]:
    return [_message(data) for _ in range(data.draw(st.integers(0, max_size), label="count"))]


@checks("Atomik.Wire.decodeBatch_encodeBatch")
def batch_decode_inverts_encode(data: Any) -> None:
    """decode_batch(encode_batch(ms)) == ms, in order, for 0..4 messages of mixed widths."""
    ms = _messages(data)
    assert decode_batch(encode_batch(ms)) == ms


@checks("Atomik.Wire.length_encodeBatch")
@checks("Atomik.Wire.length_records")
def batch_size_is_exact(data: Any) -> None:
    """A batch frame is 11 bytes plus its records, each at least 22 bytes."""
    ms = _messages(data)
    recs = b"".join(_record(m) for m in ms)
    assert len(encode_batch(ms)) == 11 + len(recs) and len(recs) >= 22 * len(ms)


@checks("Atomik.Wire.walk_records")
def batch_records_are_found_by_their_widths(data: Any) -> None:
    """The decoder finds each record's end from its width field: a batch whose count says one
    record more or less than it holds (CRC resealed) is a length error."""
    ms = _messages(data)
    f = bytearray(encode_batch(ms))
    delta = data.draw(st.sampled_from([-1, 1]), label="off by")
    if len(ms) + delta < 0:
        delta = 1
    struct.pack_into("<I", f, 3, len(ms) + delta)
    f[-4:] = struct.pack("<I", crc32c(bytes(f[:-4])))
    try:
        decode_batch(bytes(f))
    except FrameLengthError:
        return
    raise AssertionError("a batch with a wrong count was accepted")


@checks("Atomik.Wire.checkAll_records")
def batch_field_errors_come_after_the_crc(data: Any) -> None:
    """Records of valid messages pass the range checks; one raw record with width 0 or a delta
    above its width (CRC valid) makes the whole batch a field error."""
    ms = _messages(data, 3)
    frame, w, d = _raw_frame(data)
    raw = frame[3:-4]
    i = data.draw(st.integers(0, len(ms)), label="at")
    recs = [_record(m) for m in ms]
    recs.insert(i, raw)
    body = bytes([0xA7, 1, 2]) + struct.pack("<I", len(recs)) + b"".join(recs)
    try:
        got = decode_batch(_seal(body))
    except FrameFieldError:
        assert w == 0 or d >> w
        return
    assert not (w == 0 or d >> w) and len(got) == len(ms) + 1 and got[:i] == ms[:i]


def _near_canonical_batch(data: Any) -> bytes:
    """A batch frame one edit away from a real one: a flipped bit, a record's width field
    changed, the count off by one, a cut or extended frame; resealed with a correct CRC most of
    the time."""
    ms = _messages(data)
    f = bytearray(encode_batch(ms))
    kind = data.draw(st.sampled_from(["none", "none", "bit", "width", "count", "cut", "extend",
                                      "byte"]), label="edit")
    if kind == "bit":
        i = data.draw(st.integers(0, len(f) - 1), label="at")
        f[i] ^= 1 << data.draw(st.integers(0, 7), label="bit")
    elif kind == "width" and ms:
        i = data.draw(st.integers(0, len(ms) - 1), label="record")
        off = 7 + sum(len(_record(m)) for m in ms[:i])
        struct.pack_into("<H", f, off + _WIDTH_OFFSET,
                         data.draw(st.integers(0, 2**16 - 1), label="w"))
    elif kind == "count":
        struct.pack_into("<I", f, 3, max(0, len(ms) + data.draw(st.sampled_from([-1, 1]),
                                                                label="off by")))
    elif kind == "cut":
        del f[data.draw(st.integers(0, len(f) - 1), label="cut"):]
    elif kind == "extend":
        f += data.draw(st.binary(min_size=1, max_size=30), label="extra")
    elif kind == "byte":
        f[data.draw(st.integers(0, len(f) - 1), label="at")] = data.draw(
            st.integers(0, 255), label="value")
    if len(f) >= 4 and data.draw(st.integers(0, 9), label="keep crc") != 7:
        f[-4:] = struct.pack("<I", crc32c(bytes(f[:-4])))
    return bytes(f)


@checks("Atomik.Wire.encodeBatch_of_decodeBatch")
@checks("Atomik.Wire.walk_some")
@checks("Atomik.Wire.records_of_checkAll")
@checks("Atomik.Wire.checkMsg_eq_ok")
@checks("Atomik.Wire.record_parseRecord_exact")
def accepted_batches_are_canonical(data: Any) -> None:
    """Whatever bytes decode_batch accepts are exactly encode_batch of the result (inputs one
    edit away from a real batch frame)."""
    f = _near_canonical_batch(data)
    try:
        ms = decode_batch(f)
    except FrameError:
        return
    assert encode_batch(ms) == f, (f.hex(), ms)


@checks("Atomik.Wire.decodeBatch_bad_checksum")
def batch_with_wrong_crc_is_a_checksum_error(data: Any) -> None:
    """Any 4-byte trailer but the CRC32C of a batch frame is a checksum error."""
    f = encode_batch(_messages(data))
    c = data.draw(st.one_of(st.binary(min_size=4, max_size=4), st.builds(
        lambda b: f[-4:-1] + bytes([f[-1] ^ b]), st.integers(1, 255))).filter(
        lambda c: c != f[-4:]), label="crc")
    try:
        decode_batch(f[:-4] + c)
    except FrameChecksumError:
        return
    raise AssertionError("a batch with a wrong CRC32C was not a checksum error")


@checks("Atomik.Wire.decodeBatch_bad_magic")
@checks("Atomik.Wire.decodeBatch_bad_version")
def batch_with_wrong_magic_or_version_is_a_version_error(data: Any) -> None:
    """Any other magic or version byte in a batch frame is a version error (resealed or not)."""
    f = bytearray(encode_batch(_messages(data)))
    i = data.draw(st.sampled_from([0, 1]), label="which")
    f[i] = data.draw(st.integers(0, 255).filter(lambda b: b != (0xA7, 1)[i]), label="byte")
    if data.draw(st.booleans(), label="reseal"):
        f[-4:] = struct.pack("<I", crc32c(bytes(f[:-4])))
    try:
        decode_batch(bytes(f))
    except FrameVersionError:
        return
    raise AssertionError("a batch with a wrong magic/version byte was not a version error")


@checks("Atomik.Wire.decodeBatch_bad_kind")
def batch_with_wrong_kind_is_a_field_error(data: Any) -> None:
    """Any kind byte but 0x02 (a single message's or a digest's among them) in a batch frame is
    a field error."""
    f = bytearray(encode_batch(_messages(data)))
    f[2] = data.draw(st.one_of(st.sampled_from([1, 3]), st.integers(0, 255)).filter(
        lambda b: b != 2), label="kind")
    try:
        decode_batch(bytes(f))
    except FrameFieldError:
        return
    raise AssertionError("a batch with a wrong kind byte was not a field error")


@checks("Atomik.Wire.decodeBatch_short")
def short_batches_are_a_length_error(data: Any) -> None:
    """A batch prefix followed by fewer than 8 bytes (no room for the count and the CRC) is a
    length error."""
    rest = data.draw(st.binary(max_size=7), label="rest")
    try:
        decode_batch(bytes([0xA7, 1, 2]) + rest)
    except FrameLengthError:
        return
    raise AssertionError(f"a {3 + len(rest)}-byte batch was not a length error")
