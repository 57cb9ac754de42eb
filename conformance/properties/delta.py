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


# --------------------------------------------------------------------------- iff laws, balanced
# Independent draws make both sides of these laws false almost always, leaving the "if" direction
# untested; each property draws the second value equal to the one the law compares it with half
# the time (observe_iff records the share; the gate fails a lopsided check).


def _w(data: Any) -> int:
    from atomik.conformance import strategies as S

    return data.draw(S.widths(wide=True), label="w")


def _same_or_other(data: Any, w: int, x: int, label: str) -> int:
    from atomik.conformance import strategies as S

    if data.draw(st.booleans(), label=f"{label} is the compared value"):
        return x
    return data.draw(S.bitvecs(w), label=label)


def _bv(data: Any, w: int, label: str) -> int:
    from atomik.conformance import strategies as S

    return data.draw(S.bitvecs(w), label=label)


@checks("Atomik.Delta.compose_right_inj")
def compose_right_inj(data: Any) -> None:
    """compose(a, b) == compose(a, c) exactly when b == c (c drawn equal to b half the time)."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    a, b = _bv(data, w, "a"), _bv(data, w, "b")
    c = _same_or_other(data, w, b, "c")
    left, right = D.compose(a, b, width=w) == D.compose(a, c, width=w), b == c
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.compose_eq_zero_iff")
def compose_eq_zero_iff(data: Any) -> None:
    """compose(a, b) == 0 exactly when a == b."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    a = _bv(data, w, "a")
    b = _same_or_other(data, w, a, "b")
    left, right = D.compose(a, b, width=w) == 0, a == b
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.compose_eq_self_iff")
def compose_eq_self_iff(data: Any) -> None:
    """compose(a, e) == a exactly when e == 0."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    a = _bv(data, w, "a")
    e = _same_or_other(data, w, 0, "e")
    left, right = D.compose(a, e, width=w) == a, e == 0
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.compose_eq_iff")
def compose_eq_iff(data: Any) -> None:
    """compose(a, b) == c exactly when b == compose(a, c) (c drawn as compose(a, b) half the
    time)."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    a, b = _bv(data, w, "a"), _bv(data, w, "b")
    c = _same_or_other(data, w, a ^ b, "c")
    left, right = D.compose(a, b, width=w) == c, b == D.compose(a, c, width=w)
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.computeDelta_eq_zero_iff")
def compute_delta_eq_zero_iff(data: Any) -> None:
    """compute_delta(a, b) == 0 exactly when a == b."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    a = _bv(data, w, "a")
    b = _same_or_other(data, w, a, "b")
    left, right = D.compute_delta(a, b, width=w) == 0, a == b
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.applyDelta_left_inj")
def apply_delta_left_inj(data: Any) -> None:
    """apply_delta(s, d) == apply_delta(t, d) exactly when s == t."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    s, d = _bv(data, w, "s"), _bv(data, w, "d")
    t = _same_or_other(data, w, s, "t")
    left, right = D.apply_delta(s, d, width=w) == D.apply_delta(t, d, width=w), s == t
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Delta.applyDelta_eq_iff")
def apply_delta_eq_iff(data: Any) -> None:
    """apply_delta(s, d) == t exactly when d == compute_delta(s, t)."""
    from atomik.conformance.engine import observe_iff

    w = _w(data)
    s, d = _bv(data, w, "s"), _bv(data, w, "d")
    t = _same_or_other(data, w, s ^ d, "t")
    left, right = D.apply_delta(s, d, width=w) == t, d == D.compute_delta(s, t, width=w)
    observe_iff(left)
    assert left == right, (left, right)
