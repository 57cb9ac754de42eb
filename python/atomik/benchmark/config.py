"""Sizes of a benchmark run and the constants every row and the report share."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

U64Array = npt.NDArray[np.uint64]
BENCH_DEPS = ("matplotlib", "eventsourcing", "pycrdt", "atomik_core")
DEFAULT_OUT = Path("reports/benchmark")
DEFAULT_QUICK_OUT = Path(tempfile.gettempdir()) / "atomik-benchmark-quick"

WHERE_THE_LOG_WINS = (
    "Where the event log wins: a context keeps only the current state, so it cannot answer "
    "'who changed what, when and why' (audit), rebuild the state at any past point (time "
    "travel), carry intent ('price corrected', not just the XOR of two numbers), or replay into "
    "a new projection. An event log does all of that; its cost is O(n) reconstruction and O(n) "
    "storage, which is what the rows below measure. atomik.EventLog keeps both: the events for "
    "audit, and the fold for O(1) reads. A CRDT (pycrdt) also wins where concurrent writes must "
    "keep a single winner or merge structured data: XOR keeps both deltas, it does not pick one."
)


# =============================================================================== configuration
@dataclass(frozen=True)
class BenchConfig:
    """Sizes of one benchmark run (``quick`` for CI, the default for the committed report)."""

    quick: bool
    recon_ns: tuple[int, ...]
    es_max_n: int
    undo_ns: tuple[int, ...]
    replicas: int
    replica_updates: int
    replica_contexts: int
    kernel_n: int
    fingerprint_bytes: int
    bandwidth_bytes: int
    repeats: int
    seed: int = 20261125

    @classmethod
    def make(cls, quick: bool, seed: int = 20261125) -> BenchConfig:
        """The quick (CI, seconds) or full (a few minutes) configuration."""
        if quick:
            return cls(
                quick=True,
                recon_ns=(100, 1_000, 10_000),
                es_max_n=1_000,
                undo_ns=(1_000, 10_000),
                replicas=3,
                replica_updates=300,
                replica_contexts=16,
                kernel_n=100_000,
                fingerprint_bytes=1 << 20,
                bandwidth_bytes=16 << 20,
                repeats=3,
                seed=seed,
            )
        return cls(
            quick=False,
            recon_ns=(100, 1_000, 10_000, 100_000, 1_000_000),
            es_max_n=100_000,
            undo_ns=(1_000, 10_000, 100_000),
            replicas=4,
            replica_updates=4_000,
            replica_contexts=64,
            kernel_n=1_000_000,
            fingerprint_bytes=8 << 20,
            bandwidth_bytes=128 << 20,
            repeats=5,
            seed=seed,
        )
