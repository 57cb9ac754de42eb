"""Sharded streams over a real Redis Cluster on loopback: three ``redis-server --cluster-enabled
yes`` processes joined by ``redis-cli --cluster create``. Skipped, saying why, where the servers
cannot run or the cluster does not form."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from atomik.errors import AtomikTypeError
from atomik.replication.replica import Replica
from atomik.replication.transport import ShardedRedisTransport, publish, pump, request_repair
from atomik.wire import decode_any

redis = pytest.importorskip("redis", reason="redis-py is not installed (extra 'replication')")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(n: int) -> list[int]:
    rng = random.Random()
    out: list[int] = []
    while len(out) < n:
        p = rng.randrange(20000, 30000)  # the cluster bus listens on port + 10000
        if p not in out and _free(p) and _free(p + 10000):
            out.append(p)
    return out


def _cli(cli: str, port: int, *args: str) -> str:
    r = subprocess.run(
        [cli, "-p", str(port), *args], capture_output=True, text=True, timeout=10, check=False
    )
    return r.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    exe, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if exe is None or cli is None:
        pytest.skip("redis-server/redis-cli are not on PATH (Debian: apt-get install redis-server)")
    base = tmp_path_factory.mktemp("cluster")
    ports = _ports(3)
    procs = []
    try:
        for p in ports:
            d = base / str(p)
            d.mkdir()
            procs.append(subprocess.Popen(
                [exe, "--port", str(p), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                 "--cluster-config-file", "nodes.conf", "--dir", str(d), "--save", "",
                 "--appendonly", "no"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        for p in ports:
            deadline = time.monotonic() + 10
            while _cli(cli, p, "ping").strip() != "PONG":
                if time.monotonic() > deadline:
                    pytest.skip(f"redis-server --cluster-enabled yes did not answer on {p}")
                time.sleep(0.05)
        made = subprocess.run(
            [cli, "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
             "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True, text=True, timeout=60, check=False,
        )
        if made.returncode != 0:
            pytest.skip(f"redis-cli --cluster create failed: {made.stdout[-300:]}{made.stderr}")
        deadline = time.monotonic() + 30
        while not all("cluster_state:ok" in _cli(cli, p, "cluster", "info") for p in ports):
            if time.monotonic() > deadline:
                pytest.skip("the Redis Cluster did not reach cluster_state:ok within 30 s")
            time.sleep(0.1)
        yield ports
    finally:
        for pr in procs:
            pr.terminate()
        for pr in procs:
            try:
                pr.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pr.kill()
                pr.wait(timeout=10)


def _client(ports: list[int]) -> object:
    from redis.cluster import RedisCluster

    c = RedisCluster(host="127.0.0.1", port=ports[0])
    deadline = time.monotonic() + 10
    while True:  # every slot known to the client
        try:
            c.ping()
            return c
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _drain(pairs: list[tuple[Replica, ShardedRedisTransport]], rounds: int = 20) -> None:
    for _ in range(rounds):
        moved = 0
        for r, t in pairs:
            res = pump(r, t)
            assert res.dead_letters == []
            moved += res.frames
        if not moved:
            return


def test_shards_spread_over_the_cluster_and_replicas_converge(cluster: list[int]) -> None:
    c = _client(cluster)
    n, shards = 16, 4
    ta = ShardedRedisTransport(c, "tbl", "a", n, shards, group="a")
    tb = ShardedRedisTransport(c, "tbl", "b", n, shards, group="b")
    assert ta.keys == [f"atomik:{{tbl:{k}}}" for k in range(shards)]
    owners = {c.get_node_from_key(k).port for k in ta.keys}  # type: ignore[attr-defined]
    assert len(owners) >= 2, f"every shard landed on one Redis node: {owners}"
    ra, rb = Replica(1, n, 32), Replica(2, n, 32)
    rng = random.Random(5)
    for i in range(60):
        r, t = (ra, ta) if i % 2 else (rb, tb)
        m = r.put(rng.randrange(n), rng.getrandbits(32))
        publish(t, [m])
    # a batch frame spanning every shard is split by shard
    batch = [ra.accum(a, a + 1) for a in range(n)]
    publish(ta, batch, batch=True)
    _drain([(ra, ta), (rb, tb)])
    assert ra.read_all() == rb.read_all()
    assert ra.digest().covers(1, batch[-1].seq) and rb.digest().covers(1, batch[-1].seq)
    for k, key in enumerate(ta.keys):  # each stream holds its own address range only
        for _id, fields in c.xrange(key):  # type: ignore[attr-defined]
            for m in decode_any(fields[b"frame"]):
                assert ta.shard_of(m.addr) == k
    # a late joiner that skipped the history catches up by a digest request (on shard 0)
    tc = ShardedRedisTransport(c, "tbl", "c", n, shards, start="$", group="c")
    rc = Replica(3, n, 32)
    assert pump(rc, tc).frames == 0
    request_repair(rc, tc)
    _drain([(ra, ta), (rb, tb), (rc, tc)])
    assert rc.read_all() == ra.read_all() and rc.digest().covers(2, rb.next_seq - 1)
    before = sum(c.xlen(k) for k in ta.keys)  # type: ignore[attr-defined]
    removed = ta.trim_acknowledged()
    assert removed > 0 and sum(c.xlen(k) for k in ta.keys) == before - removed  # type: ignore[attr-defined]
    with pytest.raises(AtomikTypeError):
        ta.advance(("x", b"0-1"))
