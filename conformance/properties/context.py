"""Hand-written checks for ``Atomik.Context``."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik import AtomikContext
from atomik.conformance import strategies as S
from atomik.conformance.registry import checks


@checks("Atomik.Context.merge_comm", crosshair=True)
def merge_comm_shared_reference(data: Any) -> None:
    """Two contexts that share a reference merge to the same context in either order.

    The premise is a generator: c₂ is drawn with c₁'s reference (so the default
    ``allow_different_reference=False`` path of ``merge`` is the one exercised).
    """
    w = data.draw(S.widths(wide=True), label="w")
    ref = data.draw(S.bitvecs(w), label="reference")
    a1, a2 = data.draw(S.bitvecs(w), label="acc1"), data.draw(S.bitvecs(w), label="acc2")
    c1, c2 = AtomikContext(w, ref), AtomikContext(w, ref)
    c1.accum(a1)
    c2.accum(a2)
    left, right = c1.copy(), c2.copy()
    left.merge(c2)
    right.merge(c1)
    assert left == right, (left, right)


@checks("Atomik.Context.read_accumAll_eq_replay")
def read_after_accum_equals_replay_sequence(data: Any) -> None:
    """After each step of a random sequence of accum / accum_many / rollback, read() equals the
    O(n) replay of every delta applied so far (the seed's claim, on the mutating API)."""
    w = data.draw(S.widths(), label="w")
    v = data.draw(S.bitvecs(w), label="v")
    ctx = AtomikContext(w, v)
    applied: list[int] = []
    from atomik.context import replay

    for _ in range(data.draw(st.integers(0, 8), label="steps")):
        ds = data.draw(S.lists_of(S.bitvecs(w), max_size=4), label="ds")
        kind = data.draw(st.sampled_from(["accum", "many", "rollback"]), label="op")
        if kind == "many":
            ctx.accum_many(ds)
        else:
            for d in ds:
                ctx.rollback(d) if kind == "rollback" else ctx.accum(d)
        applied.extend(ds)
        left, right = ctx.read(), replay(v, applied, width=w)
        assert left == right, (left, right)


@checks("Atomik.Context.isClean_accum_iff")
def is_clean_accum_iff(data: Any) -> None:
    """accum(d) leaves the context clean exactly when d is its accumulator (d drawn as the
    accumulator half the time, so both sides are true about as often as false)."""
    from atomik.conformance.engine import observe_iff

    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    d = c.accumulator if data.draw(st.booleans(), label="d is the accumulator") else \
        data.draw(S.bitvecs(w), label="d")
    acc = c.accumulator
    c.accum(d)
    left, right = c.is_clean, d == acc
    observe_iff(left)
    assert left == right, (left, right)


@checks("Atomik.Context.isClean_iff")
def is_clean_iff(data: Any) -> None:
    """is_clean exactly when the accumulator is zero (contexts made clean half the time, by a
    delta accumulated twice, and dirty the other half)."""
    from atomik.conformance.engine import observe_iff

    w = data.draw(S.widths(wide=True), label="w")
    c = data.draw(S.contexts(w), label="c")
    if data.draw(st.booleans(), label="cancel"):
        c.accum(c.accumulator)
    elif c.accumulator == 0:
        c.accum(data.draw(st.integers(1, (1 << w) - 1), label="dirty"))
    left, right = c.is_clean, c.accumulator == 0
    observe_iff(left)
    assert left == right, (left, right)
