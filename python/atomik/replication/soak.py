"""The in-memory fault simulation and the soak.

:class:`FaultyNetwork` is an in-memory network that drops, duplicates, delays and reorders
messages. :class:`Cluster` runs N durable replicas
(:class:`~atomik.replication.log.PersistentTable`) over it, with crashes (including torn appends)
and restarts from the log, beside a plain model (the XOR of every acknowledged delta per address),
repairing with :func:`~atomik.replication.sync.anti_entropy_round`. :func:`run_soak` runs it at
random (``python -m atomik.replication.sync --soak``). Also importable from
:mod:`atomik.replication.sync`.
"""

from __future__ import annotations

import copy
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from atomik.errors import ReorderWindowError
from atomik.replication.digest import Digest
from atomik.replication.log import PersistentTable
from atomik.replication.replica import Replica
from atomik.replication.sync import anti_entropy_round
from atomik.wire import DeltaMessage, encode

__all__ = ["Cluster", "FaultStats", "FaultyNetwork", "run_soak"]


@dataclass
class FaultStats:
    """Counts of what the simulation did."""

    operations: int = 0
    writes: int = 0
    sent: int = 0
    delivered: int = 0
    duplicates_ignored: int = 0
    dropped: int = 0
    duplicated: int = 0
    delayed: int = 0
    reordered: int = 0
    lost_to_down_replica: int = 0
    window_refusals: int = 0
    crashes: int = 0
    torn_appends: int = 0
    restarts: int = 0
    truncated_bytes: int = 0
    compactions: int = 0
    anti_entropy_rounds: int = 0
    convergence_checks: int = 0
    divergences: int = 0

    def faults(self) -> int:
        """Faults injected: drops, duplicates, delays, reorders, crashes, torn appends."""
        return (
            self.dropped
            + self.duplicated
            + self.delayed
            + self.reordered
            + self.crashes
            + self.torn_appends
        )


@dataclass
class FaultyNetwork:
    """Messages in flight, as ``(destination, message)``; delivery picks any of them."""

    in_flight: list[tuple[int, DeltaMessage]] = field(default_factory=list)

    def send(
        self,
        dest: int,
        msg: DeltaMessage,
        *,
        drop: bool = False,
        duplicate: bool = False,
        delay: bool = False,
        stats: FaultStats | None = None,
    ) -> None:
        """Put ``msg`` in flight to ``dest`` (or drop it; or twice; or at the back of the queue
        behind everything already in flight, when ``delay``; otherwise at the front)."""
        st = stats or FaultStats()
        st.sent += 1
        if drop:
            st.dropped += 1
            return
        copies = 2 if duplicate else 1
        st.duplicated += copies - 1
        for _ in range(copies):
            if delay:
                st.delayed += 1
                self.in_flight.insert(0, (dest, msg))
            else:
                self.in_flight.append((dest, msg))

    def take(self, index: int) -> tuple[int, DeltaMessage]:
        """Remove and return the message at ``index`` (any position: reordering)."""
        return self.in_flight.pop(index)


class Cluster:
    """N durable replicas over a :class:`FaultyNetwork`, beside the model.

    The model is the XOR, per address, of every *acknowledged* delta (a local write whose
    ``put``/``accum`` returned; with ``fsync="always"`` it is on disk by then).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        nodes: int = 3,
        num_contexts: int = 4,
        width: int = 16,
        *,
        max_pending: int = 64,
    ) -> None:
        """Create ``nodes`` fresh logs in ``directory``."""
        self.dir = Path(directory)
        self.n, self.num_contexts, self.width = nodes, num_contexts, width
        self.max_pending = max_pending
        self.net = FaultyNetwork()
        self.stats = FaultStats()
        self.model = [0] * num_contexts
        self.acked: list[DeltaMessage] = []
        self.nodes: list[PersistentTable | None] = [self._open(i) for i in range(nodes)]
        self.last_digest: list[Digest] = [self._node(i).digest() for i in range(nodes)]

    def _path(self, i: int) -> Path:
        return self.dir / f"replica-{i}.log"

    def _open(self, i: int, path: Path | None = None) -> PersistentTable:
        return PersistentTable(
            path or self._path(i),
            self.num_contexts,
            self.width,
            "always",
            replica_id=i,
            max_pending=self.max_pending,
        )

    def _node(self, i: int) -> PersistentTable:
        node = self.nodes[i]
        assert node is not None
        return node

    def up(self) -> list[int]:
        """Indices of the running replicas."""
        return [i for i, n in enumerate(self.nodes) if n is not None]

    # ----------------------------------------------------------------- actions
    def write(
        self, i: int, addr: int, value: int, *, as_put: bool, faults: Sequence[tuple[bool, ...]]
    ) -> None:
        """A local write at replica ``i``, sent to every other with per-destination faults
        ``(drop, duplicate, delay)``."""
        node = self._node(i)
        msg = node.put(addr, value) if as_put else node.accum(addr, value)
        self.stats.writes += 1
        self.acked.append(msg)
        self.model[msg.addr] ^= msg.delta
        dests = [j for j in range(self.n) if j != i]
        for j, (drop, dup, delay) in zip(dests, faults, strict=False):
            self.net.send(j, msg, drop=drop, duplicate=dup, delay=delay, stats=self.stats)

    def deliver(self, index: int) -> None:
        """Deliver the in-flight message at ``index`` (lost if its destination is down; kept in
        flight if too far ahead of the receiver's watermark)."""
        if index != len(self.net.in_flight) - 1:
            self.stats.reordered += 1
        dest, msg = self.net.take(index)
        node = self.nodes[dest]
        if node is None:
            self.stats.lost_to_down_replica += 1
            return
        try:
            if not node.receive(msg):
                self.stats.duplicates_ignored += 1
            self.stats.delivered += 1
        except ReorderWindowError:
            self.stats.window_refusals += 1
            self.net.in_flight.insert(0, (dest, msg))  # refused, not dropped: retry later

    def crash(self, i: int, torn: bytes = b"") -> None:
        """Kill replica ``i`` (no fsync); ``torn`` is a partial record left by a write in progress
        (an unacknowledged write: it must not survive recovery)."""
        node = self._node(i)
        self.last_digest[i] = node.digest()
        node.abandon()
        if torn:
            with open(self._path(i), "ab") as f:
                f.write(torn)
            self.stats.torn_appends += 1
        self.nodes[i] = None
        self.stats.crashes += 1

    def torn_bytes(self, i: int, addr: int, value: int, cut: int) -> bytes:
        """The first ``cut`` bytes (1 .. frame size - 1) of the record ``i`` would append next."""
        node = self._node(i)
        msg = DeltaMessage(i, node.replica.epoch, node.replica.next_seq, addr, self.width, value)
        frame = encode(msg)
        return frame[: 1 + cut % (len(frame) - 1)]

    def restart(self, i: int) -> None:
        """Recover replica ``i`` from its log."""
        node = self._open(i)
        self.stats.truncated_bytes += node.recovery.truncated_bytes
        self.nodes[i] = node
        self.stats.restarts += 1

    def sync_pair(self, i: int, j: int) -> None:
        """Anti-entropy between two running replicas."""
        if i != j:
            anti_entropy_round([self._node(i).replica, self._node(j).replica])

    def compact(self, i: int) -> None:
        """Compact replica ``i``'s log, keeping what some replica may still need."""
        digests = [
            self.nodes[j].digest() if self.nodes[j] is not None else self.last_digest[j]  # type: ignore[union-attr]
            for j in range(self.n)
        ]
        self._node(i).compact(digests)
        self.stats.compactions += 1

    # ----------------------------------------------------------------- checking
    def converged_copies(self) -> list[Replica]:
        """What the replicas would be after delivery quiesces and one anti-entropy round,
        computed on copies (down replicas recovered from a copy of their log), leaving the
        cluster untouched."""
        copies: list[Replica] = []
        for i, node in enumerate(self.nodes):
            if node is not None:
                r = copy.copy(node.replica)
                r._table = node.replica._table.copy()
                r._water = dict(node.replica._water)
                r._ahead = {o: set(s) for o, s in node.replica._ahead.items()}
                r._store = {o: dict(s) for o, s in node.replica._store.items()}
                r._sink = None
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    p = Path(tmp) / "copy.log"
                    shutil.copyfile(self._path(i), p)
                    recovered = self._open(i, p)
                    recovered.abandon()
                    r = recovered.replica
                    r._sink = None
            copies.append(r)
        for dest, msg in list(self.net.in_flight):
            try:
                copies[dest].receive(msg)
            except ReorderWindowError:
                pass  # the round below repairs it
        anti_entropy_round(copies)
        return copies

    def check(self) -> list[str]:
        """Converge copies; return a description of each divergence from the model (empty when
        every replica reads the model's state and holds every acknowledged message)."""
        self.stats.convergence_checks += 1
        problems: list[str] = []
        for i, r in enumerate(self.converged_copies()):
            got = r.read_all()
            if got != self.model:
                problems.append(f"replica {i} reads {got}, model {self.model}")
            d = r.digest()
            lost = [m.id for m in self.acked if not d.covers(m.origin, m.seq)]
            if lost:
                problems.append(f"replica {i} lacks acknowledged messages {lost[:5]}")
        self.stats.divergences += len(problems)
        return problems

    def close(self) -> None:
        """Close every running log."""
        for n in self.nodes:
            if n is not None:
                n.close()


def run_soak(seconds: float, seed: int = 0, nodes: int = 3, check_every: int = 200,
             progress: Callable[[str], None] | None = None,
             progress_every: float = 10.0) -> FaultStats:
    """Random operations with faults for ``seconds`` (bounded), checking convergence every
    ``check_every`` operations and at the end. Returns the counts. ``progress`` (if given) is
    called with a one-line status every ``progress_every`` seconds."""
    rng = random.Random(seed)
    start = time.monotonic()
    deadline = start + seconds
    next_report = start + progress_every
    with tempfile.TemporaryDirectory(prefix="atomik-soak-") as tmp:
        c = Cluster(tmp, nodes=nodes, num_contexts=8, width=32, max_pending=16)
        ops = 0
        while True:
            ops += 1
            c.stats.operations += 1
            up = c.up()
            roll = rng.random()
            if roll < 0.35 and up:
                i = rng.choice(up)
                faults = [
                    (rng.random() < 0.15, rng.random() < 0.15, rng.random() < 0.2)
                    for _ in range(nodes - 1)
                ]
                c.write(
                    i,
                    rng.randrange(8),
                    rng.getrandbits(32),
                    as_put=rng.random() < 0.5,
                    faults=faults,
                )
            elif roll < 0.8 and c.net.in_flight:
                c.deliver(rng.randrange(len(c.net.in_flight)))
            elif roll < 0.84 and up:
                i = rng.choice(up)
                torn = b""
                if rng.random() < 0.5:
                    torn = c.torn_bytes(i, rng.randrange(8), rng.getrandbits(32), rng.randrange(99))
                c.crash(i, torn)
            elif roll < 0.9 and len(up) < nodes:
                c.restart(rng.choice([i for i in range(nodes) if i not in up]))
            elif roll < 0.97 and len(up) >= 2:
                c.sync_pair(*rng.sample(up, 2))
                c.stats.anti_entropy_rounds += 1
            elif up:
                c.compact(rng.choice(up))
            now = time.monotonic()
            if ops % check_every == 0 or now > deadline:
                problems = c.check()
                for p in problems:
                    print("DIVERGENCE:", p, file=sys.stderr)
            if progress is not None and now >= next_report:
                st = c.stats
                progress(f"soak: {now - start:.0f} of {seconds:.0f} s, {st.operations:,} "
                         f"operations, {st.faults():,} faults injected, {st.divergences} "
                         "divergences")
                next_report = now + progress_every
            if now > deadline:
                break
        c.close()
        return c.stats
