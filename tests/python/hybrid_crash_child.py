"""The projecting process of the hybrid crash test (run by test_hybrid.py, killed on purpose).

``python hybrid_crash_child.py DIR TOTAL SEED [KILL_AT PHASE]``: open the hybrid in DIR
(recovering), catch the projection up, then save and project random events until the store
holds TOTAL. With
KILL_AT, the process SIGKILLs itself while handling the event at that position, at PHASE:

* ``saved``: the event is in the store, the projection has not seen it;
* ``torn``: half of its record is written to the table's log;
* ``logged``: its record is in the log (fsynced), the table has not applied it;
* ``applied``: the table has applied it, ``project`` has not returned.
"""

from __future__ import annotations

import os
import random
import signal
import sys

from eventsourcing.application import AggregateNotFoundError

from atomik.replication.hybrid import Hybrid, Register
from atomik.wire import DeltaMessage, encode

N_ADDR = 16


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    path, total, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kill_at = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    phase = sys.argv[5] if len(sys.argv) > 5 else ""
    h = Hybrid(path, N_ADDR, 64, fsync="always", replica_id=1)
    pt = h.table
    sink = pt.replica._sink
    assert sink is not None

    def hooked(msg: DeltaMessage) -> None:
        if msg.seq + 1 == kill_at and phase == "torn":
            frame = encode(msg)
            os.write(pt._fd, frame[: len(frame) // 2])
            os.fsync(pt._fd)
            die()
        sink(msg)
        if msg.seq + 1 == kill_at and phase == "logged":
            die()

    pt.replica._sink = hooked
    h.project()  # catch up after a crash
    while len(h.store) < total:
        pos = len(h.store) + 1
        rng = random.Random(seed * 1_000_003 + pos)
        addr = rng.randrange(N_ADDR)
        rid = Register.create_id(addr)
        try:
            reg = h.app.repository.get(rid)
        except AggregateNotFoundError:
            reg = Register(addr)
        reg.changed(addr=addr, delta=rng.randrange(1, 1 << 64), note=f"event {pos}",
                    author=f"user{rng.randrange(3)}")
        positions = h.save(reg)
        if kill_at in positions and phase == "saved":
            die()
        h.project()
        if kill_at in positions and phase == "applied":
            die()
    h.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
