"""Hand-written checks for ``Atomik.LWW``: the last-writer-wins registers of
``atomik.replication.lww`` (``LWWRegisters``, ``LWWWrite``), every one calling the real class.

The model's ``Regs`` is the registers' fields (``_id``, ``_n``, ``_width``, ``_clock``,
``_values``, ``_stamps``), ``stampAt``/``valueAt`` their lists, ``apply`` a ``receive`` of a
valid write, ``receiveAll`` a loop of ``receive``, ``stampLt`` Python's tuple ``<``. Registers are
drawn as a real history (puts and receives of writes with clocks near each other, 1 to 4
addresses, 1 address a third of the time); write lists have distinct stamps by construction
(clock ties broken by origin), then exact duplicates, so the convergence premise always holds.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from atomik.conformance.engine import observe_iff
from atomik.conformance.registry import checks
from atomik.errors import AtomikError
from atomik.replication.lww import LWWRegisters, LWWWrite

Stamp = tuple[int, int]
INIT: Stamp = (-1, -1)
ORIGINS = (0, 1, 2, 3, 2**32 - 1)


def _lex_lt(s: Stamp, t: Stamp) -> bool:
    """The model's ``stampLt``: by clock, ties broken by origin."""
    return s[0] < t[0] or (s[0] == t[0] and s[1] < t[1])


def _state(r: LWWRegisters) -> tuple[Any, ...]:
    """Every field of the registers (the model's ``Regs``)."""
    return (r._id, r._n, r._width, r._clock, list(r._values), list(r._stamps))


def _write(data: Any, r: LWWRegisters, label: str = "w") -> LWWWrite:
    """A valid write for ``r``: clock near the registers' clock, small origins (ties likely)."""
    clock = data.draw(st.integers(max(0, r._clock - 3), r._clock + 3), label=f"{label}.clock")
    origin = data.draw(st.sampled_from(ORIGINS), label=f"{label}.origin")
    addr = data.draw(st.integers(0, r._n - 1), label=f"{label}.addr")
    value = data.draw(st.integers(0, 2**r._width - 1), label=f"{label}.value")
    return LWWWrite(origin, clock, addr, value)


def _regs(data: Any, label: str = "r") -> LWWRegisters:
    """Registers after a short real history of puts and receives."""
    n = data.draw(st.sampled_from((1, 1, 2, 3, 4)), label=f"{label}.n")
    width = data.draw(st.sampled_from((1, 8, 64)), label=f"{label}.width")
    rid = data.draw(st.sampled_from(ORIGINS), label=f"{label}.id")
    r = LWWRegisters(rid, n, width)
    for i in range(data.draw(st.integers(0, 5), label=f"{label}.history")):
        if data.draw(st.booleans(), label=f"{label}.op{i}"):
            r.put(data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, 2**width - 1)))
        else:
            r.receive(_write(data, r, f"{label}.h{i}"))
    return r


def _any_regs(data: Any) -> LWWRegisters:
    """Registers with arbitrary fields (the theorems hold for any registers, not only reachable
    ones): stored stamps may be ahead of the clock."""
    r = _regs(data)
    r._clock = data.draw(st.integers(0, 6), label="clock")
    for a in range(r._n):
        if data.draw(st.booleans(), label=f"set{a}"):
            r._stamps[a] = (data.draw(st.integers(0, 9)), data.draw(st.sampled_from(ORIGINS)))
            r._values[a] = data.draw(st.integers(0, 2**r._width - 1))
    return r


def _distinct(data: Any, r: LWWRegisters, label: str = "ws") -> list[LWWWrite]:
    """Writes with pairwise distinct stamps by construction (clock ties broken by origin), then
    exact duplicates of some of them, shuffled."""
    base = max(0, r._clock - 2)
    stamps = data.draw(st.lists(st.tuples(st.integers(base, base + 4), st.sampled_from(ORIGINS)),
                                unique=True, max_size=7), label=f"{label}.stamps")
    ws = [LWWWrite(o, c, data.draw(st.integers(0, r._n - 1)),
                   data.draw(st.integers(0, 2**r._width - 1))) for c, o in stamps]
    if ws:
        ws += data.draw(st.lists(st.sampled_from(ws), max_size=4), label=f"{label}.dups")
    return data.draw(st.permutations(ws), label=label)


def _coin(data: Any, p: float = 0.5, label: str = "coin") -> bool:
    """True with probability ``p`` (a seeded random: sampled_from and booleans lean to their
    first value, which would skew an iff check's share)."""
    return bool(data.draw(st.randoms(use_true_random=False), label=label).random() < p)


def _bad_or_good(data: Any, r: LWWRegisters, p_ok: float = 0.5) -> tuple[LWWWrite, bool]:
    """A write that is invalid with probability ``1 - p_ok`` (address, value or origin out of
    range); whether it is valid."""
    w = _write(data, r)
    kind = "ok" if _coin(data, p_ok) else data.draw(
        st.sampled_from(("addr", "value", "origin")), label="kind")
    if kind == "addr":
        w = LWWWrite(w.origin, w.clock, r._n + data.draw(st.integers(0, 2)), w.value)
    elif kind == "value":
        w = LWWWrite(w.origin, w.clock, w.addr, 2**r._width + data.draw(st.integers(0, 2)))
    elif kind == "origin":
        w = LWWWrite(2**32 + data.draw(st.integers(0, 2)), w.clock, w.addr, w.value)
    return w, kind == "ok"


def _received(r: LWWRegisters, *ws: LWWWrite) -> LWWRegisters:
    out = copy.deepcopy(r)
    for w in ws:
        out.receive(w)
    return out


def _stamp_pool(data: Any) -> list[Stamp]:
    """Three stamps of real registers and writes (the initial one included): in ascending order
    half the time (so the order lemmas' premises hold often), the first two equal a quarter."""
    r = _regs(data)
    pool = [*r._stamps, INIT, *(_write(data, r, f"s{i}").stamp for i in range(3))]
    out = [data.draw(st.sampled_from(pool), label=f"p{i}") for i in range(3)]
    if data.draw(st.integers(0, 3), label="equal") == 0:
        out[1] = out[0]
    if data.draw(st.booleans(), label="sorted"):
        out.sort()
    return out


# ------------------------------------------------------------------------- the stamp order

@checks("Atomik.LWW.stampLt_irrefl")
def stamp_lt_irrefl(data: Any) -> None:
    """A write whose stamp equals the stored one is not kept (Python's ``<=`` test)."""
    r = _regs(data)
    w = _write(data, r)
    r.receive(w)
    s = r._stamps[w.addr]
    assert not s < s and not _lex_lt(s, s), s
    assert r.receive(LWWWrite(s[1], s[0], w.addr, w.value)) is False, (s, w)


@checks("Atomik.LWW.stampLt_trans")
def stamp_lt_trans(data: Any) -> None:
    """Python's tuple order on stamps is the model's, and is transitive."""
    s, t, u = _stamp_pool(data)
    for x, y in ((s, t), (t, u), (s, u)):
        assert (x < y) == _lex_lt(x, y), (x, y)
    if s < t and t < u:
        assert s < u, (s, t, u)


@checks("Atomik.LWW.stampLt_total")
def stamp_lt_total(data: Any) -> None:
    """Two stamps are equal or one is older, in Python's order as in the model's."""
    s, t, _ = _stamp_pool(data)
    assert (s < t) == _lex_lt(s, t) and (t < s) == _lex_lt(t, s), (s, t)
    assert [s < t, s == t, t < s].count(True) == 1, (s, t)


@checks("Atomik.LWW.stamp_eq_of_not_lt")
def stamp_eq_of_not_lt(data: Any) -> None:
    """Stamps neither older than the other are equal."""
    s, t, _ = _stamp_pool(data)
    if not _lex_lt(s, t) and not _lex_lt(t, s):
        assert s == t, (s, t)


@checks("Atomik.LWW.stampLe_trans")
def stamp_le_trans(data: Any) -> None:
    """Not older is transitive."""
    s, t, u = _stamp_pool(data)
    if not t < s and not u < t:
        assert not u < s and not _lex_lt(u, s), (s, t, u)


@checks("Atomik.LWW.stampLe_ite")
def stamp_le_ite(data: Any) -> None:
    """Receiving a write never makes a register's stamp older."""
    r = _any_regs(data)
    before = list(r._stamps)
    r.receive(_write(data, r))
    for b in range(r._n):
        assert not r._stamps[b] < before[b], (b, r._stamps, before)


@checks("Atomik.LWW.stamp_raise_ge")
def stamp_raise_ge(data: Any) -> None:
    """After receiving a write its register's stamp is not older than the write's."""
    r = _regs(data)
    w = _write(data, r)
    r.receive(w)
    assert not r._stamps[w.addr] < w.stamp, (r._stamps, w)


def _two_compatible(data: Any, r: LWWRegisters) -> tuple[LWWWrite, LWWWrite]:
    """Two writes that do not share a stamp with different contents: the second is the first
    again a quarter of the time, at the same address half the time."""
    w1 = _write(data, r, "w1")
    if data.draw(st.integers(0, 3), label="same") == 0:
        return w1, w1
    w2 = _write(data, r, "w2")
    if data.draw(st.booleans(), label="same_addr"):
        w2 = LWWWrite(w2.origin, w2.clock, w1.addr, w2.value)
    if w2.stamp == w1.stamp:  # distinct by construction: move the clock
        w2 = LWWWrite(w2.origin, w2.clock + 1, w2.addr, w2.value)
    return w1, w2


@checks("Atomik.LWW.stamp_raise_comm")
def stamp_raise_comm(data: Any) -> None:
    """Two receives in either order leave the same stamps."""
    r = _regs(data)
    w1, w2 = _two_compatible(data, r)
    assert _received(r, w1, w2)._stamps == _received(r, w2, w1)._stamps, (w1, w2)


@checks("Atomik.LWW.value_raise_comm")
def value_raise_comm(data: Any) -> None:
    """Two receives in either order leave the same values when the writes do not share a stamp
    with different contents."""
    r = _regs(data)
    w1, w2 = _two_compatible(data, r)
    assert _received(r, w1, w2)._values == _received(r, w2, w1)._values, (w1, w2)


@checks("Atomik.LWW.stamp_raise_idem")
def stamp_raise_idem(data: Any) -> None:
    """Receiving a write twice leaves the stamps of receiving it once."""
    r = _regs(data)
    w = _write(data, r)
    assert _received(r, w, w)._stamps == _received(r, w)._stamps, w


@checks("Atomik.LWW.value_raise_idem")
def value_raise_idem(data: Any) -> None:
    """Receiving a write twice leaves the values of receiving it once."""
    r = _regs(data)
    w = _write(data, r)
    assert _received(r, w, w)._values == _received(r, w)._values, w


# ------------------------------------------------------------------------- one write

@checks("Atomik.LWW.Regs.apply_id")
def apply_id(data: Any) -> None:
    """Receiving a write leaves the replica id alone."""
    r = _regs(data)
    assert _received(r, _write(data, r))._id == r._id


@checks("Atomik.LWW.Regs.apply_n")
def apply_n(data: Any) -> None:
    """Receiving a write leaves the number of registers alone."""
    r = _regs(data)
    assert _received(r, _write(data, r))._n == r._n


@checks("Atomik.LWW.Regs.apply_width")
def apply_width(data: Any) -> None:
    """Receiving a write leaves the width alone."""
    r = _regs(data)
    assert _received(r, _write(data, r))._width == r._width


@checks("Atomik.LWW.Regs.apply_clock")
def apply_clock(data: Any) -> None:
    """Receiving a write sets the clock to max(clock, write's clock + 1)."""
    r = _any_regs(data)
    w = _write(data, r)
    assert _received(r, w)._clock == max(r._clock, w.clock + 1), (r._clock, w)


def _verdict(r: LWWRegisters, w: LWWWrite) -> type[BaseException] | None:
    try:
        _received(r, w)
    except AtomikError as e:
        return type(e)
    return None


@checks("Atomik.LWW.Regs.check_apply")
def check_apply(data: Any) -> None:
    """Whether a write is refused (and with which error) does not depend on the writes received
    before it."""
    r = _regs(data)
    w, _ = _bad_or_good(data, r)
    assert _verdict(_received(r, _write(data, r, "w2")), w) == _verdict(r, w), w


@checks("Atomik.LWW.Regs.wf_apply")
def wf_apply(data: Any) -> None:
    """After receiving a write the lists still hold one entry per register."""
    r = _regs(data)
    r.receive(_write(data, r))
    assert len(r._stamps) == len(r._values) == r._n, _state(r)


def _expected_after(r: LWWRegisters, w: LWWWrite, b: int) -> tuple[Stamp, int]:
    if b == w.addr and _lex_lt(r._stamps[b], w.stamp):
        return w.stamp, w.value
    return r._stamps[b], r._values[b]


@checks("Atomik.LWW.Regs.apply_stampAt")
def apply_stamp_at(data: Any) -> None:
    """A received write leaves its stamp at its address if newer, every other stamp alone."""
    r = _any_regs(data)
    w = _write(data, r)
    after = _received(r, w)
    for b in range(r._n):
        assert after._stamps[b] == _expected_after(r, w, b)[0], (b, w, r._stamps, after._stamps)


@checks("Atomik.LWW.Regs.apply_valueAt")
def apply_value_at(data: Any) -> None:
    """A received write leaves its value at its address if newer, every other value alone."""
    r = _any_regs(data)
    w = _write(data, r)
    after = _received(r, w)
    for b in range(r._n):
        assert after._values[b] == _expected_after(r, w, b)[1], (b, w, r._values, after._values)


@checks("Atomik.LWW.Regs.ext_at")
def ext_at(data: Any) -> None:
    """Registers are their fields: a copy built from the fields alone behaves the same on every
    later put, receive and read."""
    r = _regs(data)
    twin = LWWRegisters(r._id, r._n, r._width)
    twin._clock, twin._values, twin._stamps = r._clock, list(r._values), list(r._stamps)
    for i in range(data.draw(st.integers(1, 4), label="ops")):
        if data.draw(st.booleans(), label=f"put{i}"):
            a, v = data.draw(st.integers(0, r._n - 1)), data.draw(st.integers(0, 2**r._width - 1))
            assert r.put(a, v) == twin.put(a, v)
        else:
            w = _write(data, r, f"w{i}")
            assert r.receive(w) == twin.receive(w), w
        assert [r.read(b) for b in range(r._n)] == [twin.read(b) for b in range(r._n)]
    assert _state(r) == _state(twin)


@checks("Atomik.LWW.Regs.apply_idem")
def apply_idem(data: Any) -> None:
    """Receiving the same write twice leaves every field as receiving it once."""
    r = _any_regs(data)
    w = _write(data, r)
    assert _state(_received(r, w, w)) == _state(_received(r, w)), w


@checks("Atomik.LWW.Regs.apply_comm")
def apply_comm(data: Any) -> None:
    """Two writes received in either order leave every field the same when they do not share a
    stamp with different contents."""
    r = _any_regs(data)
    w1, w2 = _two_compatible(data, r)
    assert _state(_received(r, w1, w2)) == _state(_received(r, w2, w1)), (w1, w2)


# ------------------------------------------------------------------------- receive

def _valid(r: LWWRegisters, w: LWWWrite) -> bool:
    return w.addr < r._n and w.value < 2**r._width and w.origin < 2**32


@checks("Atomik.LWW.Regs.check_eq_none")
def check_eq_none(data: Any) -> None:
    """A write passes validation exactly when its address, value and origin are in range."""
    r = _regs(data)
    w, ok = _bad_or_good(data, r)
    observe_iff(_verdict(r, w) is None)
    assert (_verdict(r, w) is None) == _valid(r, w) == ok, w


@checks("Atomik.LWW.Regs.receive_error_iff")
def receive_error_iff(data: Any) -> None:
    """receive raises exactly for an out-of-range address, value or origin, and then changes
    nothing."""
    r = _regs(data)
    w, ok = _bad_or_good(data, r)
    before = _state(r)
    try:
        r.receive(w)
        raised = False
    except AtomikError:
        raised = True
        assert _state(r) == before, (w, before, _state(r))
    observe_iff(raised)
    assert raised == (not _valid(r, w)) == (not ok), w


@checks("Atomik.LWW.Regs.receive_ok")
def receive_ok(data: Any) -> None:
    """A valid write is kept exactly when its stamp is newer than the stored one, and receive
    says so."""
    r = _any_regs(data)
    w = _write(data, r)
    newer = _lex_lt(r._stamps[w.addr], w.stamp)
    kept = copy.deepcopy(r).receive(w)
    assert kept is newer, (kept, r._stamps, w)


@checks("Atomik.LWW.Regs.receive_idem")
def receive_idem(data: Any) -> None:
    """A write received a second time is not kept and changes nothing."""
    r = _regs(data)
    w = _write(data, r)
    r.receive(w)
    before = _state(r)
    assert r.receive(w) is False, w
    assert _state(r) == before, (before, _state(r))


@checks("Atomik.LWW.Regs.receive_clock")
def receive_clock(data: Any) -> None:
    """After receiving a write the clock is past the write's clock and has not gone back."""
    r = _any_regs(data)
    w = _write(data, r)
    before = r._clock
    r.receive(w)
    assert r._clock > w.clock and r._clock >= before, (before, r._clock, w)


@checks("Atomik.LWW.Regs.receive_comm")
def receive_comm(data: Any) -> None:
    """Two valid writes received in either order give the same registers (values, stamps, clock)
    when they do not share a stamp with different contents."""
    r = _regs(data)
    w1, w2 = _two_compatible(data, r)
    a, b = _received(r, w1, w2), _received(r, w2, w1)
    assert _state(a) == _state(b), (w1, w2)
    assert [a.read(i) for i in range(r._n)] == [b.read(i) for i in range(r._n)]


# ------------------------------------------------------------------------- many writes

@checks("Atomik.LWW.Regs.wf_applyAll")
def wf_apply_all(data: Any) -> None:
    """After receiving writes the lists still hold one entry per register."""
    r = _regs(data)
    r = _received(r, *_distinct(data, r))
    assert len(r._stamps) == len(r._values) == r._n, _state(r)


@checks("Atomik.LWW.Regs.applyAll_n")
def apply_all_n(data: Any) -> None:
    """Receiving writes leaves the number of registers alone."""
    r = _regs(data)
    assert _received(r, *_distinct(data, r))._n == r._n


@checks("Atomik.LWW.Regs.receiveAll_eq_ok")
def receive_all_eq_ok(data: Any) -> None:
    """Receiving writes one by one succeeds exactly when every one is valid."""
    r = _regs(data)
    ws = _distinct(data, r)
    if _coin(data, label="spoil"):
        bad, _ = _bad_or_good(data, r, p_ok=0.0)
        ws.insert(data.draw(st.integers(0, len(ws)), label="at"), bad)
    try:
        _received(r, *ws)
        ok = True
    except AtomikError:
        ok = False
    observe_iff(ok)
    assert ok == all(_valid(r, w) for w in ws), ws


def _perm_check(data: Any) -> None:
    r = _regs(data)
    ws = _distinct(data, r)
    ws2 = data.draw(st.permutations(ws), label="ws2")
    a, b = _received(r, *ws), _received(r, *ws2)
    assert _state(a) == _state(b), (ws, ws2, _state(a), _state(b))


@checks("Atomik.LWW.Regs.applyAll_perm")
def apply_all_perm(data: Any) -> None:
    """Any two orders of the same writes (duplicates included, distinct stamps) give the same
    registers."""
    _perm_check(data)


@checks("Atomik.LWW.Regs.receiveAll_perm")
def receive_all_perm(data: Any) -> None:
    """Receiving the same writes in two orders (duplicates included, no stamp shared by
    different contents) gives the same values, stamps and clock."""
    _perm_check(data)


@checks("Atomik.LWW.Regs.applyAll_stampAt_mono")
def apply_all_stamp_at_mono(data: Any) -> None:
    """A register's stamp never goes back over a list of writes."""
    r = _any_regs(data)
    after = _received(r, *_distinct(data, r))
    for b in range(r._n):
        assert not after._stamps[b] < r._stamps[b], (b, r._stamps, after._stamps)


@checks("Atomik.LWW.Regs.applyAll_stampAt_ge")
def apply_all_stamp_at_ge(data: Any) -> None:
    """A register's stamp is not older than any write received at its address."""
    r = _any_regs(data)
    ws = _distinct(data, r)
    after = _received(r, *ws)
    for w in ws:
        assert not after._stamps[w.addr] < w.stamp, (w, after._stamps)


@checks("Atomik.LWW.Regs.applyAll_from")
def apply_all_from(data: Any) -> None:
    """A register holds its initial stamp and value or those of a write received at its
    address."""
    r = _any_regs(data)
    ws = _distinct(data, r)
    after = _received(r, *ws)
    for b in range(r._n):
        held = (after._stamps[b], after._values[b])
        options = [(r._stamps[b], r._values[b])] + [(w.stamp, w.value) for w in ws if w.addr == b]
        assert held in options, (b, held, options)


@checks("Atomik.LWW.Regs.receiveAll_read_max")
def receive_all_read_max(data: Any) -> None:
    """Each address reads the value of the write with the largest stamp received there, when it
    beats the register's stored stamp."""
    r = _any_regs(data)
    ws = _distinct(data, r)
    after = _received(r, *ws)
    for b in range(r._n):
        here = [w for w in ws if w.addr == b]
        if here:
            top = max(here, key=lambda w: w.stamp)
            if _lex_lt(r._stamps[b], top.stamp):
                assert after.read(b) == top.value, (b, top, after._values)


@checks("Atomik.LWW.Regs.receiveAll_read_other")
def receive_all_read_other(data: Any) -> None:
    """An address no received write addresses keeps its value."""
    r = _regs(data)
    ws = _distinct(data, r)
    after = _received(r, *ws)
    for b in range(r._n):
        if all(w.addr != b for w in ws):
            assert after.read(b) == r.read(b), (b, ws)


@checks("Atomik.LWW.Regs.receiveAll_clock")
def receive_all_clock(data: Any) -> None:
    """After receiving writes the clock has not gone back and is past every write's clock."""
    r = _any_regs(data)
    ws = _distinct(data, r)
    after = _received(r, *ws)
    assert after._clock >= r._clock, (r._clock, after._clock)
    assert all(after._clock > w.clock for w in ws), (after._clock, ws)


# ------------------------------------------------------------------------- put and create

def _put(data: Any) -> tuple[LWWRegisters, LWWRegisters, int, int, LWWWrite]:
    r = _any_regs(data)
    a = data.draw(st.integers(0, r._n - 1), label="a")
    v = data.draw(st.integers(0, 2**r._width - 1), label="v")
    after = copy.deepcopy(r)
    return r, after, a, v, after.put(a, v)


@checks("Atomik.LWW.Regs.put_ok")
def put_ok(data: Any) -> None:
    """put stamps the write (max(clock, stored clock + 1), id), ticks the clock past it and
    receives it; an address or value out of range raises and changes nothing."""
    r, after, a, v, w = _put(data)
    pc = max(r._clock, r._stamps[a][0] + 1)
    assert w == LWWWrite(r._id, pc, a, v), (w, r._clock, r._stamps)
    expected = copy.deepcopy(r)
    expected._clock = pc + 1
    expected.receive(w)
    assert _state(after) == _state(expected), (_state(after), _state(expected))
    bad = copy.deepcopy(r)
    try:
        if data.draw(st.booleans(), label="bad_addr"):
            bad.put(r._n + data.draw(st.integers(0, 2)), v)
        else:
            bad.put(a, 2**r._width)
        raised = False
    except AtomikError:
        raised = True
    assert raised and _state(bad) == _state(r), (raised, _state(bad))


@checks("Atomik.LWW.Regs.put_stamp_gt")
def put_stamp_gt(data: Any) -> None:
    """A local write is stamped after the stored stamp, carries the address, value and id, and
    its clock is not below the registers' clock (stored stamps may be ahead of the clock)."""
    r, _, a, v, w = _put(data)
    assert _lex_lt(r._stamps[a], w.stamp), (r._stamps, w)
    assert (w.addr, w.value, w.origin) == (a, v, r._id) and r._clock <= w.clock, (w, r._clock)


@checks("Atomik.LWW.Regs.put_wins")
def put_wins(data: Any) -> None:
    """A local write wins locally: its address holds its stamp and reads its value, and the
    clock is past its clock."""
    _, after, a, v, w = _put(data)
    assert after._stamps[a] == w.stamp and after.read(a) == v, (w, _state(after))
    assert after._clock > w.clock, (after._clock, w)
    w2 = after.put(a, (v + 1) % 2**after._width)  # and the next local write wins too
    assert after.read(a) == w2.value and after._stamps[a] == w2.stamp, (w, w2, _state(after))


@checks("Atomik.LWW.Regs.create_read")
def create_read(data: Any) -> None:
    """New registers read 0 everywhere with clock 0 and one entry per register; an id of 33
    bits, no registers or a zero width raise."""
    rid = data.draw(st.sampled_from((*ORIGINS, 2**32)), label="id")
    n = data.draw(st.integers(0, 4), label="n")
    width = data.draw(st.sampled_from((0, 1, 8, 64)), label="width")
    ok = rid < 2**32 and n >= 1 and width >= 1
    try:
        r = LWWRegisters(rid, n, width)
    except AtomikError:
        assert not ok, (rid, n, width)
        return
    assert ok, (rid, n, width)
    assert (r._id, r._n, r._clock) == (rid, n, 0)
    assert len(r._stamps) == len(r._values) == n
    assert [r.read(b) for b in range(n)] == [0] * n


# ------------------------------------------------------------------------- the clock invariant

def _clock_ahead(r: LWWRegisters) -> bool:
    return all(s[0] < r._clock for s in r._stamps)


@checks("Atomik.LWW.Regs.clockAhead_apply")
def clock_ahead_apply(data: Any) -> None:
    """Receiving a write keeps the clock ahead of every stored stamp (premise: real registers,
    which always have it)."""
    r = _regs(data)
    assert _clock_ahead(r), _state(r)
    assert _clock_ahead(_received(r, _write(data, r))), _state(r)


@checks("Atomik.LWW.Regs.clockAhead_receive")
def clock_ahead_receive(data: Any) -> None:
    """Receiving writes (valid or refused) keeps the clock ahead of every stored stamp."""
    r = _regs(data)
    assert _clock_ahead(r), _state(r)
    for _i in range(data.draw(st.integers(1, 4), label="k")):
        w, _ = _bad_or_good(data, r)
        try:
            r.receive(w)
        except AtomikError:
            pass
        assert _clock_ahead(r), (w, _state(r))


@checks("Atomik.LWW.Regs.putClock_of_clockAhead")
def put_clock_of_clock_ahead(data: Any) -> None:
    """On real registers a local write is stamped with the clock itself (put's raise past the
    stored stamp changes nothing there)."""
    r = _regs(data)
    assert _clock_ahead(r), _state(r)
    a = data.draw(st.integers(0, r._n - 1), label="a")
    clock = r._clock
    assert max(clock, r._stamps[a][0] + 1) == clock, _state(r)
    assert r.put(a, 0).clock == clock, (clock, _state(r))


@checks("Atomik.LWW.Regs.clockAhead_put")
def clock_ahead_put(data: Any) -> None:
    """A local write keeps the clock ahead of every stored stamp."""
    r = _regs(data)
    assert _clock_ahead(r), _state(r)
    r.put(data.draw(st.integers(0, r._n - 1)), data.draw(st.integers(0, 2**r._width - 1)))
    assert _clock_ahead(r), _state(r)


@checks("Atomik.LWW.Regs.clockAhead_create")
def clock_ahead_create(data: Any) -> None:
    """New registers have their clock ahead of every stored stamp."""
    r = LWWRegisters(data.draw(st.sampled_from(ORIGINS)), data.draw(st.integers(1, 4)),
                     data.draw(st.sampled_from((1, 8, 64))))
    assert _clock_ahead(r) and r._clock == 0, _state(r)


# ------------------------------------------------------------------------- replicas converge

@checks("Atomik.LWW.Regs.apply_congr")
def apply_congr(data: Any) -> None:
    """What a write does to values and stamps depends on the values and stamps alone: registers
    of another id and clock with the same lists end with the same lists."""
    r = _regs(data)
    other = LWWRegisters((r._id + 1) % 2**32, r._n, r._width)
    other._clock = data.draw(st.integers(0, 9), label="clock")
    other._values, other._stamps = list(r._values), list(r._stamps)
    w = _write(data, r)
    a, b = _received(r, w), _received(other, w)
    assert (a._values, a._stamps) == (b._values, b._stamps), (w, _state(a), _state(b))


@checks("Atomik.LWW.Regs.applyAll_congr")
def apply_all_congr(data: Any) -> None:
    """What writes do to values and stamps depends on the values and stamps alone."""
    r = _regs(data)
    other = LWWRegisters((r._id + 1) % 2**32, r._n, r._width)
    other._clock = data.draw(st.integers(0, 9), label="clock")
    other._values, other._stamps = list(r._values), list(r._stamps)
    ws = _distinct(data, r)
    a, b = _received(r, *ws), _received(other, *ws)
    assert (a._values, a._stamps) == (b._values, b._stamps), (ws, _state(a), _state(b))


@checks("Atomik.LWW.Regs.receiveAll_converge")
def receive_all_converge(data: Any) -> None:
    """Two fresh replicas of different ids receiving the same writes (their own puts and the
    other's) in two orders, duplicates included, read the same values and hold the same stamps."""
    n = data.draw(st.sampled_from((1, 1, 2, 3)), label="n")
    width = data.draw(st.sampled_from((1, 8, 64)), label="width")
    a, b = LWWRegisters(1, n, width), LWWRegisters(2, n, width)
    writes = [(a if data.draw(st.booleans()) else b).put(
        data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, 2**width - 1)))
        for _ in range(data.draw(st.integers(0, 6), label="puts"))]
    ws = writes + data.draw(st.lists(st.sampled_from(writes), max_size=3) if writes
                            else st.just([]), label="dups")
    a2, b2 = LWWRegisters(1, n, width), LWWRegisters(2, n, width)
    for w in data.draw(st.permutations(ws), label="order_a"):
        a2.receive(w)
    for w in data.draw(st.permutations(ws), label="order_b"):
        b2.receive(w)
    assert a2._stamps == b2._stamps, (ws, a2._stamps, b2._stamps)
    assert [a2.read(i) for i in range(n)] == [b2.read(i) for i in range(n)], ws


@checks("Atomik.LWW.Regs.put_error_iff")
def put_error_iff(data: Any) -> None:
    """put raises exactly for an address outside the table, a value too wide, or a replica id of
    33 bits (set on the fields: the constructor refuses it)."""
    r = _regs(data)
    kind = "ok" if _coin(data) else data.draw(st.sampled_from(("addr", "value", "id")),
                                              label="kind")
    a = data.draw(st.integers(0, r._n - 1), label="a") + (r._n if kind == "addr" else 0)
    v = data.draw(st.integers(0, 2**r._width - 1), label="v") + (2**r._width if kind == "value"
                                                                   else 0)
    if kind == "id":
        r._id = 2**32 + data.draw(st.integers(0, 2))
    try:
        r.put(a, v)
        raised = False
    except AtomikError:
        raised = True
    observe_iff(raised)
    assert raised == (kind != "ok"), (kind, a, v, r._id)
