"""A table of delta-state contexts, backed by two numpy ``uint64`` arrays.

``AtomikTable(num_contexts, width)`` holds a reference and an accumulator per address, for widths
1..64 (one ``uint64`` word per value; for wider states use one :class:`AtomikContext` per value
or the byte-string functions of :mod:`atomik.delta`). Batch operations run numba kernels; every
address and array is validated at this boundary, and a rejected call changes nothing.

Lean: ``Atomik.Table`` (``load``, ``accum``, ``read``, ``swap``, ``accumBatch``, ``loadBatch``,
``diff``, ``snapshot``, ``restore``); ``Atomik.Api`` for ``swap`` with an argument
(``Table.swapTo``), the snapshot in this module's own format (``Table.snapshotPairs``,
``restorePairs_snapshotPairs``: ``restore(t.snapshot()) == t``) and the acceptance rule of each
validating entry point (``Atomik.Boundary``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from atomik._check import (
    as_int,
    check_addr,
    check_array_fits,
    check_count,
    check_value,
    check_width,
    kernels,
)
from atomik.context import AtomikContext
from atomik.errors import (
    AddressError,
    AtomikTypeError,
    ShapeError,
    SizeError,
    SnapshotError,
    WidthError,
)

__all__ = ["MAX_CONTEXTS", "AtomikTable"]

#: The most contexts a table holds: ``2**32``, the address space of a wire message (``addr`` is a
#: u32). More raises :class:`~atomik.errors.SizeError` before anything is allocated; a size the
#: machine cannot allocate raises it too (not ``MemoryError``).
MAX_CONTEXTS = 1 << 32

U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]


class AtomikTable:
    """``num_contexts`` contexts of ``width`` bits (1..64), addressed ``0 .. num_contexts - 1``."""

    # ``_refv``/``_accv`` are memoryviews of ``_ref``/``_acc`` (same memory): indexing one reads
    # and writes plain Python ints, several times faster than numpy scalar indexing. ``_max`` is
    # ``2**width - 1``: the per-event range tests are two int comparisons each (``v > _max or
    # v < 0``, ``addr >= _n or addr < 0``; not chained, which measured slower on CPython 3.11).
    __slots__ = ("_acc", "_accv", "_max", "_n", "_ref", "_refv", "_width")

    def __init__(self, num_contexts: int, width: int = 64) -> None:
        """A table of ``num_contexts`` (``1 <= num_contexts <= MAX_CONTEXTS``) clean contexts, all
        reading 0."""
        n = check_count(num_contexts, "num_contexts", minimum=1)
        if n > MAX_CONTEXTS:
            raise SizeError(f"num_contexts must be at most MAX_CONTEXTS = {MAX_CONTEXTS}, got {n}")
        w = check_width(width)
        if w > 64:
            raise WidthError(
                f"AtomikTable supports widths 1..64, got {w} "
                "(use AtomikContext or the byte-string deltas for wider states)"
            )
        try:
            ref = np.zeros(n, dtype=np.uint64)
            acc = np.zeros(n, dtype=np.uint64)
        except MemoryError:
            raise SizeError(f"cannot allocate a table of {n} contexts on this machine") from None
        self._n, self._width = n, w
        self._set_arrays(ref, acc)

    def _set_arrays(self, ref: U64Array, acc: U64Array) -> None:
        """Set the arrays, their views and ``_max`` (every constructor sets ``_width`` first)."""
        self._max = (1 << self._width) - 1
        self._ref, self._acc = ref, acc
        self._refv, self._accv = memoryview(ref), memoryview(acc)  # type: ignore[arg-type]

    def __getstate__(self) -> tuple[int, int, U64Array, U64Array]:
        """Pickle and ``copy`` state: the arrays, not their memoryviews (rebuilt on restore)."""
        return (self._n, self._width, self._ref, self._acc)

    def __setstate__(self, state: tuple[int, int, U64Array, U64Array]) -> None:
        """Inverse of :meth:`__getstate__`."""
        self._n, self._width, ref, acc = state
        self._set_arrays(ref, acc)

    # ----------------------------------------------------------------- validation
    def _addr_array(self, addrs: object, what: str = "addrs") -> I64Array:
        """Addresses as a validated 1-D int64 array."""
        if isinstance(addrs, np.ndarray):
            if addrs.ndim != 1:
                raise ShapeError(f"{what} must be 1-D, got shape {addrs.shape}")
            if addrs.dtype.kind not in "iu":
                raise AtomikTypeError(f"{what} must have an integer dtype, got dtype {addrs.dtype}")
            if addrs.size and (addrs.min() < 0 or addrs.max() >= self._n):
                bad = int(np.flatnonzero((addrs < 0) | (addrs >= self._n))[0])
                raise AddressError(
                    f"{what}[{bad}] = {int(addrs[bad])} out of range: "
                    f"expected 0 <= address < {self._n}"
                )
            return addrs.astype(np.int64, copy=False)
        if isinstance(addrs, str | bytes | bytearray) or not isinstance(addrs, Iterable):
            raise AtomikTypeError(
                f"{what} must be an integer array or an iterable of ints, "
                f"got {type(addrs).__name__}"
            )
        out = []
        for i, a in enumerate(addrs):
            v = as_int(a, f"{what}[{i}]")
            if not 0 <= v < self._n:
                raise AddressError(
                    f"{what}[{i}] = {v} out of range: expected 0 <= address < {self._n}"
                )
            out.append(v)
        return np.array(out, dtype=np.int64)

    def _value_array(self, values: object, what: str) -> U64Array:
        """Values as a validated 1-D uint64 array fitting the width."""
        if isinstance(values, np.ndarray):
            if values.dtype != np.uint64:
                raise AtomikTypeError(f"{what} must have dtype uint64, got dtype {values.dtype}")
            if values.ndim != 1:
                raise ShapeError(f"{what} must be 1-D, got shape {values.shape}")
            check_array_fits(values, self._width, what)
            return values
        if isinstance(values, str | bytes | bytearray) or not isinstance(values, Iterable):
            raise AtomikTypeError(
                f"{what} must be a uint64 array or an iterable of ints, got {type(values).__name__}"
            )
        vals = [check_value(v, self._width, f"{what}[{i}]") for i, v in enumerate(values)]
        return np.array(vals, dtype=np.uint64)

    def _pair(self, addrs: object, values: object, what: str) -> tuple[I64Array, U64Array]:
        a = self._addr_array(addrs)
        v = self._value_array(values, what)
        if a.shape[0] != v.shape[0]:
            raise ShapeError(
                f"addrs and {what} must have the same length, got {a.shape[0]} and {v.shape[0]}"
            )
        return a, v

    # ----------------------------------------------------------------- scalar operations
    # The per-event methods validate with one type test and one comparison per argument in the
    # common case (a plain ``int`` in range); anything else goes through the full validators.
    def load(self, addr: int, value: int) -> None:
        """Set address ``addr``'s reference to ``value`` and clear its accumulator."""
        if type(addr) is not int or addr >= self._n or addr < 0:
            addr = check_addr(addr, self._n)
        if type(value) is not int or value > self._max or value < 0:
            value = check_value(value, self._width, "value")
        self._refv[addr] = value
        self._accv[addr] = 0

    def accum(self, addr: int, delta: int) -> None:
        """XOR ``delta`` into address ``addr``'s accumulator."""
        if type(addr) is not int or addr >= self._n or addr < 0:
            addr = check_addr(addr, self._n)
        if type(delta) is not int or delta > self._max or delta < 0:
            delta = check_value(delta, self._width, "delta")
        self._accv[addr] ^= delta

    def read(self, addr: int) -> int:
        """The state at ``addr``: ``reference ^ accumulator``."""
        if type(addr) is not int or addr >= self._n or addr < 0:
            addr = check_addr(addr, self._n)
        return self._refv[addr] ^ self._accv[addr]

    def swap(self, addr: int, new_reference: int | None = None) -> int:
        """Start a new epoch at ``addr`` (see :meth:`AtomikContext.swap`); return the old read."""
        a = check_addr(addr, self._n)
        new = (
            None
            if new_reference is None
            else check_value(new_reference, self._width, "new_reference")
        )
        current = int(self._ref[a] ^ self._acc[a])
        self._ref[a] = current if new is None else new
        self._acc[a] = 0
        return current

    def rollback(self, addr: int, delta: int) -> None:
        """Undo ``delta`` at ``addr`` by accumulating it again."""
        if type(addr) is not int or addr >= self._n or addr < 0:
            addr = check_addr(addr, self._n)
        if type(delta) is not int or delta > self._max or delta < 0:
            delta = check_value(delta, self._width, "delta")
        self._accv[addr] ^= delta

    def context(self, addr: int) -> AtomikContext:
        """A *copy* of address ``addr`` as an :class:`AtomikContext` (changes do not write back;
        its ``delta_count`` is 0 because the table does not count deltas)."""
        a = check_addr(addr, self._n)
        return AtomikContext.from_snapshot(
            {
                "width": self._width,
                "reference": int(self._ref[a]),
                "accumulator": int(self._acc[a]),
            }
        )

    # ----------------------------------------------------------------- batch operations
    def accum_batch(
        self, addrs: Sequence[int] | I64Array, deltas: Sequence[int] | U64Array
    ) -> None:
        """``accum(addrs[i], deltas[i])`` for every ``i`` (numba ``scatter_xor``).

        Any order, duplicates allowed (they accumulate). Validated first: on error nothing changes.
        """
        a, d = self._pair(addrs, deltas, "deltas")
        kernels().scatter_xor(self._acc, a, d)

    def read_batch(self, addrs: Sequence[int] | I64Array) -> U64Array:
        """The states at ``addrs`` as a new uint64 array."""
        a = self._addr_array(addrs)
        return self._ref[a] ^ self._acc[a]

    def load_batch(self, addrs: Sequence[int] | I64Array, values: Sequence[int] | U64Array) -> None:
        """``load(addrs[i], values[i])`` in index order (for a repeated address the last wins)."""
        a, v = self._pair(addrs, values, "values")
        kernels().scatter_set(self._ref, a, v)
        self._acc[a] = 0

    def read_all(self) -> U64Array:
        """Every state, as a new uint64 array of length ``num_contexts``."""
        return self._ref ^ self._acc

    # ----------------------------------------------------------------- whole-table
    @property
    def num_contexts(self) -> int:
        """Number of addresses."""
        return self._n

    @property
    def width(self) -> int:
        """Bit width of every value."""
        return self._width

    def __len__(self) -> int:
        """Number of addresses."""
        return self._n

    def snapshot(self) -> dict[str, Any]:
        """``{"width", "num_contexts", "entries": {addr: (reference, accumulator)}}`` holding only
        the addresses whose reference or accumulator is non-zero (Lean: ``Table.snapshotPairs``,
        ``mem_snapshotPairs``); :meth:`restore` gives back an equal table
        (``restorePairs_snapshotPairs``)."""
        nz = np.flatnonzero(self._ref | self._acc)
        return {
            "width": self._width,
            "num_contexts": self._n,
            "entries": {int(i): (int(self._ref[i]), int(self._acc[i])) for i in nz},
        }

    @classmethod
    def restore(cls, snap: Mapping[str, Any]) -> AtomikTable:
        """A new table from a :meth:`snapshot` dict (validated; raises
        :class:`~atomik.errors.SnapshotError` and friends).

        An entry may also be a single int: the state of that address, loaded with a clean
        accumulator (Lean's ``Table.restore`` of ``(address, state)`` pairs).
        """
        if not isinstance(snap, Mapping):
            raise SnapshotError(f"snapshot must be a mapping, got {type(snap).__name__}")
        missing = [k for k in ("width", "num_contexts", "entries") if k not in snap]
        if missing:
            raise SnapshotError(f"snapshot is missing {', '.join(missing)}")
        t = cls(snap["num_contexts"], snap["width"])
        entries = snap["entries"]
        if not isinstance(entries, Mapping):
            raise SnapshotError(f"snapshot entries must be a mapping, got {type(entries).__name__}")
        for addr, pair in entries.items():
            a = check_addr(addr, t._n)
            if isinstance(pair, int | np.integer) and not isinstance(pair, bool | np.bool_):
                t._ref[a] = check_value(pair, t._width, f"entries[{a}]")  # a state, loaded clean
                continue
            if not (isinstance(pair, Sequence) and len(pair) == 2):
                raise SnapshotError(f"entry {a} must be a (reference, accumulator) pair")
            t._ref[a] = check_value(pair[0], t._width, f"entries[{a}].reference")
            t._acc[a] = check_value(pair[1], t._width, f"entries[{a}].accumulator")
        return t

    def diff(self, other: AtomikTable) -> dict[int, int]:
        """``{addr: delta}`` for every address whose state differs; applying each ``delta`` to
        this table's state at ``addr`` gives ``other``'s."""
        if not isinstance(other, AtomikTable):
            raise AtomikTypeError(f"other must be an AtomikTable, got {type(other).__name__}")
        if (other._n, other._width) != (self._n, self._width):
            raise ShapeError(
                f"cannot diff a table of {other._n} x width {other._width} against "
                f"{self._n} x width {self._width}"
            )
        d = self.read_all() ^ other.read_all()
        return {int(i): int(d[i]) for i in np.flatnonzero(d)}

    def copy(self) -> AtomikTable:
        """An independent copy."""
        t = AtomikTable.__new__(AtomikTable)
        t._n, t._width = self._n, self._width
        t._set_arrays(self._ref.copy(), self._acc.copy())
        return t

    def __eq__(self, other: object) -> bool:
        """Equal when size, width, and every reference and accumulator are equal."""
        if not isinstance(other, AtomikTable):
            return NotImplemented
        return (
            (self._n, self._width) == (other._n, other._width)
            and bool(np.array_equal(self._ref, other._ref))
            and bool(np.array_equal(self._acc, other._acc))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        live = int(np.count_nonzero(self._ref | self._acc))
        return f"AtomikTable(num_contexts={self._n}, width={self._width}, non_zero={live})"
