"""atomik.replication.replica: exactly-once delivery, convergence in any order, and the negative
result."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomik import (
    AddressError,
    AtomikTypeError,
    EpochError,
    FrameFieldError,
    RangeError,
    WidthError,
)
from atomik.replication.log import PersistentTable
from atomik.replication.replica import (
    ConflictError,
    Digest,
    PruneError,
    RejectedMessagesError,
    ReorderWindowError,
    Replica,
    deliver_all_no_dedup,
)
from atomik.replication.sync import anti_entropy_round
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage


def test_put_accum_read_and_messages() -> None:
    r = Replica(1, 4, 8)
    m1 = r.put(2, 0x55)
    assert (m1.origin, m1.epoch, m1.seq, m1.addr, m1.width, m1.delta) == (1, 0, 0, 2, 8, 0x55)
    m2 = r.put(2, 0x0F)
    assert m2.seq == 1 and m2.delta == 0x55 ^ 0x0F and r.read(2) == 0x0F
    m3 = r.accum(3, 1)
    assert m3.seq == 2 and r.read(3) == 1
    assert r.receive(m1) is False  # own messages are already applied
    assert r.watermarks() == {1: 2} and r.pending() == {}
    assert r.replica_id == 1 and r.epoch == 0
    assert r.table.read(2) == 0x0F
    assert repr(r) == "Replica(id=1, epoch=0, num_contexts=4, width=8, sent=3)"


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[DeltaMessage], list[DeltaMessage]]:
    writers = [Replica(i, 3, 16) for i in range(3)]
    msgs = []
    for _ in range(draw(st.integers(0, 15))):
        w = draw(st.sampled_from(writers))
        addr = draw(st.integers(0, 2))
        if draw(st.booleans()):
            msgs.append(w.put(addr, draw(st.integers(0, 2**16 - 1))))
        else:
            msgs.append(w.accum(addr, draw(st.integers(0, 2**16 - 1))))
    dups = draw(st.lists(st.sampled_from(msgs), max_size=10)) if msgs else []
    a = draw(st.permutations(msgs + dups))
    b = draw(st.permutations(msgs + dups))
    return a, b


@given(scenario())
def test_any_order_with_duplicates_converges(case: tuple) -> None:
    a_msgs, b_msgs = case
    a, b = Replica(10, 3, 16), Replica(11, 3, 16)
    applied_a = a.receive_all(a_msgs)
    applied_b = b.receive_all(b_msgs)
    distinct = {m.id for m in a_msgs}
    assert applied_a == applied_b == len(distinct)
    assert a.same_state(b)
    model = [0, 0, 0]
    for m in {m.id: m for m in a_msgs}.values():
        model[m.addr] ^= m.delta
    assert [a.read(i) for i in range(3)] == model
    for origin, water in a.watermarks().items():
        seqs = sorted(s for o, s in distinct if o == origin)
        assert water == seqs[-1] and a.pending().get(origin) is None


def test_out_of_order_watermark_and_pending() -> None:
    w = Replica(5, 2, 8)
    ms = [w.accum(0, 1 << i) for i in range(4)]
    r = Replica(6, 2, 8)
    assert r.receive(ms[2]) and r.receive(ms[3])
    assert r.watermarks() == {5: -1} and r.pending() == {5: frozenset({2, 3})}
    assert r.seen(5, 3) and not r.seen(5, 0)
    assert r.receive(ms[0]) and r.watermarks() == {5: 0}
    assert r.receive(ms[1]) and r.watermarks() == {5: 3} and r.pending() == {}
    assert not r.receive(ms[2])
    assert r.read(0) == 0xF


def test_negative_result_duplicate_reverts_without_dedup() -> None:
    w = Replica(1, 1, 64)
    m = w.put(0, 0xDEAD)
    t = AtomikTable(1, 64)
    deliver_all_no_dedup(t, [m])
    assert t.read(0) == 0xDEAD
    deliver_all_no_dedup(t, [m])  # the duplicate undoes the update
    assert t.read(0) == 0
    r = Replica(2, 1, 64)
    assert r.receive_all([m, m]) == 1 and r.read(0) == 0xDEAD


def test_concurrent_writes_keep_both_deltas() -> None:
    s = 0b1100
    a, b = Replica(1, 1, 8), Replica(2, 1, 8)
    seed = a.put(0, s)
    b.receive(seed)
    ma, mb = a.put(0, 0b1010), b.put(0, 0b0110)
    a.receive(mb)
    b.receive(ma)
    assert a.read(0) == b.read(0) == s ^ 0b1010 ^ 0b0110
    assert a.read(0) not in (0b1010, 0b0110)  # neither writer's value


def test_bad_inputs_change_nothing() -> None:
    r = Replica(1, 2, 8)
    with pytest.raises(AddressError):
        r.put(2, 1)
    with pytest.raises(RangeError, match="width 8"):
        r.accum(0, 256)
    with pytest.raises(WidthError, match="message has width 16, this table has width 8"):
        r.receive(DeltaMessage(3, 0, 0, 0, 16, 1))
    with pytest.raises(AddressError):
        r.receive(DeltaMessage(3, 0, 0, 5, 8, 1))
    with pytest.raises(EpochError, match="epoch 1, this replica is in epoch 0"):
        r.receive(DeltaMessage(3, 1, 0, 0, 8, 1))
    with pytest.raises(AtomikTypeError):
        r.receive((3, 0, 0, 0, 8, 1))  # type: ignore[arg-type]
    with pytest.raises(RangeError):
        Replica(2**32, 1)
    with pytest.raises(AtomikTypeError):
        r.same_state(AtomikTable(2, 8))  # type: ignore[arg-type]
    assert r.read(0) == r.read(1) == 0 and r.watermarks() == {}
    assert not r.seen(3, 0)
    t = AtomikTable(2, 8)
    with pytest.raises(AddressError):
        deliver_all_no_dedup(t, [DeltaMessage(3, 0, 0, 0, 8, 1), DeltaMessage(3, 0, 1, 9, 8, 1)])
    assert t.read(0) == 0  # nothing applied
    with pytest.raises(AtomikTypeError):
        deliver_all_no_dedup({}, [])  # type: ignore[arg-type]


def test_from_table_and_message_id() -> None:
    t = AtomikTable(2, 8)
    t.load(1, 9)
    r = Replica.from_table(4, t)
    t.accum(1, 1)  # the replica holds a copy
    assert r.read(1) == 9 and r.watermarks() == {}
    m = r.put(1, 3)
    assert m.id == (4, 0) and m.delta == 9 ^ 3
    with pytest.raises(AtomikTypeError):
        Replica.from_table(4, {})  # type: ignore[arg-type]


# ------------------------------------------------------------------ cases that used to go wrong
def test_reverse_order_with_small_window_converges() -> None:
    """Three messages of one origin, reverse order, max_pending=1: receive_all used to stop at
    the first ReorderWindowError (one replica at [7,0,0,0], the other at [0,0,0,0]); it now
    receives a batch in (origin, seq) order, so both orders apply all three."""
    w = Replica(5, 4, 8)
    ms = [w.accum(0, 1 << i) for i in range(3)]
    a, b = Replica(1, 4, 8, max_pending=1), Replica(2, 4, 8, max_pending=1)
    assert a.receive_all(ms) == 3
    assert b.receive_all(list(reversed(ms))) == 3
    assert a.read_all() == b.read_all() == [7, 0, 0, 0]
    c = Replica(3, 4, 8, max_pending=1)  # one at a time, the window still refuses loudly
    with pytest.raises(ReorderWindowError):
        c.receive(ms[2])
    assert c.read_all() == [0, 0, 0, 0] and c.watermarks() == {}


def test_bad_message_first_or_last_applies_the_same() -> None:
    """[bad, good] and [good, bad] (an out-of-range address) used to apply different amounts
    (receive_all stopped at the bad one); now both apply the good one and report the bad one."""
    w = Replica(5, 4, 8)
    good = w.accum(1, 9)
    bad = DeltaMessage(5, 0, 1, 4, 8, 1)  # address 4 of a 4-context table
    results = []
    for order in ([bad, good], [good, bad]):
        r = Replica(1, 4, 8)
        with pytest.raises(RejectedMessagesError, match="AddressError") as info:
            r.receive_all(order)
        assert info.value.applied == 1 and [m for m, _ in info.value.rejected] == [bad]
        assert isinstance(info.value.rejected[0][1], AddressError)
        results.append((r.read_all(), r.watermarks()))
        r2 = Replica(1, 4, 8)
        rej: list = []
        assert r2.receive_all(order, rejected=rej) == 1 and [m for m, _ in rej] == [bad]
        assert (r2.read_all(), r2.watermarks()) == results[-1]
    assert results[0] == results[1] == ([0, 9, 0, 0], {5: 0})


def test_receive_all_reports_every_kind_and_keeps_going() -> None:
    w = Replica(5, 2, 8, epoch=3)
    ms = [w.accum(0, 1), w.accum(1, 2)]
    junk = [
        (1, 2, 3),
        DeltaMessage(5, 3, 2, 0, 16, 1),  # width
        DeltaMessage(5, 2, 2, 0, 8, 1),  # epoch
        DeltaMessage(5, 3, 2, 7, 8, 1),  # address
        DeltaMessage(5, 3, 9, 0, 8, 1),  # window (max_pending 2)
    ]
    r = Replica(1, 2, 8, epoch=3, max_pending=2)
    rej: list = []
    assert r.receive_all([*junk, *ms], rejected=rej) == 2  # type: ignore[list-item]
    kinds = sorted(type(e).__name__ for _, e in rej)
    assert kinds == [
        "AddressError", "AtomikTypeError", "EpochError", "ReorderWindowError", "WidthError"
    ]
    assert r.read_all() == [1, 2] and r.watermarks() == {5: 1}


def test_prune_refuses_empty_and_other_epoch_digests_cover_nothing() -> None:
    """prune([]) used to forget everything; a digest of another epoch used to count as covering
    this epoch's messages, so the write could no longer be repaired."""
    r = Replica(0, 2, 8, epoch=1)
    m = r.put(0, 1)
    with pytest.raises(PruneError):
        r.prune([])
    assert r.messages() == [m]
    assert r.prune([r.digest(), Digest(0, {0: 5})]) == 0
    assert r.missing_for(Digest(1)) == [m]
    peer = Replica(1, 2, 8, epoch=1)
    assert r.prune([r.digest(), peer.digest()]) == 0  # the peer lacks it: kept
    peer.receive_all(r.missing_for(peer.digest()))
    assert r.prune([r.digest(), peer.digest()]) == 1 and r.messages() == []


def test_prune_then_sync_converges() -> None:
    """Prune with the digests of every peer, then anti-entropy among them still converges."""
    a, b, c = Replica(1, 2, 8), Replica(2, 2, 8), Replica(3, 2, 8)
    ms = [a.accum(i % 2, i + 1) for i in range(5)]
    b.receive_all(ms[:3])
    c.receive_all(ms[:1])
    assert a.prune([b.digest(), c.digest()]) == 1
    a.sync_with(b)
    a.sync_with(c)
    assert a.read_all() == b.read_all() == c.read_all()


def test_more_than_8_addresses_and_no_widths_above_64() -> None:
    """Replicas hold an AtomikTable, which supports widths 1..64: a wider replica is refused at
    construction (WidthError), never half-built."""
    w = Replica(7, 12, 64)
    ms = [w.put(11, (1 << 63) | 5), w.accum(9, (1 << 40) + 1)]
    r = Replica(8, 12, 64, max_pending=1)
    assert r.receive_all(list(reversed(ms))) == 2
    assert r.read(11) == (1 << 63) | 5 and r.read(9) == (1 << 40) + 1 and r.same_state(w)
    with pytest.raises(WidthError):
        Replica(1, 2, 65)


def test_seq_near_2_64() -> None:
    """A watermark restored near 2^64 (as a snapshot does): the window arithmetic holds, and a
    local write past 2^64 - 1 raises and changes nothing."""
    top = (1 << 64) - 1
    r = Replica(1, 2, 8, max_pending=2)
    r._water[3] = top - 3
    assert r.receive(DeltaMessage(3, 0, top - 1, 0, 8, 1))
    with pytest.raises(ReorderWindowError):
        r.receive(DeltaMessage(3, 0, top, 0, 8, 1))
    assert r.receive(DeltaMessage(3, 0, top - 2, 0, 8, 2))
    assert r.receive(DeltaMessage(3, 0, top, 0, 8, 4)) and r.watermarks()[3] == top
    me = Replica(1, 2, 8)
    me._water[1] = top - 1
    me._next_seq = top
    assert me.accum(0, 1).seq == top
    before = (me.read_all(), me.next_seq, me.messages())
    with pytest.raises(RangeError):
        me.accum(0, 1)
    assert (me.read_all(), me.next_seq, me.messages()) == before


def test_digest_past_an_i64_watermark_is_a_clear_error_and_changes_nothing() -> None:
    # A Digest carries each watermark as an i64 (spec/replication.md): a replica restored near
    # 2^63 - 1 whose own writes pass it cannot make a digest, and says which origin.
    r = Replica(0, 4, 8)
    r._water[0] = (1 << 63) - 2  # as PersistentTable recovery restores it from a snapshot
    r._next_seq = (1 << 63) - 1
    r.accum(1, 5)
    assert r.digest().watermarks[0] == (1 << 63) - 1
    r.accum(2, 6)
    before = (r.messages(), [r.read(a) for a in range(4)], r.seen(0, 1 << 63))
    with pytest.raises(FrameFieldError, match="watermark of origin 0"):
        r.digest()
    assert (r.messages(), [r.read(a) for a in range(4)], r.seen(0, 1 << 63)) == before



def _snapshot(r: Replica) -> tuple:
    return (r.read_all(), r.watermarks(), r.pending(), r.messages(), r.next_seq)


def _forked_pair() -> tuple[Replica, Replica, DeltaMessage, DeltaMessage]:
    """Two nodes that share a replica_id: one id, two different deltas."""
    a, b = Replica(1, 4, 16), Replica(1, 4, 16)
    ma, mb = a.put(0, 5), b.put(0, 9)
    assert ma.id == mb.id == (1, 0) and ma.delta != mb.delta
    return a, b, ma, mb


def test_same_id_other_content_is_a_conflict_and_changes_nothing() -> None:
    # before: receive returned False on both sides and the nodes read 5 and 9 for good
    a, b, ma, mb = _forked_pair()
    for node, theirs, mine in ((a, mb, ma), (b, ma, mb)):
        before = _snapshot(node)
        with pytest.raises(ConflictError) as ei:
            node.receive(theirs)
        assert ei.value.first == mine and ei.value.second == theirs
        text = str(ei.value)
        assert "(1, 0)" in text and f"{mine.delta:#x}" in text and f"{theirs.delta:#x}" in text
        assert _snapshot(node) == before
        assert node.receive(mine) is False  # a true duplicate stays silent
    # a third node applies the first it gets and refuses the other, never storing both
    c = Replica(2, 4, 16)
    assert c.receive(ma) is True
    with pytest.raises(ConflictError):
        c.receive(mb)
    assert c.read(0) == 5 and c.messages() == [ma]
    # another address with the same delta is a conflict too
    other_addr = DeltaMessage(ma.origin, ma.epoch, ma.seq, 1, ma.width, ma.delta)
    with pytest.raises(ConflictError):
        c.receive(other_addr)


def test_conflict_in_a_batch_is_rejected_and_reported_by_receive_all_and_ingest() -> None:
    _, _, ma, mb = _forked_pair()
    for order in ([ma, mb], [mb, ma]):
        for how in ("receive_all", "ingest"):
            d = Replica(3, 4, 16)
            rej: list = []
            assert getattr(d, how)(order, rejected=rej) == 1
            first, second = order
            assert [m for m, _ in rej] == [second]
            assert isinstance(rej[0][1], ConflictError) and rej[0][1].first == first
            assert d.messages() == [first] and d.read(0) == first.delta
            with pytest.raises(RejectedMessagesError) as ei:
                getattr(Replica(3, 4, 16), how)(order)
            assert ei.value.applied == 1 and isinstance(ei.value.rejected[0][1], ConflictError)
    # against an already stored message: rejected, nothing changed; a true copy is skipped
    d = Replica(3, 4, 16)
    d.receive(ma)
    before = _snapshot(d)
    for how in ("receive_all", "ingest"):
        rej = []
        assert getattr(d, how)([mb, ma], rejected=rej) == 0
        assert [(m, type(e)) for m, e in rej] == [(mb, ConflictError)]
        assert _snapshot(d) == before


def test_a_pruned_id_cannot_be_compared_so_it_is_a_duplicate() -> None:
    _, _, ma, mb = _forked_pair()
    d, peer = Replica(3, 4, 16), Replica(4, 4, 16)
    d.receive(ma)
    peer.receive(ma)
    assert d.prune([peer.digest()]) == 1 and d.messages() == []
    before = _snapshot(d)
    assert d.receive(mb) is False  # below the watermark, content forgotten: not comparable
    assert d.ingest([mb]) == 0
    assert _snapshot(d) == before and d.read(0) == 5


def test_conflict_through_persistent_table_receive(tmp_path) -> None:
    _, _, ma, mb = _forked_pair()
    path = tmp_path / "node.log"
    t = PersistentTable(path, 4, 16, replica_id=2)
    assert t.receive(ma) is True
    size = t.size
    with pytest.raises(ConflictError):
        t.receive(mb)
    with pytest.raises(RejectedMessagesError):
        t.receive_all([mb])
    assert t.size == size and t.read(0) == 5  # nothing logged, nothing applied
    t.close()
    t = PersistentTable(path, 4, 16, replica_id=2)  # recovery reads only the first
    assert t.read(0) == 5 and t.missing_for(Digest(0)) == [ma]
    t.close()


def test_conflict_through_anti_entropy_is_reported_and_changes_nothing() -> None:
    # before: a relay kept the first content it saw and dropped the other silently, for good
    a, b, ma, mb = _forked_pair()
    c = Replica(2, 4, 16)
    sa, sb = _snapshot(a), _snapshot(b)
    with pytest.raises(RejectedMessagesError) as ei:
        anti_entropy_round([a, b, c])
    assert [(m, type(e)) for m, e in ei.value.rejected] == [(mb, ConflictError)]
    assert ei.value.applied == 1 and c.messages() == [ma] and c.read(0) == 5
    assert _snapshot(a) == sa and _snapshot(b) == sb
    # with b listed first, a new node applies b's content and reports a's
    d = Replica(3, 4, 16)
    rej: list = []
    assert anti_entropy_round([b, a, d], rejected=rej) == 1
    assert [(m, type(e)) for m, e in rej] == [(ma, ConflictError)] and d.read(0) == 9
    # later rounds: every digest covers the id, so nothing more is exchanged (reported once)
    assert anti_entropy_round([a, b, c, d]) == 0 and c.read(0) == 5 and d.read(0) == 9
    # the forked pair alone: a digest names ids, not contents, so nothing is exchanged
    assert anti_entropy_round([a, b]) == 0 and _snapshot(a) == sa
