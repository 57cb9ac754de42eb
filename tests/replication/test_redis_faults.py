"""The fault test on real servers (short form; ``make soak`` runs it at length): three node
processes with durable logs over a real redis-server on loopback, writing from all, with Redis
SIGKILLed and restarted, nodes SIGKILLed and restarted, a partition with the stream trimmed
below what the partitioned node had read, poison frames, and trimming to what every group
acknowledged. At the end every log reads the same table, equal to the XOR of every node's own
logged writes, and holds every acknowledged write exactly once."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("redis", reason="redis-py is not installed (extra 'replication')")


@pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not on PATH (Debian: apt-get install redis-server)",
)
def test_nodes_over_real_redis_with_faults_lose_nothing() -> None:
    from atomik.replication.sync import run_redis_faults

    st = run_redis_faults(16, nodes=3, seed=0)
    print(json.dumps({"faults_injected": st.faults(), **st.__dict__}, indent=1))
    assert st.converged, f"no convergence within the bound: {st}"
    assert st.writes > 30  # acknowledged writes, from every node (below)
    assert st.redis_kills >= 1 and st.node_kills >= 1 and st.partitions >= 1
    assert st.trims >= 1 and st.acked_trims >= 1 and st.poison_frames >= 2
    assert st.dead_letters >= 1  # the poison frames reached some node and were kept aside
    assert st.divergences == 0
    assert st.lost_writes == 0
    assert st.duplicate_records == 0


def _dump(state: list[int], water: dict[str, int], next_seq: int, *, quiet: bool) -> dict:
    return {"state": state, "watermarks": water, "ahead": 0, "outbox": 0,
            "next_seq": next_seq, "quiet": quiet}


def test_quiescent_waits_for_dumps_taken_after_the_last_write() -> None:
    """A dump written before its node saw the quiet file may precede a last write (seen in CI:
    the run stopped with that write acknowledged and never delivered); it does not count."""
    from atomik.replication.redis_faults import quiescent

    water = {"0": 4, "1": 2}
    done = [_dump([1, 2], water, 5, quiet=True), _dump([1, 2], water, 3, quiet=True)]
    assert quiescent(done)
    assert not quiescent([_dump([1, 2], water, 5, quiet=False), done[1]])
    assert not quiescent([done[0], _dump([1, 3], water, 3, quiet=True)])  # tables differ
    behind = {"0": 3, "1": 2}  # node 1 has not applied 0:4
    assert not quiescent([done[0], _dump([1, 2], behind, 3, quiet=True)])
    assert not quiescent([done[0], None]) and not quiescent([])
