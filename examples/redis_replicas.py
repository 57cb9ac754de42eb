"""Two replicas in two processes, syncing through a real Redis (Redis Streams).

Each process writes to its own replica, publishes the delta messages to one stream, and applies
what the other publishes (deduplicated by id). One message of each side is never published: a
digest request over the same stream repairs it. Both end reading the same table.

    python examples/redis_replicas.py [--port PORT]

Without ``--port`` it starts a throwaway ``redis-server`` on 127.0.0.1 (Debian:
``apt-get install redis-server``) and needs the ``replication`` extra (redis-py).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import socket
import subprocess
import sys
import time


def _node(port: int, rid: int, writes: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    import redis

    from atomik import Replica
    from atomik.replication.transport import RedisStreamsTransport, publish, pump, request_repair

    client = redis.Redis(host="127.0.0.1", port=port)
    t = RedisStreamsTransport(client, "example-table", f"node-{rid}", block_ms=100)
    r = Replica(rid, 8, 64)
    for i in range(writes):
        m = r.accum(i % 8, (rid << 32) | i)
        if i != writes // 2:  # one message is lost on the way
            publish(t, [m])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pump(r, t)
        wm = r.watermarks()
        if len(wm) == 2 and all(v == writes - 1 for v in wm.values()):
            break
        request_repair(r, t)  # ask the peer for what is still missing
    out.put((rid, r.read_all(), r.watermarks()))
    quiet_since = time.monotonic()  # keep answering the peer's repair requests until it is quiet
    while time.monotonic() - quiet_since < 2 and time.monotonic() < deadline + 20:
        if pump(r, t).digests:
            quiet_since = time.monotonic()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=None, help="a running redis-server on 127.0.0.1")
    ap.add_argument("--writes", type=int, default=50)
    args = ap.parse_args(argv)
    server = None
    port = args.port
    if port is None:
        exe = shutil.which("redis-server")
        if exe is None:
            print("skipped: no redis-server on PATH (apt-get install redis-server)")
            return 0
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)
    try:
        q: mp.Queue = mp.get_context("spawn").Queue()  # type: ignore[type-arg]
        ctx = mp.get_context("spawn")
        procs = [ctx.Process(target=_node, args=(port, rid, args.writes, q)) for rid in (1, 2)]
        for p in procs:
            p.start()
        results = sorted(q.get(timeout=60) for _ in procs)
        for p in procs:
            p.join(timeout=30)
        (_, s1, w1), (_, s2, w2) = results
        assert s1 == s2, (s1, s2)
        assert w1 == w2 == {1: args.writes - 1, 2: args.writes - 1}, (w1, w2)
        print(f"two processes, {2 * args.writes} writes (2 lost in transit, repaired by digest): "
              f"same table, address 0 reads {s1[0]:#x}")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
