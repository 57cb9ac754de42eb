"""Rows 1-4: reconstruction, storage, wire bytes and undo, each against its event-log peer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from atomik.benchmark.config import BenchConfig
from atomik.benchmark.measure import _cmp, measure
from atomik.benchmark.peers import _es_build, _es_stored_bytes, _random_u64, _replay_list
from atomik.context import AtomikContext
from atomik.delta import SparseDelta
from atomik.wire import DeltaMessage, decode, encode, encode_batch


def row_reconstruction(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 1: state after n updates — ``read()`` vs replaying a list / eventsourcing."""
    cmps: list[dict[str, Any]] = []
    series: dict[str, list[Any]] = {"n": [], "read": [], "list_replay": [], "eventsourcing": []}
    for n in cfg.recon_ns:
        arr = _random_u64(rng, n)
        events = [int(x) for x in arr]
        initial = 0x0123_4567_89AB_CDEF
        ctx = AtomikContext(64, initial)
        ctx.accum_many(arr)
        expected = _replay_list(initial, events)
        if ctx.read() != expected:
            raise AssertionError("read() disagrees with replay: benchmark is measuring a bug")
        ours = measure(ctx.read, repeats=cfg.repeats)
        plain = measure(
            lambda ev=events, i0=initial: _replay_list(i0, ev),  # type: ignore[misc]
            repeats=cfg.repeats,
        )
        cmps.append(_cmp(f"n={n:,}", "AtomikContext.read()", ours, "replay list[int]", plain))
        es_m: dict[str, Any] | None = None
        if n <= cfg.es_max_n:
            app, agg = _es_build(events)
            got = app.repository.get(agg.id)
            if got.state != expected ^ initial:
                raise AssertionError("eventsourcing replay disagrees with the fold")
            es_m = measure(
                lambda app=app, i=agg.id: app.repository.get(i),  # type: ignore[misc]
                repeats=max(3, cfg.repeats - 2) if n >= 100_000 else cfg.repeats,
                min_sample_ns=0,
            )
            cmps.append(
                _cmp(f"n={n:,}", "AtomikContext.read()", ours, "eventsourcing POPO get()", es_m)
            )
            del app, agg
        else:
            cmps.append(
                _cmp(
                    f"n={n:,}",
                    "AtomikContext.read()",
                    ours,
                    "eventsourcing POPO get()",
                    None,
                    pending=None,
                    extra={
                        "status": f"not run: n > {cfg.es_max_n:,}",
                        "reason": f"this mode runs eventsourcing up to n={cfg.es_max_n:,}: it "
                        "builds and replays a few 10^4 events per second here, so larger n "
                        "would exceed the run's time budget",
                    },
                )
            )
        series["n"].append(n)
        series["read"].append(ours["median_ns"])
        series["list_replay"].append(plain["median_ns"])
        series["eventsourcing"].append(None if es_m is None else es_m["median_ns"])
    return {
        "id": "reconstruction",
        "title": "1. State reconstruction after n updates",
        "status": "measured",
        "comparisons": cmps,
        "series": series,
        "note": "read() is reference ^ accumulator whatever n; the list replay is the event "
        "log's best case (ints in a Python list, XOR fold); eventsourcing rebuilds the aggregate "
        "from its in-memory store (deserializing every event); this mode runs it up to "
        f"n={cfg.es_max_n:,} (it builds and replays only a few 10^4 events per second here, so "
        "larger n would exceed the run's time budget).",
    }


def row_storage(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 2: bytes kept after n updates — context vs event log as stored."""
    cmps: list[dict[str, Any]] = []
    series: dict[str, list[Any]] = {
        "n": [],
        "context": [],
        "log_binary": [],
        "log_json": [],
        "eventsourcing": [],
    }
    for n in cfg.recon_ns:
        arr = _random_u64(rng, n)
        ctx = AtomikContext(64)
        ctx.accum_many(arr)
        ctx_bytes = len(json.dumps(ctx.snapshot()).encode())
        ours = {"bytes": ctx_bytes, "raw_bytes": 16}
        binary = {"bytes": int(arr.nbytes)}
        js = {"bytes": len(json.dumps([{"delta": int(x)} for x in arr]).encode())}
        cmps.append(
            _cmp(
                f"n={n:,}",
                "context (JSON snapshot)",
                ours,
                "log: packed u64 array",
                binary,
                unit="bytes",
            )
        )
        cmps.append(
            _cmp(f"n={n:,}", "context (JSON snapshot)", ours, "log: JSON events", js, unit="bytes")
        )
        es_b: int | None = None
        if n <= cfg.es_max_n:
            app, agg = _es_build([int(x) for x in arr])
            es_b = _es_stored_bytes(app, agg.id)
            cmps.append(
                _cmp(
                    f"n={n:,}",
                    "context (JSON snapshot)",
                    ours,
                    "eventsourcing stored records",
                    {"bytes": es_b},
                    unit="bytes",
                )
            )
            del app, agg
        else:
            cmps.append(
                _cmp(
                    f"n={n:,}",
                    "context (JSON snapshot)",
                    ours,
                    "eventsourcing stored records",
                    None,
                    unit="bytes",
                    extra={"status": f"not run: n > {cfg.es_max_n:,}"},
                )
            )
        series["n"].append(n)
        series["context"].append(ctx_bytes)
        series["log_binary"].append(binary["bytes"])
        series["log_json"].append(js["bytes"])
        series["eventsourcing"].append(es_b)
    return {
        "id": "storage",
        "title": "2. Storage after n updates",
        "status": "measured",
        "comparisons": cmps,
        "series": series,
        "note": "The context stores reference and accumulator (16 raw bytes; the JSON snapshot "
        "adds width, state and delta_count). The packed array is the tightest possible log "
        "(8 bytes per delta, no metadata); eventsourcing stores id, version, topic and a JSON "
        "body with a timestamp per event.",
    }


def row_wire(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 3: bytes on the wire per update."""
    cmps: list[dict[str, Any]] = []
    from atomik_core.stream import DeltaMessage as CoreMessage

    # 64-bit register update.
    d = int(rng.integers(1, 2**64, dtype=np.uint64))
    msg = DeltaMessage(origin=3, epoch=0, seq=123_456, addr=17, width=64, delta=d)
    frame = encode(msg)
    if decode(frame) != msg:
        raise AssertionError("wire round trip failed")
    ours = {"bytes": len(frame)}
    js_event = json.dumps(
        {"type": "Updated", "origin": 3, "seq": 123_456, "addr": 17, "delta": d}
    ).encode()
    cmps.append(
        _cmp(
            "64-bit update", "v1 frame", ours, "JSON event", {"bytes": len(js_event)}, unit="bytes"
        )
    )
    batch = [
        DeltaMessage(3, 0, 123_456 + i, 17, 64, int(x)) for i, x in enumerate(_random_u64(rng, 100))
    ]
    per_batched = len(encode_batch(batch)) / len(batch)
    cmps.append(
        _cmp(
            "64-bit update",
            "v1 batch frame (100 msgs), per msg",
            {"bytes": per_batched},
            "JSON event",
            {"bytes": len(js_event)},
            unit="bytes",
        )
    )
    core_bytes = len(CoreMessage(addr=17, delta=d, seq=123_456).to_bytes())
    cmps.append(
        _cmp(
            "64-bit update",
            "v1 frame",
            ours,
            "atomik-core DeltaMessage.to_bytes",
            {"bytes": core_bytes},
            unit="bytes",
            extra={
                "note": "atomik-core's 16-byte frame (addr u32, delta u64, seq u32) "
                "carries no origin, epoch, width or checksum: a seq alone cannot deduplicate "
                "messages from several senders, and corruption goes undetected."
            },
        )
    )
    enc_t = measure(lambda: encode(msg), repeats=cfg.repeats)
    js_enc_t = measure(
        lambda: json.dumps(
            {"type": "Updated", "origin": 3, "seq": 123_456, "addr": 17, "delta": d}
        ),
        repeats=cfg.repeats,
    )
    cmps.append(_cmp("encode one update", "atomik.wire.encode", enc_t, "json.dumps", js_enc_t))
    dec_t = measure(lambda: decode(frame), repeats=cfg.repeats)
    js_dec_t = measure(lambda: json.loads(js_event), repeats=cfg.repeats)
    cmps.append(_cmp("decode one update", "atomik.wire.decode", dec_t, "json.loads", js_dec_t))

    # 4 KiB state, sparse multi-word delta.
    state_len = 4096
    nwords = state_len // 8
    for k in (1, 8, 64):
        words = np.zeros(nwords, dtype=np.uint64)
        idx = np.sort(rng.choice(nwords, size=k, replace=False))
        words[idx] = _random_u64(rng, k) | np.uint64(1)
        sparse = SparseDelta.from_dense(words.astype("<u8").tobytes())
        enc = sparse.encode()
        if SparseDelta.decode(enc).to_dense() != words.astype("<u8").tobytes():
            raise AssertionError("sparse round trip failed")
        ours_k = {"bytes": len(enc)}
        # the same information as JSON: the changed words by index (no header, like the payload)
        js_k = json.dumps({"changes": {str(int(i)): int(words[i]) for i in idx}}).encode()
        cmps.append(
            _cmp(
                f"4 KiB state, {k} word(s) changed",
                "SparseDelta payload",
                ours_k,
                "full state",
                {"bytes": state_len},
                unit="bytes",
            )
        )
        cmps.append(
            _cmp(
                f"4 KiB state, {k} word(s) changed",
                "SparseDelta payload",
                ours_k,
                "JSON event",
                {"bytes": len(js_k)},
                unit="bytes",
            )
        )
    dense = DeltaMessage(3, 0, 1, 0, state_len * 8, int.from_bytes(words.tobytes(), "little"))
    dense_frame = len(encode(dense))
    cmps.append(
        _cmp(
            "4 KiB state, dense delta",
            "v1 frame (width 32768)",
            {"bytes": dense_frame},
            "full state",
            {"bytes": state_len},
            unit="bytes",
        )
    )
    return {
        "id": "wire",
        "title": "3. Bytes on the wire per update",
        "status": "measured",
        "comparisons": cmps,
        "dense_4kib_frame_bytes": dense_frame,
        "note": "v1 single frame = 25-byte header (magic, version, kind, origin, epoch, seq, addr, "
        "width) + delta + CRC32C; the JSON event carries type, origin, seq, addr and delta. "
        "SparseDelta (8 + 12 bytes per changed 64-bit word) is the atomik.delta encoding of a "
        "wide delta; wire v1 has no sparse frame kind, so its figure is the payload alone "
        "(compared with the changed words as JSON); a dense v1 frame carries the whole 4 KiB "
        "delta plus 29 bytes of framing.",
    }


def row_undo(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 4: undo — ``rollback`` vs a compensating event plus replay."""
    cmps: list[dict[str, Any]] = []
    for n in cfg.undo_ns:
        arr = _random_u64(rng, n)
        events = [int(x) for x in arr]
        bad = int(arr[-1])
        ctx = AtomikContext(64)
        ctx.accum_many(arr)
        before = ctx.read()

        def undo_ctx(c: AtomikContext = ctx, b: int = bad) -> int:
            c.rollback(b)
            return c.read()

        ours = measure(undo_ctx, repeats=cfg.repeats)
        # the timed loop toggles the delta in and out; check one rollback on a fresh context
        c2 = AtomikContext(64)
        c2.accum_many(arr)
        c2.rollback(bad)
        if c2.read() != before ^ bad:
            raise AssertionError("rollback did not undo")

        def undo_log_setup(ev: list[int] = events, b: int = bad) -> Callable[[], int]:
            log = list(ev)

            def go() -> int:
                log.append(b)  # the compensating event
                return _replay_list(0, log)

            return go

        peer = measure(lambda: None, repeats=cfg.repeats, setup=undo_log_setup)
        cmps.append(
            _cmp(
                f"after n={n:,}",
                "rollback(d) + read()",
                ours,
                "append compensating event + replay list",
                peer,
            )
        )
        if n <= cfg.es_max_n and n <= 10_000:
            app, agg = _es_build(events)

            def es_setup(app: Any = app, i: Any = agg.id, b: int = bad) -> Callable[[], int]:
                def go() -> int:
                    a = app.repository.get(i)
                    a.update(b)
                    app.save(a)
                    return int(a.state)

                return go

            es_m = measure(lambda: None, repeats=cfg.repeats, setup=es_setup)
            cmps.append(
                _cmp(
                    f"after n={n:,}",
                    "rollback(d) + read()",
                    ours,
                    "eventsourcing: get + compensating event + save",
                    es_m,
                )
            )
            del app, agg
        else:
            cmps.append(
                _cmp(
                    f"after n={n:,}",
                    "rollback(d) + read()",
                    ours,
                    "eventsourcing: get + compensating event + save",
                    None,
                    extra={"status": f"not run: n > {min(cfg.es_max_n, 10_000):,}"},
                )
            )
    return {
        "id": "undo",
        "title": "4. Undo one update",
        "status": "measured",
        "comparisons": cmps,
        "note": "rollback(d) accumulates d again (XOR is self-inverse), O(1). The log appends a "
        "compensating event and must replay to know the new state. The log keeps the record "
        "that an undo happened; the context does not.",
    }
