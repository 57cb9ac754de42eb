"""Hand-written checks for ``Atomik.Delta``: the same laws on the arbitrary-size paths.

The automatic translation checks every Delta theorem on ints of each width (and on the numba
``xor_reduce`` kernels). These properties hold the *buffer* paths (bytes and uint64 arrays, where a
4 KiB state is a 4 KiB delta) to the same theorems.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from atomik import delta as D
from atomik.conformance.registry import checks


def _buffers(data: Any, k: int) -> list[bytes]:
    n = data.draw(st.integers(0, 64), label="length")
    return [data.draw(st.binary(min_size=n, max_size=n), label=f"buf{i}") for i in range(k)]


@checks("Atomik.Delta.compose_assoc")
def compose_assoc_bytes(data: Any) -> None:
    """compose is associative on byte buffers of equal length."""
    a, b, c = _buffers(data, 3)
    left, right = D.compose(D.compose(a, b), c), D.compose(a, D.compose(b, c))
    assert left == right, (left, right)


@checks("Atomik.Delta.compose_self")
def compose_self_arrays(data: Any) -> None:
    """A uint64-array delta composed with itself is all zeros."""
    n = data.draw(st.integers(0, 16), label="words")
    a = np.array(data.draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n)),
                 dtype=np.uint64)
    left, right = D.compose(a, a).tolist(), [0] * n
    assert left == right, (left, right)


@checks("Atomik.Delta.applyDelta_computeDelta")
def apply_compute_bytes(data: Any) -> None:
    """apply_delta(old, compute_delta(old, new)) == new on byte buffers."""
    old, new = _buffers(data, 2)
    left, right = D.apply_delta(old, D.compute_delta(old, new)), new
    assert left == right, (left, right)


@checks("Atomik.Delta.applyDelta_computeDelta")
def apply_compute_sparse(data: Any) -> None:
    """The sparse encoding of compute_delta(old, new), applied to old, gives new."""
    old, new = _buffers(data, 2)
    sparse = D.SparseDelta.decode(D.encode_sparse(D.compute_delta(old, new)))
    left, right = D.apply_sparse(old, sparse), new
    assert left == right, (left, right)
