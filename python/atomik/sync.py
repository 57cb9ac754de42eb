"""Anti-entropy and a fault-injecting simulation of replicas (and the soak test).

:func:`anti_entropy_round` brings a group of replicas to the same set of applied messages: every
replica sends every other exactly what that peer's :class:`~atomik.replica.Digest` lacks.
:class:`FaultyNetwork` is an in-memory network that drops, duplicates, delays and reorders
messages. :class:`Cluster` runs N durable replicas (:class:`~atomik.log.PersistentTable`) over it,
with crashes (including torn appends) and restarts from the log, beside a plain model (the XOR of
every acknowledged delta per address). ``python -m atomik.sync --soak --seconds N`` runs it at
random for N seconds and reports operations, faults injected and divergences.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atomik.errors import AtomikError, AtomikTypeError
from atomik.log import PersistentTable
from atomik.replica import Digest, ReorderWindowError, Replica, _check_peers, _report
from atomik.wire import DeltaMessage, encode

__all__ = ["Cluster", "Digest", "FaultyNetwork", "anti_entropy_round", "main", "run_soak"]


def anti_entropy_round(
    replicas: Sequence[Replica],
    *,
    rejected: list[tuple[object, AtomikError]] | None = None,
) -> int:
    """One anti-entropy round: take every replica's digest, then each replica receives, as one
    batch in ``(origin, seq)`` order, every message some other replica holds that its digest
    lacked. Return how many messages were applied.

    Afterwards every replica has applied every message some replica held at the start, except a
    message past a gap that no replica could fill (an absent origin's messages relayed with a
    hole, more than the receiver's ``max_pending`` past its watermark): that one is refused by the
    window, changes nothing, stays with its holders for a later round, and the round goes on
    (Lean ``ReplicaImpl.State.passed_of_contiguous``: a delivery without a gap never trips the
    window). Window refusals are appended to ``rejected`` when it is given; any other rejection
    raises :class:`~atomik.replica.RejectedMessagesError` once the round is done. Replicas of
    different epochs, widths or sizes raise before anything changes.
    """
    rs = list(replicas)
    for r in rs:
        if not isinstance(r, Replica):
            raise AtomikTypeError(f"expected Replicas, got {type(r).__name__}")
    if not rs:
        return 0
    _check_peers(rs)
    digests = [r.digest() for r in rs]
    applied = 0
    refused: list[tuple[object, AtomikError]] = []
    for j, dst in enumerate(rs):
        batch: dict[tuple[int, int], DeltaMessage] = {}
        for i, src in enumerate(rs):
            if i != j:
                for m in src.missing_for(digests[j]):
                    batch.setdefault(m.id, m)
        applied += dst.receive_all(batch.values(), rejected=refused)
    _report(applied, refused, rejected)
    return applied


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


class RedisServer:
    """A ``redis-server`` on 127.0.0.1 for tests and the soak: started, killed (SIGKILL) and
    restarted on the same port, with an append-only file fsynced on every write (so a restart
    keeps the streams and consumer groups; ``persist=False`` loses everything instead)."""

    def __init__(self, directory: str | os.PathLike[str], *, persist: bool = True) -> None:
        """Pick a free loopback port; nothing runs until :meth:`start`."""
        exe = shutil.which("redis-server")
        if exe is None:
            raise FileNotFoundError(
                "redis-server is not on PATH (Debian: apt-get install redis-server)"
            )
        self.exe = exe
        self.dir = Path(directory)
        self.persist = persist
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers ``PING``."""
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else [
            "--appendonly", "no"
        ]
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(self.dir), *aof],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"redis-server did not answer on 127.0.0.1:{self.port}")

    def kill(self) -> None:
        """SIGKILL the server (no shutdown, no save) and wait for it."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        """Terminate the server (idempotent)."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    def __enter__(self) -> RedisServer:
        """Start on entry."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop on exit."""
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_soak(seconds: float, seed: int = 0, nodes: int = 3, check_every: int = 200) -> FaultStats:
    """Random operations with faults for ``seconds`` (bounded), checking convergence every
    ``check_every`` operations and at the end. Returns the counts."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
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
            if ops % check_every == 0 or time.monotonic() > deadline:
                problems = c.check()
                for p in problems:
                    print("DIVERGENCE:", p, file=sys.stderr)
            if time.monotonic() > deadline:
                break
        c.close()
        return c.stats


# --------------------------------------------------------------------------- nodes over Redis
@dataclass
class NodeConfig:
    """One node process of :func:`run_redis_faults` (``python -m atomik.sync --node FILE``)."""

    port: int
    stream: str
    node: int
    directory: str
    num_contexts: int = 8
    width: int = 32
    writes: int = 0  # local writes to make in total (over every life of the process)
    write_interval: float = 0.01
    max_count: int = 8  # entries per pump
    repair_every: float = 0.5  # seconds between digest requests (0: never)
    pump_sleep: float = 0.0  # seconds to wait after each pump (to slow a node down in tests)
    seed: int = 0

    def path(self, name: str) -> Path:
        """A file of this node in the shared directory."""
        return Path(self.directory) / f"{name}-{self.node}"


def _dump_json(path: Path, obj: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)


def run_node(cfg: NodeConfig) -> None:
    """A durable node: log ``log-<node>``, consumer group ``node-<node>`` on the stream. Makes
    ``cfg.writes`` writes (appending ``seq addr delta`` to ``acked-<node>`` once ``put``/``accum``
    returned), pumps, asks for repair, and rewrites ``state-<node>`` (JSON: state, watermarks,
    outbox, counts of this life) after every round. Files in the directory steer it:
    ``pause-<node>`` (a partition: it stops polling), ``stop`` (exit)."""
    import redis

    from atomik.transport import TRANSIENT_ERRORS, DurableNode, RedisStreamsTransport

    log = PersistentTable(
        cfg.path("log"), cfg.num_contexts, cfg.width, "always", replica_id=cfg.node
    )
    client = redis.Redis(
        host="127.0.0.1", port=cfg.port, socket_timeout=2, socket_connect_timeout=1
    )
    name = f"node-{cfg.node}"

    def transport() -> RedisStreamsTransport:
        return RedisStreamsTransport(client, cfg.stream, name, group=name, block_ms=20)

    t: RedisStreamsTransport | None = None
    node: DurableNode | None = None
    rng = random.Random(cfg.seed * 1_000_003 + cfg.node * 7919 + log.replica.next_seq)
    life = {"recovered_records": log.recovery.records, "frames": 0, "applied": 0,
            "duplicates": 0, "dead_letters": 0, "digests": 0, "repairs_sent": 0,
            "publish_failures": 0, "transport_errors": 0, "writes": 0}
    ack = open(cfg.path("acked"), "a")
    stop, pause = Path(cfg.directory) / "stop", cfg.path("pause")
    next_write = next_repair = time.monotonic()
    while not stop.exists():
        now = time.monotonic()
        if log.replica.next_seq < cfg.writes and now >= next_write:
            # acknowledged once logged, whether the transport is up or not (the outbox sends it)
            addr, v = rng.randrange(cfg.num_contexts), rng.getrandbits(cfg.width)
            m = log.put(addr, v) if rng.random() < 0.5 else log.accum(addr, v)
            ack.write(f"{m.seq} {m.addr} {m.delta}\n")
            ack.flush()
            life["writes"] += 1
            next_write = now + cfg.write_interval
        try:
            if node is None:
                t = transport()
                node = DurableNode(log, t)
            if not pause.exists():
                res = node.pump(cfg.max_count)
                for k in ("frames", "applied", "duplicates", "digests", "repairs_sent"):
                    life[k] += getattr(res, k)
                life["dead_letters"] += len(res.dead_letters)
                if cfg.repair_every and now >= next_repair:
                    node.request_repair()
                    next_repair = now + cfg.repair_every
                if cfg.pump_sleep:
                    time.sleep(cfg.pump_sleep)
            else:
                node.flush_outbox()
                time.sleep(0.01)
        except TRANSIENT_ERRORS:
            life["transport_errors"] += 1
            time.sleep(0.05)
        except redis.ResponseError as e:  # NOGROUP: the server lost the stream; join again
            if "NOGROUP" not in str(e):
                raise
            life["transport_errors"] += 1
            node = None
        if node is not None:
            life["publish_failures"] = node.publish_failures
        r = log.replica
        _dump_json(cfg.path("state"), {
            "state": r.read_all(), "watermarks": {str(o): w for o, w in r.watermarks().items()},
            "ahead": sum(len(v) for v in r.pending().values()), "outbox": len(log.outbox()),
            "next_seq": r.next_seq, "life": life,
        })
    ack.close()
    log.close()


class NodeProcess:
    """A :func:`run_node` in a subprocess (``python -m atomik.sync --node``), killable."""

    def __init__(self, cfg: NodeConfig) -> None:
        """Write the config beside the node's files; nothing runs until :meth:`start`."""
        self.cfg = cfg
        self.config = cfg.path("config")
        self.config.write_text(json.dumps(cfg.__dict__))
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start the process (the log recovers, the consumer group resumes)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "atomik.sync", "--node", str(self.config)],
            stdout=subprocess.DEVNULL,
        )
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL the process and wait for it."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def wait(self, timeout: float) -> int:
        """Wait for a normal exit (after ``stop``); return the exit code."""
        assert self.proc is not None
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        return rc

    def alive(self) -> bool:
        """Whether the process runs (raises if it died on its own with an error)."""
        if self.proc is None:
            return False
        rc = self.proc.poll()
        if rc is not None and rc != 0:
            raise RuntimeError(f"node {self.cfg.node} exited with code {rc}")
        return rc is None

    def state(self) -> dict[str, Any] | None:
        """The node's last ``state-<node>`` dump, if any."""
        try:
            return dict(json.loads(self.cfg.path("state").read_text()))
        except (OSError, ValueError):
            return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m atomik.sync --soak --seconds N [--seed S] [--nodes K]``."""
    ap = argparse.ArgumentParser(prog="python -m atomik.sync", description=__doc__)
    ap.add_argument("--soak", action="store_true", help="run the randomized fault soak")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long (bounded), default 60")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--node", metavar="CONFIG", help="run one node process (JSON NodeConfig)")
    args = ap.parse_args(argv)
    if args.node:
        run_node(NodeConfig(**json.loads(Path(args.node).read_text())))
        return 0
    if not args.soak:
        ap.print_help()
        return 2
    if not 0 < args.seconds <= 3600 or not 2 <= args.nodes <= 16:
        ap.error("--seconds must be in (0, 3600] and --nodes in 2..16")
    start = time.monotonic()
    st = run_soak(args.seconds, args.seed, args.nodes)
    report = {
        "seconds": round(time.monotonic() - start, 1),
        "seed": args.seed,
        "nodes": args.nodes,
        "faults_injected": st.faults(),
        **st.__dict__,
    }
    print(json.dumps(report, indent=2))
    return 1 if st.divergences else 0


if __name__ == "__main__":
    raise SystemExit(main())
