"""Validation at the public boundary (kernels assume validated input)."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from atomik.errors import (
    AddressError,
    AtomikTypeError,
    RangeError,
    ShapeError,
    WidthError,
)

U64 = np.dtype(np.uint64)
MASK64 = (1 << 64) - 1


def _type_name(value: object) -> str:
    return type(value).__name__


def as_int(value: object, what: str) -> int:
    """Return ``value`` as a Python int; reject bool, float, str, numpy floats and bools."""
    if isinstance(value, bool | np.bool_):
        raise AtomikTypeError(f"{what} must be an int, got bool {value!r}")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    raise AtomikTypeError(f"{what} must be an int, got {_type_name(value)} {value!r}")


def check_iterable(value: object, what: str) -> None:
    """Raise :class:`~atomik.errors.AtomikTypeError` unless ``value`` is a non-text iterable."""
    if isinstance(value, str | bytes | bytearray | memoryview) or not isinstance(value, Iterable):
        raise AtomikTypeError(f"{what} must be an iterable, got {type(value).__name__}")


def check_width(width: object) -> int:
    """Validate a bit width: an int ``>= 1``."""
    if isinstance(width, bool | np.bool_) or not isinstance(width, int | np.integer):
        raise WidthError(f"width must be an int >= 1, got {_type_name(width)} {width!r}")
    w = int(width)
    if w < 1:
        raise WidthError(f"width must be an int >= 1, got {w}")
    return w


def check_value(value: object, width: int, what: str = "value") -> int:
    """Validate that ``value`` is an int in ``[0, 2**width)`` and return it."""
    v = as_int(value, what)
    if v < 0 or v >> width:
        raise RangeError(
            f"{what} {hex(v) if v >= 0 else v} does not fit width {width}: "
            f"expected 0 <= {what} < {hex(1 << width)}"
        )
    return v


def check_count(value: object, what: str, minimum: int = 0) -> int:
    """Validate a non-negative count (an int ``>= minimum``)."""
    v = as_int(value, what)
    if v < minimum:
        raise RangeError(f"{what} must be an int >= {minimum}, got {v}")
    return v


def check_addr(addr: object, size: int) -> int:
    """Validate an address in ``[0, size)``."""
    a = as_int(addr, "address")
    if not 0 <= a < size:
        raise AddressError(f"address {a} out of range: expected 0 <= address < {size}")
    return a


def words_for(width: int) -> int:
    """Number of 64-bit words holding ``width`` bits."""
    return (width + 63) // 64


def check_u64_array(arr: object, what: str, ndim: int = 1) -> npt.NDArray[np.uint64]:
    """Validate a numpy uint64 array of the given number of dimensions (no copy)."""
    if not isinstance(arr, np.ndarray):
        raise AtomikTypeError(f"{what} must be a numpy uint64 array, got {_type_name(arr)}")
    if arr.dtype != U64:
        raise AtomikTypeError(f"{what} must have dtype uint64, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ShapeError(f"{what} must be {ndim}-D, got shape {arr.shape}")
    return arr


def check_array_fits(arr: npt.NDArray[np.uint64], width: int, what: str) -> None:
    """Check every element of a 1-D uint64 array fits ``width`` (<= 64) bits."""
    if width >= 64 or arr.size == 0:
        return
    bad = np.flatnonzero(arr >> np.uint64(width))
    if bad.size:
        i = int(bad[0])
        raise RangeError(
            f"{what}[{i}] = {hex(int(arr[i]))} does not fit width {width}: "
            f"expected 0 <= value < {hex(1 << width)}"
        )


def check_rows_fit(mat: npt.NDArray[np.uint64], width: int, what: str) -> None:
    """Check a 2-D ``(n, words)`` uint64 array holds little-endian ``width``-bit values."""
    nw = words_for(width)
    if mat.shape[1] != nw:
        raise ShapeError(
            f"{what} must have shape (n, {nw}) for width {width}, got shape {mat.shape}"
        )
    top_bits = width - 64 * (nw - 1)
    if top_bits < 64 and mat.shape[0]:
        bad = np.flatnonzero(mat[:, nw - 1] >> np.uint64(top_bits))
        if bad.size:
            raise RangeError(
                f"{what} row {int(bad[0])} does not fit width {width}: "
                f"expected 0 <= value < {hex(1 << width)}"
            )


def int_to_words(value: int, nwords: int) -> npt.NDArray[np.uint64]:
    """Little-endian 64-bit words of a non-negative int."""
    return np.array([(value >> (64 * i)) & MASK64 for i in range(nwords)], dtype=np.uint64)


def words_to_int(words: Iterable[Any]) -> int:
    """The non-negative int whose little-endian 64-bit words are ``words``."""
    out = 0
    for i, w in enumerate(words):
        out |= int(w) << (64 * i)
    return out


def as_buffer(data: object, what: str) -> memoryview:
    """A flat byte view of a bytes-like object."""
    if isinstance(data, str):
        raise AtomikTypeError(f"{what} must be bytes-like, got str")
    try:
        mv = memoryview(data)  # type: ignore[arg-type]
    except (TypeError, ValueError, BufferError):  # ValueError: e.g. a released memoryview
        raise AtomikTypeError(f"{what} must be bytes-like, got {_type_name(data)}") from None
    if mv.nbytes == 0:
        return memoryview(b"")  # an empty view of any shape, e.g. (0, 3): cast() refuses those
    if not mv.c_contiguous:
        mv = memoryview(mv.tobytes())  # e.g. a strided numpy view: copy it into one flat buffer
    return mv.cast("B") if mv.format != "B" or mv.ndim != 1 else mv


def kernels() -> ModuleType:
    """The :mod:`atomik.kernels` module, imported on first use so ``import atomik`` stays cheap
    (importing numba costs about half a second; kernels compile lazily and are cached on disk)."""
    import atomik.kernels as k

    return k
