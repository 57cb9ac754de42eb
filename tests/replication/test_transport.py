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

from atomik.errors import AtomikTypeError
from atomik.replica import Replica
from atomik.sync import anti_entropy_round
from atomik.transport import InProcessHub, RedisStreamsTransport, publish, pump
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
