"""Hand-written checks for ``Atomik.Replica``: deduplication, convergence, concurrent writes."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from atomik.conformance import strategies as S
from atomik.conformance.registry import checks
from atomik.replica import Replica


def _w(data: Any) -> int:
    return data.draw(S.widths(), label="w")


@checks("Atomik.Replica.receive_of_mem")
def receive_of_mem(data: Any) -> None:
    """A message whose identifier was applied before changes nothing (premise generated: the
    replica receives a message with that identifier first)."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    first = data.draw(S.messages(w), label="first")
    r.receive(first)
    m = data.draw(S.messages(w).map(
        lambda x: type(x)(first.origin, 0, first.seq, x.addr, x.width, x.delta)), label="m")
    before = copy.deepcopy(r)
    applied = r.receive(m)
    assert applied is False, (applied, m)
    assert r.table == before.table, (r.table, before.table)
    assert r.watermarks() == before.watermarks(), (r.watermarks(), before.watermarks())


@checks("Atomik.Replica.table_receive_of_not_mem")
def table_receive_of_not_mem(data: Any) -> None:
    """A message with a new identifier is applied: its delta is XORed at its address."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    m = data.draw(S.messages(w).filter(lambda x: not r.seen(x.origin, x.seq)), label="m")
    expected = r.table
    expected.accum(m.addr, m.delta)
    applied = r.receive(m)
    assert applied is True, (applied, m)
    left, right = r.table, expected
    assert left == right, (left, right)


def _receive_all(r: Replica, ms: list[Any]) -> Replica:
    out = copy.deepcopy(r)
    out.receive_all(ms)
    return out


@checks("Atomik.Replica.table_receiveAll_of_sameSet")
def same_set_converges(data: Any) -> None:
    """Same set of well-formed messages, any order, any duplicates → same table."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    ms1 = data.draw(S.well_formed_messages(w), label="ms1")
    extra = data.draw(st.lists(st.sampled_from(ms1), max_size=6), label="dups") if ms1 else []
    ms2 = data.draw(st.permutations(ms1 + extra), label="ms2")
    left, right = _receive_all(r, ms1).table, _receive_all(r, ms2).table
    assert left == right, (left.diff(right), ms1, ms2)


@checks("Atomik.Replica.table_receiveAll_perm")
def perm_converges(data: Any) -> None:
    """A well-formed list and any permutation of it → same table."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    ms1 = data.draw(S.well_formed_messages(w), label="ms1")
    ms2 = data.draw(st.permutations(ms1), label="ms2")
    left, right = _receive_all(r, ms1).table, _receive_all(r, ms2).table
    assert left == right, (left.diff(right), ms1, ms2)


@checks("Atomik.Replica.table_receiveAll_append_self")
def receive_twice_is_once(data: Any) -> None:
    """Receiving a well-formed list a second time leaves the table as after the first time."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    ms = data.draw(S.well_formed_messages(w), label="ms")
    left, right = _receive_all(r, ms + ms).table, _receive_all(r, ms).table
    assert left == right, (left.diff(right), ms)


@checks("Atomik.Replica.read_concurrent_put")
def concurrent_put(data: Any) -> None:
    """Two replicas put x and y at one address from the same table; a third replica receiving
    both messages, in either order, reads old ^ x ^ y."""
    w = _w(data)
    t = data.draw(S.tables(w), label="t")
    a = data.draw(S.nats(), label="a")
    x, y = data.draw(S.bitvecs(w), label="x"), data.draw(S.bitvecs(w), label="y")
    o1 = data.draw(st.integers(0, 50), label="o1")
    o2 = data.draw(st.integers(0, 50).filter(lambda o: o != o1), label="o2")
    m1 = Replica.from_table(o1, t).put(a, x)
    m2 = Replica.from_table(o2, t).put(a, y)
    expected = t.read(a) ^ x ^ y
    for order in ([m1, m2], [m2, m1]):
        r = Replica.from_table(S.REPLICA_ID, t)
        r.receive_all(order)
        left, right = r.read(a), expected
        assert left == right, (left, right, order)


@checks("Atomik.Replica.read_concurrent_put_ne")
def concurrent_put_is_not_first_writer(data: Any) -> None:
    """When the second writer changes the old state (y ≠ old), the converged value is not the
    first writer's x: concurrent puts do not give last-writer-wins."""
    w = _w(data)
    t = data.draw(S.tables(w), label="t")
    a = data.draw(S.nats(), label="a")
    x = data.draw(S.bitvecs(w), label="x")
    y = data.draw(S.bitvecs(w).filter(lambda v: v != t.read(a)), label="y")
    o1 = data.draw(st.integers(0, 50), label="o1")
    o2 = data.draw(st.integers(0, 50).filter(lambda o: o != o1), label="o2")
    m1 = Replica.from_table(o1, t).put(a, x)
    m2 = Replica.from_table(o2, t).put(a, y)
    r = Replica.from_table(S.REPLICA_ID, t)
    r.receive_all([m1, m2])
    assert r.read(a) != x, (r.read(a), x)
