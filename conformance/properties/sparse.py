"""Hand-written checks for the sparse deltas of ``Atomik.Wire`` (``Sparse``, ``encodeSparse``,
``decodeSparse``), held against ``atomik.delta.SparseDelta``, ``encode_sparse`` and
``decode_sparse``.

Sparse deltas are drawn valid by construction (state lengths around word boundaries and up to
the u32 limit, strictly increasing indices, non-zero words, the last word masked to the state),
from dense buffers through ``encode_sparse``, and raw with ``struct`` with one planted violation
of ``_check_sparse`` (the model's ``entriesOk``), so that the decoder's every branch is reached on
purpose.
"""

from __future__ import annotations

import struct
from typing import Any

from hypothesis import strategies as st

from atomik.conformance.registry import checks
from atomik.delta import SparseDelta, decode_sparse, encode_sparse
from atomik.errors import FrameFieldError, FrameLengthError

WIRE = "Atomik.Wire."
_HEAD = struct.Struct("<II")
_ENTRY = struct.Struct("<IQ")
_U32 = 2**32 - 1
_U64 = 2**64 - 1


def _length(data: Any) -> int:
    return data.draw(st.one_of(
        st.integers(0, 40), st.sampled_from([63, 64, 65, 127, 128, 129, 4096, _U32 - 7, _U32]),
        st.integers(0, _U32)), label="length")


def _word_limit(n: int, i: int) -> int:
    """The largest word allowed at index ``i`` of an ``n``-byte state."""
    nwords = (n + 7) // 8
    return (1 << (8 * (n % 8))) - 1 if i == nwords - 1 and n % 8 else _U64


def _entries(data: Any, n: int) -> list[tuple[int, int]]:
    """Valid entries for an ``n``-byte state: strictly increasing indices (the first and the last
    word often among them), non-zero words up to the limit of their index."""
    nwords = (n + 7) // 8
    if nwords == 0:
        return []
    idx = data.draw(st.sets(st.one_of(st.integers(0, nwords - 1), st.sampled_from(
        [0, nwords - 1])), max_size=6), label="indices")
    out = []
    for i in sorted(idx):
        top = _word_limit(n, i)
        out.append((i, data.draw(st.one_of(st.integers(1, top), st.sampled_from([1, top])),
                                 label=f"word {i}")))
    return out


def _sparse(data: Any) -> SparseDelta:
    n = _length(data)
    es = _entries(data, n)
    return SparseDelta(n, tuple(i for i, _ in es), tuple(w for _, w in es))


def _raw(n: int, es: list[tuple[int, int]]) -> bytes:
    return _HEAD.pack(n, len(es)) + b"".join(_ENTRY.pack(i, w) for i, w in es)


def _broken(data: Any) -> tuple[int, list[tuple[int, int]], str]:
    """Entries that fit their fields but break one check of ``_check_sparse`` (which one is
    returned): an index not above the previous one, an index outside the state, a zero word,
    or a last word with bits beyond the state."""
    n = data.draw(st.one_of(st.integers(1, 40), st.sampled_from([9, 15, 63, 65, 4096])),
                  label="length")
    es = _entries(data, n)
    nwords = (n + 7) // 8
    kinds = ["outside", "zero"] + (["order"] if es else []) + \
        (["high bits"] if n % 8 else [])
    kind = data.draw(st.sampled_from(kinds), label="broken")
    if kind == "outside":
        es = [(i, w) for i, w in es if i < nwords - 1] + \
            [(data.draw(st.integers(nwords, _U32), label="index"), 1)]
    elif kind == "zero":
        k = data.draw(st.integers(0, len(es)), label="at")
        free = sorted(set(range(nwords)) - {i for i, _ in es})
        if free:
            es = sorted([*es, (data.draw(st.sampled_from(free), label="zero at"), 0)])
        else:
            es = [(i, 0 if j == min(k, len(es) - 1) else w) for j, (i, w) in enumerate(es)]
    elif kind == "order":
        k = data.draw(st.integers(0, len(es) - 1), label="repeat")
        es = [*es[: k + 1], es[k], *es[k + 1 :]]
    else:
        last = nwords - 1
        high = data.draw(st.integers(1 << (8 * (n % 8)), _U64), label="high word")
        es = [(i, w) for i, w in es if i != last] + [(last, high)]
    return n, es, kind


@checks(WIRE + "length_encodeSparse")
@checks(WIRE + "length_entriesBytes")
def sparse_size_is_exact(data: Any) -> None:
    """A sparse delta takes 8 + 12 bytes per stored word, as ``encoded_size`` says."""
    s = _sparse(data)
    enc = s.encode()
    assert len(enc) == 8 + 12 * len(s.indices) == s.encoded_size, (len(enc), s)


@checks(WIRE + "decodeSparse_encodeSparse")
@checks(WIRE + "decodeSparse_encodeSparse_eq")
@checks(WIRE + "parseEntries_entriesBytes")
@checks(WIRE + "length_parseEntries")
@checks(WIRE + "readLE_encodeSparse")
@checks(WIRE + "readLE_count")
def sparse_round_trip(data: Any) -> None:
    """A valid sparse delta decodes back from its bytes, whether built directly or by
    ``encode_sparse`` from a dense delta (whose dense bytes ``decode_sparse`` gives back)."""
    s = _sparse(data)
    assert SparseDelta.decode(s.encode()) == s, s
    assert SparseDelta.decode(bytearray(s.encode())) == s
    dense = data.draw(st.one_of(st.binary(max_size=80), st.builds(
        lambda n, k, b: bytes(n)[:k] + b, st.integers(0, 64), st.integers(0, 64),
        st.binary(min_size=1, max_size=9))), label="dense")
    enc = encode_sparse(dense)
    assert SparseDelta.decode(enc) == SparseDelta.from_dense(dense)
    assert decode_sparse(enc) == dense


@checks(WIRE + "decodeSparse_encodeSparse_field")
@checks(WIRE + "decodeSparse_encodeSparse_eq")
def sparse_broken_entries_are_field_errors(data: Any) -> None:
    """Entries that fit their fields but break a check of ``_check_sparse`` (an index not above
    the previous one or outside the state, a zero word, a last word with bits beyond the state)
    are refused with ``FrameFieldError``."""
    n, es, kind = _broken(data)
    try:
        SparseDelta.decode(_raw(n, es))
    except FrameFieldError:
        pass
    else:
        raise AssertionError(f"decoded entries with {kind}: {n}, {es}")


@checks(WIRE + "encodeSparse_of_decodeSparse")
@checks(WIRE + "entriesBytes_parseEntries")
def sparse_decoded_bytes_are_canonical(data: Any) -> None:
    """Whatever bytes decode, encoding the result gives exactly those bytes: valid encodings
    with one byte changed (often still valid: a word's byte, the length's high byte) either fail
    or re-encode to themselves."""
    s = _sparse(data)
    raw = bytearray(s.encode())
    if data.draw(st.booleans(), label="edit"):
        pos = data.draw(st.integers(0, len(raw) - 1), label="pos")
        raw[pos] = data.draw(st.integers(0, 255), label="byte")
    try:
        d = SparseDelta.decode(bytes(raw))
    except (FrameFieldError, FrameLengthError):
        return
    assert d.encode() == bytes(raw), (d, bytes(raw))


@checks(WIRE + "decodeSparse_append")
def sparse_trailing_bytes_are_length_errors(data: Any) -> None:
    """A valid encoding with bytes after it is a ``FrameLengthError``."""
    s = _sparse(data)
    extra = data.draw(st.binary(min_size=1, max_size=24), label="extra")
    try:
        SparseDelta.decode(s.encode() + extra)
    except FrameLengthError:
        return
    raise AssertionError(f"accepted {len(extra)} trailing bytes")


@checks(WIRE + "decodeSparse_short")
def sparse_short_input_is_a_length_error(data: Any) -> None:
    """Fewer than 8 bytes (no full header) is a ``FrameLengthError`` for the decoder and for
    ``decode_sparse``."""
    raw = data.draw(st.binary(max_size=7), label="raw")
    for decoder in (SparseDelta.decode, decode_sparse):
        try:
            decoder(raw)
        except FrameLengthError:
            continue
        raise AssertionError(f"{decoder.__qualname__} accepted {raw!r}")
