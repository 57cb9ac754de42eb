"""atomik.delta: compose / compose_all / compute_delta / apply_delta, dense and sparse."""

import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import (
    AtomikTypeError,
    FrameFieldError,
    FrameLengthError,
    RangeError,
    ShapeError,
    SparseDelta,
    apply_delta,
    apply_sparse,
    compose,
    compose_all,
    compute_delta,
    decode_sparse,
    encode_sparse,
)

WIDTHS = st.sampled_from([1, 7, 8, 16, 32, 63, 64, 65, 128, 200])


@st.composite
def width_and_values(draw: st.DrawFn, n: int) -> tuple[int, list[int]]:
    w = draw(WIDTHS)
    return w, [draw(st.integers(0, (1 << w) - 1)) for _ in range(n)]


@given(width_and_values(3))
def test_int_laws(wv: tuple[int, list[int]]) -> None:
    w, (a, b, c) = wv
    assert compose(a, b, width=w) == a ^ b
    left = compose(compose(a, b, width=w), c, width=w)
    assert left == compose(a, compose(b, c, width=w), width=w)
    assert compose(a, 0, width=w) == a
    assert compose(a, a, width=w) == 0
    d = compute_delta(a, b, width=w)
    assert apply_delta(a, d, width=w) == b
    assert compute_delta(b, a, width=w) == d
    assert compose(compute_delta(a, b, width=w), compute_delta(b, c, width=w), width=w) == (
        compute_delta(a, c, width=w)
    )


def test_default_width_is_64() -> None:
    assert compose((1 << 64) - 1, 1) == (1 << 64) - 2
    with pytest.raises(RangeError, match="width 64"):
        compose(1 << 64, 0)


@given(width_and_values(12))
def test_compose_all_list_and_array(wv: tuple[int, list[int]]) -> None:
    w, ds = wv
    expected = 0
    for d in ds:
        expected ^= d
    assert compose_all(ds, width=w) == expected
    assert compose_all(iter(ds), width=w) == expected
    nw = (w + 63) // 64
    rows = np.array(
        [[(d >> (64 * k)) & ((1 << 64) - 1) for k in range(nw)] for d in ds], dtype=np.uint64
    )
    assert compose_all(rows, width=w) == expected
    if w <= 64:
        assert compose_all(np.array(ds, dtype=np.uint64), width=w) == expected


def test_compose_all_empty() -> None:
    assert compose_all([], width=8) == 0
    assert compose_all(np.zeros(0, dtype=np.uint64), width=8) == 0


def test_compose_all_bad_inputs() -> None:
    with pytest.raises(RangeError, match=r"deltas\[1\]"):
        compose_all([1, 256], width=8)
    with pytest.raises(RangeError, match=r"deltas\[2\]"):
        compose_all(np.array([1, 2, 300], dtype=np.uint64), width=8)
    with pytest.raises(AtomikTypeError, match="dtype uint64"):
        compose_all(np.array([1, 2], dtype=np.int64), width=8)
    with pytest.raises(AtomikTypeError):
        compose_all(5, width=8)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        compose_all(b"\x01", width=8)  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match=r"\(n, 2\)"):
        compose_all(np.zeros(3, dtype=np.uint64), width=100)
    with pytest.raises(ShapeError, match=r"\(n, 2\)"):
        compose_all(np.zeros((3, 3), dtype=np.uint64), width=100)
    with pytest.raises(RangeError, match="row 1"):
        compose_all(np.array([[0, 0], [0, 1 << 40]], dtype=np.uint64), width=100)
    with pytest.raises(ShapeError):
        compose_all(np.zeros((2, 2, 2), dtype=np.uint64), width=8)


@given(st.binary(max_size=70), st.data())
def test_bytes_states(old: bytes, data: st.DataObject) -> None:
    new = data.draw(st.binary(min_size=len(old), max_size=len(old)))
    d = compute_delta(old, new)
    assert isinstance(d, bytes) and len(d) == len(old)
    assert apply_delta(old, d) == new
    assert apply_delta(bytearray(old), memoryview(d)) == new
    assert compose(d, d) == bytes(len(old))


def test_array_states() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**63, 10, dtype=np.uint64)
    b = rng.integers(0, 2**63, 10, dtype=np.uint64)
    d = compute_delta(a, b)
    assert np.array_equal(apply_delta(a, d), b)
    assert np.array_equal(compose(d, d), np.zeros(10, dtype=np.uint64))


def test_buffer_bad_inputs() -> None:
    with pytest.raises(ShapeError, match="equal lengths, got 2 and 3"):
        compute_delta(b"ab", b"abc")
    with pytest.raises(ShapeError, match="equal shapes"):
        compute_delta(np.zeros(2, np.uint64), np.zeros(3, np.uint64))
    with pytest.raises(AtomikTypeError, match="same kind"):
        compute_delta(b"ab", 3)  # type: ignore[call-overload]
    with pytest.raises(AtomikTypeError, match="same kind"):
        compute_delta(np.zeros(2, np.uint64), b"ab")  # type: ignore[call-overload]
    with pytest.raises(AtomikTypeError, match="dtype uint64"):
        compute_delta(np.zeros(2, np.float64), np.zeros(2, np.float64))  # type: ignore[call-overload]
    with pytest.raises(AtomikTypeError):
        compute_delta("ab", "ab")  # type: ignore[call-overload]


# ------------------------------------------------------------------ sparse


@given(st.binary(max_size=100), st.data())
def test_sparse_round_trip(old: bytes, data: st.DataObject) -> None:
    new = bytearray(old)
    for _ in range(data.draw(st.integers(0, 3))):
        if new:
            i = data.draw(st.integers(0, len(new) - 1))
            new[i] ^= data.draw(st.integers(1, 255))
    delta = compute_delta(old, bytes(new))
    sp = SparseDelta.from_dense(delta)
    enc = sp.encode()
    assert len(enc) == sp.encoded_size == 8 + 12 * len(sp.indices)
    assert len(sp.indices) == sum(1 for k in range(0, len(delta), 8) if any(delta[k : k + 8]))
    assert SparseDelta.decode(enc) == sp
    assert decode_sparse(encode_sparse(delta)) == delta
    assert apply_sparse(old, sp) == bytes(new)


def test_sparse_from_words_and_size() -> None:
    state = bytes(4096)
    changed = bytearray(state)
    changed[100] = 1
    changed[4000] = 7
    sp = SparseDelta.from_dense(compute_delta(state, bytes(changed)))
    assert sp.indices == (12, 500)
    assert sp.encoded_size == 32
    words = np.zeros(4, dtype=np.uint64)
    words[3] = 9
    assert SparseDelta.from_dense(words) == SparseDelta(32, (3,), (9,))


def raw_sparse(length: int, entries: list[tuple[int, int]]) -> bytes:
    """A sparse encoding built by hand (so invalid ones can be built too)."""
    return struct.pack("<II", length, len(entries)) + b"".join(
        struct.pack("<IQ", i, w) for i, w in entries
    )


def test_sparse_constructor_validates() -> None:
    with pytest.raises(RangeError, match="strictly increasing"):
        SparseDelta(20, (2, 0), (5, 7))
    with pytest.raises(RangeError, match="is zero"):
        SparseDelta(20, (0,), (0,))
    with pytest.raises(RangeError, match="beyond the 20-byte state"):
        SparseDelta(20, (2,), (1 << 40,))
    with pytest.raises(RangeError, match="1 indices but 2 words"):
        SparseDelta(20, (0,), (1, 2))
    with pytest.raises(RangeError, match="length"):
        SparseDelta(-1, (), ())
    with pytest.raises(RangeError, match="at most"):
        SparseDelta(2**32, (), ())
    with pytest.raises(RangeError, match=r"words\[0\]"):
        SparseDelta(20, (0,), (1 << 64,))


def test_sparse_decode_rejects() -> None:
    good = SparseDelta(20, (0, 2), (5, 7)).encode()
    with pytest.raises(FrameLengthError, match="at least 8"):
        SparseDelta.decode(good[:5])
    with pytest.raises(FrameLengthError, match="must be 32 bytes, got 31"):
        SparseDelta.decode(good[:-1])
    with pytest.raises(FrameFieldError, match="strictly increasing"):
        SparseDelta.decode(raw_sparse(20, [(2, 5), (0, 7)]))
    with pytest.raises(FrameFieldError, match="strictly increasing"):
        SparseDelta.decode(raw_sparse(20, [(0, 5), (3, 7)]))
    with pytest.raises(FrameFieldError, match="is zero"):
        SparseDelta.decode(raw_sparse(20, [(0, 0)]))
    with pytest.raises(FrameFieldError, match="beyond the 20-byte state"):
        SparseDelta.decode(raw_sparse(20, [(2, 1 << 40)]))
    with pytest.raises(ShapeError, match="state must be 20 bytes"):
        apply_sparse(bytes(19), SparseDelta(20, (), ()))
    with pytest.raises(AtomikTypeError):
        encode_sparse("abc")  # type: ignore[arg-type]


@given(st.binary(max_size=80))
def test_sparse_decode_fuzz(data: bytes) -> None:
    from atomik.errors import FrameError

    try:
        sp = SparseDelta.decode(data)
    except FrameError:
        return
    assert sp.encode() == data  # anything accepted is canonical and round-trips
