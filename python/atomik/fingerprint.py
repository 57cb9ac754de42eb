"""XOR fingerprints of byte buffers, with O(1) incremental updates.

**Definition.** The buffer is cut into 8-byte chunks from its start; each chunk is read as a
little-endian unsigned 64-bit word; the last chunk, if shorter than 8 bytes, is padded with zero
bytes *at its end* (i.e. in its high-order bytes). The fingerprint is the XOR of all the words
(``0`` for an empty buffer).

**Limits.** Any change confined to one chunk changes the fingerprint (Lean:
``Atomik.Fingerprint.ofChunks_ne_of_ne``). But it is not a hash: two changes with equal deltas
cancel, so flipping the same bits in two chunks leaves the fingerprint unchanged
(``ofChunks_paired_change``); chunk *positions* are not mixed in, so reordering chunks is not
detected (``ofChunks_perm``); and the *length* is not mixed in: appending a zero word gives the
same fingerprint (``ofChunks_append_zero``), and so does appending zero bytes to a buffer whose
length is not a multiple of 8 (the zero padding of the last chunk; tested, not a Lean theorem,
since the Lean model works on chunks, not bytes). Compare lengths yourself if they matter.

Lean: ``Atomik.Fingerprint.ofChunks``, ``Atomik.Fingerprint.updateChunk``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from atomik._check import as_buffer, as_int, check_value, check_width, kernels
from atomik.delta import compose_all
from atomik.errors import AddressError, AtomikTypeError, RangeError

__all__ = [
    "Fingerprint",
    "chunk_words",
    "fingerprint",
    "fingerprint_of_chunks",
    "update_chunk",
]

BytesLike = bytes | bytearray | memoryview
CHUNK = 8


def chunk_words(data: BytesLike) -> npt.NDArray[np.uint64]:
    """The buffer's 64-bit little-endian words, last chunk zero-padded (a new array)."""
    mv = as_buffer(data, "data")
    n = mv.nbytes
    raw = np.frombuffer(mv, dtype=np.uint8)
    pad = (-n) % CHUNK
    if pad:
        raw = np.concatenate([raw, np.zeros(pad, dtype=np.uint8)])
    return raw.view("<u8").astype(np.uint64)


def fingerprint(data: BytesLike) -> int:
    """The XOR fingerprint of a buffer (definition in the module docstring).

    The full 8-byte chunks are read in place (no copy) by the numba kernel ``fingerprint_words``;
    only the tail chunk is padded.
    """
    mv = as_buffer(data, "data")
    n = mv.nbytes
    full = n - n % CHUNK
    acc = 0
    if full:
        words = np.frombuffer(mv, dtype="<u8", count=full // CHUNK)
        if words.dtype != np.uint64:  # big-endian host: byte-swap to native
            words = words.astype(np.uint64)
        acc = int(kernels().fingerprint_words(words))
    if full != n:
        acc ^= int.from_bytes(mv[full:], "little")
    return acc


def fingerprint_of_chunks(chunks: Iterable[int], *, width: int = 64) -> int:
    """The fingerprint of a list of ``width``-bit chunks: their XOR.

    Lean: ``Fingerprint.ofChunks``.
    """
    return compose_all(chunks, width=width)


def update_chunk(fp: int, old: int, new: int, *, width: int = 64) -> int:
    """The fingerprint after one chunk changes from ``old`` to ``new``: ``fp ^ old ^ new``.

    Lean: ``Fingerprint.updateChunk``.
    """
    w = check_width(width)
    return check_value(fp, w, "fp") ^ check_value(old, w, "old") ^ check_value(new, w, "new")


def _chunk_value(chunk: int | BytesLike, what: str) -> int:
    """A chunk given as an int in [0, 2**64) or as at most 8 bytes (zero-padded at the end)."""
    if isinstance(chunk, bytes | bytearray | memoryview):
        mv = as_buffer(chunk, what)
        if mv.nbytes > CHUNK:
            raise RangeError(f"{what} must be at most {CHUNK} bytes, got {mv.nbytes}")
        return int.from_bytes(mv, "little")
    if isinstance(chunk, str):
        raise AtomikTypeError(f"{what} must be an int or bytes, got str")
    return check_value(chunk, 64, what)


class Fingerprint:
    """A tracked fingerprint: a baseline (``reference``) and the current ``value``.

    ``load(buf)`` sets both to ``fingerprint(buf)``; ``update(buf)`` recomputes the current value
    from a whole buffer; ``update_chunk(index, old, new)`` changes it in O(1) when one chunk
    changed; ``changed`` says whether the current value differs from the baseline.
    """

    __slots__ = ("_length", "_reference", "_value")

    def __init__(self) -> None:
        """An empty tracker: baseline and value 0, no buffer loaded."""
        self._reference = 0
        self._value = 0
        self._length: int | None = None

    def load(self, data: BytesLike) -> int:
        """Set the baseline to ``data``'s fingerprint and return it."""
        fp = fingerprint(data)
        self._length = as_buffer(data, "data").nbytes
        self._reference = self._value = fp
        return fp

    def update(self, data: BytesLike) -> int:
        """Recompute the current value from a whole buffer; return it."""
        fp = fingerprint(data)
        self._length = as_buffer(data, "data").nbytes
        self._value = fp
        return fp

    def update_chunk(
        self, index: int, old_chunk: int | BytesLike, new_chunk: int | BytesLike
    ) -> int:
        """Chunk ``index`` changed from ``old_chunk`` to ``new_chunk``; update in O(1), return the
        new value. Chunks are ints or up to 8 bytes; ``index`` must lie inside the loaded buffer
        (the position is checked but not mixed into the fingerprint)."""
        i = as_int(index, "index")
        if self._length is None:
            raise AddressError("no buffer loaded: call load(data) before update_chunk")
        nchunks = (self._length + CHUNK - 1) // CHUNK
        if not 0 <= i < nchunks:
            raise AddressError(f"chunk index {i} out of range: expected 0 <= index < {nchunks}")
        old = _chunk_value(old_chunk, "old_chunk")
        new = _chunk_value(new_chunk, "new_chunk")
        self._value ^= old ^ new
        return self._value

    @property
    def value(self) -> int:
        """The current fingerprint."""
        return self._value

    @property
    def reference(self) -> int:
        """The baseline fingerprint (set by ``load`` and ``reset``)."""
        return self._reference

    @property
    def delta(self) -> int:
        """``reference ^ value``: non-zero exactly when :attr:`changed`."""
        return self._reference ^ self._value

    @property
    def changed(self) -> bool:
        """True when the current value differs from the baseline."""
        return self._value != self._reference

    def reset(self) -> None:
        """Make the current value the new baseline."""
        self._reference = self._value

    def __repr__(self) -> str:
        return (
            f"Fingerprint(reference=0x{self._reference:016x}, value=0x{self._value:016x}, "
            f"changed={self.changed})"
        )
