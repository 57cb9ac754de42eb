"""The peers the rows race against: an eventsourcing aggregate, a replayed list, random words."""

from __future__ import annotations

from typing import Any

import numpy as np

from atomik.benchmark.config import U64Array

# =============================================================================== eventsourcing peer
try:  # the bench extra; checked with a clear message by check_bench_deps()
    from eventsourcing.application import Application as _ESApplication
    from eventsourcing.domain import Aggregate as _ESAggregate
    from eventsourcing.domain import event as _es_event
except ImportError:  # pragma: no cover - reported by check_bench_deps
    _ESAggregate = None  # type: ignore[misc,assignment]

if _ESAggregate is not None:

    class Register(_ESAggregate):
        """A 64-bit register changed by ``Updated(delta)`` events (``state ^= delta``)."""

        def __init__(self) -> None:
            self.state = 0

        @_es_event("Updated")
        def update(self, delta: int) -> None:
            """Record an ``Updated`` event and apply it: ``state ^= delta``."""
            self.state ^= delta


def _es_build(deltas: list[int]) -> tuple[Any, Any]:
    """A fresh in-memory (POPO) application holding one aggregate with ``len(deltas)`` events."""
    app: Any = _ESApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    agg = Register()
    for d in deltas:
        agg.update(d)
    app.save(agg)
    return app, agg


def _es_stored_bytes(app: Any, agg_id: Any) -> int:
    """Bytes of every stored record: originator id (16), version (8), topic and state."""
    total = 0
    for se in app.recorder.select_events(agg_id):
        total += 16 + 8 + len(se.topic.encode()) + len(se.state)
    return total


# =============================================================================== rows
def _replay_list(initial: int, events: list[int]) -> int:
    s = initial
    for d in events:
        s ^= d
    return s


def _random_u64(rng: np.random.Generator, n: int) -> U64Array:
    return rng.integers(0, 2**64, size=n, dtype=np.uint64)
