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


# ------------------------------------------------------------------------------- anti-entropy
def _local_writes(data: Any, r: Replica, w: int, label: str) -> None:
    """A few local ``put``/``accum`` writes at drawn addresses."""
    ops = st.lists(st.tuples(st.booleans(), S.nats(), S.bitvecs(w)), max_size=5)
    for is_put, addr, v in data.draw(ops, label=label):
        (r.put if is_put else r.accum)(addr, v)


def _receive_some(data: Any, r: Replica, msgs: list[Any], label: str) -> None:
    """Receive a drawn selection of ``msgs``, in any order and with any duplicates."""
    if msgs:
        r.receive_all(data.draw(st.lists(st.sampled_from(msgs), max_size=8), label=label))


def _two_replicas(data: Any, w: int) -> tuple[Replica, Replica]:
    """Two replicas from one drawn table with different, overlapping histories: each writes
    locally and receives a drawn part of a third origin's writes (so both hold some of the same
    messages), then writes more; the second may also have received some of the first's."""
    t = data.draw(S.tables(w), label="t")
    a, b, c = (Replica.from_table(o, t) for o in (1, 2, 3))
    _local_writes(data, c, w, "writes of origin 3")
    shared = c.messages()
    for r, name in ((a, "a"), (b, "b")):
        _local_writes(data, r, w, f"writes of {name}")
        _receive_some(data, r, shared, f"{name} receives from origin 3")
        _local_writes(data, r, w, f"more writes of {name}")
    _receive_some(data, b, a.messages(), "b receives from a")
    return a, b


@checks("Atomik.Replica.table_antiEntropy")
def anti_entropy_converges(data: Any) -> None:
    """Two replicas with different histories exchange digests and each receives what the other's
    ``missing_for`` returns: both then hold the same table (and ``sync_with`` does the same)."""
    w = _w(data)
    a, b = _two_replicas(data, w)
    synced_a, synced_b = copy.deepcopy(a), copy.deepcopy(b)
    synced_a.sync_with(synced_b)
    to_b = a.missing_for(b.digest())
    to_a = b.missing_for(a.digest())
    b.receive_all(to_b)
    a.receive_all(to_a)
    left, right = a.table, b.table
    assert left == right, (left.diff(right), to_a, to_b)
    left, right = synced_a.table, a.table
    assert left == right, (left.diff(right), "sync_with differs from the digest exchange")
    left, right = synced_b.table, a.table
    assert left == right, (left.diff(right), "sync_with differs from the digest exchange")


@checks("Atomik.Replica.mem_missing_iff")
def missing_for_is_exactly_the_unseen(data: Any) -> None:
    """``missing_for(digest)`` returns exactly the stored messages whose identifier the digest
    does not cover, in ``(origin, seq)`` order: nothing the peer has seen is resent, nothing it
    lacks is left out."""
    w = _w(data)
    a, b = _two_replicas(data, w)
    digest = b.digest()
    sent = a.missing_for(digest)
    expected = [m for m in a.messages() if not b.seen(m.origin, m.seq)]
    assert sent == expected, (sent, expected)
    for m in sent:
        assert not digest.covers(m.origin, m.seq), (m, digest)


@checks("Atomik.Replica.missing_eq_nil")
def missing_for_covered_is_empty(data: Any) -> None:
    """A peer that has applied every message of a replica's history is sent nothing (premise
    generated: the peer receives all of them, in any order, on top of its own history)."""
    w = _w(data)
    a, b = _two_replicas(data, w)
    b.receive_all(data.draw(st.permutations(a.messages()), label="b receives all of a"))
    sent = a.missing_for(b.digest())
    assert sent == [], sent
    sent = a.missing_for(a.digest())
    assert sent == [], sent
