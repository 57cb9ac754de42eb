"""Every numba kernel, compiled vs its pure-Python twin (``py_func``), on random inputs."""

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from atomik import kernels

U64 = st.integers(0, 2**64 - 1)
arrays = hnp.arrays(np.uint64, st.integers(0, 40), elements=U64)


def twin(f: Callable[..., Any]) -> Callable[..., Any]:
    """The pure-Python twin of a kernel."""
    return getattr(f, "py_func", f)


def test_every_kernel_is_listed_and_has_a_twin() -> None:
    for name in kernels.__all__:
        k = getattr(kernels, name)
        assert callable(twin(k))


@given(arrays)
def test_xor_reduce(arr: np.ndarray) -> None:
    expected = 0
    for x in arr.tolist():
        expected ^= x
    assert int(kernels.xor_reduce(arr)) == int(twin(kernels.xor_reduce)(arr)) == expected
    assert int(kernels.fingerprint_words(arr)) == int(twin(kernels.fingerprint_words)(arr))
    assert int(kernels.fingerprint_words(arr)) == expected


@given(hnp.arrays(np.uint64, st.tuples(st.integers(0, 12), st.integers(1, 4)), elements=U64))
def test_xor_reduce_rows(mat: np.ndarray) -> None:
    a = kernels.xor_reduce_rows(mat)
    b = twin(kernels.xor_reduce_rows)(mat)
    assert np.array_equal(a, b)
    assert np.array_equal(a, np.bitwise_xor.reduce(mat, axis=0))


@st.composite
def scatter_inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = draw(st.integers(1, 16))
    n = draw(st.integers(0, 40))
    table = draw(hnp.arrays(np.uint64, size, elements=U64))
    addrs = draw(hnp.arrays(np.int64, n, elements=st.integers(0, size - 1)))
    vals = draw(hnp.arrays(np.uint64, n, elements=U64))
    return table, addrs, vals


@given(scatter_inputs())
def test_scatter_xor(inp: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    table, addrs, vals = inp
    a, b = table.copy(), table.copy()
    kernels.scatter_xor(a, addrs, vals)
    twin(kernels.scatter_xor)(b, addrs, vals)
    c = table.copy()
    np.bitwise_xor.at(c, addrs, vals)
    assert np.array_equal(a, b) and np.array_equal(a, c)


@given(scatter_inputs())
def test_scatter_set(inp: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    table, addrs, vals = inp
    a, b = table.copy(), table.copy()
    kernels.scatter_set(a, addrs, vals)
    twin(kernels.scatter_set)(b, addrs, vals)
    expected = table.tolist()
    for i, v in zip(addrs.tolist(), vals.tolist(), strict=True):
        expected[i] = v
    assert np.array_equal(a, b) and a.tolist() == expected


@given(U64, arrays)
def test_replay_words(initial: int, deltas: np.ndarray) -> None:
    a = np.zeros_like(deltas)
    b = np.zeros_like(deltas)
    kernels.replay_words(np.uint64(initial), deltas, a)
    twin(kernels.replay_words)(np.uint64(initial), deltas, b)
    assert np.array_equal(a, b)
    s = initial
    for i, d in enumerate(deltas.tolist()):
        s ^= d
        assert int(a[i]) == s


@given(st.lists(U64, max_size=20))
def test_one_d_twins_accept_int_lists(xs: list[int]) -> None:
    expected = 0
    for x in xs:
        expected ^= x
    assert int(twin(kernels.xor_reduce)(xs)) == expected
    assert int(twin(kernels.fingerprint_words)(xs)) == expected
    table = [0, 0, 0]
    twin(kernels.scatter_xor)(table, [i % 3 for i in range(len(xs))], xs)
    assert table[0] ^ table[1] ^ table[2] == expected
