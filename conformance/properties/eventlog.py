"""Hand-written checks for ``Atomik.EventLog`` (snapshot positions inside the log)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik.conformance import strategies as S
from atomik.conformance.registry import checks
from atomik.errors import SnapshotError
from atomik.eventlog import EventLog


def _log_and_ctx(data: Any) -> tuple[int, EventLog, Any, int]:
    w = data.draw(S.widths(wide=True), label="w")
    log = EventLog(w)
    for e in data.draw(S.lists_of(S.events(w)), label="es"):
        log.append(e)
    c = data.draw(S.contexts(w), label="c")
    n = data.draw(st.integers(0, len(log)), label="n")
    return w, log, c, n


@checks("Atomik.EventLog.accumulator_snapshot", crosshair=False)
def snapshot_is_clean(data: Any) -> None:
    """snapshot_context gives a clean context; a position beyond the log is rejected."""
    _, log, c, n = _log_and_ctx(data)
    snap = log.snapshot_context(c, n)
    left, right = snap.accumulator, 0
    assert left == right, (left, right)
    try:
        log.snapshot_context(c, len(log) + 1)
    except SnapshotError:
        pass
    else:
        raise AssertionError("a snapshot position beyond the log was accepted")


@checks("Atomik.EventLog.read_replay_snapshot")
def truncate_then_replay(data: Any) -> None:
    """Replaying the truncated log from the snapshot reads what replaying the whole log reads;
    and after truncation the log's fold and deltas are those of the dropped prefix's rest."""
    _, log, c, n = _log_and_ctx(data)
    whole = log.replay(c).read()
    snap_ctx = log.snapshot_context(c, n)
    rest = log.deltas()[n:]
    fold_before = log.fold()
    log.truncate(log.snapshot(n))
    assert log.deltas() == rest, (log.deltas(), rest)
    assert log.fold() == fold_before, (log.fold(), fold_before)
    replayed = snap_ctx.copy()
    replayed.accum_many(log.deltas())
    left, right = replayed.read(), whole
    assert left == right, (left, right)
