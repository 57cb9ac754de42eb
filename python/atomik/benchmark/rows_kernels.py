"""Row 6: the raw numba kernels against atomik-core and numpy, and the numba warm-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from atomik import kernels
from atomik.benchmark.config import BenchConfig, U64Array
from atomik.benchmark.measure import _cmp, _first_call_ns, measure
from atomik.benchmark.peers import _random_u64
from atomik.context import AtomikContext
from atomik.fingerprint import fingerprint
from atomik.table import AtomikTable


def row_kernels(cfg: BenchConfig, rng: np.random.Generator) -> dict[str, Any]:
    """Row 6: raw kernels vs atomik-core and numpy, and xor_reduce vs memory bandwidth."""
    import atomik_core
    from atomik_core import _accelerator as core_accel

    n = cfg.kernel_n
    arr = _random_u64(rng, n)
    lst = [int(x) for x in arr]
    expect = int(np.bitwise_xor.reduce(arr))
    cmps: list[dict[str, Any]] = []

    # accum_many
    def ours_accum() -> int:
        c = AtomikContext(64)
        c.accum_many(arr)
        return c.read()

    def core_accum() -> int:
        c = atomik_core.AtomikContext(64)
        for d in lst:
            c.accum(d)
        return int(c.read())

    if ours_accum() != expect or core_accum() != expect:
        raise AssertionError("accum_many disagrees with numpy")
    o = measure(ours_accum, repeats=cfg.repeats)
    core_m = measure(core_accum, repeats=cfg.repeats, min_sample_ns=0)
    np_m = measure(lambda: np.bitwise_xor.reduce(arr), repeats=cfg.repeats)
    case = f"accum {n:,} deltas into one context"
    cmps.append(_cmp(case, "AtomikContext.accum_many", o, "atomik-core accum loop", core_m))
    cmps.append(_cmp(case, "AtomikContext.accum_many", o, "numpy bitwise_xor.reduce", np_m))

    # accum_batch
    nc = 256
    addrs = rng.integers(0, nc, size=n, dtype=np.int64)
    addr_l = [int(a) for a in addrs]

    def ours_batch() -> AtomikTable:
        t = AtomikTable(nc)
        t.accum_batch(addrs, arr)
        return t

    def core_batch() -> Any:
        t = atomik_core.AtomikTable(nc)
        for a, d in zip(addr_l, lst, strict=True):
            t.accum(a, d)
        return t

    def np_batch() -> U64Array:
        acc = np.zeros(nc, dtype=np.uint64)
        np.bitwise_xor.at(acc, addrs, arr)
        return acc

    ref = np_batch()
    got = ours_batch().read_all()
    ct = core_batch()
    if not np.array_equal(got, ref) or any(int(ref[a]) != ct.read(a) for a in range(nc)):
        raise AssertionError("accum_batch disagrees with numpy")
    o = measure(ours_batch, repeats=cfg.repeats)
    core_m = measure(core_batch, repeats=cfg.repeats, min_sample_ns=0)
    np_m = measure(np_batch, repeats=cfg.repeats)
    case = f"accum_batch {n:,} (addr, delta) into {nc} contexts"
    cmps.append(_cmp(case, "AtomikTable.accum_batch", o, "atomik-core accum loop", core_m))
    cmps.append(_cmp(case, "AtomikTable.accum_batch", o, "numpy bitwise_xor.at", np_m))

    # fingerprint
    buf = _random_u64(rng, cfg.fingerprint_bytes // 8).astype("<u8").tobytes()
    fp_np = int(np.bitwise_xor.reduce(np.frombuffer(buf, dtype="<u8")))
    core_fp = atomik_core.Fingerprint()
    if fingerprint(buf) != fp_np or core_fp.load(buf) != fp_np:
        raise AssertionError("fingerprints disagree")
    o = measure(lambda: fingerprint(buf), repeats=cfg.repeats)
    core_m = measure(lambda: atomik_core.Fingerprint().load(buf), repeats=cfg.repeats)
    np_m = measure(
        lambda: np.bitwise_xor.reduce(np.frombuffer(buf, dtype="<u8")), repeats=cfg.repeats
    )
    case = f"fingerprint of {cfg.fingerprint_bytes >> 20} MiB"
    accel = bool(core_accel.is_available())
    cmps.append(
        _cmp(
            case,
            "atomik.fingerprint",
            o,
            "atomik-core Fingerprint.load",
            core_m,
            extra={"atomik_core_c_accelerator": accel},
        )
    )
    cmps.append(_cmp(case, "atomik.fingerprint", o, "numpy bitwise_xor.reduce", np_m))

    # xor_reduce vs memory bandwidth
    nb = cfg.bandwidth_bytes
    big = _random_u64(rng, nb // 8)
    dst = np.empty_like(big)
    xr = measure(lambda: kernels.xor_reduce(big), repeats=cfg.repeats, min_sample_ns=0)
    cp = measure(lambda: np.copyto(dst, big), repeats=cfg.repeats, min_sample_ns=0)
    xr_gbs = nb / xr["median_ns"]
    cp_gbs = nb / cp["median_ns"]
    bandwidth = {
        "bytes": nb,
        "xor_reduce_GBps": xr_gbs,
        "numpy_copy_GBps": cp_gbs,
        "xor_reduce_over_copy": xr_gbs / cp_gbs,
        "copy_traffic_GBps": 2 * cp_gbs,
        "xor_reduce_over_copy_traffic": xr_gbs / (2 * cp_gbs),
        "xor_reduce": xr,
        "numpy_copy": cp,
    }
    cmps.append(
        _cmp(
            f"stream {nb >> 20} MiB", "kernels.xor_reduce", xr, "numpy copy (memory bandwidth)", cp
        )
    )
    return {
        "id": "kernels",
        "title": "6. Raw kernels",
        "status": "measured",
        "comparisons": cmps,
        "bandwidth": bandwidth,
        "note": "atomik-core has no batch API that does the same work (its batch_accum takes a "
        "dict, one delta per address), so its peer is a Python loop of accum calls. "
        f"atomik-core's C accelerator available: {accel} (without it, its fingerprint is a "
        "Python loop). Memory bandwidth = bytes per second of a numpy copy of the same buffer; a "
        "copy reads and writes each byte while xor_reduce only reads, so the ratio against the "
        "copy's bytes can exceed 1; against the copy's read+write traffic it is "
        f"{xr_gbs / (2 * cp_gbs):.2f} (1 = at the memory limit).",
    }


def numba_warmup() -> dict[str, Any]:
    """Call every numba kernel once (compile, or load from the on-disk cache); time each."""
    a = np.arange(1, 9, dtype=np.uint64)
    out: dict[str, Any] = {}
    calls: dict[str, Callable[[], object]] = {
        "xor_reduce": lambda: kernels.xor_reduce(a),
        "xor_reduce_rows": lambda: kernels.xor_reduce_rows(a.reshape(4, 2)),
        "scatter_xor": lambda: kernels.scatter_xor(
            np.zeros(4, np.uint64), np.arange(4, dtype=np.int64), a[:4]
        ),
        "scatter_set": lambda: kernels.scatter_set(
            np.zeros(4, np.uint64), np.arange(4, dtype=np.int64), a[:4]
        ),
        "fingerprint_words": lambda: kernels.fingerprint_words(a),
        "replay_words": lambda: kernels.replay_words(np.uint64(0), a, np.zeros(8, np.uint64)),
        "ingest_runs": lambda: kernels.ingest_runs(
            a[:2],
            np.zeros(2, np.int64),
            a[:2],
            np.array([0, 2]),
            np.zeros(1, np.uint64),
            np.zeros(0, np.uint64),
            np.zeros(2, np.int64),
            np.uint64(4),
            np.zeros(1, np.uint64),
            np.zeros(2, np.int8),
            np.zeros(1, np.uint8),
        ),
    }
    for name, call in calls.items():
        k = getattr(kernels, name)
        ns = _first_call_ns(call)
        stats = getattr(k, "stats", None)
        out[name] = {
            "first_call_ns": ns,
            "cache_hits": int(sum(stats.cache_hits.values())) if stats else None,
            "cache_misses": int(sum(stats.cache_misses.values())) if stats else None,
        }
    return out
