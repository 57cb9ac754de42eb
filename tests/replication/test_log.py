"""atomik.replication.log.PersistentTable: recovery, torn tails, corruption, salvage, compaction,
fsync."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik.errors import AtomikTypeError, RangeError
from atomik.replication.log import (
    HEADER_SIZE,
    LogClosedError,
    LogConfigError,
    LogConflictError,
    LogCorruptionError,
    LogFailedError,
    LogLockedError,
    LogMismatchError,
    PersistentTable,
)
from atomik.replication.replica import Digest, PruneError, Replica
from atomik.wire import DeltaMessage, encode, frame_size

W, N = 16, 4
F = frame_size(W)


def _fill(path: Path, k: int = 8, fsync: str = "always") -> tuple[list[DeltaMessage], list[int]]:
    """A log with k records (own writes and received ones); return them and the final state."""
    peer = Replica(7, N, W)
    with PersistentTable(path, N, W, fsync, replica_id=1) as t:
        msgs = []
        for i in range(k):
            if i % 3 == 2:
                m = peer.accum(i % N, (i * 0x9E37) & 0xFFFF)
                assert t.receive(m)
            else:
                m = t.put(i % N, (i * 0x1234 + 1) & 0xFFFF)
            msgs.append(m)
        return msgs, t.read_all()


def _replay(msgs: list[DeltaMessage]) -> list[int]:
    state = [0] * N
    for m in msgs:
        state[m.addr] ^= m.delta
    return state


def test_roundtrip_and_layout(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    msgs, state = _fill(p)
    assert p.stat().st_size == HEADER_SIZE + len(msgs) * F
    assert p.read_bytes()[HEADER_SIZE : HEADER_SIZE + F] == encode(msgs[0])
    t = PersistentTable(p, N, W, replica_id=1)
    assert t.read_all() == state == _replay(msgs)
    assert t.recovery.records == t.recovery.applied == len(msgs)
    assert t.replica.next_seq == sum(1 for m in msgs if m.origin == 1)
    assert t.digest().watermarks == {1: 5, 7: 1}
    assert [m.id for m in t.replica.messages()] == sorted(m.id for m in msgs)
    m = t.put(0, 0xBEEF)
    assert m.seq == t.replica.next_seq - 1 and m.id not in {x.id for x in msgs}
    t.close()
    assert "closed" in repr(t)


def test_replay_is_idempotent_duplicate_records(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    msgs, state = _fill(p)
    with open(p, "ab") as f:  # the same records appended again (e.g. a replayed copy)
        f.write(b"".join(encode(m) for m in msgs))
    t = PersistentTable(p, N, W, replica_id=1)
    assert t.read_all() == state
    assert t.recovery.duplicates == len(msgs) and t.recovery.applied == len(msgs)
    t.close()


def test_torn_tail_every_offset_of_last_records(tmp_path: Path) -> None:
    """Cut the file at every byte offset of the last three records: recovery keeps exactly the
    complete records and truncates the partial one."""
    p = tmp_path / "a.log"
    msgs, _ = _fill(p, k=6)
    full = p.read_bytes()
    start = len(full) - 3 * F
    for cut in range(start, len(full) + 1):
        p.write_bytes(full[:cut])
        t = PersistentTable(p, N, W, replica_id=1)
        whole = (cut - HEADER_SIZE) // F
        assert t.read_all() == _replay(msgs[:whole]), cut
        assert t.recovery.truncated_bytes == (cut - HEADER_SIZE) % F
        t.close()
        assert p.stat().st_size == HEADER_SIZE + whole * F


def test_bit_flips_are_refused_without_touching_the_file(tmp_path: Path) -> None:
    """Flip 1-3 random bits anywhere: opening refuses (file unchanged), or with salvage=True
    drops exactly the damaged records -- never a wrong state silently."""
    p = tmp_path / "a.log"
    msgs, state = _fill(p, k=10)
    full = p.read_bytes()
    rng = random.Random(1234)
    for _ in range(150):
        data = bytearray(full)
        flipped = {rng.randrange(len(full) * 8) for _ in range(rng.randint(1, 3))}
        for bit in flipped:
            data[bit // 8] ^= 1 << (bit % 8)
        p.write_bytes(bytes(data))
        with pytest.raises((LogCorruptionError, LogMismatchError)):
            PersistentTable(p, N, W, replica_id=1)
        assert p.read_bytes() == bytes(data)  # refused without modifying the file
        if all(bit // 8 >= HEADER_SIZE for bit in flipped):
            t = PersistentTable(p, N, W, replica_id=1, salvage=True)
            bad = {(bit // 8 - HEADER_SIZE) // F for bit in flipped}
            assert {(off - HEADER_SIZE) // F for off, _ in t.recovery.salvaged} == bad
            kept = [m for i, m in enumerate(msgs) if i not in bad]
            assert t.read_all() == _replay(kept)
            t.close()
            again = PersistentTable(p, N, W, replica_id=1)  # salvage rewrote a clean file
            assert again.read_all() == _replay(kept) and not again.recovery.salvaged
            again.close()
    p.write_bytes(full)
    assert PersistentTable(p, N, W, replica_id=1).read_all() == state


def test_corrupted_middle_record_refused_then_salvaged_and_repaired(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    msgs, state = _fill(p, k=6)
    data = bytearray(p.read_bytes())
    data[HEADER_SIZE + 2 * F + 5] ^= 0x40
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorruptionError, match=f"byte {HEADER_SIZE + 2 * F}.*salvage=True"):
        PersistentTable(p, N, W, replica_id=1)
    assert p.read_bytes() == bytes(data)
    t = PersistentTable(p, N, W, replica_id=1, salvage=True)
    assert t.read_all() == _replay(msgs[:2] + msgs[3:])
    assert t.recovery.salvaged[0][0] == HEADER_SIZE + 2 * F
    # the lost message is repaired by anti-entropy from a peer that has it
    peer = Replica(9, N, W)
    peer.receive_all(msgs)
    assert t.receive_all(peer.missing_for(t.digest())) == 1
    assert t.read_all() == state
    t.close()


def test_every_n_policy_power_loss_keeps_the_durable_prefix(tmp_path: Path) -> None:
    rng = random.Random(7)
    for trial in range(20):
        p = tmp_path / f"e{trial}.log"
        t = PersistentTable(p, N, W, "every:4", replica_id=1)
        msgs = [t.accum(rng.randrange(N), rng.getrandbits(W)) for _ in range(rng.randint(1, 15))]
        durable, size = t.durable_size, t.size
        assert (durable - HEADER_SIZE) // F == len(msgs) // 4 * 4
        t.abandon()
        cut = rng.randint(durable, size)  # what a power loss may leave
        with open(p, "r+b") as f:
            f.truncate(cut)
        r = PersistentTable(p, N, W, replica_id=1)
        k = (cut - HEADER_SIZE) // F
        assert k >= len(msgs) // 4 * 4 and r.read_all() == _replay(msgs[:k])
        r.close()


def test_fsync_policies_track_durability(tmp_path: Path) -> None:
    with PersistentTable(tmp_path / "c.log", N, W, "close", replica_id=1) as t:
        t.put(0, 1)
        assert t.durable_size == HEADER_SIZE and t.size == HEADER_SIZE + F
        t.flush()
        assert t.durable_size == t.size
    with PersistentTable(tmp_path / "a.log", N, W, "always", replica_id=1) as t:
        t.put(0, 1)
        assert t.durable_size == t.size == HEADER_SIZE + F
        assert t.fsync_policy == "always"


def test_compaction_snapshot_and_retained_messages(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    msgs, state = _fill(p, k=12)
    t = PersistentTable(p, N, W, replica_id=1)
    before = p.stat().st_size
    size = t.compact()  # keeps every message, so it can still serve peers
    assert size == p.stat().st_size and t.read_all() == state
    assert len(t.replica.messages()) == len(msgs)
    behind = Replica(3, N, W)
    behind.receive_all(msgs[:4])
    t.compact([behind.digest()])  # keep only what that peer lacks
    assert [m.id for m in t.replica.messages()] == sorted(m.id for m in msgs[4:])
    assert p.stat().st_size < before
    t.put(1, 0x77)
    t.close()
    r = PersistentTable(p, N, W, replica_id=1)
    expect = list(state)
    expect[1] = 0x77
    assert r.read_all() == expect and r.recovery.snapshot
    assert r.recovery.duplicates == len(msgs) - 4 and r.recovery.applied == 1
    assert r.replica.next_seq == 9
    assert behind.receive_all(r.missing_for(behind.digest())) == len(msgs) - 4 + 1
    assert behind.read_all() == expect
    r.close()


def test_interrupted_compaction_leaves_the_log_intact(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    _, state = _fill(p)
    tmp = tmp_path / ("a.log" + ".compact-tmp")
    tmp.write_bytes(b"half a snapshot")
    t = PersistentTable(p, N, W, replica_id=1)
    assert t.read_all() == state and t.recovery.removed_temp and not tmp.exists()
    t.close()


def test_corrupt_snapshot_refused(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    _fill(p)
    t = PersistentTable(p, N, W, replica_id=1)
    t.compact()
    t.close()
    data = bytearray(p.read_bytes())
    data[HEADER_SIZE + 3] ^= 1
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorruptionError, match="snapshot CRC32C"):
        PersistentTable(p, N, W, replica_id=1)


def test_bad_inputs(tmp_path: Path) -> None:
    p = tmp_path / "a.log"
    with pytest.raises(LogConfigError, match="every:N"):
        PersistentTable(p, N, W, "every:0", replica_id=1)
    with pytest.raises(LogConfigError):
        PersistentTable(p, N, W, "sometimes", replica_id=1)
    with pytest.raises(AtomikTypeError):
        PersistentTable(p, N, W, 1, replica_id=1)  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        PersistentTable(p, N, W, salvage="yes", replica_id=1)  # type: ignore[arg-type]
    assert not p.exists()
    _fill(p)
    with pytest.raises(LogMismatchError, match=r"width=16.*opened with width=8"):
        PersistentTable(p, N, 8, replica_id=1)
    with pytest.raises(LogMismatchError, match="replica_id=2"):
        PersistentTable(p, N, W, replica_id=2)
    (tmp_path / "short.log").write_bytes(b"ATOMIK")
    with pytest.raises(LogCorruptionError, match="shorter than"):
        PersistentTable(tmp_path / "short.log", N, W, replica_id=1)
    (tmp_path / "other.log").write_bytes(b"x" * 100)
    with pytest.raises(LogCorruptionError, match="not an atomik log"):
        PersistentTable(tmp_path / "other.log", N, W, replica_id=1)
    t = PersistentTable(p, N, W, replica_id=1)
    size = p.stat().st_size
    with pytest.raises(RangeError):
        t.put(0, 1 << W)
    assert p.stat().st_size == size  # a rejected write logs nothing
    t.close()
    with pytest.raises(LogClosedError):
        t.put(0, 1)
    with pytest.raises(LogClosedError):
        t.replica.accum(0, 1)  # through the live replica too: not applied
    assert t.read_all() == PersistentTable(p, N, W, replica_id=1).read_all()


def test_write_failure_applies_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t = PersistentTable(tmp_path / "a.log", N, W, replica_id=1)
    t.put(0, 5)

    def boom(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="No space"):
        t.put(0, 9)
    monkeypatch.undo()
    assert t.read(0) == 5 and t.replica.next_seq == 1
    assert t.size == (tmp_path / "a.log").stat().st_size == HEADER_SIZE + F
    t.close()


@settings(max_examples=40, deadline=None, database=None)
@given(ops=st.lists(st.tuples(st.integers(0, N - 1), st.integers(0, 2**W - 1)), max_size=12))
def test_recovered_state_equals_model(tmp_path_factory: pytest.TempPathFactory, ops: list) -> None:
    p = tmp_path_factory.mktemp("h") / "a.log"
    with PersistentTable(p, N, W, "close", replica_id=2) as t:
        for a, v in ops:
            t.put(a, v)
        live = t.read_all()
    model = [0] * N
    for a, v in ops:
        model[a] = v
    r = PersistentTable(p, N, W, replica_id=2)
    assert r.read_all() == live == model
    r.close()


# --------------------------------------------------------------------------- never lose or fork
def test_failed_compaction_refuses_writes_until_reopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory fsync after the compaction's rename raises: the table used to keep
    appending to the old, unlinked file, acknowledging writes a restart lost. Now every write
    fails loudly (nothing applied) until the log is reopened, which reads the file that is
    there."""
    import atomik.replication.log as log_mod

    p = tmp_path / "a.log"
    _, state = _fill(p)
    t = PersistentTable(p, N, W, replica_id=1)

    def broken(path: Path) -> None:
        raise OSError("EIO on directory fsync")

    monkeypatch.setattr(log_mod, "_fsync_dir", broken)
    with pytest.raises(OSError, match="EIO"):
        t.compact()
    monkeypatch.undo()
    with pytest.raises(LogFailedError, match="compaction failed"):
        t.put(1, 0x77)
    with pytest.raises(LogFailedError):
        t.replica.accum(1, 1)  # through the live replica too
    assert t.read_all() == state  # nothing was applied
    t.close()
    r = PersistentTable(p, N, W, replica_id=1)
    assert r.read_all() == state
    m = r.put(1, 0x77)
    r.close()
    again = PersistentTable(p, N, W, replica_id=1)
    assert again.read(1) == 0x77 and m.id in {x.id for x in again.replica.messages()}
    again.close()


def test_a_second_open_of_one_log_is_refused(tmp_path: Path) -> None:
    """Two tables on one log handed out one id for two deltas; now the second open fails,
    naming the holder, in this process and in another."""
    import subprocess
    import sys

    p = tmp_path / "a.log"
    t1 = PersistentTable(p, N, W, replica_id=1)
    with pytest.raises(LogLockedError, match=f"pid {os.getpid()}"):
        PersistentTable(p, N, W, replica_id=1)
    code = (
        "import sys\nfrom atomik.replication.log import PersistentTable, LogLockedError\n"
        "try:\n    PersistentTable(sys.argv[1], 4, 16, replica_id=1)\n"
        "except LogLockedError as e:\n    print('locked', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True)
    assert out.stdout.startswith("locked") and f"pid {os.getpid()}" in out.stdout, out
    assert t1.put(0, 5).id == (1, 0)
    t1.close()
    t2 = PersistentTable(p, N, W, replica_id=1)
    assert t2.put(0, 9).id == (1, 1) and t2.read(0) == 9
    t2.abandon()  # a crash releases the lock too
    PersistentTable(p, N, W, replica_id=1).close()


def test_replica_id_is_required(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="replica_id"):
        PersistentTable(tmp_path / "a.log", N, W)  # type: ignore[call-arg]


def test_recovery_refuses_two_records_with_one_id(tmp_path: Path) -> None:
    """A different record with an already-applied (origin, seq) used to be kept in the table
    as the first but stored (and served) as the second, so a peer synced from the node read
    9 where the node read 5. Now opening refuses; salvage keeps the first only."""
    p = tmp_path / "a.log"
    first = DeltaMessage(7, 0, 0, 0, W, 5)
    second = DeltaMessage(7, 0, 0, 0, W, 9)
    with PersistentTable(p, N, W, replica_id=1) as t:
        assert t.receive(first)
    with p.open("ab") as f:
        f.write(encode(second))
    size = p.stat().st_size
    with pytest.raises(LogConflictError, match=r"\(7, 0\)"):
        PersistentTable(p, N, W, replica_id=1)
    assert p.stat().st_size == size  # not modified
    t = PersistentTable(p, N, W, replica_id=1, salvage=True)
    assert t.read(0) == 5 and len(t.recovery.salvaged) == 1
    assert t.replica.messages() == [first]
    peer = Replica(2, N, W)
    peer.receive_all(t.missing_for(peer.digest()))
    assert peer.read(0) == t.read(0) == 5
    t.close()
    assert PersistentTable(p, N, W, replica_id=1).replica.messages() == [first]


def test_snapshot_next_seq_below_own_seqs_is_refused(tmp_path: Path) -> None:
    """A CRC-valid snapshot whose next_seq is not above the node's own applied seqs would make
    the next put reuse an id peers already applied (and drop)."""
    import struct

    from atomik.wire import crc32c

    p = tmp_path / "a.log"
    with PersistentTable(p, N, W, replica_id=1) as t:
        for i in range(3):
            t.put(i, i + 1)
        t.compact()
    data = bytearray(p.read_bytes())
    snap_len = struct.unpack_from("<Q", data, HEADER_SIZE - 12)[0]
    end = HEADER_SIZE + snap_len
    struct.pack_into("<Q", data, HEADER_SIZE, 1)  # next_seq 1, own watermark 2
    struct.pack_into("<I", data, end - 4, crc32c(bytes(data[HEADER_SIZE : end - 4])))
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorruptionError, match="next_seq 1 is not above seq 2"):
        PersistentTable(p, N, W, replica_id=1)


def test_compact_refuses_no_peers_and_keeps_what_other_epochs_cannot_cover(tmp_path: Path) -> None:
    """compact([]) used to forget every stored message (a vacuous "all peers cover it"), and a
    digest of another epoch counted as covering this epoch's messages."""
    p = tmp_path / "a.log"
    msgs, state = _fill(p)
    t = PersistentTable(p, N, W, replica_id=1)
    size = p.stat().st_size
    with pytest.raises(PruneError):
        t.compact([])
    assert p.stat().st_size == size and t.replica.messages() == sorted(msgs, key=lambda m: m.id)
    t.compact([t.digest(), Digest(5, {1: 100, 7: 100})])  # another epoch: covers nothing
    assert len(t.missing_for(Digest(0))) == len(msgs)
    t.close()
    again = PersistentTable(p, N, W, replica_id=1)
    assert again.read_all() == state and len(again.missing_for(Digest(0))) == len(msgs)
    again.close()


def test_inspect_cli_describes_without_modifying(tmp_path: Path) -> None:
    """python -m atomik.replication.log inspect: header, records, verdict (from the real recovery,
    on a
    copy), what salvage would drop; the file is untouched, even while its lock is held."""
    import json
    import subprocess
    import sys

    p = tmp_path / "a.log"
    msgs, _ = _fill(p)
    holder = PersistentTable(p, N, W, replica_id=1)  # inspecting does not need the lock
    with p.open("ab") as f:
        f.write(encode(DeltaMessage(1, 0, 0, 3, W, 0x99)))  # reuses id (1, 0)
        f.write(b"\x01\x02\x03")  # and a torn tail
    before = p.read_bytes()
    run = [sys.executable, "-m", "atomik.replication.log", "inspect", str(p)]
    out = subprocess.run([*run, "--json"], capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    assert info["header"]["replica_id"] == 1 and info["header"]["width"] == W
    assert info["records"]["total"] == len(msgs) + 1
    assert info["open"]["error"] == "LogConflictError" and str(p) in info["open"]["reason"]
    assert info["salvage"]["opens"] and len(info["salvage"]["dropped"]) == 1
    assert info["verdict"].startswith("refused (LogConflictError); salvage would drop 1")
    text = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert "verdict: refused" in text and "replica_id" in text
    assert p.read_bytes() == before
    holder.close()
    nope = [*run[:-1], str(tmp_path / "nope.log")]
    missing = subprocess.run(nope, capture_output=True, text=True)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_late_joiner_bootstraps_from_a_peer_image_after_pruning(tmp_path: Path) -> None:
    """Peers that pruned what they all hold cannot serve it to a newcomer: anti-entropy alone
    leaves it behind; bootstrapped from a peer's image it reads the same table, then catches up
    on later writes by anti-entropy; its own next seq is above what the image records of it."""
    from atomik.replication.sync import anti_entropy_round

    a = PersistentTable(tmp_path / "a.log", 8, 16, replica_id=1)
    b = PersistentTable(tmp_path / "b.log", 8, 16, replica_id=2)
    rng = random.Random(3)
    for i in range(40):
        (a if i % 2 else b).put(rng.randrange(8), rng.getrandbits(16))
    anti_entropy_round([a.replica, b.replica])
    a.compact([a.digest(), b.digest()])
    b.compact([a.digest(), b.digest()])
    assert a.replica.messages() == []  # everything pruned
    alone = Replica(3, 8, 16)
    anti_entropy_round([a.replica, b.replica, alone])
    assert alone.read_all() != a.read_all()  # nothing left to send it
    image = a.export_image()
    with pytest.raises(LogConfigError):
        PersistentTable.bootstrap(tmp_path / "a.log", image, 8, 16, replica_id=3)
    with pytest.raises(LogCorruptionError):
        PersistentTable.bootstrap(tmp_path / "c.log", image[:-1], 8, 16, replica_id=3)
    bad = bytearray(image)
    bad[-1] ^= 1  # snapshot CRC
    with pytest.raises(LogCorruptionError):
        PersistentTable.bootstrap(tmp_path / "c.log", bytes(bad), 8, 16, replica_id=3)
    with pytest.raises(LogMismatchError):
        PersistentTable.bootstrap(tmp_path / "c.log", image, 8, 32, replica_id=3)
    assert not (tmp_path / "c.log").exists()  # nothing created by a refused image
    c = PersistentTable.bootstrap(tmp_path / "c.log", image, 8, 16, replica_id=3)
    assert c.read_all() == a.read_all() and c.replica.next_seq == 0
    b.put(0, 7)
    m = c.put(1, 9)
    anti_entropy_round([a.replica, b.replica, c.replica])
    assert a.read_all() == b.read_all() == c.read_all()
    assert a.digest().covers(3, m.seq)
    c.close()
    c = PersistentTable(tmp_path / "c.log", 8, 16, replica_id=3)  # an ordinary log afterwards
    assert c.read_all() == a.read_all()
    # re-joining under an id the image records: the next seq is above it
    image_b = b.export_image()
    d = PersistentTable.bootstrap(tmp_path / "d.log", image_b, 8, 16, replica_id=1)
    assert d.replica.next_seq == a.replica.next_seq
    for t in (a, b, c, d):
        t.close()
