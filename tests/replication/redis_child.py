"""A replica in its own process, syncing through a Redis stream (run by test_transport.py).

Usage: python redis_child.py PORT STREAM REPLICA_ID WRITES PEER_WRITES SEED
Makes WRITES local writes (each message published twice: the stream duplicates on purpose),
then pumps until it has applied PEER_WRITES messages from the peer, and prints its state as JSON.
"""

from __future__ import annotations

import json
import random
import sys
import time

import redis

from atomik.replication.replica import Replica
from atomik.replication.transport import RedisStreamsTransport, publish, pump


def run(port: int, stream: str, rid: int, writes: int, peer_writes: int, seed: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=port)
    t = RedisStreamsTransport(client, stream, f"node-{rid}", block_ms=200)
    r = Replica(rid, 8, 32)
    rng = random.Random(seed)
    received = 0
    for _ in range(writes):
        m = (
            r.put(rng.randrange(8), rng.getrandbits(32))
            if rng.random() < 0.5
            else r.accum(rng.randrange(8), rng.getrandbits(32))
        )
        publish(t, [m, m])
        received += pump(r, t).applied
    deadline = time.monotonic() + 30
    while received < peer_writes and time.monotonic() < deadline:
        res = pump(r, t)
        if res.rejected:
            raise SystemExit(f"rejected frames: {res.rejected}")
        received += res.applied
    sent = [[m.addr, m.delta] for m in r.messages() if m.origin == rid]
    out = {"state": r.read_all(), "received": received, "watermarks": r.watermarks(), "sent": sent}
    print(json.dumps(out))


if __name__ == "__main__":
    a = sys.argv[1:]
    run(int(a[0]), a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]))
