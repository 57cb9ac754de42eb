"""A single delta-state context: a reference and an accumulator.

``read() == reference ^ accumulator`` in O(1), whatever the number of deltas accumulated. The
context mutates in place; the Lean model (``Atomik.Context``) is the functional twin of every
method, with the same names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from atomik._check import (
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
    ReferenceMismatchError,
    ShapeError,
    SizeError,
    SnapshotError,
    WidthError,
)

__all__ = ["MAX_CONTEXT_WIDTH", "AtomikContext", "replay"]

#: The widest context: ``2**24`` bits (a 2 MiB state). A wider width raises
#: :class:`~atomik.errors.SizeError` before anything is built, so no width makes ``repr`` or
#: ``snapshot`` exhaust memory.
MAX_CONTEXT_WIDTH = 1 << 24


def _context_width(width: object) -> int:
    w = check_width(width)
    if w > MAX_CONTEXT_WIDTH:
        raise SizeError(f"width must be at most MAX_CONTEXT_WIDTH = {MAX_CONTEXT_WIDTH}, got {w}")
    return w

U64Array = npt.NDArray[np.uint64]


class AtomikContext:
    """One delta-state context of ``width`` bits (``1 <= width <= MAX_CONTEXT_WIDTH``).

    Values are ints in ``[0, 2**width)``; anything else raises (nothing is silently masked).
    ``accum_many`` takes a numpy ``uint64`` array (1-D for ``width <= 64``, 2-D ``(n, words)``
    little-endian words for wider widths) or any iterable of ints.

    Lean: ``Atomik.Context`` (structure with ``reference`` and ``accumulator``).
    """

    # ``_max`` is ``2**width - 1``, kept with the width: the per-event range test is two int
    # comparisons, ``v > _max or v < 0`` (no shift, no allocation; not a chained ``0 <= v <=
    # _max``, whose stack shuffling measured a few ns slower on CPython 3.11).
    __slots__ = ("_accumulator", "_delta_count", "_max", "_reference", "_width")

    def __init__(self, width: int = 64, initial_state: int = 0) -> None:
        """Create a context of ``width`` bits whose reference is ``initial_state``."""
        self._width = _context_width(width)
        self._max = (1 << self._width) - 1
        self._reference = check_value(initial_state, self._width, "initial_state")
        self._accumulator = 0
        self._delta_count = 0

    # ----------------------------------------------------------------- the operations
    # The per-event methods validate with one type test and one range test in the common case (a
    # plain ``int`` with ``0 <= v <= 2**width - 1``); anything else goes through the full
    # validator, which raises the same errors as before.
    def load(self, value: int) -> None:
        """Set the reference to ``value`` and clear the accumulator. Lean: ``Context.load``."""
        if type(value) is not int or value > self._max or value < 0:
            value = check_value(value, self._width, "value")
        self._reference = value
        self._accumulator = 0
        self._delta_count = 0

    def accum(self, delta: int) -> None:
        """XOR ``delta`` into the accumulator. Lean: ``Context.accum``."""
        if type(delta) is not int or delta > self._max or delta < 0:
            delta = check_value(delta, self._width, "delta")
        self._accumulator = self._accumulator ^ delta  # not ``^=``: no stack shuffle on 3.11
        self._delta_count = self._delta_count + 1

    def read(self) -> int:
        """The current state, ``reference ^ accumulator``, in O(1). Lean: ``Context.read``."""
        return self._reference ^ self._accumulator

    def swap(self, new_reference: int | None = None) -> int:
        """Start a new epoch; return the state read just before.

        The new reference is the current state (or ``new_reference`` if given, as in
        atomik-core); the accumulator and ``delta_count`` are cleared. Lean: ``Context.swap``
        (without argument), ``Context.swapTo`` (with one: the context then reads
        ``new_reference``, whatever it read before — ``read_swapTo``; it is ``load``,
        ``swapTo_eq_load``).
        """
        new = (
            None
            if new_reference is None
            else check_value(new_reference, self._width, "new_reference")
        )
        current = self.read()
        self._reference = current if new is None else new
        self._accumulator = 0
        self._delta_count = 0
        return current

    def rollback(self, delta: int) -> None:
        """Undo an accumulated ``delta`` by accumulating it again (XOR is self-inverse).

        Lean: ``Context.rollback``.
        """
        if type(delta) is not int or delta > self._max or delta < 0:
            delta = check_value(delta, self._width, "delta")
        self._accumulator = self._accumulator ^ delta  # not ``^=``: no stack shuffle on 3.11
        self._delta_count = self._delta_count + 1

    def merge(self, other: AtomikContext, *, allow_different_reference: bool = False) -> None:
        """XOR ``other``'s accumulator into this one (``other`` is unchanged).

        The merge law (merging equals accumulating both delta lists) needs both contexts to share
        their reference, so a different reference raises
        :class:`~atomik.errors.ReferenceMismatchError` unless ``allow_different_reference=True``
        (then the result keeps this context's reference, exactly like Lean's ``Context.merge``).
        """
        if not isinstance(other, AtomikContext):
            raise AtomikTypeError(f"other must be an AtomikContext, got {type(other).__name__}")
        if other._width != self._width:
            raise WidthError(
                f"cannot merge a width-{other._width} context into a width-{self._width} one"
            )
        if not allow_different_reference and other._reference != self._reference:
            raise ReferenceMismatchError(
                f"merge expects a shared reference: this context has {hex(self._reference)}, "
                f"other has {hex(other._reference)} (pass allow_different_reference=True to keep "
                "this context's reference)"
            )
        self._accumulator ^= other._accumulator
        self._delta_count += other._delta_count

    def accum_many(self, deltas: U64Array | Iterable[int]) -> None:
        """Accumulate many deltas at once (the XOR of all of them). Lean: ``Context.accumAll``.

        A 1-D numpy ``uint64`` array (``width <= 64``) goes through the numba kernel
        ``xor_reduce``; a 2-D array of shape ``(n, ceil(width / 64))`` (little-endian words per
        row, any width) through ``xor_reduce_rows``; any other iterable of ints is validated one
        by one. Validation happens before any change: on error the context is unchanged.
        """
        w = self._width
        if isinstance(deltas, np.ndarray):
            if deltas.ndim == 2:
                check_u64_array(deltas, "deltas", 2)
                check_rows_fit(deltas, w, "deltas")
                total = words_to_int(kernels().xor_reduce_rows(deltas))
                n = deltas.shape[0]
            else:
                check_u64_array(deltas, "deltas", 1)
                if w > 64:
                    raise ShapeError(
                        f"deltas for width {w} must be a 2-D array of shape "
                        f"(n, {(w + 63) // 64}), got shape {deltas.shape}"
                    )
                check_array_fits(deltas, w, "deltas")
                total = int(kernels().xor_reduce(deltas))
                n = deltas.shape[0]
        else:
            if isinstance(deltas, str | bytes | bytearray | memoryview) or not isinstance(
                deltas, Iterable
            ):
                raise AtomikTypeError(
                    "deltas must be a numpy uint64 array or an iterable of ints, "
                    f"got {type(deltas).__name__}"
                )
            total = 0
            n = 0
            for i, d in enumerate(deltas):
                total ^= check_value(d, w, f"deltas[{i}]")
                n += 1
        self._accumulator ^= total
        self._delta_count += n

    # ----------------------------------------------------------------- state
    @property
    def reference(self) -> int:
        """The reference state (set by ``load`` and ``swap``)."""
        return self._reference

    @property
    def accumulator(self) -> int:
        """The XOR of every delta accumulated since the last ``load`` or ``swap``."""
        return self._accumulator

    @property
    def width(self) -> int:
        """The bit width of every value in this context."""
        return self._width

    @property
    def delta_count(self) -> int:
        """How many deltas were accumulated since the last ``load`` or ``swap``.

        Bookkeeping outside the ``Context`` model: ``accum(0)`` counts one delta and leaves the
        modelled context equal (``Atomik.Counted.accum_zero``), so ``==`` ignores the count;
        ``accum_many`` counts like one ``accum`` per delta (``Counted.accumMany_eq_foldl``) and
        ``merge`` adds the counts (``Counted.count_merge``).
        """
        return self._delta_count

    @property
    def is_clean(self) -> bool:
        """True when the accumulator is zero (``read() == reference``). Lean: ``Context.isClean``.

        Note: a delta accumulated twice leaves the context clean again.
        """
        return self._accumulator == 0

    def snapshot(self) -> dict[str, int]:
        """A plain dict ``{width, reference, accumulator, state, delta_count}`` (JSON-friendly)."""
        return {
            "width": self._width,
            "reference": self._reference,
            "accumulator": self._accumulator,
            "state": self.read(),
            "delta_count": self._delta_count,
        }

    @staticmethod
    def _parse_snapshot(snap: object) -> tuple[int, int, int, int]:
        if not isinstance(snap, Mapping):
            raise SnapshotError(f"snapshot must be a mapping, got {type(snap).__name__}")
        missing = [k for k in ("width", "reference", "accumulator") if k not in snap]
        if missing:
            raise SnapshotError(f"snapshot is missing {', '.join(missing)}")
        width = _context_width(snap["width"])
        ref = check_value(snap["reference"], width, "reference")
        acc = check_value(snap["accumulator"], width, "accumulator")
        count = check_count(snap.get("delta_count", 0), "delta_count")
        if "state" in snap and check_value(snap["state"], width, "state") != ref ^ acc:
            raise SnapshotError(
                f"snapshot state {hex(snap['state'])} is not reference ^ accumulator "
                f"= {hex(ref ^ acc)}"
            )
        return width, ref, acc, count

    def restore(self, snap: Mapping[str, Any]) -> None:
        """Set this context from a :meth:`snapshot` dict (validated first; unchanged on error)."""
        width, ref, acc, count = self._parse_snapshot(snap)
        self._width, self._reference, self._accumulator, self._delta_count = (
            width,
            ref,
            acc,
            count,
        )
        self._max = (1 << width) - 1

    @classmethod
    def from_snapshot(cls, snap: Mapping[str, Any]) -> AtomikContext:
        """A new context from a :meth:`snapshot` dict (the atomik-core spelling)."""
        ctx = cls.__new__(cls)
        ctx._width, ctx._reference, ctx._accumulator, ctx._delta_count = cls._parse_snapshot(snap)
        ctx._max = (1 << ctx._width) - 1
        return ctx

    def copy(self) -> AtomikContext:
        """An independent copy (same width, reference, accumulator and delta count)."""
        ctx = AtomikContext.__new__(AtomikContext)
        ctx._width = self._width
        ctx._max = self._max
        ctx._reference = self._reference
        ctx._accumulator = self._accumulator
        ctx._delta_count = self._delta_count
        return ctx

    def __eq__(self, other: object) -> bool:
        """Equal when width, reference and accumulator are equal: Lean's equality of
        ``Context`` (``delta_count`` is outside the model and ignored, see :attr:`delta_count`)."""
        if not isinstance(other, AtomikContext):
            return NotImplemented
        return (self._width, self._reference, self._accumulator) == (
            other._width,
            other._reference,
            other._accumulator,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        digits = (self._width + 3) // 4 if self._width <= 256 else 0  # zero-pad narrow widths
        return (
            f"AtomikContext(width={self._width}, reference=0x{self._reference:0{digits}x}, "
            f"accumulator=0x{self._accumulator:0{digits}x}, state=0x{self.read():0{digits}x}, "
            f"delta_count={self._delta_count})"
        )


def replay(initial: int, deltas: Iterable[int], *, width: int = 64) -> int:
    """The O(n) baseline: apply ``deltas`` one after another to ``initial``, return the state.

    This is what an event-sourced system does to reconstruct a state; ``AtomikContext.read``
    returns the same value in O(1). Lean: ``Context.replay``.
    """
    w = check_width(width)
    state = check_value(initial, w, "initial")
    if isinstance(deltas, str | bytes | bytearray | memoryview) or not isinstance(deltas, Iterable):
        raise AtomikTypeError(f"deltas must be an iterable of ints, got {type(deltas).__name__}")
    for i, d in enumerate(deltas):
        state = state ^ check_value(d, w, f"deltas[{i}]")
    return state
