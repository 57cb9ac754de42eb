"""Transports: the in-process hub, and Redis Streams with replicas in two processes."""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atomik.errors import AddressError, AtomikTypeError, EpochError, FrameError, WidthError
from atomik.replication.replica import ConflictError, DeltaMessage, ReorderWindowError, Replica
from atomik.replication.sync import anti_entropy_round
from atomik.replication.transport import (
    InProcessHub,
    RedisStreamsTransport,
    publish,
    pump,
    request_repair,
)
from atomik.wire import encode

HERE = Path(__file__).parent


def test_hub_broadcasts_to_others_and_replicas_converge() -> None:
    hub = InProcessHub()
    eps = [hub.endpoint(f"n{i}") for i in range(3)]
    reps = [Replica(i, 4, 16) for i in range(3)]
    rng = random.Random(5)
    lost = []
    for step in range(60):
        i = rng.randrange(3)
        m = reps[i].accum(rng.randrange(4), rng.getrandbits(16))
        if step % 7 == 0:
            lost.append(m)  # never sent: anti-entropy must repair it
            continue
        publish(eps[i], [m, m] if step % 3 == 0 else [m], batch=step % 2 == 0)
        if rng.random() < 0.5:
            pump(reps[rng.randrange(3)], eps[rng.randrange(3)])
    for r, e in zip(reps, eps, strict=True):
        res = pump(r, e)
        assert not res.rejected
    assert not reps[0].same_state(reps[1]) or not reps[1].same_state(reps[2])
    anti_entropy_round(reps)
    assert reps[0].same_state(reps[1]) and reps[1].same_state(reps[2])


def test_hub_endpoint_positions_and_bad_frames() -> None:
    hub = InProcessHub()
    a = hub.endpoint("a")
    a.send(b"early")
    late = hub.endpoint("late", from_start=False)
    b = hub.endpoint("b")
    assert late.poll() == [] and b.poll() == [b"early"] and a.poll() == []
    a.send(b"not a frame")
    r = Replica(1, 2, 8)
    res = pump(r, b)
    assert res.frames == 1 and res.applied == 0 and "frame" in res.rejected[0][1]
    with pytest.raises(ValueError, match="already taken"):
        hub.endpoint("a")
    with pytest.raises(AtomikTypeError):
        a.send("text")  # type: ignore[arg-type]
    with pytest.raises(AtomikTypeError):
        pump({}, a)  # type: ignore[arg-type]
    assert len(hub) == 2 and publish(a, [], batch=True) == 0


def _poison_batch(epoch_of_bad: int = 1) -> tuple[list[DeltaMessage], list[DeltaMessage]]:
    """Good messages of origin 1 and, mixed between them, messages replica 2 must reject."""
    w = Replica(1, 4, 16)
    good = [w.put(i, 10 + i) for i in range(4)]
    bad = [
        DeltaMessage(5, epoch_of_bad, 0, 0, 16, 3),  # another epoch
        DeltaMessage(6, 0, 1 << 40, 1, 16, 3),  # far ahead of origin 6's watermark
        DeltaMessage(7, 0, 0, 9, 16, 3),  # address outside a 4-address table
        DeltaMessage(8, 0, 0, 0, 8, 3),  # another width
    ]
    return good, bad


def _expect_dead_letters(res: object, bad: list[DeltaMessage]) -> None:
    dead = res.dead_letters  # type: ignore[attr-defined]
    assert [d.message for d in dead] == bad, dead
    kinds = [type(d.error) for d in dead]
    assert kinds == [EpochError, ReorderWindowError, AddressError, WidthError], kinds
    assert all(d.frame for d in dead) and all(d.reason.split(":")[0] for d in dead)


def test_poison_frames_do_not_hide_the_frames_behind_them_hub() -> None:
    """A message the replica rejects, in a frame of its own or inside a batch, becomes a dead
    letter (frame, message, error, source) and every frame after it is still applied."""
    good, bad = _poison_batch()
    hub = InProcessHub()
    a, b = hub.endpoint("a"), hub.endpoint("b")
    frames = [encode(bad[0]), encode(good[0]), encode(bad[1]), encode(good[1]), b"junk"]
    for f in frames:
        a.send(f)
    publish(a, [good[2], bad[2], bad[3], good[3]], batch=True)
    r = Replica(2, 4, 16)
    res = pump(r, b)
    assert (res.frames, res.applied, res.duplicates) == (6, 4, 0)
    assert [r.read(i) for i in range(4)] == [10, 11, 12, 13]
    junk = [d for d in res.dead_letters if d.message is None]
    assert len(junk) == 1 and junk[0].frame == b"junk" and isinstance(junk[0].error, FrameError)
    _expect_dead_letters(
        type("R", (), {"dead_letters": [d for d in res.dead_letters if d.message]})(), bad
    )
    assert len(res.rejected) == 5 and b.poll() == []  # the cursor is past every handled frame


def test_a_conflicting_message_is_a_dead_letter_and_changes_nothing() -> None:
    """Two writers with one replica_id: the second content of an id used to be dropped as a
    duplicate by every receiver; now it is a dead letter with ConflictError, the frames after it
    still apply, and an exact copy is still a duplicate."""
    hub = InProcessHub()
    a, b = hub.endpoint("a"), hub.endpoint("b")
    w1, w2 = Replica(1, 4, 16), Replica(1, 4, 16)
    m1, m2 = w1.put(0, 5), w2.put(0, 9)
    later = Replica(3, 4, 16).put(1, 7)
    publish(a, [m1])
    publish(a, [m2, m1, later], batch=True)
    r = Replica(2, 4, 16)
    res = pump(r, b)
    assert (res.applied, res.duplicates) == (2, 1)
    assert [(d.message, type(d.error)) for d in res.dead_letters] == [(m2, ConflictError)]
    assert r.read_all() == [5, 7, 0, 0] and r.messages() == [m1, later]


def test_a_failing_sink_leaves_the_cursor_before_the_frame() -> None:
    """An unexpected error (the write-ahead sink raising OSError) propagates, and the frame in
    progress and the ones after it are delivered by the next pump: nothing is skipped."""
    w = Replica(1, 4, 16)
    ms = [w.accum(i, 1 << i) for i in range(4)]
    hub = InProcessHub()
    a, b = hub.endpoint("a"), hub.endpoint("b")
    publish(a, ms)
    r = Replica(2, 4, 16)
    calls = {"n": 0}

    def sink(m: DeltaMessage) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")

    r._sink = sink  # the write-ahead hook a PersistentTable installs
    with pytest.raises(OSError, match="disk full"):
        pump(r, b)
    assert b.position == 2 and r.read_all() == [1, 2, 0, 0]
    res = pump(r, b)
    assert (res.frames, res.applied) == (2, 2) and r.read_all() == [1, 2, 4, 8]


def test_repair_over_the_hub_converges_after_lost_frames() -> None:
    """Frames never sent are repaired through the transport itself: each replica sends its
    digest, peers answer with what it lacks, and all read the same table."""
    hub = InProcessHub()
    eps = [hub.endpoint(f"n{i}") for i in range(3)]
    reps = [Replica(i, 4, 16) for i in range(3)]
    rng = random.Random(11)
    for step in range(90):
        i = rng.randrange(3)
        m = reps[i].accum(rng.randrange(4), rng.getrandbits(16))
        if step % 4:  # a quarter of the writes are never published
            publish(eps[i], [m])
    for r, e in zip(reps, eps, strict=True):
        pump(r, e)
    assert not (reps[0].same_state(reps[1]) and reps[1].same_state(reps[2]))
    for r, e in zip(reps, eps, strict=True):
        request_repair(r, e)
    answered = [pump(r, e) for r, e in zip(reps, eps, strict=True)]
    assert sum(a.digests for a in answered) == 6 and sum(a.repairs_sent for a in answered) > 0
    for r, e in zip(reps, eps, strict=True):
        assert not pump(r, e).dead_letters
    assert reps[0].same_state(reps[1]) and reps[1].same_state(reps[2])
    model = [0] * 4
    for m in reps[0].messages():
        model[m.addr] ^= m.delta
    assert reps[2].read_all() == model and len(reps[2].messages()) == 90


def test_a_digest_of_another_epoch_is_a_dead_letter() -> None:
    hub = InProcessHub()
    a, b = hub.endpoint("a"), hub.endpoint("b")
    r0, r1 = Replica(1, 2, 8), Replica(2, 2, 8, epoch=1)
    r0.put(0, 1)
    request_repair(r1, b)
    res = pump(r0, a)
    assert res.digests == 1 and res.repairs_sent == 0
    assert isinstance(res.dead_letters[0].error, EpochError) and b.poll() == []


def test_async_redis_client_is_refused() -> None:
    class FakeAsync:
        async def xadd(self, *a: object, **k: object) -> None: ...

    with pytest.raises(AtomikTypeError, match="asyncio client"):
        RedisStreamsTransport(FakeAsync(), "s", "n")
    redis = pytest.importorskip("redis")
    with pytest.raises(AtomikTypeError, match="asyncio"):
        RedisStreamsTransport(redis.asyncio.Redis(), "s", "n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not on PATH (Debian: apt-get install redis-server)")
    redis = pytest.importorskip("redis", reason="redis-py is not installed (extra 'replication')")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not answer on 127.0.0.1:{port}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_redis_roundtrip_in_process(redis_port: int) -> None:
    import redis

    c = redis.Redis(host="127.0.0.1", port=redis_port)
    a = RedisStreamsTransport(c, "t-inproc", "a")
    b = RedisStreamsTransport(c, "t-inproc", "b")
    ra, rb = Replica(1, 4, 16), Replica(2, 4, 16)
    ms = [ra.put(i, 100 + i) for i in range(4)]
    publish(a, ms + ms[:2])
    publish(a, ms, batch=True)
    res = pump(rb, b)
    assert (res.frames, res.applied, res.duplicates) == (7, 4, 6)
    assert pump(ra, a).frames == 0  # its own entries are skipped
    assert rb.same_state(ra)
    tail = RedisStreamsTransport(c, "t-inproc", "c", start="$")
    assert tail.poll() == []
    publish(a, [ra.accum(0, 1)])
    assert tail.poll() == [encode(ra.messages()[-1])]


def test_replicas_in_two_processes_converge_through_redis(redis_port: int) -> None:
    writes = 40
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "redis_child.py"),
                str(redis_port),
                "t-two-proc",
                str(rid),
                str(writes),
                str(writes),
                str(rid * 101),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rid in (1, 2)
    ]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    model = [0] * 8
    for addr, delta in outs[0]["sent"] + outs[1]["sent"]:
        model[addr] ^= delta
    assert outs[0]["state"] == outs[1]["state"] == model
    assert outs[0]["received"] == outs[1]["received"] == writes
    assert outs[0]["watermarks"] == outs[1]["watermarks"] == {"1": writes - 1, "2": writes - 1}


def test_poison_frames_over_redis(redis_port: int) -> None:
    """The same poison frames through a real redis-server: dead letters with the stream id as
    source, every good frame behind them applied, the cursor at the stream's last entry."""
    import redis

    c = redis.Redis(host="127.0.0.1", port=redis_port)
    good, bad = _poison_batch()
    a = RedisStreamsTransport(c, "t-poison", "a")
    b = RedisStreamsTransport(c, "t-poison", "b")
    for m in (bad[0], good[0], bad[1], good[1], bad[2], good[2], bad[3], good[3]):
        publish(a, [m])
    r = Replica(2, 4, 16)
    res = pump(r, b, max_count=3)  # in pieces: the cursor moves with each handled frame
    while True:
        more = pump(r, b, max_count=3)
        if not more.frames:
            break
        res.frames += more.frames
        res.applied += more.applied
        res.dead_letters += more.dead_letters
    assert (res.frames, res.applied) == (8, 4)
    assert [r.read(i) for i in range(4)] == [10, 11, 12, 13]
    _expect_dead_letters(res, bad)
    ids = [d.source for d in res.dead_letters]
    assert len(set(ids)) == 4 and all(isinstance(i, bytes) for i in ids)
    assert b.cursor == c.xinfo_stream("t-poison")["last-generated-id"]


def test_late_joiner_after_trimming_catches_up_over_redis(redis_port: int) -> None:
    """A replica that starts after the stream was trimmed applies what is left, then asks for
    the rest with its digest; the writer answers over the same stream and both converge."""
    import redis

    c = redis.Redis(host="127.0.0.1", port=redis_port)
    a = RedisStreamsTransport(c, "t-late", "a", maxlen=10)
    ra = Replica(1, 8, 32)
    rng = random.Random(3)
    for _ in range(400):
        publish(a, [ra.accum(rng.randrange(8), rng.getrandbits(32))])
    assert c.xlen("t-late") < 400  # trimmed: the history is gone from the stream
    late = RedisStreamsTransport(c, "t-late", "late")
    rl = Replica(2, 8, 32)
    pump(rl, late)
    assert not rl.same_state(ra)
    request_repair(rl, late)
    ans = pump(ra, a)
    assert ans.digests == 1 and ans.repairs_sent > 0
    res = pump(rl, late)
    assert not res.dead_letters and rl.same_state(ra)
    assert rl.watermarks() == {1: 399}
