"""The per-event fast paths at their bounds: the largest value and address pass, one past each
(and -1, a bool, a numpy int past the bound) raise the full validator's error and change
nothing."""

from __future__ import annotations

import numpy as np
import pytest

from atomik import AtomikContext, AtomikTable
from atomik.errors import AddressError, AtomikTypeError, RangeError


@pytest.mark.parametrize("width", [1, 8, 30, 31, 63, 64, 65, 200])
def test_context_value_bounds(width: int) -> None:
    top = (1 << width) - 1
    c = AtomikContext(width)
    for op in (c.accum, c.rollback, c.load):
        op(top)
    assert c.read() == top and c.delta_count == 0  # load cleared the two accumulated tops
    c.accum(top)
    before = (c.reference, c.accumulator, c.delta_count)
    for op in (c.accum, c.rollback, c.load):
        for bad in (top + 1, 1 << (width + 40), -1, -(1 << 70)):
            with pytest.raises(RangeError):
                op(bad)
        with pytest.raises(AtomikTypeError):
            op(True)
        with pytest.raises(RangeError):
            op(np.int64(-1))  # type: ignore[arg-type]
    assert (c.reference, c.accumulator, c.delta_count) == before


@pytest.mark.parametrize("width", [1, 8, 31, 63, 64])
@pytest.mark.parametrize("size", [1, 7, 1024])
def test_table_value_and_address_bounds(width: int, size: int) -> None:
    top = (1 << width) - 1
    t = AtomikTable(size, width)
    n, last = t.num_contexts, t.num_contexts - 1
    t.load(last, top)
    t.accum(last, top)
    t.rollback(last, top)
    assert t.read(last) == top
    t.accum(0, top)
    before = t.copy()
    for op in (t.accum, t.rollback, t.load):
        for bad in (top + 1, 1 << (width + 40), -1):
            with pytest.raises(RangeError):
                op(0, bad)
        for addr in (n, n + (1 << 40), -1):
            with pytest.raises(AddressError):
                op(addr, 1)
        with pytest.raises(AtomikTypeError):
            op(True, 1)
        with pytest.raises(AtomikTypeError):
            op(0, False)
    for addr in (n, -1):
        with pytest.raises(AddressError):
            t.read(addr)
    assert t == before
