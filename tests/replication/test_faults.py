"""Stateful fault tests: N durable replicas, a lossy/duplicating/reordering network, crashes
(with torn appends) and restarts from the log, anti-entropy and compaction, checked against a
plain model after every step."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from atomik.replication.replica import Replica
from atomik.replication.sync import Cluster

NODES, ADDRS, WIDTH = 3, 3, 8
# fsync on tmpfs is nearly free; crashes are simulated (abandon + torn bytes), not real power loss
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None

FAST = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class ReplicationMachine(RuleBasedStateMachine):
    """Real objects (:class:`Cluster` of :class:`PersistentTable`) beside the model
    (``cluster.model``: the XOR of every acknowledged delta per address)."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="atomik-sm-", dir=SCRATCH)
        self.c = Cluster(self.tmp, nodes=NODES, num_contexts=ADDRS, width=WIDTH, max_pending=3)

    @rule(
        data=st.data(),
        addr=st.integers(0, ADDRS - 1),
        value=st.integers(0, 2**WIDTH - 1),
        as_put=st.booleans(),
        faults=st.lists(
            st.tuples(st.booleans(), st.booleans(), st.booleans()),
            min_size=NODES - 1,
            max_size=NODES - 1,
        ),
    )
    def write(self, data: st.DataObject, addr: int, value: int, as_put: bool, faults: list) -> None:
        up = self.c.up()
        if up:
            i = data.draw(st.sampled_from(up), label="writer")
            self.c.write(i, addr, value, as_put=as_put, faults=faults)

    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        if self.c.net.in_flight:
            idx = data.draw(st.integers(0, len(self.c.net.in_flight) - 1), label="message")
            self.c.deliver(idx)

    @rule(
        data=st.data(),
        torn=st.one_of(st.none(), st.tuples(st.integers(0, ADDRS - 1), st.integers(0, 99))),
    )
    def crash(self, data: st.DataObject, torn: tuple[int, int] | None) -> None:
        up = self.c.up()
        if up:
            i = data.draw(st.sampled_from(up), label="crashed")
            tail = b"" if torn is None else self.c.torn_bytes(i, torn[0], 0xA5, torn[1])
            self.c.crash(i, tail)

    @rule(data=st.data())
    def restart(self, data: st.DataObject) -> None:
        down = [i for i in range(NODES) if self.c.nodes[i] is None]
        if down:
            self.c.restart(data.draw(st.sampled_from(down), label="restarted"))

    @rule(data=st.data())
    def anti_entropy(self, data: st.DataObject) -> None:
        up = self.c.up()
        if len(up) >= 2:
            i, j = data.draw(st.permutations(up), label="pair")[:2]
            self.c.sync_pair(i, j)

    @rule(data=st.data())
    def compact(self, data: st.DataObject) -> None:
        up = self.c.up()
        if up:
            self.c.compact(data.draw(st.sampled_from(up), label="compacted"))

    @invariant()
    def converges_to_model(self) -> None:
        """After delivery quiesces and one anti-entropy round (computed on copies), every
        replica reads the model's state and holds every acknowledged message."""
        problems = self.c.check()
        assert not problems, "; ".join(problems)

    @invariant()
    def running_replicas_read_xor_of_applied_messages(self) -> None:
        """A running replica reads the XOR of the distinct messages it applied, each once
        (checked while no compaction has pruned stored messages)."""
        if self.c.stats.compactions:
            return
        for node in self.c.nodes:
            if node is not None:
                model = [0] * ADDRS
                for m in node.replica.messages():
                    model[m.addr] ^= m.delta
                assert node.read_all() == model, "double-applied: reads differ from its messages"

    def teardown(self) -> None:
        self.c.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def test_replicas_converge_under_faults() -> None:
    run_state_machine_as_test(ReplicationMachine, settings=FAST)


def test_without_dedup_the_harness_catches_the_reverted_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dedup is not dead code: with ``seen`` always False (no deduplication), a duplicated
    delivery reverts an update and the invariant above fails with a state divergence."""
    monkeypatch.setattr(Replica, "seen", lambda self, origin, seq: False)
    find_only = settings(FAST, phases=[Phase.generate], report_multiple_bugs=False)
    with pytest.raises(AssertionError, match="reads"):
        run_state_machine_as_test(ReplicationMachine, settings=find_only)
