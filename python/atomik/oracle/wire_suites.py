"""The byte-level vector suites: the fingerprint of a buffer (``fingerprint``) and the wire
frames (``wire``, ``wire_invalid``). Each ``@vector`` function registers itself on import.
"""

from __future__ import annotations

import random
from typing import Any

from atomik.oracle.cases import Case, Request, _int, _rand, _w, vector
from atomik.wire import DeltaMessage, encode, encode_batch


# ================================================================================ fingerprint
@vector("fingerprint", length=(0, 1, 7, 8, 9, 64, 100))
def fingerprint_buffer(rng: random.Random, length: int) -> Case:
    """The XOR of the buffer's zero-padded little-endian 64-bit chunks, and a one-chunk update."""
    data = bytes(rng.getrandbits(8) for _ in range(length))
    padded = data + bytes(-len(data) % 8)
    chunks = [int.from_bytes(padded[i : i + 8], "little") for i in range(0, len(padded), 8)]
    expected = 0
    for c in chunks:
        expected ^= c
    requests: list[Request] = [{"op": "fingerprint", "data": data.hex()}]
    if chunks:
        i = rng.randrange(len(chunks))
        new = rng.getrandbits(64) | 1
        while new == chunks[i]:
            new = rng.getrandbits(64)
        changed = [*chunks[:i], new, *chunks[i + 1 :]]
        buf2 = b"".join(c.to_bytes(8, "little") for c in changed)
        requests += [
            {"op": "fingerprint", "data": buf2.hex()},
            {
                "op": "fingerprint.update_chunk",
                "fp": _w(expected, 64),
                "old": _w(chunks[i], 64),
                "new": _w(new, 64),
            },
        ]

    def check(r: list[Any]) -> None:
        assert _int(r[0]) == expected
        if chunks:
            assert _int(r[1]) == _int(r[2]) != expected

    theorems = ["Atomik.Fingerprint.ofChunks_append", "Atomik.Fingerprint.ofChunks_nil"]
    if chunks:
        theorems += [
            "Atomik.Fingerprint.updateChunk_ofChunks",
            "Atomik.Fingerprint.ofChunks_ne_of_ne",
            "Atomik.Fingerprint.updateChunk_ne",
        ]
    return Case(requests, theorems, check)


@vector("fingerprint", length=(16, 64))
def fingerprint_paired_change(rng: random.Random, length: int) -> Case:
    """The stated limit: flipping the same bits in two different chunks leaves the fingerprint
    unchanged (an XOR fingerprint detects any single-chunk change, not every change)."""
    data = bytearray(rng.getrandbits(8) for _ in range(length))
    i, j = rng.sample(range(length // 8), 2)
    d = rng.getrandbits(64) | 1
    changed = bytearray(data)
    for k in (i, j):
        word = int.from_bytes(changed[8 * k : 8 * k + 8], "little") ^ d
        changed[8 * k : 8 * k + 8] = word.to_bytes(8, "little")
    requests: list[Request] = [
        {"op": "fingerprint", "data": data.hex()},
        {"op": "fingerprint", "data": changed.hex()},
    ]

    def check(r: list[Any]) -> None:
        assert changed != data and r[0] == r[1]

    return Case(requests, ["Atomik.Fingerprint.ofChunks_paired_change"], check)


# ================================================================================ wire
def _msg(rng: random.Random, width: int) -> DeltaMessage:
    return DeltaMessage(
        origin=rng.getrandbits(32),
        epoch=rng.getrandbits(8),
        seq=rng.getrandbits(64),
        addr=rng.getrandbits(16),
        width=width,
        delta=_rand(rng, width),
    )


def _msg_request(m: DeltaMessage) -> Request:
    return {
        "op": "wire.encode",
        "origin": m.origin,
        "epoch": m.epoch,
        "seq": f"0x{m.seq:016x}",
        "addr": m.addr,
        "width": m.width,
        "delta": _w(m.delta, m.width),
    }


@vector("wire", width=(1, 8, 13, 64, 200))
def wire_message(rng: random.Random, width: int) -> Case:
    """A v1 single-message frame: encode, then decode back to the same fields."""
    m = _msg(rng, width)
    frame = encode(m).hex()
    requests = [_msg_request(m), {"op": "wire.decode", "frame": frame}]

    def check(r: list[Any]) -> None:
        assert r[0] == {"frame": frame}
        back = dict(_msg_request(m))
        del back["op"]
        assert r[1] == back

    return Case(requests, ["Atomik.Wire.decode_encode", "Atomik.Wire.length_encode"], check)


@vector("wire", count=(0, 1, 3))
def wire_batch(rng: random.Random, count: int) -> Case:
    """A v1 batch frame of messages of mixed widths, decoded in order."""
    ms = [_msg(rng, rng.choice((1, 8, 64, 70))) for _ in range(count)]
    frame = encode_batch(ms).hex()

    def check(r: list[Any]) -> None:
        assert len(r[0]) == count
        for got, m in zip(r[0], ms, strict=True):
            want = dict(_msg_request(m))
            del want["op"]
            assert got == want

    return Case([{"op": "wire.decode_batch", "frame": frame}], [], check)


def _reseal(body: bytes) -> bytes:
    from atomik.wire import crc32c

    return body + crc32c(body).to_bytes(4, "little")


def _wire_fault(fault: str) -> Request:
    good = encode(DeltaMessage(origin=7, epoch=1, seq=42, addr=3, width=16, delta=0xBEEF))
    body = good[:-4]
    frame: bytes
    op = "wire.decode"
    if fault == "truncated":
        frame = good[:-1]
    elif fault == "truncated_header":
        frame = good[:10]
    elif fault == "empty":
        frame = b""
    elif fault == "trailing_byte":
        frame = good + b"\x00"
    elif fault == "bad_version":
        frame = _reseal(body[:1] + b"\x02" + body[2:])
    elif fault == "bad_magic":
        frame = _reseal(b"\x00" + body[1:])
    elif fault == "bad_checksum":
        frame = good[:-1] + bytes([good[-1] ^ 0x01])
    elif fault == "flipped_payload_bit":
        frame = good[:-6] + bytes([good[-6] ^ 0x80]) + good[-5:]
    elif fault == "width_zero":
        # width field sits just before the delta bytes: offset 23..24 in a single-message frame
        frame = _reseal(body[:23] + b"\x00\x00")
    elif fault == "delta_out_of_range":
        narrow = encode(DeltaMessage(origin=7, epoch=1, seq=42, addr=3, width=12, delta=0xFFF))
        nb = narrow[:-4]
        frame = _reseal(nb[:-2] + (0xFFFF).to_bytes(2, "little"))
    elif fault == "batch_truncated":
        op = "wire.decode_batch"
        m = DeltaMessage(origin=1, epoch=0, seq=1, addr=0, width=8, delta=1)
        frame = encode_batch([m, m])[:-3]
    elif fault == "batch_count_too_large":
        op = "wire.decode_batch"
        m = DeltaMessage(origin=1, epoch=0, seq=1, addr=0, width=8, delta=1)
        b = encode_batch([m])[:-4]
        frame = _reseal(b[:3] + (5).to_bytes(4, "little") + b[7:])
    else:  # pragma: no cover - the parameter list is the dict below
        raise ValueError(fault)
    return {"op": op, "frame": frame.hex()}


_WIRE_FAULTS = (
    "truncated",
    "truncated_header",
    "empty",
    "trailing_byte",
    "bad_version",
    "bad_magic",
    "bad_checksum",
    "flipped_payload_bit",
    "width_zero",
    "delta_out_of_range",
    "batch_truncated",
    "batch_count_too_large",
)


@vector("wire_invalid", fault=_WIRE_FAULTS)
def wire_invalid(rng: random.Random, fault: str) -> Case:
    """A damaged frame; decoding must fail with the named error code, never return a message."""
    return Case([_wire_fault(fault)], [])
