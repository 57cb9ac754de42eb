"""Anti-entropy and a fault-injecting simulation of replicas (and the soak test).

:func:`anti_entropy_round` brings a group of replicas to the same set of applied messages: every
replica sends every other exactly what that peer's :class:`~atomik.replication.replica.Digest`
lacks. :class:`FaultyNetwork` is an in-memory network that drops, duplicates, delays and reorders
messages. :class:`Cluster` runs N durable replicas
(:class:`~atomik.replication.log.PersistentTable`) over it, with crashes (including torn appends)
and restarts from the log, beside a plain model (the XOR of every acknowledged delta per address).
``python -m atomik.replication.sync --soak --seconds N`` runs it at random for N seconds and reports
operations, faults injected and divergences.
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
from atomik.replication.log import PersistentTable
from atomik.replication.replica import Digest, ReorderWindowError, Replica, _check_peers, _report
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
    raises :class:`~atomik.replication.replica.RejectedMessagesError` once the round is done.
    Replicas of different epochs, widths or sizes raise before anything changes.
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
    """One node process of :func:`run_redis_faults` (``python -m atomik.replication.sync --node
    FILE``)."""

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
    ``pause-<node>`` (a partition: it stops polling), ``quiet`` (no more writes), ``stop``
    (exit)."""
    import redis

    from atomik.replication.transport import TRANSIENT_ERRORS, DurableNode, RedisStreamsTransport

    log = PersistentTable(
        cfg.path("log"), cfg.num_contexts, cfg.width, "always", replica_id=cfg.node
    )
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # fail fast when Redis is down (redis-py would retry for seconds): the write is logged and
    # stays in the outbox, the loop goes on writing
    client = redis.Redis(
        host="127.0.0.1", port=cfg.port, socket_timeout=2, socket_connect_timeout=1,
        retry=Retry(NoBackoff(), 0),
    )
    name = f"node-{cfg.node}"

    def transport() -> RedisStreamsTransport:
        return RedisStreamsTransport(client, cfg.stream, name, group=name, block_ms=5)

    t: RedisStreamsTransport | None = None
    node: DurableNode | None = None
    rng = random.Random(cfg.seed * 1_000_003 + cfg.node * 7919 + log.replica.next_seq)
    life = {"recovered_records": log.recovery.records, "frames": 0, "applied": 0,
            "duplicates": 0, "dead_letters": 0, "digests": 0, "repairs_sent": 0,
            "publish_failures": 0, "transport_errors": 0, "writes": 0}
    ack = open(cfg.path("acked"), "a")
    stop, pause = Path(cfg.directory) / "stop", cfg.path("pause")
    quiet = Path(cfg.directory) / "quiet"  # no more local writes
    next_write = next_repair = time.monotonic()
    while not stop.exists():
        now = time.monotonic()
        if log.replica.next_seq < cfg.writes and now >= next_write and not quiet.exists():
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
        except redis.RedisError:  # NOGROUP (the server lost the stream), a reply cut short...
            # join again with a fresh transport
            life["transport_errors"] += 1
            node = None
            time.sleep(0.05)
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
    """A :func:`run_node` in a subprocess (``python -m atomik.replication.sync --node``),
    killable."""

    def __init__(self, cfg: NodeConfig) -> None:
        """Write the config beside the node's files; nothing runs until :meth:`start`."""
        self.cfg = cfg
        self.config = cfg.path("config")
        self.config.write_text(json.dumps(cfg.__dict__))
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start the process (the log recovers, the consumer group resumes)."""
        with open(self.cfg.path("stderr"), "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "atomik.replication.sync", "--node", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=err,
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
            try:
                tail = self.cfg.path("stderr").read_text(errors="replace")[-2000:]
            except OSError:
                tail = ""
            raise RuntimeError(f"node {self.cfg.node} exited with code {rc}:\n{tail}")
        return rc is None

    def state(self) -> dict[str, Any] | None:
        """The node's last ``state-<node>`` dump, if any."""
        try:
            return dict(json.loads(self.cfg.path("state").read_text()))
        except (OSError, ValueError):
            return None


@dataclass
class RedisFaultStats:
    """What :func:`run_redis_faults` did and found."""

    nodes: int = 0
    writes: int = 0  # acknowledged writes (put/accum returned and logged)
    redis_kills: int = 0
    node_kills: int = 0
    partitions: int = 0
    trims: int = 0  # XTRIM MAXLEN below what lagging nodes had read
    trimmed_entries: int = 0
    acked_trims: int = 0  # XTRIM MINID below what every group acknowledged
    poison_frames: int = 0
    dead_letters: int = 0
    repairs_sent: int = 0
    frames_read: int = 0
    publish_failures: int = 0  # outbox flushes that failed (the write was kept)
    transport_errors: int = 0
    write_seconds: float = 0.0
    converge_seconds: float = 0.0
    converged: bool = False
    divergences: int = 0
    lost_writes: int = 0
    duplicate_records: int = 0  # records logged twice (a message applied twice)

    def faults(self) -> int:
        """Faults injected: Redis kills, node kills, partitions, trims, poison frames."""
        return (
            self.redis_kills + self.node_kills + self.partitions + self.trims + self.poison_frames
        )


def _read_acked(path: Path) -> list[tuple[int, int, int]]:
    out = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and all(p.isdigit() for p in parts):  # a torn last line: not acked
            out.append((int(parts[0]), int(parts[1]), int(parts[2])))
    return out


def run_redis_faults(
    seconds: float, nodes: int = 3, seed: int = 0, *, log: Any = None
) -> RedisFaultStats:
    """``nodes`` node processes with durable logs over a real ``redis-server`` (loopback),
    writing from all, for about ``seconds`` (60 % writes with faults, then convergence, bounded
    by ``max(20, seconds)`` more). Faults, in cycles of a shuffled order: Redis SIGKILLed and
    restarted (its append-only file keeps the streams and groups), a node SIGKILLed and
    restarted (its log recovers, its group cursor resumes), a partition (a node stops polling)
    with the stream trimmed (``XTRIM MAXLEN``) below what the partitioned node had read, a
    poison frame (garbage and a message of another epoch), and ``trim_acknowledged``. At the
    end every log is opened: the tables must be equal to each other and to the XOR of every
    node's own logged writes, every acknowledged write (listed by its node once ``put``
    returned) must be in every log, and no log may hold a record twice."""
    import redis

    from atomik.replication.transport import TRANSIENT_ERRORS, RedisStreamsTransport

    say = log or (lambda *_: None)
    rng = random.Random(seed)
    st = RedisFaultStats(nodes=nodes)
    stream = "faults"
    with tempfile.TemporaryDirectory(prefix="atomik-redis-faults-") as tmp:
        d = Path(tmp)
        (d / "redis").mkdir()
        srv = RedisServer(d / "redis")
        procs: list[NodeProcess] = []
        try:
            srv.start()
            client = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=2)
            for i in range(nodes):
                cfg = NodeConfig(srv.port, stream, i, tmp, writes=10**9, write_interval=0.02,
                                 seed=seed)
                procs.append(NodeProcess(cfg))
                procs[-1].start()
            totals: dict[str, int] = {}

            def bank(p: NodeProcess) -> None:  # add the counts of a life about to end
                s = p.state()
                if s:
                    for k, v in s["life"].items():
                        totals[k] = totals.get(k, 0) + int(v)

            def cmd(f: Any) -> Any:
                for _ in range(100):
                    try:
                        return f()
                    except TRANSIENT_ERRORS:
                        time.sleep(0.05)
                raise TimeoutError("redis-server did not come back")

            kinds = ["redis", "node", "partition", "poison", "acked_trim"]
            up_by = time.monotonic() + 30
            while not all(p.state() for p in procs):  # every node started (imports are slow)
                if time.monotonic() > up_by:
                    raise TimeoutError("node processes did not start within 30 s")
                for p in procs:
                    p.alive()
                time.sleep(0.05)
            t0 = time.monotonic()
            write_end = t0 + 0.6 * seconds
            time.sleep(min(1.0, 0.05 * seconds))
            cycles = 0
            while cycles == 0 or time.monotonic() < write_end:  # one whole cycle at least
                order = kinds[:]
                rng.shuffle(order)
                cycles += 1
                for kind in order:
                    if cycles > 1 and time.monotonic() >= write_end:
                        break
                    say(f"fault: {kind}")
                    if kind == "redis":
                        srv.kill()
                        st.redis_kills += 1
                        time.sleep(1.0 + rng.random())  # longer than redis-py's retries
                        srv.start()
                    elif kind == "node":
                        p = rng.choice(procs)
                        p.alive()
                        bank(p)
                        p.kill()
                        st.node_kills += 1
                        time.sleep(0.2 + 0.5 * rng.random())
                        p.start()
                    elif kind == "partition":
                        p = rng.choice(procs)
                        p.cfg.path("pause").touch()
                        st.partitions += 1
                        time.sleep(0.5 + rng.random())
                        n = cmd(lambda: client.xlen(stream))
                        st.trimmed_entries += int(
                            cmd(lambda: client.xtrim(stream, maxlen=5, approximate=False))
                        )
                        st.trims += 1
                        say(f"  trimmed {n} -> 5 while node {p.cfg.node} was partitioned")
                        time.sleep(0.3)
                        p.cfg.path("pause").unlink()
                    elif kind == "poison":
                        bad_epoch = encode(DeltaMessage(99, 1, 0, 0, 32, 1))
                        for frame in (b"\x00poison\xff" * 3, bad_epoch):
                            cmd(lambda f=frame: client.xadd(stream, {b"frame": f, b"from": b"x"}))
                            st.poison_frames += 1
                    elif kind == "acked_trim":
                        t = RedisStreamsTransport(client, stream, "trimmer")
                        st.trimmed_entries += cmd(t.trim_acknowledged)
                        st.acked_trims += 1
                    time.sleep(0.2 + 0.3 * rng.random())
                    for p in procs:
                        p.alive()
            (d / "quiet").touch()
            st.write_seconds = time.monotonic() - t0
            say(f"writes stopped after {st.write_seconds:.1f} s; converging")
            c0 = time.monotonic()
            limit = max(20.0, seconds)
            while time.monotonic() - c0 < limit:
                states = [p.state() for p in procs]
                for p in procs:
                    p.alive()
                if all(states):
                    top = {str(i): s["next_seq"] - 1 for i, s in enumerate(states) if s}
                    if all(
                        s is not None and s["state"] == states[0]["state"]  # type: ignore[index]
                        and all(s["watermarks"].get(o, -1) == w for o, w in top.items() if w >= 0)
                        and s["ahead"] == 0 and s["outbox"] == 0
                        for s in states
                    ):
                        st.converged = True
                        break
                time.sleep(0.1)
            st.converge_seconds = time.monotonic() - c0
            (d / "stop").touch()
            for p in procs:
                bank(p)
                p.wait(30)
        finally:
            for p in procs:
                p.kill()
            srv.stop()
        st.dead_letters = totals.get("dead_letters", 0)
        st.repairs_sent = totals.get("repairs_sent", 0)
        st.frames_read = totals.get("frames", 0)
        st.publish_failures = totals.get("publish_failures", 0)
        st.transport_errors = totals.get("transport_errors", 0)
        # the final check, on the logs themselves
        tables, model = [], [0] * 8
        logs = []
        for p in procs:
            lg = PersistentTable(p.cfg.path("log"), 8, 32, replica_id=p.cfg.node)
            logs.append(lg)
            st.duplicate_records += lg.recovery.duplicates
            tables.append(lg.read_all())
            for m in lg.replica.messages():
                if m.origin == p.cfg.node:
                    model[m.addr] ^= m.delta
        for i, t in enumerate(tables):
            if t != model:
                st.divergences += 1
                print(f"DIVERGENCE: node {i} reads {t}, model {model}", file=sys.stderr)
        for p in procs:
            acked = _read_acked(p.cfg.path("acked"))
            st.writes += len(acked)
            for seq, addr, delta in acked:
                for j, lg in enumerate(logs):
                    m = lg.replica._store.get(p.cfg.node, {}).get(seq)
                    if m is None or (m.addr, m.delta) != (addr, delta):
                        st.lost_writes += 1
                        print(f"LOST: write {p.cfg.node}:{seq} missing at node {j}",
                              file=sys.stderr)
        for lg in logs:
            lg.close()
    return st


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m atomik.replication.sync --soak --seconds N [--seed S] [--nodes K] [--no-redis]``:
    the in-memory cluster soak, then (half the time each, when ``redis-server`` is on PATH) node
    processes over a real Redis (:func:`run_redis_faults`)."""
    ap = argparse.ArgumentParser(prog="python -m atomik.replication.sync", description=__doc__)
    ap.add_argument("--soak", action="store_true", help="run the randomized fault soak")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long (bounded), default 60")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--no-redis", action="store_true",
                    help="skip the fault run of node processes over a real redis-server")
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
    redis_ok = shutil.which("redis-server") is not None and not args.no_redis
    st = run_soak(args.seconds / 2 if redis_ok else args.seconds, args.seed, args.nodes)
    report: dict[str, Any] = {
        "seconds": round(time.monotonic() - start, 1),
        "seed": args.seed,
        "nodes": args.nodes,
        "faults_injected": st.faults(),
        **st.__dict__,
    }
    print(json.dumps(report, indent=2))
    bad = st.divergences > 0
    if redis_ok:
        print(f"node processes over a real redis-server for {args.seconds / 2:.0f} s ...",
              flush=True)
        rs = run_redis_faults(args.seconds / 2, max(args.nodes, 3), args.seed)
        print(json.dumps({"redis": {"faults_injected": rs.faults(), **rs.__dict__}}, indent=2))
        bad |= rs.divergences > 0 or rs.lost_writes > 0 or rs.duplicate_records > 0
        bad |= not rs.converged
    elif not args.no_redis:
        print("redis-server is not on PATH (Debian: apt-get install redis-server): "
              "the fault run over a real Redis is skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
