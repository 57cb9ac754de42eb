"""Replica.ingest (one numba pass over a batch) against Replica.receive_all (one by one)."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest

from atomik.errors import AtomikError, FrameChecksumError, FrameFieldError
from atomik.replication.replica import (
    DeltaMessage,
    RejectedMessagesError,
    ReorderWindowError,
    Replica,
)
from atomik.wire import decode_batch_columns, encode_batch

U64 = (1 << 64) - 1


def _state(r: Replica) -> tuple[object, ...]:
    return (r.read_all(), r.watermarks(), r.pending(), r.next_seq, r.messages())


def _key(rej: list[tuple[object, AtomikError]]) -> list[tuple[object, ...]]:
    return [(m, type(e), str(e)) for m, e in rej]


@pytest.mark.parametrize("seed", range(4))
def test_ingest_equals_receive_all_on_random_batches(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        w = rng.choice([1, 8, 63, 64])
        r = Replica(rng.randint(0, 3), 6, w, epoch=rng.choice([0, 1]),
                    max_pending=rng.choice([1, 2, 3, 4, 4096]))
        if rng.random() < 0.3:
            r._water[1] = rng.choice([U64, U64 - 3, 5])
        if rng.random() < 0.5:
            r.accum(1, 1)
        msgs: list[DeltaMessage] = []
        for _ in range(rng.randint(0, 12)):
            o = rng.randint(0, 3)
            base = r.watermarks().get(o, -1) + 1
            s = rng.choice([min(rng.randint(max(0, base - 2), base + 6), U64), U64, U64 - 1])
            ww = w if rng.random() < 0.9 else rng.choice([1, 8, 64, 65, 128])
            a = rng.randint(0, 5) if rng.random() < 0.9 else 6
            e = r.epoch if rng.random() < 0.9 else 7
            msgs.append(DeltaMessage(o, e, s, a, ww, rng.randint(0, (1 << ww) - 1)))
        if msgs:
            msgs += rng.choices(msgs, k=3)
        rng.shuffle(msgs)
        a_, b_, c_ = copy.deepcopy(r), copy.deepcopy(r), copy.deepcopy(r)
        ra: list[tuple[object, AtomikError]] = []
        rb: list[tuple[object, AtomikError]] = []
        rc: list[tuple[object, AtomikError]] = []
        na = a_.receive_all(msgs, rejected=ra)
        assert b_.ingest(msgs, rejected=rb) == na
        assert c_.ingest(encode_batch(msgs), rejected=rc) == na
        assert _state(a_) == _state(b_) == _state(c_)
        assert _key(ra) == _key(rb) == _key(rc)


def test_ingest_of_a_frame_uses_columns_and_stores_messages_lazily() -> None:
    src = Replica(1, 16, 64)
    msgs = [src.accum(i % 16, i * 0x9E3779B97F4A7C15 % (1 << 64)) for i in range(100)]
    frame = encode_batch(msgs)
    assert decode_batch_columns(frame) is not None
    r = Replica(0, 16, 64)
    assert r.ingest(frame) == 100
    assert r._cols and not r._store_d  # nothing materialised yet
    assert r.read_all() == src.read_all()
    assert r.messages() == msgs  # materialised on demand, equal to the originals
    assert r.ingest(frame) == 0  # every one a duplicate now


def test_ingest_window_refusal_and_bad_messages_reported() -> None:
    r = Replica(0, 4, 8, max_pending=2)
    batch = [DeltaMessage(1, 0, 0, 0, 8, 1), DeltaMessage(1, 0, 5, 1, 8, 2),
             DeltaMessage(1, 0, 1, 4, 8, 3), DeltaMessage(2, 3, 0, 0, 8, 4), "junk"]
    with pytest.raises(RejectedMessagesError) as info:
        r.ingest(batch)  # type: ignore[arg-type]
    assert info.value.applied == 1
    kinds = [type(e).__name__ for _, e in info.value.rejected]
    assert kinds == ["AtomikTypeError", "AddressError", "ReorderWindowError", "EpochError"]
    assert r.read_all() == [1, 0, 0, 0]
    assert isinstance(info.value.rejected[2][1], ReorderWindowError)


def test_ingest_rejects_bad_frames_before_any_change() -> None:
    r = Replica(0, 4, 8)
    frame = bytearray(encode_batch([DeltaMessage(1, 0, 0, 0, 8, 1)]))
    frame[-1] ^= 1
    with pytest.raises(FrameChecksumError):
        r.ingest(bytes(frame))
    with pytest.raises(AtomikError):
        r.ingest(None)  # type: ignore[arg-type]
    assert r.read_all() == [0, 0, 0, 0] and not r.messages()
    assert issubclass(FrameChecksumError, AtomikError) and FrameFieldError


def test_ingest_kernel_pure_twin_matches_compiled() -> None:
    from atomik import kernels

    seq = np.array([0, 1, 1, 3, 3, 9], dtype=np.uint64)
    addr = np.array([0, 1, 1, 2, 2, 3], dtype=np.int64)
    delta = np.array([1, 2, 2, 4, 4, 8], dtype=np.uint64)
    outs = []
    for fn in (kernels.ingest_runs, kernels.ingest_runs.py_func):
        acc = np.zeros(4, dtype=np.uint64)
        status = np.zeros(6, dtype=np.int8)
        nxt = np.zeros(1, dtype=np.uint64)
        full = np.zeros(1, dtype=np.uint8)
        fn(seq, addr, delta, np.array([0, 6]), nxt, np.zeros(0, np.uint64),
           np.zeros(2, np.int64), np.uint64(4), acc, status, full)
        outs.append((acc.tolist(), status.tolist(), int(nxt[0]), int(full[0])))
    assert outs[0] == outs[1] == ([1, 2, 4, 0], [0, 0, 1, 3, 1, 2], 2, 0)
