"""Per-event operations and batch ingest, side by side with their peers (pytest-benchmark).

Run: ``.venv/bin/pytest tests/benchmarks --benchmark-enable --benchmark-only``. Each group pits one
atomik operation against the same call on the published SDK atomik-core (or json/struct for the
codec, the per-message loop for batch ingest); ``test_same_results`` first asserts both sides of
each group do the same work. No timing is asserted: the groups show regressions in the report.
"""

from __future__ import annotations

import dataclasses
import json
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from atomik import AtomikContext, AtomikTable
from atomik.replication.log import PersistentTable
from atomik.replication.replica import Replica
from atomik.wire import DeltaMessage, decode, decode_batch, encode, encode_batch

core = pytest.importorskip("atomik_core", reason="needs the bench extra (atomik-core)")

D = 0x0123_4567_89AB_CDEF
NC = 1024
MSG = DeltaMessage(7, 3, 123_456, 517, 64, D)
FRAME = encode(MSG)
FIELDS = {"origin": 7, "epoch": 3, "seq": 123_456, "addr": 517, "width": 64, "delta": D}
JS = json.dumps(FIELDS)
PACK = struct.Struct("<IIQIHQ")
PACKED = PACK.pack(7, 3, 123_456, 517, 64, D)
CORE_MSG = core.DeltaMessage(addr=517, delta=D, seq=123_456)
CORE_BYTES = CORE_MSG.to_bytes()
N_BATCH = 20_000
rng = np.random.default_rng(2026)
BATCH = [
    DeltaMessage(1 + i % 4, 0, i // 4, int(a), 64, int(d))
    for i, (a, d) in enumerate(
        zip(rng.integers(0, NC, N_BATCH), rng.integers(0, 2**63, N_BATCH), strict=True)
    )
]
BATCH_FRAME = encode_batch(BATCH)


def _ingest() -> Replica:
    r = Replica(0, NC)
    r.ingest(BATCH_FRAME)
    return r


def _receive_loop() -> Replica:
    r = Replica(0, NC)
    for m in decode_batch(BATCH_FRAME):
        r.receive(m)
    return r


def test_same_results() -> None:
    c, cc = AtomikContext(64), core.AtomikContext(64)
    for f in (c.accum, cc.accum, c.rollback, cc.rollback):
        f(D)
    assert c.read() == cc.read() == 0
    t, ct = AtomikTable(NC), core.AtomikTable(NC)
    t.accum(517, D)
    ct.accum(517, D)
    assert t.read(517) == ct.read(517) == D
    assert decode(FRAME) == MSG and json.loads(JS) == FIELDS and PACK.unpack(PACKED)[5] == D
    assert core.DeltaMessage.from_bytes(CORE_BYTES).delta == D
    a, b = _ingest(), _receive_loop()
    assert a.read_all() == b.read_all() and a.messages() == b.messages()
    r, seen = _receive_all(), _dict_dedup()
    assert r.read_all() == seen.read_all()


def test_built_messages_are_plain_frozen_messages() -> None:
    """The decoder and a replica's own writes build messages without running the constructor:
    each is still exactly a DeltaMessage, frozen, equal and hashed like a constructed one."""
    r = Replica(1, NC)
    built = [decode(FRAME), r.accum(517, D), r.put(3, 5), *decode_batch(encode_batch(BATCH[:3]))]
    same = [MSG, DeltaMessage(1, 0, 0, 517, 64, D), DeltaMessage(1, 0, 1, 3, 64, 5), *BATCH[:3]]
    for m, want in zip(built, same, strict=True):
        assert type(m) is DeltaMessage and m == want and hash(m) == hash(want)
        with pytest.raises(dataclasses.FrozenInstanceError):
            m.delta = 0  # type: ignore[misc]


class _DictDedup:
    """The plain-Python baseline of receive: a set of seen seqs per origin and a list XOR."""

    def __init__(self) -> None:
        self.seen: dict[int, set[int]] = {}
        self.table = [0] * NC

    def receive(self, m: DeltaMessage) -> bool:
        s = self.seen.get(m.origin)
        if s is None:
            s = self.seen[m.origin] = set()
        if m.seq in s:
            return False
        s.add(m.seq)
        self.table[m.addr] ^= m.delta
        return True

    def read_all(self) -> list[int]:
        return self.table


def _receive_all() -> Replica:
    r = Replica(0, NC)
    recv = r.receive
    for m in BATCH:
        recv(m)
    return r


def _dict_dedup() -> _DictDedup:
    d = _DictDedup()
    recv = d.receive
    for m in BATCH:
        recv(m)
    return d


def _pair(name: str, ours: Callable[[], object], peer: Callable[[], object]) -> list[object]:
    return [pytest.param(ours, id=f"{name}-atomik"), pytest.param(peer, id=f"{name}-peer")]


_C, _CC = AtomikContext(64), core.AtomikContext(64)
_T, _CT = AtomikTable(NC), core.AtomikTable(NC)
_R, _ST = Replica(1, NC), core.SyncTable(NC)
_PUT_VALUES = iter(range(1, 1 << 62))


@pytest.mark.benchmark(group="context accum (atomik-core)")
@pytest.mark.parametrize("fn", _pair("accum", lambda: _C.accum(D), lambda: _CC.accum(D)))
def test_context_accum(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="context read (atomik-core)")
@pytest.mark.parametrize("fn", _pair("read", _C.read, _CC.read))
def test_context_read(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="context load (atomik-core)")
@pytest.mark.parametrize("fn", _pair("load", lambda: _C.load(D), lambda: _CC.load(D)))
def test_context_load(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="context rollback (atomik-core)")
@pytest.mark.parametrize("fn", _pair("rollback", lambda: _C.rollback(D), lambda: _CC.rollback(D)))
def test_context_rollback(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="table accum (atomik-core)")
@pytest.mark.parametrize("fn", _pair("accum", lambda: _T.accum(517, D), lambda: _CT.accum(517, D)))
def test_table_accum(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="table read (atomik-core)")
@pytest.mark.parametrize("fn", _pair("read", lambda: _T.read(517), lambda: _CT.read(517)))
def test_table_read(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="table load (atomik-core)")
@pytest.mark.parametrize("fn", _pair("load", lambda: _T.load(517, D), lambda: _CT.load(517, D)))
def test_table_load(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="replica put (atomik-core SyncTable.put)")
@pytest.mark.parametrize(
    "fn",
    _pair("put", lambda: _R.put(517, next(_PUT_VALUES)), lambda: _ST.put(517, next(_PUT_VALUES))),
)
def test_replica_put(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="replica accum (atomik-core SyncTable.put)")
@pytest.mark.parametrize(
    "fn",
    _pair("accum", lambda: _R.accum(517, next(_PUT_VALUES)),
          lambda: _ST.put(517, next(_PUT_VALUES))),
)
def test_replica_accum(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group=f"replica receive {N_BATCH} new messages (dict-of-ids dedup)")
@pytest.mark.parametrize(
    "fn", [pytest.param(_receive_all, id="Replica.receive"),
           pytest.param(_dict_dedup, id="dict-dedup")]
)
def test_replica_receive(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.fixture
def persistent_pair() -> Iterator[tuple[Callable[[], object], Callable[[], object]]]:
    with tempfile.TemporaryDirectory() as tmp:
        pt = PersistentTable(Path(tmp) / "a.log", NC, 64, "close", replica_id=1)
        cp = core.PersistentSyncTable(NC, Path(tmp) / "b.wal")
        try:
            yield (lambda: pt.put(517, next(_PUT_VALUES)), lambda: cp.put(517, next(_PUT_VALUES)))
        finally:
            pt.close()
            cp.close()


@pytest.mark.benchmark(group="persistent put (atomik-core PersistentSyncTable.put)")
@pytest.mark.parametrize("side", ["atomik", "peer"])
def test_persistent_put(benchmark, persistent_pair, side) -> None:  # type: ignore[no-untyped-def]
    benchmark(persistent_pair[0 if side == "atomik" else 1])


@pytest.mark.benchmark(group="encode one message (atomik-core to_bytes, json, struct)")
@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda: encode(MSG), id="wire.encode"),
        pytest.param(CORE_MSG.to_bytes, id="atomik-core"),
        pytest.param(lambda: json.dumps(FIELDS), id="json.dumps"),
        pytest.param(lambda: PACK.pack(7, 3, 123_456, 517, 64, D), id="struct.pack"),
    ],
)
def test_encode(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group="decode one message (atomik-core from_bytes, json, struct)")
@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda: decode(FRAME), id="wire.decode"),
        pytest.param(lambda: core.DeltaMessage.from_bytes(CORE_BYTES), id="atomik-core"),
        pytest.param(lambda: json.loads(JS), id="json.loads"),
        pytest.param(lambda: PACK.unpack(PACKED), id="struct.unpack"),
    ],
)
def test_decode(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    benchmark(fn)


@pytest.mark.benchmark(group=f"receive a batch frame of {N_BATCH} messages")
@pytest.mark.parametrize(
    "fn", [pytest.param(_ingest, id="Replica.ingest"), pytest.param(_receive_loop, id="loop")]
)
def test_batch_ingest(benchmark, fn) -> None:  # type: ignore[no-untyped-def]
    _ingest()  # compile / load the kernel first
    benchmark(fn)
