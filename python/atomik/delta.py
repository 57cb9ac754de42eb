"""The delta algebra: composing, computing and applying deltas.

A delta is a bit vector; composing two deltas and applying a delta to a state are both XOR.
On ints, every function takes ``width`` as a keyword (default 64, any ``width >= 1``: Python ints
are exact at every width) and rejects values outside ``[0, 2**width)`` with
:class:`~atomik.errors.RangeError`. The same functions work on *arbitrary-size* states: two
bytes-like objects of equal length give ``bytes``, two numpy ``uint64`` arrays of equal shape give
an array (``width`` is ignored for buffers: the width is the buffer's size).

For bandwidth, :class:`SparseDelta` keeps only the changed 64-bit words of a delta and reports the
exact size of its encoding.

Lean: ``Atomik.Delta.compose``, ``composeAll``, ``computeDelta``, ``applyDelta``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from atomik._check import (
    as_buffer,
    as_int,
    check_array_fits,
    check_count,
    check_rows_fit,
    check_u64_array,
    check_value,
    check_width,
    kernels,
    words_to_int,
)
from atomik.errors import (
    AtomikTypeError,
    FrameFieldError,
    FrameLengthError,
    RangeError,
    ShapeError,
)

__all__ = [
    "SparseDelta",
    "apply_delta",
    "apply_sparse",
    "compose",
    "compose_all",
    "compute_delta",
    "decode_sparse",
    "encode_sparse",
]

U64Array = npt.NDArray[np.uint64]
BytesLike = bytes | bytearray | memoryview


def _xor2(a: Any, b: Any, width: int, names: tuple[str, str]) -> Any:
    """XOR two operands of the same kind (ints of ``width``, buffers, or uint64 arrays)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            raise AtomikTypeError(
                f"{names[0]} and {names[1]} must be the same kind, got "
                f"{type(a).__name__} and {type(b).__name__}"
            )
        check_u64_array(a, names[0], a.ndim)
        check_u64_array(b, names[1], b.ndim)
        if a.shape != b.shape:
            raise ShapeError(
                f"{names[0]} and {names[1]} must have equal shapes, got {a.shape} and {b.shape}"
            )
        return np.bitwise_xor(a, b)
    if isinstance(a, bytes | bytearray | memoryview) or isinstance(
        b, bytes | bytearray | memoryview
    ):
        if not (
            isinstance(a, bytes | bytearray | memoryview)
            and isinstance(b, bytes | bytearray | memoryview)
        ):
            raise AtomikTypeError(
                f"{names[0]} and {names[1]} must be the same kind, got "
                f"{type(a).__name__} and {type(b).__name__}"
            )
        ma, mb = as_buffer(a, names[0]), as_buffer(b, names[1])
        if ma.nbytes != mb.nbytes:
            raise ShapeError(
                f"{names[0]} and {names[1]} must have equal lengths, got "
                f"{ma.nbytes} and {mb.nbytes} bytes"
            )
        xa = np.frombuffer(ma, dtype=np.uint8)
        xb = np.frombuffer(mb, dtype=np.uint8)
        return np.bitwise_xor(xa, xb).tobytes()
    w = check_width(width)
    return check_value(a, w, names[0]) ^ check_value(b, w, names[1])


@overload
def compose(a: int, b: int, *, width: int = 64) -> int: ...
@overload
def compose(a: BytesLike, b: BytesLike, *, width: int = 64) -> bytes: ...
@overload
def compose(a: U64Array, b: U64Array, *, width: int = 64) -> U64Array: ...
def compose(a: Any, b: Any, *, width: int = 64) -> Any:
    """Compose two deltas: ``a ^ b`` (the delta that has the effect of ``a`` then ``b``).

    Lean: ``Atomik.Delta.compose``.
    """
    return _xor2(a, b, width, ("a", "b"))


@overload
def compute_delta(old: int, new: int, *, width: int = 64) -> int: ...
@overload
def compute_delta(old: BytesLike, new: BytesLike, *, width: int = 64) -> bytes: ...
@overload
def compute_delta(old: U64Array, new: U64Array, *, width: int = 64) -> U64Array: ...
def compute_delta(old: Any, new: Any, *, width: int = 64) -> Any:
    """The delta that takes ``old`` to ``new``: ``old ^ new``.

    Lean: ``Atomik.Delta.computeDelta``.
    """
    return _xor2(old, new, width, ("old", "new"))


@overload
def apply_delta(state: int, delta: int, *, width: int = 64) -> int: ...
@overload
def apply_delta(state: BytesLike, delta: BytesLike, *, width: int = 64) -> bytes: ...
@overload
def apply_delta(state: U64Array, delta: U64Array, *, width: int = 64) -> U64Array: ...
def apply_delta(state: Any, delta: Any, *, width: int = 64) -> Any:
    """Apply ``delta`` to ``state``: ``state ^ delta``.

    Lean: ``Atomik.Delta.applyDelta``.
    """
    return _xor2(state, delta, width, ("state", "delta"))


def compose_all(deltas: Iterable[int] | U64Array, *, width: int = 64) -> int:
    """Compose a sequence of deltas: the XOR of all of them, ``0`` for an empty sequence.

    ``deltas`` is any iterable of ints in ``[0, 2**width)``, or a numpy ``uint64`` array: 1-D for
    ``width <= 64`` (numba kernel ``xor_reduce``), or 2-D of shape ``(n, ceil(width / 64))`` with
    little-endian 64-bit words per row for any width (kernel ``xor_reduce_rows``).

    Lean: ``Atomik.Delta.composeAll``.
    """
    w = check_width(width)
    if isinstance(deltas, np.ndarray):
        if deltas.ndim == 2:
            check_u64_array(deltas, "deltas", 2)
            check_rows_fit(deltas, w, "deltas")
            return words_to_int(kernels().xor_reduce_rows(deltas))
        check_u64_array(deltas, "deltas", 1)
        if w > 64:
            raise ShapeError(
                f"deltas for width {w} must be a 2-D array of shape (n, {(w + 63) // 64}), "
                f"got shape {deltas.shape}"
            )
        check_array_fits(deltas, w, "deltas")
        return int(kernels().xor_reduce(deltas))
    if isinstance(deltas, str | bytes | bytearray | memoryview) or not isinstance(deltas, Iterable):
        raise AtomikTypeError(
            f"deltas must be an iterable of ints or a uint64 array, got {type(deltas).__name__}"
        )
    acc = 0
    for i, d in enumerate(deltas):
        acc ^= check_value(d, w, f"deltas[{i}]")
    return acc


# --------------------------------------------------------------------------- sparse encoding

_SPARSE_HEADER = struct.Struct("<II")  # state length in bytes, number of changed words
_SPARSE_ENTRY = struct.Struct("<IQ")  # word index, word value
_MAX_U32 = 0xFFFF_FFFF


def _dense_words(delta: Any) -> tuple[U64Array, int]:
    """The delta as little-endian uint64 words (tail zero-padded) and its length in bytes.

    Lean: ``Atomik.Wire.denseWords`` for bytes (the fingerprint's chunks,
    ``denseWords_eq_chunksAux``); an array's words as they are (``fromDenseWords``)."""
    if isinstance(delta, np.ndarray):
        check_u64_array(delta, "delta", 1)
        return delta, delta.size * 8
    mv = as_buffer(delta, "delta")
    n = mv.nbytes
    raw = np.frombuffer(mv, dtype=np.uint8)
    pad = (-n) % 8
    if pad:
        raw = np.concatenate([raw, np.zeros(pad, dtype=np.uint8)])
    return raw.view("<u8").astype(np.uint64, copy=False), n


def _check_sparse(
    length: object, indices: tuple[object, ...], words: tuple[object, ...], exc: type[Exception]
) -> None:
    """Raise ``exc`` unless (length, indices, words) is a canonical sparse delta."""
    n = check_count(length, "length")
    if n > _MAX_U32:
        raise exc(f"length must be at most {_MAX_U32} bytes, got {n}")
    if len(indices) != len(words):
        raise exc(f"{len(indices)} indices but {len(words)} words")
    nwords = (n + 7) // 8
    prev = -1
    for k, (i_obj, w_obj) in enumerate(zip(indices, words, strict=True)):
        i, w = as_int(i_obj, f"indices[{k}]"), check_value(w_obj, 64, f"words[{k}]")
        if not prev < i < nwords:
            raise exc(
                f"sparse entry {k}: word index {i} must be in ({prev}, {nwords}) "
                f"(strictly increasing, inside a {n}-byte state)"
            )
        if w == 0:
            raise exc(f"sparse entry {k}: word {i} is zero (zeros are not stored)")
        if i == nwords - 1 and n % 8 and w >> (8 * (n % 8)):
            raise exc(f"sparse entry {k}: last word {hex(w)} has bits beyond the {n}-byte state")
        prev = i


@dataclass(frozen=True)
class SparseDelta:
    """A delta over a ``length``-byte state that keeps only its non-zero 64-bit words.

    The state is cut into 8-byte little-endian words (the last one zero-padded); ``indices`` are
    the positions of the non-zero words, strictly increasing, and ``words`` their values.

    Encoding (all little-endian): ``u32 length``, ``u32 count``, then ``count`` entries of
    ``u32 index, u64 word``: exactly ``8 + 12 * count`` bytes (see :attr:`encoded_size`).
    """

    length: int
    indices: tuple[int, ...]
    words: tuple[int, ...]

    def __post_init__(self) -> None:
        """Validate: ``length`` a u32, indices strictly increasing inside the state, words
        non-zero u64 with no bits beyond ``length`` bytes (raises ``RangeError``)."""
        object.__setattr__(self, "indices", tuple(self.indices))
        object.__setattr__(self, "words", tuple(self.words))
        _check_sparse(self.length, self.indices, self.words, RangeError)

    @classmethod
    def from_dense(cls, delta: BytesLike | U64Array) -> SparseDelta:
        """Sparse form of a dense delta (bytes-like, or a 1-D uint64 array of words).

        Lean: ``Atomik.Wire.fromDense`` (bytes-like input); ``fromDense_valid`` (it always builds
        a valid delta), ``toDense_fromDense`` (``to_dense`` gives the bytes back),
        ``fromDense_toDense`` (the sparse form is unique). ``Atomik.Wire.fromDenseWords`` (array
        input: ``8 * size`` bytes, the words as they are); ``fromDenseWords_eq_fromDense`` (it is
        the bytes path on ``arr.astype("<u8").tobytes()``), ``fromDenseWords_valid``,
        ``toDense_fromDenseWords``. The words read off bytes are the fingerprint's chunks
        (``denseWords_eq_chunksAux``, ``denseWords_eq_chunks64``)."""
        words, n = _dense_words(delta)
        if n > _MAX_U32:
            raise ShapeError(f"delta must be at most {_MAX_U32} bytes, got {n}")
        nz = np.flatnonzero(words)
        return cls(n, tuple(int(i) for i in nz), tuple(int(words[i]) for i in nz))

    @property
    def encoded_size(self) -> int:
        """Exact size in bytes of :meth:`encode`'s output."""
        return _SPARSE_HEADER.size + _SPARSE_ENTRY.size * len(self.indices)

    def encode(self) -> bytes:
        """Serialize (format in the class docstring)."""
        parts = [_SPARSE_HEADER.pack(self.length, len(self.indices))]
        parts += [_SPARSE_ENTRY.pack(i, w) for i, w in zip(self.indices, self.words, strict=True)]
        return b"".join(parts)

    @classmethod
    def decode(cls, data: BytesLike) -> SparseDelta:
        """Parse :meth:`encode`'s output; raises a :class:`~atomik.errors.FrameError` subclass."""
        mv = as_buffer(data, "data")
        if mv.nbytes < _SPARSE_HEADER.size:
            raise FrameLengthError(
                f"sparse delta needs at least {_SPARSE_HEADER.size} bytes, got {mv.nbytes}"
            )
        length, count = _SPARSE_HEADER.unpack_from(mv, 0)
        expected = _SPARSE_HEADER.size + _SPARSE_ENTRY.size * count
        if mv.nbytes != expected:
            raise FrameLengthError(
                f"sparse delta with {count} words must be {expected} bytes, got {mv.nbytes}"
            )
        entries = [
            _SPARSE_ENTRY.unpack_from(mv, _SPARSE_HEADER.size + k * _SPARSE_ENTRY.size)
            for k in range(count)
        ]
        indices = tuple(e[0] for e in entries)
        words = tuple(e[1] for e in entries)
        _check_sparse(length, indices, words, FrameFieldError)
        return cls(length, indices, words)

    def to_dense(self) -> bytes:
        """The dense delta as ``length`` bytes.

        Lean: ``Atomik.Wire.Sparse.toDense``; ``length_toDense``, ``toDense_fromDense``."""
        nwords = (self.length + 7) // 8
        arr = np.zeros(nwords, dtype="<u8")
        for i, w in zip(self.indices, self.words, strict=True):
            arr[i] = w
        return arr.tobytes()[: self.length]


def encode_sparse(delta: BytesLike | U64Array) -> bytes:
    """Encode a dense delta sparsely (only its changed 64-bit words); see :class:`SparseDelta`."""
    return SparseDelta.from_dense(delta).encode()


#: Largest dense delta :func:`decode_sparse` builds unless its caller allows more: 8 bytes of
#: input may declare a 4 GiB state, so the bound is checked before anything is allocated.
MAX_DENSE_BYTES = 1 << 24


def decode_sparse(data: BytesLike, *, max_length: int = MAX_DENSE_BYTES) -> bytes:
    """Decode :func:`encode_sparse`'s output back to the dense delta bytes.

    Raises :class:`~atomik.errors.FrameLengthError` (before allocating) when the declared state
    is longer than ``max_length`` bytes; decode with :meth:`SparseDelta.decode` to keep it sparse.
    """
    limit = check_count(max_length, "max_length")
    sd = SparseDelta.decode(data)
    if sd.length > limit:
        raise FrameLengthError(
            f"sparse delta declares a {sd.length}-byte state, more than max_length={limit}"
        )
    return sd.to_dense()


def apply_sparse(state: BytesLike, delta: SparseDelta) -> bytes:
    """Apply a sparse delta to a state of ``delta.length`` bytes; returns the new state.

    ``delta`` must be a :class:`SparseDelta` (decode an encoding with :meth:`SparseDelta.decode`
    first); anything else raises :class:`~atomik.errors.AtomikTypeError`. A state of another
    length raises :class:`~atomik.errors.ShapeError`.

    Lean: ``Atomik.Wire.applySparse``; ``applySparse_eq_xor`` (the byte-wise XOR of the state
    with :meth:`SparseDelta.to_dense`), ``applySparse_shape``, ``applySparse_fromDense``."""
    if not isinstance(delta, SparseDelta):
        raise AtomikTypeError(
            f"delta must be a SparseDelta (decode bytes with SparseDelta.decode), "
            f"got {type(delta).__name__}"
        )
    mv = as_buffer(state, "state")
    if mv.nbytes != delta.length:
        raise ShapeError(
            f"state must be {delta.length} bytes for this delta, got {mv.nbytes} bytes"
        )
    buf = bytearray(mv)
    for i, w in zip(delta.indices, delta.words, strict=True):
        start = 8 * i
        chunk = w.to_bytes(8, "little")[: delta.length - start]
        cur = int.from_bytes(buf[start : start + len(chunk)], "little")
        buf[start : start + len(chunk)] = (cur ^ int.from_bytes(chunk, "little")).to_bytes(
            len(chunk), "little"
        )
    return bytes(buf)
