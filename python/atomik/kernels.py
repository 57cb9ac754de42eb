"""Every numba kernel of atomik, in one place.

Each kernel is ``numba.njit(cache=True)``; the pure-Python twin stays reachable as
``getattr(kernel, "py_func", kernel)`` (with ``NUMBA_DISABLE_JIT=1`` the kernel *is* the twin).
Kernels assume validated input (dtype ``uint64`` arrays, addresses in range): validation happens
at the public boundary. All arithmetic is XOR on ``uint64``, which never leaves 64 bits, so
compiled code and the pure twin compute the same values. Kernels compile lazily on first call,
never at import.

The 1-D kernels index with ``len`` and start their accumulators from the data, so their twins also
run on plain lists of Python ints (which CrossHair can reason about symbolically);
``xor_reduce_rows`` needs a 2-D numpy array.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "fingerprint_words",
    "replay_words",
    "scatter_set",
    "scatter_xor",
    "xor_reduce",
    "xor_reduce_rows",
]

U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]


@numba.njit(cache=True)
def xor_reduce(arr: U64Array) -> np.uint64:
    """XOR of all elements of a 1-D uint64 array; ``0`` for an empty array."""
    n = len(arr)
    if n == 0:
        return np.uint64(0)
    acc = arr[0]
    for i in range(1, n):
        acc ^= arr[i]
    return acc


@numba.njit(cache=True)
def xor_reduce_rows(mat: U64Array) -> U64Array:
    """Column-wise XOR of a 2-D ``(n, words)`` uint64 array: one wide delta per row."""
    n, k = mat.shape
    out = np.zeros(k, dtype=np.uint64)
    for i in range(n):
        for j in range(k):
            out[j] ^= mat[i, j]
    return out


@numba.njit(cache=True)
def scatter_xor(table: U64Array, addrs: I64Array, deltas: U64Array) -> None:
    """``table[addrs[i]] ^= deltas[i]`` for every ``i``, in place; duplicates accumulate."""
    for i in range(len(addrs)):
        table[addrs[i]] ^= deltas[i]


@numba.njit(cache=True)
def scatter_set(table: U64Array, addrs: I64Array, values: U64Array) -> None:
    """``table[addrs[i]] = values[i]`` in index order, in place (the last duplicate wins)."""
    for i in range(len(addrs)):
        table[addrs[i]] = values[i]


@numba.njit(cache=True)
def fingerprint_words(words: U64Array) -> np.uint64:
    """Fingerprint of a buffer already cut into 64-bit words: the XOR of the words."""
    n = len(words)
    if n == 0:
        return np.uint64(0)
    acc = words[0]
    for i in range(1, n):
        acc ^= words[i]
    return acc


@numba.njit(cache=True)
def replay_words(initial: np.uint64, deltas: U64Array, out: U64Array) -> None:
    """Sequential replay: ``out[i]`` is the state after applying ``deltas[0..i]`` to ``initial``."""
    state = initial
    for i in range(len(deltas)):
        state ^= deltas[i]
        out[i] = state
