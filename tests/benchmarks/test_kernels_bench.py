"""Side-by-side benchmarks (pytest-benchmark): each group pits an atomik kernel against its peer.

Run: ``.venv/bin/pytest tests/benchmarks --benchmark-enable --benchmark-only``. Each pair first
asserts both sides compute the same result, so a benchmark never compares different work.
"""

from __future__ import annotations

import numpy as np
import pytest

from atomik import AtomikContext, AtomikTable
from atomik.fingerprint import fingerprint
from atomik.kernels import xor_reduce

N_DELTAS = 100_000
TABLE = 4096
STATE_BYTES = 1 << 20

rng = np.random.default_rng(2026)
DELTAS = rng.integers(0, 2**64 - 1, N_DELTAS, dtype=np.uint64, endpoint=True)
DELTA_LIST = [int(d) for d in DELTAS]
ADDRS = rng.integers(0, TABLE, N_DELTAS, dtype=np.int64)
ADDR_LIST = [int(a) for a in ADDRS]
BUF = rng.integers(0, 256, STATE_BYTES, dtype=np.uint8).tobytes()


def _accum_many() -> int:
    c = AtomikContext(64)
    c.accum_many(DELTAS)
    return c.read()


def _accum_loop() -> int:
    c = AtomikContext(64)
    for d in DELTA_LIST:
        c.accum(d)
    return c.read()


def _accum_batch() -> AtomikTable:
    t = AtomikTable(TABLE, 64)
    t.accum_batch(ADDRS, DELTAS)
    return t


def _dict_loop() -> dict[int, int]:
    acc: dict[int, int] = {}
    for a, d in zip(ADDR_LIST, DELTA_LIST, strict=True):
        acc[a] = acc.get(a, 0) ^ d
    return acc


def _fp_python() -> int:
    acc = 0
    for i in range(0, len(BUF), 8):
        acc ^= int.from_bytes(BUF[i : i + 8], "little")
    return acc


def test_same_results() -> None:
    assert _accum_many() == _accum_loop()
    t, d = _accum_batch(), _dict_loop()
    assert all(t.read(a) == v for a, v in d.items())
    assert fingerprint(BUF) == _fp_python()
    assert int(xor_reduce(DELTAS)) == int(np.bitwise_xor.reduce(DELTAS))


@pytest.mark.benchmark(group="accum_many (1e5 deltas)")
def test_accum_many_kernel(benchmark) -> None:  # type: ignore[no-untyped-def]
    _accum_many()
    benchmark(_accum_many)


@pytest.mark.benchmark(group="accum_many (1e5 deltas)")
def test_accum_python_loop(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(_accum_loop)


@pytest.mark.benchmark(group="accum_batch (1e5 deltas, 4096 addresses)")
def test_accum_batch_kernel(benchmark) -> None:  # type: ignore[no-untyped-def]
    _accum_batch()
    benchmark(_accum_batch)


@pytest.mark.benchmark(group="accum_batch (1e5 deltas, 4096 addresses)")
def test_accum_batch_dict_loop(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(_dict_loop)


@pytest.mark.benchmark(group="fingerprint (1 MiB)")
def test_fingerprint_kernel(benchmark) -> None:  # type: ignore[no-untyped-def]
    fingerprint(BUF)
    benchmark(fingerprint, BUF)


@pytest.mark.benchmark(group="fingerprint (1 MiB)")
def test_fingerprint_python_loop(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(_fp_python)


@pytest.mark.benchmark(group="xor_reduce (1e5 words)")
def test_xor_reduce_kernel(benchmark) -> None:  # type: ignore[no-untyped-def]
    xor_reduce(DELTAS)
    benchmark(xor_reduce, DELTAS)


@pytest.mark.benchmark(group="xor_reduce (1e5 words)")
def test_xor_reduce_numpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(np.bitwise_xor.reduce, DELTAS)
