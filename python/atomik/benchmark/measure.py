"""Shared measurement helpers: timing (warm-ups, medians), one comparison line, machine info."""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import atomik


# =============================================================================== timing
def _time_once(fn: Callable[[], object], number: int) -> int:
    t0 = time.perf_counter_ns()
    for _ in range(number):
        fn()
    return time.perf_counter_ns() - t0


def measure(
    fn: Callable[[], object],
    *,
    repeats: int,
    warmup: int = 1,
    min_sample_ns: int = 2_000_000,
    setup: Callable[[], Callable[[], object]] | None = None,
) -> dict[str, Any]:
    """Median nanoseconds per call of ``fn`` over ``repeats`` samples.

    Fast calls are looped ``number`` times per sample (calibrated so a sample lasts at least
    ``min_sample_ns``). With ``setup``, each sample calls ``setup()`` (untimed) to build a fresh
    callable that is timed once: for operations that consume their input.
    """
    gc.collect()
    if setup is not None:
        for _ in range(warmup):
            setup()()
        samples = []
        for _ in range(repeats):
            f = setup()
            gc.disable()
            try:
                samples.append(_time_once(f, 1))
            finally:
                gc.enable()
        number = 1
    else:
        for _ in range(warmup):
            fn()
        number = 1
        while True:
            t = _time_once(fn, number)
            if t >= min_sample_ns or number >= 1 << 24:
                break
            number *= max(2, min(100, int(min_sample_ns / max(t, 1)) + 1))
        samples = []
        for _ in range(repeats):
            gc.disable()
            try:
                samples.append(_time_once(fn, number))
            finally:
                gc.enable()
    per_call = [s / number for s in samples]
    return {
        "median_ns": float(statistics.median(per_call)),
        "min_ns": float(min(per_call)),
        "max_ns": float(max(per_call)),
        "repeats": repeats,
        "calls_per_sample": number,
    }


def interleaved(
    ours: Callable[[], object],
    peer: Callable[[], object],
    *,
    rounds: int,
    round_ns: int = 100_000,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Nanoseconds per call of ``ours`` and ``peer``, timed in alternating short rounds.

    Both sides get the same ``calls_per_round`` (calibrated so the slower side's round lasts at
    least ``round_ns``); the rounds alternate ``ours, peer`` / ``peer, ours`` with the garbage
    collector off, so a burst of other work on a shared machine hits both sides alike. Other work
    only ever adds time, so each side's quietest round (``min_ns``) is the figure to compare;
    ``median_ns`` and ``max_ns`` over the rounds are kept to show the spread.
    """
    gc.collect()
    ours()
    peer()
    number = 1
    while True:
        t = max(_time_once(ours, number), _time_once(peer, number))
        if t >= round_ns or number >= 1 << 20:
            break
        number *= max(2, min(100, int(round_ns / max(t, 1)) + 1))
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(rounds):
        order = ((0, ours), (1, peer)) if i % 2 == 0 else ((1, peer), (0, ours))
        gc.disable()
        try:
            for side, fn in order:
                times[side].append(_time_once(fn, number) / number)
        finally:
            gc.enable()

    def stats(per_call: list[float]) -> dict[str, Any]:
        return {
            "min_ns": float(min(per_call)),
            "median_ns": float(statistics.median(per_call)),
            "max_ns": float(max(per_call)),
            "rounds": rounds,
            "calls_per_round": number,
        }

    return stats(times[0]), stats(times[1])


def interleaved_fresh(
    make_ours: Callable[[], Sequence[Callable[[], object]]],
    make_peer: Callable[[], Sequence[Callable[[], object]]],
    n: int,
    *,
    rounds: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`interleaved` for operations that change their receiver (receive).

    Each round builds both sides fresh (untimed): ``make_*()`` returns the pass over the ``n``
    items as consecutive chunks (closures over one fresh receiver), called in order and each timed
    on its own; the two sides alternate their order from round to round, the garbage collector
    off. A chunk is short (well under a scheduler time slice), so each chunk's quietest round is
    one other work did not hit: ``min_ns`` is the sum over the chunks of their quietest rounds,
    per item; ``median_ns``/``max_ns`` are those of whole rounds, per item.
    """
    for warm in (make_ours(), make_peer()):
        for chunk in warm:
            chunk()
    totals: tuple[list[float], list[float]] = ([], [])
    best: tuple[list[float], list[float]] = ([], [])
    for i in range(rounds):
        sides = (make_ours(), make_peer())
        gc.collect()
        order = (0, 1) if i % 2 == 0 else (1, 0)
        gc.disable()
        try:
            for side in order:
                chunk_ns = [_time_once(chunk, 1) for chunk in sides[side]]
                totals[side].append(sum(chunk_ns) / n)
                b = best[side]
                if not b:
                    b.extend(float(t) for t in chunk_ns)
                else:
                    b[:] = [min(x, t) for x, t in zip(b, chunk_ns, strict=True)]
        finally:
            gc.enable()

    def stats(side: int) -> dict[str, Any]:
        return {
            "min_ns": sum(best[side]) / n,
            "median_ns": float(statistics.median(totals[side])),
            "max_ns": float(max(totals[side])),
            "rounds": rounds,
            "chunks": len(best[side]),
            "n": n,
        }

    return stats(0), stats(1)


def _cmp(
    case: str,
    ours_name: str,
    ours: dict[str, Any],
    peer_name: str,
    peer: dict[str, Any] | None,
    *,
    unit: str = "ns",
    pending: str | None = None,
    extra: dict[str, Any] | None = None,
    stat: str = "median_ns",
) -> dict[str, Any]:
    """One comparison line: ours vs peer, ratio = peer / ours (for ``unit`` = ns or bytes).

    For ``unit="ns"`` the ratio compares ``stat`` of both sides (the median by default; the
    quietest round, ``"min_ns"``, for :func:`interleaved` timings); a non-default one is recorded
    in the line as ``"stat"``.
    """
    key = stat if unit == "ns" else "bytes"
    out: dict[str, Any] = {
        "case": case,
        "unit": unit,
        "ours": {"name": ours_name, **ours},
        "peer": {"name": peer_name, **(peer or {})},
        "ratio": None,
        "status": "measured",
    }
    if pending is not None:
        out["status"] = f"pending: {pending}"
    elif peer is not None and ours[key] > 0:
        out["ratio"] = peer[key] / ours[key]
    if unit == "ns" and stat != "median_ns":
        out["stat"] = stat
    if extra:
        out.update(extra)
    return out


# =============================================================================== machine info
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "processor\t: ")) and ":" in line:
                name = line.split(":", 1)[1].strip()
                if name and not name.isdigit():
                    return name
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS and library versions of this machine."""
    import numba

    return {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_total_bytes": _mem_total_bytes(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "atomik": atomik.__version__,
        "atomik_core": _version("atomik-core"),
        "eventsourcing": _version("eventsourcing"),
        "pycrdt": _version("pycrdt"),
        "matplotlib": _version("matplotlib"),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _first_call_ns(fn: Callable[[], object]) -> int:
    t0 = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - t0


def _loop_ns(make: Callable[[], Callable[[], object]], n: int, repeats: int) -> dict[str, Any]:
    """Median ns per item of a callable that processes ``n`` items, built fresh by ``make()``
    (untimed) for each sample: for operations that change their receiver (receive, ingest)."""
    r = measure(lambda: None, repeats=repeats, setup=make)
    return {**{k: v / n for k, v in r.items() if k.endswith("_ns")}, "repeats": repeats, "n": n}


def _best_loop(make: Callable[[], Callable[[], object]], n: int, repeats: int) -> dict[str, Any]:
    """The quietest of three :func:`_loop_ns` rounds (a shared machine's bursts of other work)."""
    return min((_loop_ns(make, n, repeats) for _ in range(3)), key=lambda m: m["median_ns"])
