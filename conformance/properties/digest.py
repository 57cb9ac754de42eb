"""Hand-written checks for the digest frame of ``Atomik.Wire`` (``Digest``, ``encodeDigest``,
``decodeDigest``, ``parseOrigins``), held against ``atomik.replication.replica.Digest``'s
``encode`` and ``decode``.

The model's digest is its origins in frame order, ``(origin, watermark + 1, ahead seqs)``.
Digests are drawn valid by construction (origins, watermarks and seqs at their field edges: origin
0 and ``2^32 - 1``, watermark -1 and ``2^63 - 1``, seq ``2^64 - 1``, ahead seqs from watermark + 2
on), and frames are also built field by field with ``struct`` from origin lists one edit away
from canonical (two origins swapped or equal, a seq repeated, seqs unsorted, a seq at watermark + 1
or at the watermark, a watermark below -1, a count or seq count off by one, bytes cut or added),
resealed with a correct CRC or not, so that the decoder's every check is reached on purpose.
"""

from __future__ import annotations

import struct
from typing import Any

from hypothesis import strategies as st

from atomik.conformance.registry import checks
from atomik.errors import (
    FrameChecksumError,
    FrameError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
)
from atomik.replication.replica import Digest
from atomik.wire import crc32c

WIRE = "Atomik.Wire."
_HEAD = struct.Struct("<BBBII")
_ORIGIN = struct.Struct("<IqI")
_U64 = struct.Struct("<Q")
_CRC = struct.Struct("<I")
U32 = 2**32 - 1
U64 = 2**64 - 1
I63 = 2**63 - 1

#: An origin as the frame carries it: (origin, watermark, ahead seqs in frame order).
Origin = tuple[int, int, list[int]]


def _seal(body: bytes) -> bytes:
    return body + _CRC.pack(crc32c(body))


def _body(epoch: int, origins: list[Origin], count: int | None = None) -> bytes:
    """The frame before its CRC, field by field (any field values that fit their struct)."""
    parts = [_HEAD.pack(0xA7, 1, 3, epoch, len(origins) if count is None else count)]
    for o, w, seqs in origins:
        parts.append(_ORIGIN.pack(o, w, len(seqs)))
        parts += [_U64.pack(s) for s in seqs]
    return b"".join(parts)


def _epoch(data: Any) -> int:
    return data.draw(st.one_of(st.integers(0, U32), st.sampled_from([0, U32])), label="epoch")


def _origins(data: Any, max_size: int = 4) -> list[Origin]:
    """Canonical origins: strictly increasing (the edges 0 and 2^32 - 1 often among them),
    watermarks in [-1, 2^63 - 1], ahead seqs strictly increasing from watermark + 2 on."""
    ids = sorted(data.draw(st.sets(st.one_of(st.integers(0, U32), st.sampled_from([0, 1, U32])),
                                   max_size=max_size), label="origins"))
    out = []
    for o in ids:
        w = data.draw(st.one_of(st.integers(-1, 40), st.integers(-1, I63),
                                st.sampled_from([-1, 0, I63 - 1, I63])), label=f"watermark {o}")
        seqs = data.draw(st.sets(st.one_of(st.integers(w + 2, min(w + 30, U64)),
                                           st.integers(w + 2, U64), st.sampled_from([w + 2, U64])),
                                 max_size=4), label=f"ahead {o}")
        out.append((o, w, sorted(seqs)))
    return out


def _digest(epoch: int, origins: list[Origin]) -> Digest:
    return Digest(epoch, {o: w for o, w, _ in origins},
                  {o: frozenset(s) for o, _, s in origins if s})


def _as_origins(d: Digest) -> list[Origin]:
    """The model's view of a Python digest: its origins in frame order."""
    return [(o, d.watermarks[o], sorted(d.ahead.get(o, ()))) for o in sorted(d.watermarks)]


def _canonical(origins: list[Origin]) -> bool:
    """``originsOk 0``: origins strictly increasing, watermark >= -1, each origin's seqs strictly
    increasing and above watermark + 1."""
    prev = -1
    for o, w, seqs in origins:
        if o <= prev or w < -1:
            return False
        low = w + 1
        for s in seqs:
            if s <= low:
                return False
            low = s
        prev = o
    return True


#: The edits that break one of the decoder's field checks while keeping every field in range.
FIELD_EDITS = ("swap origins", "equal origins", "repeat seq", "unsort seqs", "seq at mark",
               "seq at watermark", "watermark below -1")


def _field_edit(data: Any, origins: list[Origin]) -> tuple[list[Origin], str]:
    """``origins`` with one planted violation of ``originsOk`` (which one is returned); falls
    back to a watermark below -1 when the origins are too few for the drawn edit."""
    es = [(o, w, list(s)) for o, w, s in origins] or [(data.draw(st.integers(0, U32),
                                                                 label="origin"), -1, [])]
    kind = data.draw(st.sampled_from(FIELD_EDITS), label="field edit")
    i = data.draw(st.integers(0, len(es) - 1), label="at")
    o, w, seqs = es[i]
    if kind in ("swap origins", "equal origins") and len(es) >= 2:
        j = min(i, len(es) - 2)
        if kind == "swap origins":
            es[j], es[j + 1] = es[j + 1], es[j]
        else:
            es[j + 1] = (es[j][0], *es[j + 1][1:])
    elif kind == "repeat seq" and seqs:
        k = data.draw(st.integers(0, len(seqs) - 1), label="seq")
        es[i] = (o, w, [*seqs[: k + 1], seqs[k], *seqs[k + 1:]])
    elif kind == "unsort seqs" and len(seqs) >= 2:
        es[i] = (o, w, seqs[::-1])
    elif kind == "seq at mark":
        es[i] = (o, w, [w + 1, *seqs])
    elif kind == "seq at watermark" and w >= 0:
        es[i] = (o, w, [w, *seqs])
    else:
        kind = "watermark below -1"
        es[i] = (o, data.draw(st.one_of(st.integers(-(2**63), -2), st.sampled_from(
            [-2, -(2**63)])), label="bad watermark"), seqs)
    return es, kind


def _near_canonical(data: Any) -> bytes:
    """A digest frame one edit away from a canonical one: a field violation, a count or seq
    count off by one, bytes cut, added or flipped; with a correct CRC most of the time."""
    epoch, origins = _epoch(data), _origins(data)
    kind = data.draw(st.sampled_from(["none", "none", "field", "count", "seq count", "cut",
                                      "extend", "bit"]), label="edit")
    count = None
    if kind == "field":
        origins, _ = _field_edit(data, origins)
    elif kind == "count":
        count = max(0, len(origins) + data.draw(st.sampled_from([-1, 1]), label="off by"))
    body = bytearray(_body(epoch, origins, count))
    if kind == "seq count" and origins:
        # the seq count field of origin i says one more or one fewer than its seqs
        i = data.draw(st.integers(0, len(origins) - 1), label="at")
        off = 11 + sum(16 + 8 * len(s) for _, _, s in origins[:i])
        k = len(origins[i][2]) + data.draw(st.sampled_from([-1, 1]), label="k off by")
        struct.pack_into("<I", body, off + 12, max(0, k))
    elif kind == "cut" and len(body) > 11:
        del body[data.draw(st.integers(11, len(body) - 1), label="cut"):]
    elif kind == "extend":
        body += data.draw(st.binary(min_size=1, max_size=20), label="extra")
    elif kind == "bit":
        i = data.draw(st.integers(0, len(body) - 1), label="bit at")
        body[i] ^= 1 << data.draw(st.integers(0, 7), label="bit")
    frame = _seal(bytes(body))
    if data.draw(st.integers(0, 9), label="corrupt crc") == 7:
        frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
    return frame


# ------------------------------------------------------------------ round trip and size
@checks(WIRE + "decodeDigest_encodeDigest")
@checks(WIRE + "decodeDigest_seal")
@checks(WIRE + "foldr_consR_ok")
@checks(WIRE + "parseSeqs_seqsBytes")
def digest_decode_inverts_encode(data: Any) -> None:
    """Digest.decode(d.encode()) == d for a canonical digest (fields at their edges), and the
    decoded origins are the drawn ones, in order."""
    epoch, origins = _epoch(data), _origins(data)
    d = _digest(epoch, origins)
    got = Digest.decode(d.encode())
    assert got == d, (got, d)
    assert got.epoch == epoch and _as_origins(got) == origins, (_as_origins(got), origins)


@checks(WIRE + "length_encodeDigest")
@checks(WIRE + "length_originsBytes")
@checks(WIRE + "length_seqsBytes")
@checks(WIRE + "digest_tail3")
@checks(WIRE + "digest_tail3_length")
def digest_size_is_exact(data: Any) -> None:
    """A digest frame is 15 bytes, 16 per origin and 8 per ahead seq, laid out field by field:
    after its 3-byte prefix come the body (epoch, count, origins) and the body's CRC32C."""
    epoch, origins = _epoch(data), _origins(data)
    f = _digest(epoch, origins).encode()
    assert len(f) == 15 + sum(16 + 8 * len(s) for _, _, s in origins), (len(f), origins)
    body = _body(epoch, origins)
    assert f == _seal(body) and f[3:] == body[3:] + f[-4:] and len(f[3:]) >= 12, f.hex()


@checks(WIRE + "wmBits_facts")
@checks(WIRE + "wmBits_markOf")
def watermark_field_is_an_i64(data: Any) -> None:
    """The watermark travels as an i64 (-1 as all ones): any watermark in [-1, 2^63 - 1] reads
    back; any 8 bytes in the field read back as the same bytes unless they denote a watermark
    below -1 (a field error)."""
    w = data.draw(st.one_of(st.integers(-1, I63), st.sampled_from([-1, 0, I63])), label="w")
    f = Digest(0, {5: w}).encode()
    assert f[15:23] == struct.pack("<q", w) and Digest.decode(f).watermarks[5] == w
    raw = data.draw(st.one_of(st.binary(min_size=8, max_size=8), st.sampled_from(
        [b"\xff" * 8, b"\xfe" + b"\xff" * 7, b"\x00" * 7 + b"\x80", b"\xff" * 7 + b"\x7f"])),
        label="field")
    g = _seal(f[:15] + raw + f[23:-4])
    (v,) = struct.unpack("<q", raw)
    try:
        got = Digest.decode(g)
    except FrameFieldError:
        assert v < -1, v
        return
    assert v >= -1 and got.encode() == g, (v, g.hex())


@checks(WIRE + "seqsBytes_parseSeqs")
@checks(WIRE + "length_parseSeqs")
@checks(WIRE + "originsBytes_of_parseOrigins")
@checks(WIRE + "consR_eq_ok")
@checks(WIRE + "map_eq_ok")
@checks(WIRE + "encodeDigest_of_decodeDigest")
def accepted_digests_are_canonical(data: Any) -> None:
    """Whatever bytes Digest.decode accepts are exactly encode of the result (inputs one edit
    away from canonical: a field violation, a count off by one, bytes cut, added or flipped)."""
    f = _near_canonical(data)
    try:
        d = Digest.decode(f)
    except FrameError:
        return
    assert d.encode() == f, (f.hex(), d)


# ------------------------------------------------------------------ the origins' checks
@checks(WIRE + "decodeDigest_encodeDigest_field")
@checks(WIRE + "parseOrigins_originsBytes")
@checks(WIRE + "parseOrigins_fields")
@checks(WIRE + "decodeDigest_body")
@checks(WIRE + "foldr_consR_error")
@checks(WIRE + "parseOrigins_zero")
def origins_decode_to_their_check(data: Any) -> None:
    """A CRC-valid frame of fitting origins (canonical, or with one planted violation of the
    decoder's checks) and optional bytes after them decodes to the origins when they pass the
    checks and nothing follows, to a field error when a check fails (whatever follows), and to
    a length error when only the bytes after them are wrong."""
    epoch, origins, kind = _epoch(data), _origins(data), "none"
    if data.draw(st.booleans(), label="violate"):
        origins, kind = _field_edit(data, origins)
    tail = data.draw(st.one_of(st.just(b""), st.binary(min_size=1, max_size=24)), label="tail")
    ok = _canonical(origins)
    assert ok == (kind == "none"), (kind, origins)
    f = _seal(_body(epoch, origins) + tail)
    try:
        got = Digest.decode(f)
    except FrameFieldError:
        assert not ok, origins
        return
    except FrameLengthError:
        assert ok and tail, (kind, origins, tail)
        return
    assert ok and not tail, (kind, origins, tail)
    assert got.epoch == epoch and _as_origins(got) == origins, (_as_origins(got), origins)


@checks(WIRE + "decodeDigest_trailing")
def digest_with_trailing_bytes_is_a_length_error(data: Any) -> None:
    """A canonical digest's body with bytes after its last origin, resealed, is a length error."""
    extra = data.draw(st.binary(min_size=1, max_size=40), label="extra")
    f = _seal(_body(_epoch(data), _origins(data)) + extra)
    try:
        Digest.decode(f)
    except FrameLengthError:
        return
    raise AssertionError("a digest with trailing bytes was not a length error")


# ------------------------------------------------------------------ errors of the prefix and CRC
@checks(WIRE + "decodeDigest_short")
def short_digests_are_a_length_error(data: Any) -> None:
    """Any string of fewer than 15 bytes (a real frame's prefix, or any bytes) is a length
    error."""
    f = data.draw(st.one_of(st.binary(max_size=14), st.builds(
        lambda o, n: _digest(0, o).encode()[:n], st.just([(1, 2, [4])]), st.integers(0, 14))),
        label="short")
    try:
        Digest.decode(f)
    except FrameLengthError:
        return
    raise AssertionError(f"a {len(f)}-byte digest was not a length error")


@checks(WIRE + "decodeDigest_bad_magic")
@checks(WIRE + "decodeDigest_bad_version")
def digest_with_wrong_magic_or_version_is_a_version_error(data: Any) -> None:
    """Any other magic or version byte is a version error (CRC resealed or not)."""
    f = bytearray(_digest(_epoch(data), _origins(data)).encode())
    i = data.draw(st.sampled_from([0, 1]), label="which")
    f[i] = data.draw(st.integers(0, 255).filter(lambda b: b != (0xA7, 1)[i]), label="byte")
    if data.draw(st.booleans(), label="reseal"):
        f[-4:] = _CRC.pack(crc32c(bytes(f[:-4])))
    try:
        Digest.decode(bytes(f))
    except FrameVersionError:
        return
    raise AssertionError("a digest with a wrong magic/version byte was not a version error")


@checks(WIRE + "decodeDigest_bad_kind")
def digest_with_wrong_kind_is_a_field_error(data: Any) -> None:
    """Any kind byte but 0x03 (a message or batch frame's among them) is a field error."""
    f = bytearray(_digest(_epoch(data), _origins(data)).encode())
    f[2] = data.draw(st.one_of(st.sampled_from([1, 2]), st.integers(0, 255)).filter(
        lambda b: b != 3), label="kind")
    try:
        Digest.decode(bytes(f))
    except FrameFieldError:
        return
    raise AssertionError("a digest with a wrong kind byte was not a field error")


@checks(WIRE + "decodeDigest_bad_checksum")
def digest_with_wrong_crc_is_a_checksum_error(data: Any) -> None:
    """Any 4-byte trailer but the CRC32C of the frame is a checksum error."""
    f = _digest(_epoch(data), _origins(data)).encode()
    c = data.draw(st.one_of(st.binary(min_size=4, max_size=4), st.builds(
        lambda b: bytes([f[-4] ^ b]) + f[-3:], st.integers(1, 255))).filter(
        lambda c: c != f[-4:]), label="crc")
    try:
        Digest.decode(f[:-4] + c)
    except FrameChecksumError:
        return
    raise AssertionError("a digest with a wrong CRC32C was not a checksum error")
