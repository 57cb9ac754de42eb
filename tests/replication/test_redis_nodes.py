"""Node processes over a real redis-server on loopback: the stored cursor (a consumer group per
node, XACK after the write-ahead append) and the outbox (a write whose publish failed reaches the
peers once Redis is back). Each test starts and stops its own server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atomik.replication.log import PersistentTable
from atomik.replication.sync import NodeConfig, NodeProcess, RedisServer
from atomik.replication.transport import DurableNode, RedisStreamsTransport, pump
from atomik.wire import DeltaMessage, encode

redis = pytest.importorskip("redis", reason="redis-py is not installed (extra 'replication')")
if shutil.which("redis-server") is None:
    pytest.skip(
        "redis-server is not on PATH (Debian: apt-get install redis-server)",
        allow_module_level=True,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    d = tmp_path / "redis"
    d.mkdir()
    with RedisServer(d) as srv:
        yield srv


def _until(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_killed_node_resumes_from_its_cursor(server: RedisServer, tmp_path: Path) -> None:
    """SIGKILL a node process mid-stream, restart it: it reads on from its consumer group's
    cursor (the frames after the last one acknowledged, plus at most one unacknowledged pump's
    worth), never the whole stream again, and its log holds every message exactly once."""
    n_frames, batch, origin = 240, 2, 5
    c = redis.Redis(host="127.0.0.1", port=server.port)
    writer = RedisStreamsTransport(c, "t", "writer")
    msgs = [DeltaMessage(origin, 0, s, s % 8, 32, s * 2654435761 % 2**32) for s in range(n_frames)]
    for m in msgs:
        writer.send(encode(m))
    cfg = NodeConfig(
        server.port, "t", 1, str(tmp_path), max_count=batch, repair_every=0, pump_sleep=0.004
    )
    node = NodeProcess(cfg)
    node.start()
    try:
        _until(lambda: (node.state() or {}).get("life", {}).get("frames", 0) >= 40, 30, "progress")
        node.kill()
        first = node.state()
        assert first is not None and first["life"]["frames"] < n_frames, "killed too late"
        cfg.path("state").unlink()
        node.start()
        done = lambda: (node.state() or {}).get("watermarks", {}).get(str(origin)) == n_frames - 1  # noqa: E731
        _until(done, 40, "the restarted node to apply the rest")
        (tmp_path / "stop").touch()
        assert node.wait(20) == 0
    finally:
        node.kill()
    second = node.state()
    assert second is not None
    life = second["life"]
    recovered = life["recovered_records"]
    assert recovered >= 40  # what the first life logged before the SIGKILL
    # resumed: the rest of the stream, plus at most the one batch delivered but not acknowledged
    assert n_frames - recovered <= life["frames"] <= n_frames - recovered + batch
    assert life["duplicates"] <= batch
    assert life["applied"] == n_frames - recovered
    with PersistentTable(cfg.path("log"), 8, 32, replica_id=1) as log:
        assert log.recovery.records == n_frames  # every message logged once: nothing twice
        assert log.recovery.duplicates == 0
        want = [0] * 8
        for m in msgs:
            want[m.addr] ^= m.delta
        assert log.read_all() == want


def test_group_cursor_in_process_acks_and_rereads_pending(server: RedisServer) -> None:
    """A pump that raises leaves the entry pending: a new transport on the same group reads it
    again; acknowledged entries are never read again; trim_acknowledged removes only what every
    group acknowledged."""
    from atomik.replication.replica import Replica

    c = redis.Redis(host="127.0.0.1", port=server.port)
    w = RedisStreamsTransport(c, "g", "w")
    a = RedisStreamsTransport(c, "g", "a", group="a")
    b = RedisStreamsTransport(c, "g", "b", group="b")
    msgs = [DeltaMessage(7, 0, s, s, 16, s + 1) for s in range(4)]
    for m in msgs:
        w.send(encode(m))
    ra = Replica(1, 8, 16)
    assert pump(ra, a, max_count=2).applied == 2
    # a fresh transport on group "a" (a restart) continues after the two acknowledged entries
    a2 = RedisStreamsTransport(c, "g", "a", group="a")
    assert [f for _, f in a2.peek(10)] == [encode(m) for m in msgs[2:]]
    # not acknowledged: yet another transport on the group sees them again (pending list)
    a3 = RedisStreamsTransport(c, "g", "a", group="a")
    assert len(a3.peek(10)) == 2
    assert pump(ra, a3).applied == 2
    assert RedisStreamsTransport(c, "g", "a", group="a").peek(10) == []
    assert c.xlen("g") == 4
    assert a.trim_acknowledged() == 0  # group "b" has read nothing
    rb = Replica(2, 8, 16)
    assert pump(rb, b, max_count=3).applied == 3
    assert b.trim_acknowledged() == 3
    assert c.xlen("g") == 1
    assert pump(rb, b).applied == 1
    with pytest.raises(Exception, match="not an id returned"):
        b.advance(b"1-1")


def test_a_write_during_a_redis_outage_reaches_the_peers(
    server: RedisServer, tmp_path: Path
) -> None:
    """Redis down: ``put`` still succeeds (logged, acknowledged) and the write stays in the
    outbox; after a restart of the node (the outbox is read from its log) and of Redis, the
    write is republished and the peer applies it once."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    c = redis.Redis(  # fail fast while the server is down (no redis-py retries)
        host="127.0.0.1", port=server.port, socket_timeout=1, socket_connect_timeout=1,
        retry=Retry(NoBackoff(), 0),
    )
    la = PersistentTable(tmp_path / "a.log", 8, 32, replica_id=1)
    a = DurableNode(la, RedisStreamsTransport(c, "o", "a", group="a"))
    cb = redis.Redis(host="127.0.0.1", port=server.port)
    lb = PersistentTable(tmp_path / "b.log", 8, 32, replica_id=2)
    b = DurableNode(lb, RedisStreamsTransport(cb, "o", "b", group="b"))
    m0 = a.put(0, 11)
    assert b.pump().applied == 1 and lb.read(0) == 11
    server.kill()
    m1 = a.put(1, 22)  # acknowledged although nothing could be sent
    m2 = a.accum(1, 5)
    assert (m1.seq, m2.seq) == (1, 2) and la.read(1) == 22 ^ 5
    assert a.pending == 2 and a.publish_failures >= 2 and la.published == m0.seq
    la.abandon()  # the node dies too; its outbox is in its log
    la = PersistentTable(tmp_path / "a.log", 8, 32, replica_id=1)
    assert [m.seq for m in la.outbox()] == [1, 2]
    server.start()
    a = DurableNode(la, RedisStreamsTransport(c, "o", "a", group="a"))
    assert a.flush_outbox() == 2 and a.pending == 0
    res = b.pump()
    assert res.applied == 2 and res.duplicates == 0 and lb.read(1) == 22 ^ 5
    # the mark went stale (lost): the outbox republishes, the peer sees each write once
    la.published_path.unlink()
    la.close()
    la = PersistentTable(tmp_path / "a.log", 8, 32, replica_id=1)
    assert la.published == -1 and len(la.outbox()) == 3
    a = DurableNode(la, RedisStreamsTransport(c, "o", "a", group="a"))
    assert a.flush_outbox() == 3
    res = b.pump()
    assert res.applied == 0 and res.duplicates == 3
    assert lb.read_all() == la.read_all()
    la.close()
    lb.close()
