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
    "ingest_runs",
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
    acc: np.uint64 = arr[0]
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
    acc: np.uint64 = words[0]
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


@numba.njit(cache=True)
def ingest_runs(
    seq: U64Array,
    addr: I64Array,
    delta: U64Array,
    run_start: I64Array,
    run_nxt: U64Array,
    ahead: U64Array,
    ahead_start: I64Array,
    max_pending: np.uint64,
    acc: U64Array,
    status: npt.NDArray[np.int8],
    out_full: npt.NDArray[np.uint8],
) -> None:
    """Dedup, window and scatter-XOR of a batch already sorted by ``(origin, seq)``, in one pass.

    Run ``r`` (one origin) is ``run_start[r] .. run_start[r + 1]``; ``run_nxt[r]`` is that
    origin's watermark + 1 and ``out_full[r]`` is 1 if its watermark is already ``2**64 - 1``;
    its out-of-order applied seqs are ``ahead[ahead_start[r] .. ahead_start[r + 1]]``, sorted.
    Message ``i`` gets ``status[i]``: 0 applied (now under the watermark), 1 duplicate, 2 refused
    (more than ``max_pending`` past the watermark), 3 applied out of order. Applied deltas are
    XORed into ``acc``; ``run_nxt`` and ``out_full`` end as each origin's new watermark + 1.
    This is ``Replica.receive_all`` of the sorted messages, one after another.
    """
    top = np.uint64(0xFFFFFFFFFFFFFFFF)
    one = np.uint64(1)
    for r in range(len(run_start) - 1):
        nxt = run_nxt[r]
        full = out_full[r] != 0
        a1 = ahead_start[r + 1]
        ai = ahead_start[r]  # first ahead seq >= the current message's seq
        bj = ahead_start[r]  # first ahead seq >= nxt
        for i in range(run_start[r], run_start[r + 1]):
            s = seq[i]
            while ai < a1 and ahead[ai] < s:
                ai += 1
            if full or s < nxt or (ai < a1 and ahead[ai] == s):
                status[i] = 1
            elif i > run_start[r] and seq[i - 1] == s:
                status[i] = 1 if status[i - 1] != 2 else 2  # a copy: as the first one went
            elif s - nxt >= max_pending:
                status[i] = 2
            else:
                acc[addr[i]] ^= delta[i]
                if s == nxt:
                    status[i] = 0
                    if s == top:
                        full = True
                    else:
                        nxt = s + one
                        while bj < a1 and ahead[bj] < nxt:
                            bj += 1
                        while bj < a1 and ahead[bj] == nxt:
                            if nxt == top:
                                full = True
                                break
                            nxt += one
                            bj += 1
                else:
                    status[i] = 3
        run_nxt[r] = nxt
        out_full[r] = 1 if full else 0
