"""Anti-entropy (digests, missing_for, rounds), the bounded reorder window, epochs, LWW
registers, the digest encoding, and a short soak."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik.errors import (
    AtomikTypeError,
    EpochError,
    FrameChecksumError,
    FrameError,
    FrameFieldError,
)
from atomik.replication.replica import Digest, LWWRegisters, LWWWrite, ReorderWindowError, Replica
from atomik.replication.sync import anti_entropy_round, main, run_soak
from atomik.wire import DeltaMessage

W, N = 16, 3
SET = settings(max_examples=60, deadline=None, database=None)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[DeltaMessage], list[DeltaMessage]]:
    """All messages of three writers, and a random subset a peer has applied."""
    writers = [Replica(i, N, W) for i in range(3)]
    msgs = [
        draw(st.sampled_from(writers)).accum(draw(st.integers(0, N - 1)), draw(st.integers(1, 99)))
        for _ in range(draw(st.integers(0, 20)))
    ]
    have = draw(st.lists(st.sampled_from(msgs), unique_by=lambda m: m.id)) if msgs else []
    return msgs, have


@SET
@given(histories())
def test_missing_for_is_exactly_what_the_peer_lacks(case: tuple) -> None:
    msgs, have = case
    full, peer = Replica(10, N, W), Replica(11, N, W)
    full.receive_all(msgs)
    peer.receive_all(sorted(have, key=lambda m: m.id))
    missing = full.missing_for(peer.digest())
    assert {m.id for m in missing} == {m.id for m in msgs} - {m.id for m in have}
    assert [m.id for m in missing] == sorted(m.id for m in missing)
    assert peer.receive_all(missing) == len(missing)
    assert peer.same_state(full) and peer.missing_for(full.digest()) == []
    assert full.missing_for(peer.digest()) == []


@SET
@given(histories(), st.randoms(use_true_random=False))
def test_one_round_converges_partitioned_replicas(case: tuple, rnd: object) -> None:
    msgs, _ = case
    reps = [Replica(20 + i, N, W) for i in range(4)]
    for m in msgs:  # each message reaches one random replica only
        reps[rnd.randrange(4)].receive(m)  # type: ignore[attr-defined]
    anti_entropy_round(reps)
    model = [0] * N
    for m in msgs:
        model[m.addr] ^= m.delta
    for r in reps:
        assert r.read_all() == model
        assert {(o, s) for o, w in r.watermarks().items() for s in range(w + 1)} == {
            m.id for m in msgs
        }


def test_digest_shape_and_sync_with() -> None:
    w = Replica(5, N, W)
    ms = [w.accum(0, 1 << i) for i in range(5)]
    r = Replica(6, N, W)
    r.receive_all([ms[0], ms[3], ms[4]])
    d = r.digest()
    assert d.watermarks == {5: 0} and d.ahead == {5: frozenset({3, 4})}
    assert d.covers(5, 0) and d.covers(5, 4) and not d.covers(5, 1) and not d.covers(9, 0)
    assert [m.seq for m in w.missing_for(d)] == [1, 2]
    assert r.sync_with(w) == (0, 2) and r.same_state(w)
    mine = r.put(1, 7)
    assert w.sync_with(r) == (0, 1) and w.read(1) == 7 and mine.origin == 6


def test_reorder_window_refuses_loudly_and_changes_nothing() -> None:
    w = Replica(1, N, W)
    ms = [w.accum(0, i + 1) for i in range(6)]
    r = Replica(2, N, W, max_pending=3)
    assert r.receive(ms[2])  # window: watermark + 1 .. watermark + max_pending = 0..2
    with pytest.raises(ReorderWindowError, match=r"max_pending=3.*seqs 0\.\.4 first"):
        r.receive(ms[5])
    assert not r.seen(1, 5) and r.pending() == {1: frozenset({2})}
    assert r.receive(ms[0]) and r.receive(ms[1])  # watermark 2
    assert r.receive(ms[5])  # now within the window
    r.receive_all([ms[3], ms[4]])
    assert r.same_state(w) and r.pending() == {}
    with pytest.raises(ValueError):
        Replica(2, N, W, max_pending=0)


def test_epochs_stale_and_future() -> None:
    r = Replica(1, N, W, epoch=5)
    with pytest.raises(EpochError, match="stale epoch"):
        r.receive(DeltaMessage(2, 4, 0, 0, W, 1))
    with pytest.raises(EpochError, match="future epoch"):
        r.receive(DeltaMessage(2, 6, 0, 0, W, 1))
    with pytest.raises(EpochError):
        r.missing_for(Digest(4))
    assert r.read_all() == [0] * N and r.digest() == Digest(5)


def test_own_messages_from_peers_advance_next_seq() -> None:
    """A replica that lost its state learns its own old messages from a peer and never reuses
    their seq for a different delta."""
    a = Replica(1, N, W)
    old = [a.accum(0, 3), a.accum(1, 4)]
    fresh = Replica(1, N, W)  # same id, state lost
    peer = Replica(2, N, W)
    peer.receive_all(old)
    fresh.receive_all(peer.missing_for(fresh.digest()))
    assert fresh.next_seq == 2 and fresh.accum(2, 1).seq == 2


def test_prune_forgets_only_what_all_peers_have() -> None:
    a, b, c = Replica(1, N, W), Replica(2, N, W), Replica(3, N, W)
    ms = [a.accum(0, i + 1) for i in range(4)]
    b.receive_all(ms)
    c.receive_all(ms[:2])
    assert a.prune([b.digest(), c.digest()]) == 2
    assert [m.seq for m in a.messages()] == [2, 3]
    assert c.receive_all(a.missing_for(c.digest())) == 2 and c.same_state(a)
    with pytest.raises(AtomikTypeError):
        a.prune([{}])  # type: ignore[list-item]


@SET
@given(
    st.integers(0, 2**32 - 1),
    st.dictionaries(st.integers(0, 2**32 - 1), st.integers(-1, 2**40), max_size=5),
    st.data(),
)
def test_digest_encoding_roundtrip(epoch: int, water: dict, data: st.DataObject) -> None:
    ahead = {
        o: data.draw(st.frozensets(st.integers(w + 2, w + 50), max_size=4))
        for o, w in water.items()
    }
    d = Digest(epoch, water, ahead)
    assert Digest.decode(d.encode()) == d


@SET
@given(st.binary(max_size=80))
def test_digest_decoder_fuzz_only_frame_errors(blob: bytes) -> None:
    try:
        d = Digest.decode(blob)
    except FrameError:
        return
    assert d.encode() == blob


def test_digest_decoder_rejects_corruption() -> None:
    blob = bytearray(Digest(1, {3: 7}, {3: frozenset({9})}).encode())
    blob[-6] ^= 1
    with pytest.raises(FrameChecksumError):
        Digest.decode(bytes(blob))
    with pytest.raises(FrameFieldError):
        Digest(1, {3: 7}, {3: frozenset({5})})  # ahead must exceed the watermark


def test_lww_registers_resolve_concurrent_writes_to_one_value() -> None:
    a, b, c = LWWRegisters(1, 2, 8), LWWRegisters(2, 2, 8), LWWRegisters(3, 2, 8)
    wa, wb = a.put(0, 0x0A), b.put(0, 0x0B)  # concurrent: same clock, origin breaks the tie
    for r in (a, b, c):
        for w in (wa, wb, wa, wb):
            r.receive(w)
    assert a.read(0) == b.read(0) == c.read(0) == 0x0B  # one writer's value, not 0x0A ^ 0x0B
    later = a.put(0, 0x0C)  # a has seen b's write: its clock is later
    assert later.stamp > wb.stamp
    for r in (b, c):
        assert r.receive(later) and not r.receive(wb) and r.read(0) == 0x0C
    with pytest.raises(AtomikTypeError):
        a.receive((1, 2, 3, 4))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        a.receive(LWWWrite(1, 9, 0, 256))


@SET
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 255)), max_size=12),
    st.randoms(use_true_random=False),
)
def test_lww_any_order_any_duplicates_converge(ops: list, rnd: object) -> None:
    regs = [LWWRegisters(i, 2, 8) for i in range(3)]
    writes = [regs[i].put(a, v) for i, a, v in ops]
    for r in regs:
        order = writes + writes[: len(writes) // 2]
        rnd.shuffle(order)  # type: ignore[attr-defined]
        for w in order:
            r.receive(w)
    for addr in range(2):
        assert len({r.read(addr) for r in regs}) == 1


def test_short_soak_has_no_divergence() -> None:
    st_ = run_soak(2.0, seed=3, nodes=3, check_every=100)
    assert st_.divergences == 0 and st_.convergence_checks >= 1
    assert st_.crashes and st_.restarts and st_.dropped and st_.duplicated and st_.writes


def test_soak_reports_progress_while_it_runs() -> None:
    lines: list[str] = []
    st_ = run_soak(1.0, seed=2, nodes=3, progress=lines.append, progress_every=0.2)
    assert len(lines) >= 3, lines
    assert all(line.startswith("soak: ") and "operations" in line for line in lines)
    assert st_.divergences == 0


def test_soak_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--soak", "--seconds", "0.5", "--seed", "1"]) == 0
    assert '"divergences": 0' in capsys.readouterr().out
    assert main([]) == 2


def _relay_case() -> tuple[Replica, Replica, list[DeltaMessage]]:
    """y (max_pending=64) holds seqs 0, 1, 2 and 9 of an absent origin x; z has max_pending=4."""
    x = Replica(7, 2, 8)
    ms = [x.accum(i % 2, i + 1) for i in range(10)]
    y = Replica(1, 2, 8, max_pending=64)
    y.receive_all([ms[0], ms[1], ms[2], ms[9]])
    z = Replica(2, 2, 8, max_pending=4)
    return y, z, ms


def test_round_through_a_relay_with_a_gap_does_not_abort() -> None:
    """anti_entropy_round([y, z]) used to raise ReorderWindowError (and skip every later pair);
    now z applies 0, 1, 2, seq 9 is refused by the window (reported, nothing else), and the other
    pairs of the round still run."""
    y, z, ms = _relay_case()
    w = Replica(3, 2, 8, max_pending=64)
    rej: list = []
    assert anti_entropy_round([y, z, w], rejected=rej) == 3 + 4
    assert [m.id for m, _ in rej] == [(7, 9)]
    assert isinstance(rej[0][1], ReorderWindowError)
    assert z.watermarks() == {7: 2} and z.pending() == {}
    assert w.watermarks() == {7: 2} and w.pending() == {7: frozenset({9})}
    assert anti_entropy_round([y, z]) == 0  # no list: window refusals are not an error
    y.receive_all(ms[3:9])  # the gap is filled: the next round converges
    anti_entropy_round([y, z, w])
    assert y.read_all() == z.read_all() == w.read_all() == x_state(ms)


def x_state(ms: list[DeltaMessage]) -> list[int]:
    out = [0, 0]
    for m in ms:
        out[m.addr] ^= m.delta
    return out


def test_sync_with_through_a_relay_with_a_gap_does_not_abort() -> None:
    y, z, ms = _relay_case()
    rej: list = []
    assert y.sync_with(z, rejected=rej) == (3, 0)
    assert [m.id for m, _ in rej] == [(7, 9)]
    assert y.sync_with(z) == (0, 0)
    y.receive_all(ms[3:9])
    assert y.sync_with(z) == (7, 0) and y.same_state(z)


def test_round_needs_one_epoch_width_and_size() -> None:
    a, b = Replica(1, 2, 8), Replica(2, 2, 8, epoch=1)
    a.put(0, 1)
    for other in (b, Replica(2, 2, 16), Replica(2, 3, 8)):
        with pytest.raises((EpochError, ValueError, IndexError)):
            anti_entropy_round([a, other])
        with pytest.raises((EpochError, ValueError, IndexError)):
            a.sync_with(other)
        assert other.read_all() == [0] * len(other.read_all()) and other.watermarks() == {}


def test_round_gathers_one_batch_per_receiver() -> None:
    """With a small window, a receiver lacking 0..7 of an origin that two peers hold in halves
    (the second half first in the replica list) gets everything in one round."""
    x = Replica(7, 2, 8)
    ms = [x.accum(0, 1 << i) for i in range(8)]
    late, early = Replica(1, 2, 8), Replica(2, 2, 8, max_pending=64)
    early.receive_all(ms[4:])
    late.receive_all(ms[:4])
    z = Replica(3, 2, 8, max_pending=2)
    anti_entropy_round([early, late, z])
    assert z.read_all() == [0xFF, 0] and z.watermarks() == {7: 7}


def test_sync_module_keeps_the_moved_names_and_imports_no_fault_run() -> None:
    import subprocess
    import sys
    from pathlib import Path

    from atomik.replication import redis_faults, soak, sync

    for name in ("Cluster", "FaultStats", "FaultyNetwork", "run_soak"):
        assert getattr(sync, name) is getattr(soak, name)
    for name in ("NodeConfig", "NodeProcess", "RedisServer", "RedisFaultStats", "run_node",
                 "run_redis_faults"):
        assert getattr(sync, name) is getattr(redis_faults, name)
    with pytest.raises(AttributeError):
        sync.no_such_name  # noqa: B018
    code = (
        "import sys, atomik.replication.sync\n"
        "print(sorted(m for m in sys.modules if m.startswith('atomik.replication.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "soak" not in out.stdout and "redis_faults" not in out.stdout, out.stdout
    for mod in (sync, soak, redis_faults):
        assert len(Path(mod.__file__ or "").read_text().splitlines()) <= 600, mod.__name__


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    import atomik

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"atomik {atomik.__version__}"
