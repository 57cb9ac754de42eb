"""Node processes with durable logs over a real ``redis-server``, and the fault run over them.

:class:`RedisServer` starts, kills and restarts a loopback ``redis-server``; :func:`run_node` is
one node process (``python -m atomik.replication.sync --node CONFIG``), :class:`NodeProcess`
drives one from a test; :func:`run_redis_faults` kills Redis and nodes, partitions, trims and
poisons the stream while every node writes, then checks that every log converged and kept every
acknowledged write. Also importable from :mod:`atomik.replication.sync`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atomik.replication.log import PersistentTable
from atomik.wire import DeltaMessage, encode

__all__ = [
    "NodeConfig",
    "NodeProcess",
    "RedisFaultStats",
    "RedisServer",
    "quiescent",
    "run_node",
    "run_redis_faults",
]


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
    outbox, counts of this life, and ``quiet``: whether this round saw the quiet file, so no
    write follows) after every round. Files in the directory steer it: ``pause-<node>`` (a
    partition: it stops polling), ``quiet`` (no more writes), ``stop`` (exit)."""
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
        # read once per round and reported in the dump: a dump that says quiet was written after
        # this node's last write (the harness must not judge convergence on an earlier dump, or
        # a write made between its check and the quiet file is never delivered before stop)
        is_quiet = quiet.exists()
        if log.replica.next_seq < cfg.writes and now >= next_write and not is_quiet:
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
            "next_seq": r.next_seq, "quiet": is_quiet, "life": life,
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


def quiescent(states: list[dict[str, Any] | None]) -> bool:
    """Whether the nodes' ``state-<node>`` dumps show a finished run: every dump written after
    its node saw the quiet file (so no write of that node is missing from it), every table equal,
    every node's watermark of every origin at that origin's last seq, nothing ahead, nothing in
    an outbox."""
    dumps = [s for s in states if s]
    if not dumps or len(dumps) != len(states):
        return False
    top = {str(i): s["next_seq"] - 1 for i, s in enumerate(dumps)}
    return all(
        s.get("quiet") is True
        and s["state"] == dumps[0]["state"]
        and all(s["watermarks"].get(o, -1) == w for o, w in top.items() if w >= 0)
        and s["ahead"] == 0
        and s["outbox"] == 0
        for s in dumps
    )


def _read_acked(path: Path) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
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
                if quiescent(states):
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
        for i, state in enumerate(tables):
            if state != model:
                st.divergences += 1
                print(f"DIVERGENCE: node {i} reads {state}, model {model}", file=sys.stderr)
        for p in procs:
            acked = _read_acked(p.cfg.path("acked"))
            st.writes += len(acked)
            for seq, addr, delta in acked:
                for j, lg in enumerate(logs):
                    got = lg.replica._store.get(p.cfg.node, {}).get(seq)
                    if got is None or (got.addr, got.delta) != (addr, delta):
                        st.lost_writes += 1
                        print(f"LOST: write {p.cfg.node}:{seq} missing at node {j}",
                              file=sys.stderr)
        for lg in logs:
            lg.close()
    return st
