"""Anti-entropy, and the command line of the fault runs (``python -m atomik.replication.sync``).

:func:`anti_entropy_round` brings a group of replicas to the same set of applied messages: every
replica sends every other exactly what that peer's :class:`~atomik.replication.replica.Digest`
lacks. The fault simulations live beside it and are importable from here too:
:mod:`atomik.replication.soak` (:class:`FaultyNetwork`, an in-memory network that drops,
duplicates, delays and reorders messages; :class:`Cluster`, N durable replicas over it with
crashes, torn appends and restarts, beside a plain model; :func:`run_soak`) and
:mod:`atomik.replication.redis_faults` (node processes over a real ``redis-server``:
:func:`run_redis_faults`). ``python -m atomik.replication.sync --soak --seconds N`` runs both and
reports operations, faults injected and divergences.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import atomik
from atomik.errors import AtomikError, AtomikTypeError
from atomik.replication.digest import Digest
from atomik.replication.replica import Replica, _check_peers, _report
from atomik.wire import DeltaMessage

__all__ = [
    "Cluster",
    "Digest",
    "FaultyNetwork",
    "anti_entropy_round",
    "main",
    "run_redis_faults",
    "run_soak",
]


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
    window). Two holders of one id with different contents are both sent, so the receiver
    rejects the second with :class:`~atomik.replication.replica.ConflictError` (two nodes forked
    on one id do not see it between themselves: a digest names ids, not contents). Window
    refusals are appended to ``rejected`` when it is given; any other rejection raises
    :class:`~atomik.replication.replica.RejectedMessagesError` once the round is done.
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
        forks: list[DeltaMessage] = []  # another content under an id: the receiver reports it
        for i, src in enumerate(rs):
            if i != j:
                for m in src.missing_for(digests[j]):
                    if batch.setdefault(m.id, m) is not m and batch[m.id] != m:
                        forks.append(m)
        applied += dst.receive_all([*batch.values(), *forks], rejected=refused)
    _report(applied, refused, rejected)
    return applied


# The fault runs live in their own modules (which import this one for anti_entropy_round); their
# names stay importable from here, resolved on first use so that importing this module imports
# neither of them.
_MOVED = {
    **dict.fromkeys(("Cluster", "FaultStats", "FaultyNetwork", "run_soak"), "soak"),
    **dict.fromkeys(
        (
            "NodeConfig",
            "NodeProcess",
            "RedisFaultStats",
            "RedisServer",
            "_dump_json",
            "_free_port",
            "_read_acked",
            "run_node",
            "run_redis_faults",
        ),
        "redis_faults",
    ),
}

if TYPE_CHECKING:
    from atomik.replication.redis_faults import NodeConfig as NodeConfig
    from atomik.replication.redis_faults import NodeProcess as NodeProcess
    from atomik.replication.redis_faults import RedisFaultStats as RedisFaultStats
    from atomik.replication.redis_faults import RedisServer as RedisServer
    from atomik.replication.redis_faults import run_node as run_node
    from atomik.replication.redis_faults import run_redis_faults as run_redis_faults
    from atomik.replication.soak import Cluster as Cluster
    from atomik.replication.soak import FaultStats as FaultStats
    from atomik.replication.soak import FaultyNetwork as FaultyNetwork
    from atomik.replication.soak import run_soak as run_soak


def __getattr__(name: str) -> Any:
    """The moved names (``Cluster``, ``run_soak``, ``run_redis_faults``, ...), from their module."""
    mod = _MOVED.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"atomik.replication.{mod}"), name)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m atomik.replication.sync --soak --seconds N [--seed S] [--nodes K] [--no-redis]``:
    the in-memory cluster soak, then (half the time each, when ``redis-server`` is on PATH) node
    processes over a real Redis (:func:`run_redis_faults`)."""
    ap = argparse.ArgumentParser(
        prog="python -m atomik.replication.sync",
        description="The fault runs of replication. --soak: an in-memory cluster of durable "
        "replicas over a network that drops, duplicates, delays and reorders messages, with "
        "crashes and restarts; then node processes over a real redis-server, with Redis and node "
        "kills, partitions, trims and poison frames. Reports operations, faults and divergences.",
    )
    ap.add_argument("--version", action="version", version=f"atomik {atomik.__version__}")
    ap.add_argument("--soak", action="store_true", help="run the randomized fault soak")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long (bounded), default 60")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--no-redis", action="store_true",
                    help="skip the fault run of node processes over a real redis-server")
    ap.add_argument("--node", metavar="CONFIG", help="run one node process (JSON NodeConfig)")
    args = ap.parse_args(argv)
    from atomik.replication.redis_faults import NodeConfig, run_node, run_redis_faults
    from atomik.replication.soak import run_soak

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
    st = run_soak(args.seconds / 2 if redis_ok else args.seconds, args.seed, args.nodes,
                  progress=lambda line: print(line, file=sys.stderr, flush=True))
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
