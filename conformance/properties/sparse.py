"""Hand-written checks for the sparse deltas of ``Atomik.Wire`` (``Sparse``, ``encodeSparse``,
``decodeSparse``, and the dense side ``Sparse.toDense``, ``fromDense``, ``applySparse``), held
against ``atomik.delta.SparseDelta`` (``from_dense``, ``to_dense``, ``encode``, ``decode``),
``encode_sparse``, ``decode_sparse`` and ``apply_sparse``.

Sparse deltas are drawn valid by construction (state lengths around word boundaries and up to
the u32 limit, strictly increasing indices, non-zero words, the last word masked to the state),
from dense buffers through ``encode_sparse``, and raw with ``struct`` with one planted violation
of ``_check_sparse`` (the model's ``entriesOk``), so that the decoder's every branch is reached on
purpose. The dense checks draw states of 0 to 80 bytes and around word boundaries (1, 7, 8, 9,
63, 64, 65, ..., 4096), dense deltas all zero, all ones, random, or mostly zero with a few bytes
set (often in the last, partial word), and states of the delta's length for ``apply_sparse`` (one
byte off for its ``ShapeError``). The array path of ``from_dense`` draws 1-D uint64 arrays of 0 to
1000 words (empty, all zero, all ``2**64 - 1``, random, edge values, only the last word set), as
they are and as strided views.
"""

from __future__ import annotations

import struct
from functools import reduce
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from atomik.conformance.registry import checks
from atomik.delta import SparseDelta, _dense_words, apply_sparse, decode_sparse, encode_sparse
from atomik.errors import FrameFieldError, FrameLengthError, ShapeError
from atomik.fingerprint import chunk_words, fingerprint

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


# --------------------------------------------------------------------------- dense form and apply

#: State lengths for the dense checks (``to_dense`` allocates the state): word boundaries, a
#: partial last word, and a few long states.
_DENSE_LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000, 4096]


def _dense_length(data: Any) -> int:
    return data.draw(st.one_of(st.integers(0, 80), st.sampled_from(_DENSE_LENGTHS)),
                     label="length")


def _small_sparse(data: Any) -> SparseDelta:
    """A valid sparse delta over a state short enough to hold densely."""
    n = _dense_length(data)
    es = _entries(data, n)
    return SparseDelta(n, tuple(i for i, _ in es), tuple(w for _, w in es))


def _dense(data: Any, n: int) -> bytes:
    """An ``n``-byte dense delta: all zero, all ones, random, mostly zero with a few non-zero
    bytes (often in the last, partial word), or one byte set."""
    kind = data.draw(st.sampled_from(["zero", "ones", "random", "few", "last"]), label="dense")
    if kind == "zero" or n == 0:
        return bytes(n)
    if kind == "ones":
        return b"\xff" * n
    if kind == "random":
        return data.draw(st.binary(min_size=n, max_size=n), label="bytes")
    buf = bytearray(n)
    if kind == "last":
        buf[n - 1] = data.draw(st.integers(1, 255), label="last byte")
        return bytes(buf)
    for _ in range(data.draw(st.integers(1, 4), label="set")):
        pos = data.draw(st.one_of(st.integers(0, n - 1), st.just(n - 1)), label="pos")
        buf[pos] = data.draw(st.integers(1, 255), label="byte")
    return bytes(buf)


def _word_at(s: SparseDelta, i: int) -> int:
    return dict(zip(s.indices, s.words, strict=True)).get(i, 0)


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


@checks(WIRE + "length_toDense")
@checks(WIRE + "toDense_eq")
@checks(WIRE + "foldl_setWord")
@checks(WIRE + "setWord_pair")
@checks(WIRE + "set_length_append")
@checks(WIRE + "length_foldl_setWord")
@checks(WIRE + "length_wordsBytes")
@checks(WIRE + "toLE_zero")
@checks(WIRE + "entriesOk_cons")
@checks(WIRE + "entriesOk_mem")
@checks(WIRE + "entriesOk_nil_of")
@checks(WIRE + "entriesOk_mono")
@checks(WIRE + "headWord_cons_self")
@checks(WIRE + "headWord_cons_ne")
@checks(WIRE + "dropWord_cons_self")
@checks(WIRE + "dropWord_cons_ne")
def sparse_to_dense_layout(data: Any) -> None:
    """``to_dense`` is ``length`` bytes: word ``i``'s 8 little-endian bytes at byte ``8 * i``
    (the stored word where an entry has index ``i``, zero elsewhere), the last word cut to the
    state."""
    s = _small_sparse(data)
    d = s.to_dense()
    assert isinstance(d, bytes) and len(d) == s.length, (len(d), s)
    for i in range((s.length + 7) // 8):
        want = _word_at(s, i).to_bytes(8, "little")[: s.length - 8 * i]
        assert d[8 * i : 8 * i + 8] == want, (i, s)


@checks(WIRE + "toDense_fromDense")
@checks(WIRE + "wordsFrom_nonzeroFrom")
@checks(WIRE + "wordsBytes_denseWords")
@checks(WIRE + "toLE_ofLE_pad")
@checks(WIRE + "replicate_append_replicate'")
@checks(WIRE + "length_denseWords")
@checks(WIRE + "nonzeroFrom_zero")
@checks(WIRE + "nonzeroFrom_ne")
@checks(WIRE + "headWord_of_gt")
def sparse_dense_round_trip(data: Any) -> None:
    """The sparse form of a dense delta gives it back (``to_dense``, and ``decode_sparse`` of
    ``encode_sparse``), and stores exactly its non-zero zero-padded little-endian words."""
    d = _dense(data, _dense_length(data))
    s = SparseDelta.from_dense(d)
    assert s.length == len(d) and s.to_dense() == d, (d, s)
    assert SparseDelta.from_dense(bytearray(d)) == s == SparseDelta.from_dense(memoryview(d))
    assert decode_sparse(encode_sparse(d)) == d
    padded = d + bytes(-len(d) % 8)
    words = [int.from_bytes(padded[k : k + 8], "little") for k in range(0, len(padded), 8)]
    assert list(s.indices) == [i for i, w in enumerate(words) if w], (d, s)
    assert list(s.words) == [w for w in words if w], (d, s)


@checks(WIRE + "fromDense_valid")
@checks(WIRE + "entriesOk_nonzeroFrom")
@checks(WIRE + "length_nonzeroFrom_le")
@checks(WIRE + "denseWords_lt")
@checks(WIRE + "nonzeroFrom_mem")
def sparse_from_dense_is_valid(data: Any) -> None:
    """``from_dense`` never raises on a dense delta (it builds a valid delta): its fields pass the
    constructor's checks again and its encoding decodes to it; at most one entry per word."""
    d = _dense(data, _dense_length(data))
    s = SparseDelta.from_dense(d)
    assert SparseDelta(s.length, s.indices, s.words) == s
    assert SparseDelta.decode(s.encode()) == s
    assert len(s.indices) <= (len(d) + 7) // 8
    assert all(0 < w < 2**64 for w in s.words)


@checks(WIRE + "fromDense_toDense")
@checks(WIRE + "nonzeroFrom_wordsFrom")
@checks(WIRE + "denseWords_wordsFrom")
@checks(WIRE + "headWord_lt")
@checks(WIRE + "headWord_last")
@checks(WIRE + "dropWord_ok")
@checks(WIRE + "dropWord_mem")
def sparse_form_is_unique(data: Any) -> None:
    """A valid sparse delta is the sparse form of its dense delta (drawn with the first and the
    last word often stored, the last one partial and at its largest)."""
    s = _small_sparse(data)
    assert SparseDelta.from_dense(s.to_dense()) == s, s


@checks(WIRE + "applySparse_eq_xor")
@checks(WIRE + "foldl_applyEntry")
@checks(WIRE + "foldl_applyEntry_step")
@checks(WIRE + "applyEntry_eq")
@checks(WIRE + "entryChunk_pair")
@checks(WIRE + "take_toLE")
@checks(WIRE + "take_append_gen")
@checks(WIRE + "zipWith_append_eq")
@checks(WIRE + "zipWith_xor_zeros")
@checks(WIRE + "bool_not_and3")
def sparse_apply_is_dense_xor(data: Any) -> None:
    """``apply_sparse`` on a state of the delta's length is the byte-wise XOR of the state with
    ``to_dense``, for bytes, bytearray and memoryview states, and leaves the state alone."""
    s = _small_sparse(data)
    state = _dense(data, s.length)
    want = _xor(state, s.to_dense())
    buf = bytearray(state)
    for arg in (state, buf, memoryview(state)):
        got = apply_sparse(arg, s)
        assert isinstance(got, bytes) and got == want, (state, s, got)
    assert bytes(buf) == state


@checks(WIRE + "applySparse_shape")
def sparse_apply_wrong_length_is_shape_error(data: Any) -> None:
    """A state of another length than the delta's is a ``ShapeError`` (one byte short or long
    often), and the state is left alone."""
    s = _small_sparse(data)
    m = data.draw(st.one_of(st.sampled_from([s.length + 1, max(s.length - 1, 0) if s.length
                                             else 1]), st.integers(0, s.length + 16)),
                  label="state length")
    if m == s.length:
        m += 1
    buf = bytearray(_dense(data, m))
    before = bytes(buf)
    try:
        apply_sparse(buf, s)
    except ShapeError:
        assert bytes(buf) == before
        return
    raise AssertionError(f"applied a {s.length}-byte delta to a {m}-byte state")


@checks(WIRE + "applySparse_fromDense")
def sparse_apply_from_dense(data: Any) -> None:
    """Applying the sparse form of a dense delta is the byte-wise XOR with the dense delta."""
    n = _dense_length(data)
    d = _dense(data, n)
    state = _dense(data, n)
    assert apply_sparse(state, SparseDelta.from_dense(d)) == _xor(state, d), (state, d)


# --------------------------------------------------------------------------- the array path

#: Word counts for the array path: empty, one word, word boundaries and a long array.
_ARRAY_SIZES = [0, 1, 2, 7, 8, 9, 63, 64, 65, 1000]
_EDGE_WORDS = [0, 1, 0xFF, 2**63, _U64 - 1, _U64]


def _u64_words(data: Any) -> list[int]:
    """0 to 1000 u64 words: all zero, all ``2**64 - 1``, random, edge values (0, 1, ``2**63``,
    ``2**64 - 1``, ...), or zero but for the last word."""
    n = data.draw(st.one_of(st.integers(0, 24), st.sampled_from(_ARRAY_SIZES)), label="size")
    kind = data.draw(st.sampled_from(["zero", "ones", "random", "edges", "last"]), label="words")
    if kind == "zero" or n == 0:
        return [0] * n
    if kind == "ones":
        return [_U64] * n
    if kind == "last":
        return [0] * (n - 1) + [data.draw(st.sampled_from(_EDGE_WORDS[1:]), label="last word")]
    word = st.integers(0, _U64) if kind == "random" else st.sampled_from(_EDGE_WORDS)
    return data.draw(st.lists(word, min_size=n, max_size=n), label="word list")


def _u64_array(data: Any, words: list[int]) -> npt.NDArray[np.uint64]:
    """The words as a 1-D uint64 array: contiguous, or a strided view into a larger array."""
    arr = np.array(words, dtype=np.uint64)
    if data.draw(st.booleans(), label="strided"):
        big = np.full(2 * len(words), _U64, dtype=np.uint64)
        big[::2] = arr
        arr = big[::2]
    return arr


@checks(WIRE + "fromDenseWords_eq_fromDense")
@checks(WIRE + "fromDenseWords_valid")
@checks(WIRE + "toDense_fromDenseWords")
@checks(WIRE + "denseWords_wordsBytes")
def sparse_from_dense_array_is_its_bytes(data: Any) -> None:
    """``from_dense`` on a 1-D uint64 array is ``from_dense`` on the array's little-endian bytes:
    length ``8 * size``, the non-zero words at their positions, ``to_dense`` gives those bytes, the
    result is valid (the constructor and the decoder accept it), and ``_dense_words`` of the bytes
    reads the array's words back."""
    words = _u64_words(data)
    arr = _u64_array(data, words)
    raw = arr.astype("<u8").tobytes()
    assert len(raw) == 8 * len(words)
    s = SparseDelta.from_dense(arr)
    assert s == SparseDelta.from_dense(raw), (words, s)
    assert s.length == 8 * arr.size, (s.length, arr.size)
    assert s.to_dense() == raw, (words, s)
    assert list(s.indices) == [i for i, w in enumerate(words) if w], (words, s)
    assert list(s.words) == [w for w in words if w], (words, s)
    assert SparseDelta(s.length, s.indices, s.words) == s
    assert SparseDelta.decode(s.encode()) == s
    back, n = _dense_words(raw)
    assert n == len(raw) and [int(w) for w in back] == words, (words, back)


@checks(WIRE + "denseWords_eq_chunksAux")
@checks(WIRE + "denseWords_eq_chunks64")
@checks(WIRE + "ofLE_take_eight_lt")
def sparse_words_are_fingerprint_chunks(data: Any) -> None:
    """The words ``from_dense`` reads off a byte string (``_dense_words``) are the fingerprint's
    chunks (``chunk_words``), all u64: so ``from_dense`` stores exactly the non-zero chunks and
    their XOR is ``fingerprint``. For ``k`` words other than ``ceil(len / 8)`` (fewer, more, none),
    the string cut or zero-padded to ``8 * k`` bytes gives ``k`` equal words and chunks."""
    d = _dense(data, _dense_length(data))
    words, n = _dense_words(d)
    chunks = [int(c) for c in chunk_words(d)]
    assert n == len(d) and [int(w) for w in words] == chunks, (d, words, chunks)
    assert len(chunks) == (len(d) + 7) // 8 and all(0 <= c < 2**64 for c in chunks)
    s = SparseDelta.from_dense(d)
    assert dict(zip(s.indices, s.words, strict=True)) == {i: c for i, c in enumerate(chunks) if c}
    assert reduce(lambda a, b: a ^ b, s.words, 0) == fingerprint(d), (d, s)
    nw = len(chunks)
    k = data.draw(st.one_of(st.sampled_from([0, max(nw - 1, 0), nw, nw + 1]),
                            st.integers(0, nw + 3)), label="k")
    e = (d + bytes(8 * k))[: 8 * k]
    kw = [int(w) for w in _dense_words(e)[0]]
    assert len(kw) == k and kw == [int(c) for c in chunk_words(e)], (d, k, kw)
    assert kw == (chunks + [0] * k)[:k], (d, k, kw)
