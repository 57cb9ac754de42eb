"""Rows 8-9: the hybrid (domain events projected into a durable table) and batch ingest."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from atomik.benchmark.config import BenchConfig
from atomik.benchmark.measure import _best_loop, _cmp, _loop_ns, measure
from atomik.benchmark.peers import _random_u64
from atomik.replication.replica import Replica
from atomik.wire import DeltaMessage, encode_batch


def row_hybrid(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row: the hybrid (``atomik.replication.hybrid``) -- domain events saved to an SQLite event
    store and projected into a durable table, vs eventsourcing alone (same store, same events)
    replaying the aggregate to read; bytes sent to a replica (delta frames) vs shipping the
    events."""
    from atomik.replication.hybrid import Hybrid, HybridApplication, Register, sqlite_env
    from atomik.wire import frame_size

    n_addr = 16
    sizes = (100, 1_000) if cfg.quick else (1_000, 10_000)
    cmps: list[dict[str, Any]] = []
    series: dict[str, list[Any]] = {"n": [], "append_project": [], "es_append": [],
                                    "read": [], "es_read": []}
    for n in sizes:
        addrs = [int(a) for a in rng.integers(0, n_addr, size=n)]
        deltas = [int(d) for d in _random_u64(rng, n)]
        with tempfile.TemporaryDirectory(prefix="atomik-bench-hybrid-") as d:
            h = Hybrid(Path(d) / "hybrid", n_addr, 64, replica_id=1)
            app = HybridApplication(env=sqlite_env(Path(d) / "alone.sqlite"))
            try:
                ours_regs = [Register(a) for a in range(n_addr)]
                peer_regs = [Register(a) for a in range(n_addr)]
                h.commit(*ours_regs)
                app.save(*peer_regs)
                spent = [0, 0]  # alternate the two sides event by event: same load for both
                for a, dl in zip(addrs, deltas, strict=True):
                    t0 = time.perf_counter_ns()
                    ours_regs[a].changed(addr=a, delta=dl, note="bench", author="bench")
                    h.commit(ours_regs[a])
                    t1 = time.perf_counter_ns()
                    peer_regs[a].changed(addr=a, delta=dl, note="bench", author="bench")
                    app.save(peer_regs[a])
                    spent[0] += t1 - t0
                    spent[1] += time.perf_counter_ns() - t1
                sides = [spent[0] / n, spent[1] / n]
                a0 = addrs[0]
                want = h.store.fold(a0)
                rid = Register.create_id(a0)
                if h.read(a0) != want or app.repository.get(rid).value != want:
                    raise AssertionError("hybrid read, eventsourcing replay and the fold disagree")
                ours_read = measure(lambda h=h, a=a0: h.read(a), repeats=cfg.repeats)  # type: ignore[misc]
                es_read = measure(lambda app=app, i=rid: app.repository.get(i).value,  # type: ignore[misc]
                                  repeats=cfg.repeats, min_sample_ns=0)
                stored = sum(16 + 8 + len(x.topic.encode()) + len(x.state)
                             for x in h.store.notifications())
                frames = len(h.store) * frame_size(64)
            finally:
                h.close()
                app.close()

        def one(ns: float, n: int = n) -> dict[str, Any]:
            return {"median_ns": ns, "min_ns": ns, "max_ns": ns, "repeats": 1,
                    "calls_per_sample": n}

        cmps.append(_cmp(f"append, n={n:,}", "save + project (per event)", one(sides[0]),
                         "eventsourcing save (per event)", one(sides[1])))
        cmps.append(_cmp(f"read after n={n:,}", "Hybrid.read()", ours_read,
                         f"eventsourcing get() ({n // n_addr:,} events/aggregate)", es_read))
        cmps.append(_cmp(f"to a replica, n={n:,}", "delta frames", {"bytes": frames},
                         "the stored events", {"bytes": stored}, unit="bytes"))
        series["n"].append(n)
        series["append_project"].append(sides[0])
        series["es_append"].append(sides[1])
        series["read"].append(ours_read["median_ns"])
        series["es_read"].append(es_read["median_ns"])
    return {
        "id": "hybrid",
        "title": "8. Hybrid: event store + projection",
        "status": "measured",
        "comparisons": cmps,
        "series": series,
        "note": f"{n_addr} Register aggregates, one event per save, both sides on an SQLite file "
        "(eventsourcing.sqlite). The hybrid's append also projects the event into a "
        "PersistentTable (fsync per record) and returns the delta message, so it costs more than "
        "eventsourcing's save alone (ratio below 1); its reads are the table's O(1) read, where "
        "eventsourcing replays the aggregate's events. A replica receives one fixed-size frame per "
        "event instead of the serialized event.",
    }


def row_ingest(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 9: batch ingest of one v1 batch frame (numpy columns, one numba pass) against the
    per-message loop (decode the frame, receive each message), and against memory bandwidth."""
    from atomik.wire import decode_batch

    nc = 1024
    n = 20_000 if cfg.quick else 200_000
    addrs = rng.integers(0, nc, size=n)
    deltas = _random_u64(rng, n)
    msgs = [
        DeltaMessage(1 + i % 4, 0, i // 4, int(a), 64, int(d))
        for i, (a, d) in enumerate(zip(addrs, deltas, strict=True))
    ]
    frame = encode_batch(msgs)
    a, b = Replica(0, nc), Replica(0, nc)
    if a.ingest(frame) != n or b.receive_all(decode_batch(frame)) != n:
        raise AssertionError("ingest and receive_all disagree on the count")
    if a.read_all() != b.read_all() or a.messages() != b.messages():
        raise AssertionError("ingest and receive_all disagree on the replica")
    reps = cfg.repeats

    def make_ingest() -> Callable[[], object]:
        r = Replica(0, nc)
        return lambda: r.ingest(frame)

    def make_loop() -> Callable[[], object]:
        recv = Replica(0, nc).receive

        def go() -> None:
            for m in decode_batch(frame):
                recv(m)

        return go

    def make_receive_all() -> Callable[[], object]:
        r = Replica(0, nc)
        return lambda: r.receive_all(decode_batch(frame))

    def make_ingest_list() -> Callable[[], object]:
        r = Replica(0, nc)
        return lambda: r.ingest(msgs)

    def make_receive_list() -> Callable[[], object]:
        recv = Replica(0, nc).receive

        def go() -> None:
            for m in msgs:
                recv(m)

        return go

    ing = _best_loop(make_ingest, n, reps)
    case = f"receive a batch frame of {n:,} messages ({len(frame) >> 10:,} KiB), per message"
    cmps = [
        _cmp(
            case,
            "Replica.ingest(frame)",
            ing,
            "decode_batch + Replica.receive loop",
            _best_loop(make_loop, n, reps),
        ),
        _cmp(
            case,
            "Replica.ingest(frame)",
            ing,
            "Replica.receive_all(decode_batch(frame))",
            _best_loop(make_receive_all, n, reps),
        ),
    ]
    case = f"receive {n:,} DeltaMessage objects, per message"
    cmps.append(
        _cmp(
            case,
            "Replica.ingest(list)",
            _loop_ns(make_ingest_list, n, reps),
            "Replica.receive loop",
            _loop_ns(make_receive_list, n, reps),
        )
    )
    buf = np.frombuffer(frame, dtype=np.uint8)
    dst = np.empty_like(buf)
    cp = measure(lambda: np.copyto(dst, buf), repeats=reps)
    ingest_gbs = len(frame) / (ing["median_ns"] * n)
    copy_gbs = len(frame) / cp["median_ns"]
    cmps.append(
        _cmp(
            f"{len(frame) >> 10:,} KiB batch frame",
            "Replica.ingest(frame)",
            {**ing, "median_ns": ing["median_ns"] * n},
            "numpy copy of the frame (memory bandwidth)",
            cp,
        )
    )
    return {
        "id": "ingest",
        "title": "9. Batch ingest",
        "status": "measured",
        "comparisons": cmps,
        "bandwidth": {
            "ingest_GBps": ingest_gbs,
            "numpy_copy_GBps": copy_gbs,
            "ingest_over_copy": ingest_gbs / copy_gbs,
        },
        "note": f"{n:,} 64-bit messages from 4 origins, each new to the receiver, in one v1 "
        "batch frame. Replica.ingest reads the frame into numpy columns (no message objects), "
        "validates them as Replica.check does, sorts by (origin, seq) and runs one numba pass "
        "(kernels.ingest_runs: dedup, reorder window, scatter-XOR); the result (state, count, "
        "rejected messages and their errors) equals receive_all's, a hand property "
        "(ingest_is_receive_all) holds them equal. Applied messages are stored as columns and "
        "become DeltaMessage objects when asked for (messages, missing_for, prune). A list of "
        "message objects costs its attribute reads: the third line. Ingest moved "
        f"{ingest_gbs:.3f} GB/s of frame bytes, {ingest_gbs / copy_gbs:.3f} of a numpy copy's "
        f"{copy_gbs:.2f} GB/s on the same buffer.",
    }
