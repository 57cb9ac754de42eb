"""Hand-written checks for ``Atomik.Replica`` (deduplication, convergence, concurrent writes) and
``Atomik.ReplicaImpl`` (the algorithm: watermarks, window, epochs, errors, ids, digests, prune)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from atomik import AtomikTable
from atomik.conformance import strategies as S
from atomik.conformance.engine import observe_iff
from atomik.conformance.registry import checks
from atomik.errors import (
    AddressError,
    AtomikError,
    EpochError,
    RangeError,
    WidthError,
)
from atomik.replication.replica import (
    ConflictError,
    DeltaMessage,
    Digest,
    PruneError,
    RejectedMessagesError,
    ReorderWindowError,
    Replica,
)


def _w(data: Any) -> int:
    return data.draw(S.widths(), label="w")


@checks("Atomik.Replica.receive_of_mem")
def receive_of_mem(data: Any) -> None:
    """A message whose identifier was applied before changes nothing (premise generated: the
    replica receives a message with that identifier first)."""
    w = _w(data)
    r = data.draw(S.replicas(w), label="r")
    first = data.draw(S.messages(w), label="first")
    try:
        r.receive(first)
    except ConflictError:  # r already holds first's id with another content
        pass
    first = next(q for q in r.messages() if q.id == first.id)  # what r stores under that id
    m = data.draw(S.messages(w).map(
        lambda x: type(x)(first.origin, 0, first.seq, x.addr, x.width, x.delta)), label="m")
    before = copy.deepcopy(r)
    try:
        applied = r.receive(m)
        assert (m.addr, m.delta) == (first.addr, first.delta), ("a fork passed silently", m)
    except ConflictError:  # another content under a seen id: refused, nothing changes
        applied = False
        assert (m.addr, m.delta) != (first.addr, first.delta), m
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
    """``receive_all``; a conflict (a seen id with another content) changes nothing, as the
    abstract replica's receive of a seen id; any other rejection raises."""
    out = copy.deepcopy(r)
    rej: list[Any] = []
    n = out.receive_all(ms, rejected=rej)
    other = [(m, e) for m, e in rej if not isinstance(e, ConflictError)]
    if other:
        raise RejectedMessagesError(n, other)
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


# =============================================================================== ReplicaImpl
# The algorithm as the Python runs it (lean/Atomik/ReplicaImpl.lean): watermark + out-of-order
# set per origin, the window max_pending (drawn 1..4 mostly, so it is exercised), epochs other
# than 0, more than 8 addresses, seqs near 2^64, invalid messages mixed in (messages of widths up
# to 200 among them; replicas themselves support widths 1..64 only).

IMPL = "Atomik.ReplicaImpl."
ST = IMPL + "State."
U64 = (1 << 64) - 1
EPOCHS = (0, 1, 7, (1 << 32) - 1)
SIZES = (8, 12, 16)


def _impl_w(data: Any) -> int:
    """A width: replicas hold an AtomikTable, which supports 1..64 (wider ones are refused)."""
    return data.draw(S.widths(), label="w")


def _nxt(r: Replica, o: int) -> int:
    """Lean ``next o``: the watermark plus one."""
    return r.watermarks().get(o, -1) + 1


def _state(r: Replica) -> tuple[Any, ...]:
    """Everything observable about a replica (what "changes nothing" compares)."""
    return (
        r.read_all(), r.watermarks(), r.pending(), r.next_seq, r.messages(), r.replica_id,
        r.epoch, r.max_pending,
    )


def _restore_high(r: Replica, origin: int, watermark: int) -> None:
    """Put ``origin``'s watermark at ``watermark`` as ``PersistentTable`` recovery does from a
    snapshot (so seqs near 2^64 are reachable without 2^64 messages)."""
    r._water[origin] = watermark
    if origin == r.replica_id:
        r._next_seq = max(r._next_seq, watermark + 1)


I63 = (1 << 63) - 1  # the largest watermark a Digest carries (an i64 on the wire)


def _impl_replica(data: Any, w: int, label: str, *, size: int | None = None,
                  epoch: int | None = None, digest: bool = False) -> Replica:
    """A replica with a drawn id, epoch, window (1..4 mostly), size (> 8 addresses often) and
    history: a few received and written messages, sometimes a watermark restored near 2^64 (near
    2^63 when the property takes digests: a Digest's watermark is an i64)."""
    rid = data.draw(st.integers(0, 4), label=f"{label} id")
    if epoch is None:
        epoch = data.draw(st.sampled_from(EPOCHS), label=f"{label} epoch")
    if size is None:
        size = data.draw(st.sampled_from(SIZES), label=f"{label} size")
    mp = data.draw(st.one_of(st.integers(1, 4), st.just(4096)), label=f"{label} max_pending")
    r = Replica(rid, size, w, epoch=epoch, max_pending=mp)
    if data.draw(st.booleans(), label=f"{label} high watermark"):
        o = data.draw(st.integers(0, 4), label=f"{label} high origin")
        top = I63 if digest else data.draw(st.sampled_from((I63, U64)), label=f"{label} top")
        # a digest's watermark stays <= 2^63 - 1: each message or write advances one origin's
        # watermark by at most one, and a replica that takes digests applies at most 8 + 3
        # here and 8 + 4 + 1 more in the properties, so it starts at least 25 below
        gap = st.integers(25, 40) if digest else st.integers(2, 12)
        _restore_high(r, o, top - data.draw(gap, label=f"{label} high gap"))
    for m in data.draw(st.lists(_packet(r, w), max_size=8), label=f"{label} history"):
        r.receive_all([m], rejected=[])
    for _ in range(data.draw(st.integers(0, 3), label=f"{label} writes")):
        if r.next_seq > U64:  # its own seq space is used up: accum raises (test_seq_near_2_64)
            break
        r.accum(data.draw(st.integers(0, size - 1)), data.draw(S.bitvecs(w)))
    return r


def _packet(
    r: Replica, w: int, *, valid: bool = False, bad: bool = False
) -> st.SearchStrategy[DeltaMessage]:
    """A message for ``r``: origin 0..4 (``r``'s own id among them), seq around its origin's
    watermark (inside, at the edge of and past the window) or near 2^64, and -- unless ``valid``
    -- sometimes (always, if ``bad``) another width, an address outside the table or another
    epoch."""
    size = r.table.num_contexts

    @st.composite
    def build(draw: st.DrawFn) -> DeltaMessage:
        o = draw(st.integers(0, 4))
        base = _nxt(r, o)
        seq = draw(st.one_of(
            st.integers(max(0, base - 2), base + r.max_pending + 2).filter(lambda s: s <= U64),
            st.integers(U64 - 12, U64),
            st.integers(0, 3),
        ))
        width, addr, epoch = w, draw(st.integers(0, size - 1)), r.epoch
        if not valid:
            kinds = ("width", "addr", "epoch")
            if not bad:
                kinds = ("ok", "ok", "ok", *kinds)
            kind = draw(st.sampled_from(kinds))
            if kind == "width":
                width = draw(st.sampled_from((1, 8, 64, 65, 200)).filter(lambda x: x != w))
            elif kind == "addr":
                addr = draw(st.sampled_from((size, size + 3, (1 << 32) - 1)))
            elif kind == "epoch":
                epoch = draw(st.sampled_from(EPOCHS).filter(lambda e: e != r.epoch))
        delta = draw(S.bitvecs(width))
        return DeltaMessage(o, epoch, seq, addr, width, delta)

    return build()


def _expected_error(r: Replica, m: DeltaMessage) -> type | None:
    """Lean ``State.check``: width, address, epoch, then the window (unseen and at least
    ``max_pending`` past the watermark plus one)."""
    t = r.table
    if m.width != t.width:
        return WidthError
    if m.addr >= t.num_contexts:
        return AddressError
    if m.epoch != r.epoch:
        return EpochError
    if _nxt(r, m.origin) + r.max_pending <= m.seq and not r.seen(m.origin, m.seq):
        return ReorderWindowError
    return None


def _stored_of(r: Replica, m: DeltaMessage) -> DeltaMessage | None:
    """The stored message with ``m``'s id, if any."""
    return next((q for q in r.messages() if q.id == m.id), None)


def _expected_receive(r: Replica, m: DeltaMessage) -> type | None:
    """Lean ``State.receive``'s error: ``check``'s, else the conflict for a seen id whose stored
    message differs in address or delta (``State.conflicts``)."""
    e = _expected_error(r, m)
    if e is not None:
        return e
    q = _stored_of(r, m)
    if r.seen(m.origin, m.seq) and q is not None and (q.addr, q.delta) != (m.addr, m.delta):
        return ConflictError
    return None


def _fork(data: Any, m: DeltaMessage, size: int, label: str) -> DeltaMessage:
    """``m``'s id, epoch and width with another address, another delta, or both."""
    kind = data.draw(st.sampled_from(("addr", "delta", "both")), label=f"{label} differs in")
    addr, delta = m.addr, m.delta
    if kind != "delta":
        addr = (m.addr + data.draw(st.integers(1, size - 1), label=f"{label} addr")) % size
    if kind != "addr":
        delta = m.delta ^ data.draw(st.integers(1, (1 << m.width) - 1), label=f"{label} flip")
    return DeltaMessage(m.origin, m.epoch, m.seq, addr, m.width, delta)


def _with_stored(data: Any, r: Replica, w: int, label: str) -> Replica:
    """``r`` with at least one stored message (a local write if it has none)."""
    if not r.messages() and r.next_seq <= U64:
        r.accum(data.draw(st.integers(0, r.table.num_contexts - 1), label=f"{label} addr"),
                data.draw(S.bitvecs(w), label=f"{label} delta"))
    return r


def _probe(data: Any, r: Replica, w: int, label: str) -> DeltaMessage:
    """A message for ``r``: a third of the time a fork of a stored message (its id, another
    address or delta), else an exact copy of one or a drawn packet (new, seen -- often a fork
    too --, invalid, past the window)."""
    stored = r.messages()
    kind = data.draw(st.sampled_from(("fork", "copy", "packet") if stored else ("packet",)),
                     label=f"{label} kind")
    if kind == "packet":
        return data.draw(_packet(r, w), label=label)
    q = data.draw(st.sampled_from(stored), label=f"{label} of")
    return _fork(data, q, r.table.num_contexts, label) if kind == "fork" else q


def _probe_ids(r: Replica, extra: list[DeltaMessage]) -> list[tuple[int, int]]:
    """Identifiers around every watermark and out-of-order seq, and those of ``extra``."""
    ids: set[tuple[int, int]] = set()
    origins = set(range(5)) | set(r.watermarks()) | {m.origin for m in extra}
    for o in origins:
        n = _nxt(r, o)
        for s in (0, n - 1, n, n + 1, n + 2, n + r.max_pending - 1, n + r.max_pending, U64):
            if 0 <= s <= U64:
                ids.add((o, s))
        for s in r.pending().get(o, ()):
            ids.update((o, x) for x in (s - 1, s, s + 1) if 0 <= x <= U64)
    for m in extra:
        ids.update((m.origin, x) for x in (m.seq - 1, m.seq, m.seq + 1) if 0 <= x <= U64)
    return sorted(ids)


def _seq_receive(r: Replica, ms: list[DeltaMessage]) -> list[DeltaMessage]:
    """Lean ``State.receiveAll`` (packets in the given order, a rejected one changing nothing),
    through the real ``receive_all`` one message at a time; returns ``State.passed``."""
    passed = []
    for m in ms:
        rej: list[Any] = []
        r.receive_all([m], rejected=rej)
        if not rej or isinstance(rej[0][1], ConflictError):  # a conflict passed the checks
            passed.append(m)
    return passed


def _check_inv(r: Replica) -> None:
    """Lean ``State.Inv`` on the real replica."""
    mp, rid = r.max_pending, r.replica_id
    for o, seqs in r.pending().items():
        n = _nxt(r, o)
        for s in seqs:
            assert n < s, ("out-of-order seq not above watermark + 1", o, s, n)
            if o != rid:
                assert s < n + mp, ("out-of-order seq outside the window", o, s, n, mp)
        if o != rid:
            assert len(seqs) < mp, ("out-of-order set too large", o, len(seqs), mp)
        assert not r.seen(o, n), ("watermark + 1 seen but not absorbed", o, n)
    own = [s for s in r.pending().get(rid, ())] + [_nxt(r, rid) - 1]
    assert max(own) < r.next_seq, ("an applied own seq at or past next_seq", own, r.next_seq)
    for m in r.messages():
        assert r.seen(m.origin, m.seq), ("stored message not marked applied", m.id)


@checks(IMPL + "setAt_same")
@checks(IMPL + "setAt_of_ne")
def mark_touches_only_its_origin(data: Any) -> None:
    """Applying a message sets its own origin's watermark and out-of-order set and leaves every
    other origin's as they were."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    m = data.draw(_packet(r, w, valid=True), label="m")
    before_w, before_p = r.watermarks(), r.pending()
    r.receive_all([m], rejected=[])
    for o in set(before_w) | set(r.watermarks()) | set(before_p) | set(r.pending()):
        if o != m.origin:
            assert r.watermarks().get(o) == before_w.get(o), (o, before_w, r.watermarks())
            assert r.pending().get(o) == before_p.get(o), (o, before_p, r.pending())


@checks(IMPL + "advance_seen")
@checks(IMPL + "markSeq_seen")
@checks(ST + "seen_apply")
@checks(ST + "covers_digest")
def receive_adds_exactly_its_id(data: Any) -> None:
    """Applying an unseen message adds exactly its identifier to what is seen (the watermark
    advancing over the out-of-order set changes no other answer); the digest covers exactly what
    is seen."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r", digest=True)
    m = data.draw(_packet(r, w, valid=True).filter(lambda x: not r.seen(x.origin, x.seq)),
                  label="m")
    if _expected_error(r, m) is not None:
        return
    probes = _probe_ids(r, [m])
    before = {i: r.seen(*i) for i in probes}
    assert r.receive(m) is True, m
    d = r.digest()
    for i in probes + _probe_ids(r, [m]):
        was = before.get(i, None)
        if was is None:
            continue
        assert r.seen(*i) == (i == m.id or was), (i, m.id, was, r.seen(*i))
        assert d.covers(*i) == r.seen(*i), (i, d)


@checks(IMPL + "advance_le")
@checks(IMPL + "markSeq_le")
@checks(ST + "next_le_step")
@checks(ST + "next_le_receiveAll")
@checks(ST + "seen_step")
@checks(ST + "seen_receiveAll")
@checks(IMPL + "advance_sublist")
@checks(IMPL + "markSeq_mem")
def watermarks_only_grow(data: Any) -> None:
    """Over any delivery (invalid messages mixed in) the watermarks never go down, what was seen
    stays seen, and an out-of-order set only gains the seq just applied."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    for m in data.draw(st.lists(_packet(r, w), max_size=10), label="ms"):
        probes = _probe_ids(r, [m])
        seen = [i for i in probes if r.seen(*i)]
        wm, pend = r.watermarks(), r.pending()
        r.receive_all([m], rejected=[])
        for o, x in wm.items():
            assert r.watermarks().get(o, -1) >= x, (o, x, r.watermarks())
        for i in seen:
            assert r.seen(*i), (i, "was seen, no longer")
        for o, seqs in r.pending().items():
            assert seqs <= pend.get(o, frozenset()) | {m.seq}, (o, seqs, pend.get(o), m.seq)


@checks(IMPL + "advance_not_mem")
@checks(IMPL + "advance_gt")
@checks(IMPL + "markSeq_gt")
@checks(IMPL + "markSeq_nodup")
@checks(ST + "inv_init")
@checks(ST + "inv_apply")
@checks(ST + "inv_step")
@checks(ST + "inv_receiveAll")
@checks(ST + "length_ahead_lt")
@checks(ST + "lt_next_of_seen")
@checks(IMPL + "length_le_of_nodup_range")
def invariant_holds(data: Any) -> None:
    """The invariant after any run of receives (invalid mixed in), batches and local writes:
    out-of-order seqs above watermark + 1 and (other origins) inside the window, so fewer than
    max_pending of them; watermark + 1 never seen; own seqs below next_seq; stored = applied."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    _check_inv(r)
    size = r.table.num_contexts
    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        op = data.draw(st.sampled_from(("one", "batch", "write")), label="op")
        if op == "one":
            r.receive_all([data.draw(_packet(r, w), label="m")], rejected=[])
        elif op == "batch":
            r.receive_all(data.draw(st.lists(_packet(r, w), max_size=8), label="b"), rejected=[])
        elif r.next_seq <= U64:
            r.accum(data.draw(st.integers(0, size - 1), label="a"), data.draw(S.bitvecs(w)))
        _check_inv(r)


@checks(ST + "step_cases")
@checks(ST + "step_params")
@checks(ST + "receiveAll_params")
@checks(ST + "check_eq_none_iff")
@checks(ST + "check_eq_width_iff")
@checks(ST + "check_eq_address_iff")
@checks(ST + "check_eq_epoch_iff")
@checks(ST + "check_eq_window_iff")
@checks(ST + "check_of_bad")
@checks(ST + "step_of_check_eq_some")
@checks(ST + "step_of_bad")
def receive_raises_exactly_and_rejects_change_nothing(data: Any) -> None:
    """``receive`` raises exactly the error of Lean's ``check`` (width, then address, then epoch,
    then window), and then nothing changes; otherwise it returns whether it applied, and either
    nothing changed (a duplicate) or the delta was XORed in and the id marked. Id, epoch, size
    and window never change."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    m = data.draw(_packet(r, w), label="m")
    expected = _expected_receive(r, m)
    before = _state(r)
    table = r.table
    was_seen = r.seen(m.origin, m.seq)
    try:
        got = r.receive(m)
    except AtomikError as e:
        assert expected is not None and type(e) is expected, (type(e), expected, m)
        assert _state(r) == before, ("a rejected message changed the replica", m)
        return
    assert expected is None, ("accepted, but Lean's check rejects it", expected, m)
    assert got is (not was_seen), (got, was_seen)
    if was_seen:
        assert _state(r) == before, ("a duplicate changed the replica", m)
    else:
        table.accum(m.addr, m.delta)
        assert r.table == table and r.seen(m.origin, m.seq), m
    assert (r.replica_id, r.epoch, r.max_pending, r.table.num_contexts, r.table.width) == (
        before[5], before[6], before[7], table.num_contexts, table.width)


@checks(ST + "receive_cases")
@checks(ST + "check_ne_conflict")
@checks(ST + "seen_of_conflicts")
@checks(ST + "receive_eq_conflict_iff")
@checks(ST + "step_of_conflict")
@checks(ST + "receive_ok_step")
def receive_conflict_exactly_and_changes_nothing(data: Any) -> None:
    """``receive`` of a message whose id was applied: with another address or delta it raises
    ``ConflictError`` (naming both messages) and changes nothing; with the same content it is a
    silent duplicate; ``check`` never raises the conflict; a new message is never a conflict.
    Half the probes are forks of a stored message (drawn on purpose, not filtered for)."""
    w = _impl_w(data)
    r = _with_stored(data, _impl_replica(data, w, "r"), w, "r")
    m = _probe(data, r, w, "m")
    expected = _expected_receive(r, m)
    stored = _stored_of(r, m)
    was_seen = r.seen(m.origin, m.seq)
    before = _state(r)
    observe_iff(expected is ConflictError)
    if expected is ConflictError:
        assert r.check(m) is m  # the checks pass: only the duplicate branch raises it
    try:
        got = r.receive(m)
    except AtomikError as e:
        assert type(e) is expected, (type(e), expected, m)
        assert _state(r) == before, ("a rejected message changed the replica", m)
        if isinstance(e, ConflictError):
            assert was_seen and e.first == stored and e.second is m, (e.first, e.second, m)
        return
    assert expected is None, ("accepted, but Lean's receive rejects it", expected, m)
    assert got is (not was_seen), (got, was_seen)
    if was_seen:
        assert _state(r) == before, ("a duplicate changed the replica", m)
        assert stored is None or (stored.addr, stored.delta) == (m.addr, m.delta), m
    else:
        assert m in r.messages()


@checks(ST + "receive_of_stored_same")
@checks(ST + "receive_of_stored_ne")
@checks(ST + "receive_of_seen_not_stored")
@checks(ST + "noFork_prune")
def pruned_ids_are_duplicates_stored_ones_are_compared(data: Any) -> None:
    """After a prune that forgets some stored messages (a digest covering exactly them), a fork of
    a forgotten message is a silent duplicate (its content can no longer be compared), a fork of
    a kept one raises ``ConflictError``, an exact copy of a kept one is a silent duplicate; the
    kept messages are unchanged, and nothing changes on any of them."""
    w = _impl_w(data)
    r = _with_stored(data, _impl_replica(data, w, "r"), w, "r")
    stored = r.messages()
    forget = data.draw(st.lists(st.sampled_from(stored), unique_by=lambda m: m.id),
                       label="forget") if stored else []
    ahead: dict[int, set[int]] = {}
    for m in forget:
        ahead.setdefault(m.origin, set()).add(m.seq)
    gone = {m.id for m in forget}
    if data.draw(st.booleans(), label="prune"):
        assert r.prune([Digest(r.epoch, {}, ahead)]) == len(gone)
    else:
        gone = set()
    kept = [m for m in stored if m.id not in gone]
    assert r.messages() == kept
    size = r.table.num_contexts
    for i, q in enumerate(stored):
        before = _state(r)
        fork = _fork(data, q, size, f"fork {i}")
        if q.id in gone:
            assert r.receive(fork) is False
        else:
            try:
                r.receive(fork)
                raise AssertionError(("a fork of a stored message was accepted", q, fork))
            except ConflictError as e:
                assert e.first == q and e.second is fork
            assert r.receive(q) is False
        assert _state(r) == before, q


def _first_per_id(table: AtomikTable, r0: Replica, msgs: list[DeltaMessage]) -> Any:
    """The model of a no-fork delivery: the first message of each new id (that passes the checks)
    is applied and stored; every later one of that id changes nothing."""
    firsts: dict[Any, DeltaMessage] = {q.id: q for q in r0.messages()}
    t = table.copy()
    r = copy.deepcopy(r0)
    for m in msgs:
        if _expected_error(r, m) is None and not r.seen(m.origin, m.seq):
            firsts[m.id] = m
            t.accum(m.addr, m.delta)
        r.receive_all([m], rejected=[])
    return t, firsts


@checks(ST + "noFork_init")
@checks(ST + "noFork_apply")
@checks(ST + "noFork_step")
@checks(ST + "receive_noFork")
@checks(ST + "noFork_receiveAll")
@checks(ST + "receiveAll_cons_conflict")
def deliveries_never_fork_an_id(data: Any) -> None:
    """Deliveries full of forks (one id, other contents: of stored messages and of messages of
    the same delivery), exact copies and drawn packets, message by message with ``receive`` or as
    batches with ``receive_all``/``ingest``: every stored message is the first applied message of
    its id, the table is the XOR of exactly those, each fork is reported as ``ConflictError``
    and a conflicting message leaves the replica as without it."""
    w = _impl_w(data)
    r = _with_stored(data, _impl_replica(data, w, "r"), w, "r")
    size = r.table.num_contexts
    ms: list[DeltaMessage] = []
    for k in range(data.draw(st.integers(1, 8), label="n")):
        pool = r.messages() + ms
        if pool and data.draw(st.booleans(), label=f"fork {k}?"):
            ms.append(_fork(data, data.draw(st.sampled_from(pool), label=f"of {k}"), size,
                            f"fork {k}"))
        elif pool and data.draw(st.booleans(), label=f"copy {k}?"):
            ms.append(data.draw(st.sampled_from(pool), label=f"copy {k}"))
        else:
            ms.append(data.draw(_packet(r, w), label=f"packet {k}"))
    t, firsts = _first_per_id(r.table, r, ms)
    how = data.draw(st.sampled_from(("receive", "receive_all", "ingest")), label="how")
    a = copy.deepcopy(r)
    conflicts: list[DeltaMessage] = []
    if how == "receive":
        for m in ms:
            before = _state(a)
            try:
                a.receive(m)
            except ConflictError:
                conflicts.append(m)
                assert _state(a) == before, m
            except AtomikError:
                pass
    else:
        rej: list[Any] = []
        getattr(a, how)(ms, rejected=rej)
        conflicts = [m for m, e in rej if isinstance(e, ConflictError)]
    assert a.table == t, (ms, a.read_all())
    stored = a.messages()
    assert len({m.id for m in stored}) == len(stored)
    for m in stored:
        assert firsts[m.id] == m, ("stored message is not the first of its id", m, firsts[m.id])
    expect = [m for m in ms if m.id in firsts and (firsts[m.id].addr, firsts[m.id].delta)
              != (m.addr, m.delta) and _expected_error(r, m) is None]
    key = sorted((m.origin, m.seq, m.addr, m.delta) for m in conflicts)
    assert key == sorted((m.origin, m.seq, m.addr, m.delta) for m in expect), (conflicts, expect)
    without = [m for m in ms if not any(m is c for c in conflicts)]
    b = copy.deepcopy(r)
    b.receive_all(without, rejected=[])
    assert _state(a) == _state(b), ("a conflicting message changed the delivery", ms)


@checks(ST + "rejected_sublist_reported")
@checks(ST + "length_reported_le")
def receive_all_reports_checks_and_conflicts(data: Any) -> None:
    """``receive_all``'s rejected list is, in ``(origin, seq)`` order, exactly what ``receive``
    raises message by message over the sorted batch (Lean ``reported``): the check failures
    (Lean ``rejected``, in the same order among them) and the conflicts (forks of stored and of
    earlier messages, drawn on purpose), at most one per message; both leave the same replica."""
    w = _impl_w(data)
    r = _with_stored(data, _impl_replica(data, w, "r"), w, "r")
    size = r.table.num_contexts
    ms: list[DeltaMessage] = []
    for k in range(data.draw(st.integers(0, 8), label="n")):
        pool = r.messages() + ms
        if pool and data.draw(st.booleans(), label=f"fork {k}?"):
            ms.append(_fork(data, data.draw(st.sampled_from(pool), label=f"of {k}"), size,
                            f"fork {k}"))
        else:
            ms.append(data.draw(_packet(r, w), label=f"packet {k}"))
    seq_r = copy.deepcopy(r)
    model: list[tuple[int, type]] = []
    failed: list[tuple[int, type]] = []
    for m in sorted(ms, key=lambda x: (x.origin, x.seq)):  # stable, as receive_all sorts
        e = _expected_error(seq_r, m)
        if e is not None:
            failed.append((id(m), e))
        try:
            seq_r.receive(m)
        except AtomikError as ex:
            model.append((id(m), type(ex)))
    a = copy.deepcopy(r)
    rej: list[Any] = []
    a.receive_all(ms, rejected=rej)
    got = [(id(m), type(e)) for m, e in rej]
    assert got == model, (ms, rej)
    rest = iter(got)
    assert all(any(x == f for x in rest) for f in failed), (failed, got)
    assert len(got) <= len(ms)
    assert _state(a) == _state(seq_r)


@checks(ST + "receiveAll_append")
@checks(ST + "passed_append")
def delivery_in_two_parts(data: Any) -> None:
    """Receiving ``ms₁ ++ ms₂`` message by message is receiving ``ms₁`` then ``ms₂``, and the
    messages that pass are those of each part."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    ms1 = data.draw(st.lists(_packet(r, w), max_size=6), label="ms1")
    ms2 = data.draw(st.lists(_packet(r, w), max_size=6), label="ms2")
    a, b = copy.deepcopy(r), copy.deepcopy(r)
    passed = _seq_receive(a, ms1 + ms2)
    passed1 = _seq_receive(b, ms1)
    passed2 = _seq_receive(b, ms2)
    assert _state(a) == _state(b), (ms1, ms2)
    assert passed == passed1 + passed2, (passed, passed1, passed2)


@checks(ST + "length_passed_add_rejected")
def batch_loses_nothing(data: Any) -> None:
    """``receive_all`` with a ``rejected`` list: every message either is reported rejected (and
    changed nothing) or passed (applied or a duplicate, seen afterwards); the count returned is
    the number of new identifiers among those that passed. Without the list it raises
    ``RejectedMessagesError`` after receiving the same."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    ms = data.draw(st.lists(_packet(r, w), max_size=10), label="ms")
    r2 = copy.deepcopy(r)
    rej: list[Any] = []
    new_ids = {m.id for m in ms if not r.seen(m.origin, m.seq)}
    n = r.receive_all(ms, rejected=rej)
    ids_rej = [id(m) for m, _ in rej]
    passed = [m for m in ms if id(m) not in ids_rej]
    assert len(passed) + len(rej) == len(ms), (len(passed), len(rej), len(ms))
    for m in passed:
        assert r.seen(m.origin, m.seq), m
    assert n == len({m.id for m in passed} & new_ids), (n, passed)
    for _, e in rej:
        assert isinstance(e, AtomikError), e
    try:
        n2 = r2.receive_all(ms)
        assert not rej, "rejected messages but no RejectedMessagesError"
        assert n2 == n
    except RejectedMessagesError as e:
        assert rej and e.applied == n and len(e.rejected) == len(rej), (e.applied, n)
    assert _state(r2) == _state(r)


@checks(ST + "receiveAll_bad")
def bad_message_anywhere_changes_nothing(data: Any) -> None:
    """A message of another width, outside the table or of another epoch, inserted anywhere in a
    delivery, leaves the same replica as the delivery without it (so [bad, good] and [good, bad]
    apply the same), message by message and as one batch."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    ms = data.draw(st.lists(_packet(r, w), max_size=8), label="ms")
    bad = data.draw(_packet(r, w, bad=True), label="bad")
    i = data.draw(st.integers(0, len(ms)), label="at")
    with_bad = [*ms[:i], bad, *ms[i:]]
    a, b = copy.deepcopy(r), copy.deepcopy(r)
    _seq_receive(a, with_bad)
    _seq_receive(b, ms)
    assert _state(a) == _state(b), (i, bad)
    a, b = copy.deepcopy(r), copy.deepcopy(r)
    ra: list[Any] = []
    rb: list[Any] = []
    assert a.receive_all(with_bad, rejected=ra) == b.receive_all(ms, rejected=rb)
    assert _state(a) == _state(b), (i, bad)
    assert any(m is bad for m, _ in ra), ra


def _abstract_replay(table: AtomikTable, msgs: list[DeltaMessage]) -> tuple[Any, set[Any]]:
    """Lean ``Replica.receiveAll`` from ``Replica.init table``: apply each identifier's first
    message once."""
    t, seen = table.copy(), set()
    for m in msgs:
        if m.id not in seen:
            seen.add(m.id)
            t.accum(m.addr, m.delta)
    return t, seen


@checks(ST + "refines_step")
@checks(ST + "refines_receiveAll")
@checks(ST + "refines_init")
def refinement(data: Any) -> None:
    """A fresh replica after any delivery (invalid and out-of-window messages mixed in) has the
    table and answers "seen?" as the abstract replica that received the messages which passed."""
    w = _impl_w(data)
    size = data.draw(st.sampled_from(SIZES), label="size")
    t = data.draw(S.tables(w), label="t") if size == S.TABLE_SIZE else AtomikTable(size, w)
    r = Replica.from_table(data.draw(st.integers(0, 4), label="id"), t,
                           epoch=data.draw(st.sampled_from(EPOCHS), label="epoch"),
                           max_pending=data.draw(st.integers(1, 4), label="max_pending"))
    ms = data.draw(st.lists(_packet(r, w), max_size=12), label="ms")
    passed = _seq_receive(r, ms)
    table, seen = _abstract_replay(t, passed)
    assert r.table == table, (passed,)
    for i in _probe_ids(r, ms):
        assert r.seen(*i) == (i in seen), (i, seen)


def _writers(data: Any, w: int, size: int, epoch: int, label: str) -> list[DeltaMessage]:
    """Well-formed messages: real replicas 0..2 writing, each origin's seqs contiguous from 0."""
    out: list[DeltaMessage] = []
    for o in range(3):
        wr = Replica(o, size, w, epoch=epoch)
        for _ in range(data.draw(st.integers(0, 5), label=f"{label} writes of {o}")):
            a = data.draw(st.integers(0, size - 1))
            v = data.draw(S.bitvecs(w))
            out.append(wr.put(a, v) if data.draw(st.booleans()) else wr.accum(a, v))
    return out


@checks(ST + "table_receiveAll_of_sameSet")
def impl_same_set_converges(data: Any) -> None:
    """Two replicas from one table, with different ids and windows (1..4), receive the same
    well-formed messages in different orders, with duplicates and invalid messages mixed in, in
    one or two batches, then what they refused once more: having accepted the same set, they read
    the same table (and the model's XOR of the distinct deltas)."""
    w = _impl_w(data)
    size = data.draw(st.sampled_from(SIZES), label="size")
    epoch = data.draw(st.sampled_from(EPOCHS), label="epoch")
    good = _writers(data, w, size, epoch, "good")
    reps = [Replica(data.draw(st.integers(3, 9)), size, w, epoch=epoch,
                    max_pending=data.draw(st.integers(1, 4))) for _ in range(2)]
    accepted: list[set[Any]] = []
    for k, r in enumerate(reps):
        bad = data.draw(st.lists(_packet(r, w, bad=True), max_size=3), label=f"bad {k}")
        dups = data.draw(st.lists(st.sampled_from(good), max_size=4), label=f"dups {k}") if good \
            else []
        order = data.draw(st.permutations(good + dups + bad), label=f"order {k}")
        cut = data.draw(st.integers(0, len(order)), label=f"cut {k}")
        rej: list[Any] = []
        r.receive_all(order[:cut], rejected=rej)
        r.receive_all(order[cut:], rejected=rej)
        again = [m for m, _ in rej]
        rej2: list[Any] = []
        r.receive_all(again, rejected=rej2)
        refused = {id(m) for m, _ in rej2}
        accepted.append({(m.id, m.addr, m.delta) for m in order if id(m) not in refused})
    if accepted[0] != accepted[1]:
        return  # premise not met (a window refusal left a gap); rare by construction
    left, right = reps[0].table, reps[1].table
    assert left == right, (left.diff(right), good)
    model = [0] * size
    for m in {m.id: m for m in good}.values():
        model[m.addr] ^= m.delta
    assert reps[0].read_all() == model


@checks(ST + "step_of_le_next")
@checks(ST + "passed_of_contiguous")
def anti_entropy_never_trips_the_window(data: Any) -> None:
    """A receiver with a window of 1..4 and any history is sent, by ``missing_for`` of a holder
    with every seq of an origin up to some point, what it lacks: the whole delivery passes (no
    refusal) and the watermark moves past it -- in any order the batch arrives."""
    w = _impl_w(data)
    size = data.draw(st.sampled_from(SIZES), label="size")
    epoch = data.draw(st.sampled_from(EPOCHS), label="epoch")
    writer = Replica(0, size, w, epoch=epoch)
    msgs = [writer.accum(data.draw(st.integers(0, size - 1)), data.draw(S.bitvecs(w)))
            for _ in range(data.draw(st.integers(1, 12), label="n"))]
    r = Replica(1, size, w, epoch=epoch, max_pending=data.draw(st.integers(1, 4), label="mp"))
    for m in data.draw(st.lists(st.sampled_from(msgs), max_size=8), label="history"):
        r.receive_all([m], rejected=[])  # whatever the window let in
    holder = Replica(2, size, w, epoch=epoch)
    holder.receive_all(msgs)
    sent = holder.missing_for(r.digest())
    order = data.draw(st.permutations(sent), label="order")
    rej: list[Any] = []
    n = r.receive_all(order, rejected=rej)
    assert rej == [], rej
    assert n == len(sent)
    assert _nxt(r, 0) == len(msgs) and r.pending() == {}, (r.watermarks(), r.pending())


@checks(ST + "not_seen_nextSeq")
@checks(ST + "accum_fresh")
@checks(ST + "put_fresh")
@checks(ST + "nextSeq_step_own")
def local_writes_never_reuse_an_id(data: Any) -> None:
    """After any history -- including its own earlier messages received back from a peer (state
    lost) and a next_seq near 2^64 -- a local write's id was never applied and no stored message
    has it; next_seq goes up by one; receiving an own message moves next_seq past it; past
    2^64 - 1 a write raises and changes nothing."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    size = r.table.num_contexts
    old = Replica(r.replica_id, size, w, epoch=r.epoch)  # an earlier life of the same id
    mine = [old.accum(data.draw(st.integers(0, size - 1)), 1) for _ in range(
        data.draw(st.integers(0, 6), label="old writes"))]
    for m in data.draw(st.lists(st.sampled_from(mine), max_size=6), label="back") if mine else []:
        rej: list[Any] = []
        r.receive_all([m], rejected=rej)
        if not rej:
            assert m.seq < r.next_seq, (m.seq, r.next_seq)
    for _ in range(data.draw(st.integers(1, 4), label="writes")):
        before = _state(r)
        ns = r.next_seq
        a = data.draw(st.integers(0, size - 1), label="a")
        v = data.draw(S.bitvecs(w), label="v")
        assert ns > U64 or not r.seen(r.replica_id, ns)  # seen() refuses a seq past 2^64 - 1
        try:
            m = r.put(a, v) if data.draw(st.booleans(), label="put") else r.accum(a, v)
        except RangeError:
            assert ns > U64, ns
            assert _state(r) == before
            return
        assert m.id == (r.replica_id, ns) and ns <= U64
        assert m.id not in {x.id for x in before[4]}, m.id
        assert r.next_seq == ns + 1, (r.next_seq, ns)
        _check_inv(r)


@checks(ST + "mem_missingFor")
@checks(ST + "missingFor_refines")
def missing_for_exact(data: Any) -> None:
    """``missing_for(peer.digest())`` is exactly the stored messages whose id the peer has not
    applied (the abstract ``missing`` of the history against the peer's applied ids); a digest
    of another epoch raises."""
    w = _impl_w(data)
    epoch = data.draw(st.sampled_from(EPOCHS), label="epoch")
    size = data.draw(st.sampled_from(SIZES), label="size")
    a = _impl_replica(data, w, "a", size=size, epoch=epoch, digest=True)
    b = _impl_replica(data, w, "b", size=size, epoch=epoch, digest=True)
    b.receive_all(data.draw(st.lists(st.sampled_from(a.messages()), max_size=6), label="b gets")
                  if a.messages() else [], rejected=[])
    sent = a.missing_for(b.digest())
    expected = [m for m in a.messages() if not b.seen(m.origin, m.seq)]
    assert sent == expected, (sent, expected)
    other = data.draw(st.sampled_from(EPOCHS).filter(lambda e: e != epoch), label="other")
    try:
        a.missing_for(Digest(other))
        raise AssertionError("missing_for accepted another epoch's digest")
    except EpochError:
        pass


@checks(ST + "prune_nil")
@checks(ST + "prune_ok")
@checks(ST + "mem_prune")
@checks(ST + "prune_other_epoch")
@checks(ST + "missingFor_prune")
def prune_is_safe(data: Any) -> None:
    """``prune(digests)`` forgets exactly the stored messages every digest covers and changes
    nothing else; afterwards each of those peers, now or after receiving more, is sent by
    ``missing_for`` what it would have been sent without the prune; an empty list raises
    ``PruneError`` and a digest of another epoch in the list prunes nothing."""
    w = _impl_w(data)
    epoch = data.draw(st.sampled_from(EPOCHS), label="epoch")
    size = data.draw(st.sampled_from(SIZES), label="size")
    a = _impl_replica(data, w, "a", size=size, epoch=epoch, digest=True)
    peers = [_impl_replica(data, w, f"p{k}", size=size, epoch=epoch, digest=True)
             for k in range(data.draw(st.integers(1, 3), label="peers"))]
    for k, p in enumerate(peers):
        if a.messages():
            p.receive_all(data.draw(st.lists(st.sampled_from(a.messages()), max_size=8),
                                    label=f"p{k} gets"), rejected=[])
    ds = [p.digest() for p in peers]
    other = data.draw(st.booleans(), label="other epoch among them")
    if other:
        ds.append(Digest(data.draw(st.sampled_from(EPOCHS).filter(lambda e: e != epoch)),
                         {o: U64 >> 1 for o in range(5)}))
    before = _state(a)
    stored = a.messages()
    try:
        a.prune([])
        raise AssertionError("prune([]) accepted")
    except PruneError:
        assert _state(a) == before
    later = [copy.deepcopy(p) for p in peers]
    for k, p in enumerate(later):  # peers that received more after their digest was taken
        p.receive_all(data.draw(st.lists(st.sampled_from(stored), max_size=4), label=f"more {k}")
                      if stored else [], rejected=[])
    wanted = [a.missing_for(p.digest()) for p in peers + later]
    n = a.prune(ds)
    kept = a.messages()
    if other:
        assert n == 0 and kept == stored, (n, len(stored))
    else:
        assert kept == [m for m in stored if not all(d.covers(m.origin, m.seq) for d in ds)]
        assert n == len(stored) - len(kept)
    assert _state(a)[:4] == before[:4], "prune changed the table or the dedup state"
    assert [a.missing_for(p.digest()) for p in peers + later] == wanted


def _mark_seq(n: int, ahead: frozenset[int], s: int) -> tuple[int, frozenset[int]]:
    """Lean ``markSeq`` on Python's representation (``n`` = watermark + 1)."""
    if s < n:
        return n, ahead
    if s == n:
        n, rest = s + 1, set(ahead)
        while n in rest:
            rest.discard(n)
            n += 1
        return n, frozenset(rest)
    return n, ahead | {s}


@checks(ST + "apply_id")
@checks(ST + "apply_epoch")
@checks(ST + "apply_size")
@checks(ST + "apply_maxPending")
@checks(ST + "apply_table")
@checks(ST + "apply_next")
@checks(ST + "apply_ahead")
@checks(ST + "apply_nextSeq")
@checks(ST + "apply_store")
def apply_fields(data: Any) -> None:
    """Applying an unseen message: id, epoch, size and window unchanged; the delta XORed in; its
    origin's watermark and out-of-order set marked as Lean's ``markSeq`` says (other origins
    untouched); ``next_seq`` moved past an own message at or above it; the message stored."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    m = data.draw(_packet(r, w, valid=True).filter(
        lambda x: _expected_error(r, x) is None and not r.seen(x.origin, x.seq)), label="m")
    before = _state(r)
    table = r.table
    n, ahead = _nxt(r, m.origin), r.pending().get(m.origin, frozenset())
    assert r.receive(m) is True
    table.accum(m.addr, m.delta)
    assert r.table == table
    assert (r.replica_id, r.epoch, r.max_pending) == (before[5], before[6], before[7])
    assert r.table.num_contexts == table.num_contexts
    n2, ahead2 = _mark_seq(n, ahead, m.seq)
    assert (_nxt(r, m.origin), r.pending().get(m.origin, frozenset())) == (n2, ahead2), m
    ns = before[3]
    assert r.next_seq == (m.seq + 1 if m.origin == r.replica_id and ns <= m.seq else ns)
    assert m in r.messages() and len(r.messages()) == len(before[4]) + 1


@checks(ST + "eq_of_perm_of_pairwise")
@checks(ST + "receiveBatch_perm")
def batch_order_does_not_matter(data: Any) -> None:
    """``receive_all`` of a batch and of any reordering of it (well-formed: one id, one message;
    exact duplicates and invalid messages mixed in) leave the same replica, window refusals
    included (windows of 1..4), and report the same rejected messages."""
    w = _impl_w(data)
    r = _impl_replica(data, w, "r")
    size = r.table.num_contexts
    good = _writers(data, w, size, r.epoch, "good")
    extra = data.draw(st.lists(_packet(r, w), max_size=4), label="extra")
    ids = {m.id for m in good}
    batch = list(good)
    for m in extra:  # one identifier names one message (the theorem's premise)
        if m.id not in ids:
            ids.add(m.id)
            batch.append(m)
    if good:
        batch += data.draw(st.lists(st.sampled_from(good), max_size=3), label="dups")
    other = data.draw(st.permutations(batch), label="other order")
    a, b = copy.deepcopy(r), copy.deepcopy(r)
    ra: list[Any] = []
    rb: list[Any] = []
    na, nb = a.receive_all(batch, rejected=ra), b.receive_all(other, rejected=rb)
    assert _state(a) == _state(b), (batch, other)
    assert na == nb
    key = sorted((m.origin, m.seq, m.epoch, m.addr, m.width, m.delta) for m, _ in ra)
    assert key == sorted((m.origin, m.seq, m.epoch, m.addr, m.width, m.delta) for m, _ in rb)
