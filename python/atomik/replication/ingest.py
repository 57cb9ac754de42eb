"""The batch ingest path of :meth:`Replica.ingest <atomik.replication.replica.Replica.ingest>`.

:func:`ingest_into` is :meth:`~atomik.replication.replica.Replica.receive_all` in one compiled
pass: a batch frame (or a list of messages) read into numpy columns, validated as
:meth:`~atomik.replication.replica.Replica.check` does, sorted by ``(origin, seq)``, then
deduplicated, windowed and XORed into the table by the numba kernel ``kernels.ingest_runs``; the
replica's bookkeeping (watermarks, out-of-order sets, store, own seq) is updated from the kernel's
per-message status. It works on the replica's own state (it is that method's body, kept in its own
module for size). Lean: ``ReplicaImpl.State.receiveBatch``; the property ``ingest_is_receive_all``
holds it equal to receiving the messages one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from atomik._check import check_iterable, kernels
from atomik.errors import AtomikError, AtomikTypeError, ConflictError, RejectedMessagesError
from atomik.wire import DeltaMessage, _new_message, decode_batch, decode_batch_columns

if TYPE_CHECKING:
    from atomik.replication.replica import Replica

__all__ = ["ingest_into"]

U64_MAX = (1 << 64) - 1


def _column_message(cols: Any, i: int) -> DeltaMessage:
    """Message ``i`` of decoded batch columns, as a :class:`~atomik.wire.DeltaMessage`."""
    width, origin, epoch, seq, addr, delta = cols
    return _new_message(
        int(origin[i]), int(epoch[i]), int(seq[i]), int(addr[i]), width, int(delta[i])
    )


def ingest_into(
    rep: Replica,
    batch: bytes | bytearray | memoryview | Iterable[DeltaMessage],
    rejected: list[tuple[object, AtomikError]] | None,
) -> int:
    """Receive ``batch`` into ``rep`` as :meth:`Replica.ingest
    <atomik.replication.replica.Replica.ingest>` documents; return how many were applied."""
    msgs: list[Any] | None = None
    cols: tuple[Any, ...] | None = None
    if isinstance(batch, bytes | bytearray | memoryview):
        cols = decode_batch_columns(batch)
        if cols is None:
            msgs = decode_batch(batch)  # raises the frame's error; mixed widths decode here
    else:
        check_iterable(batch, "msgs")
        msgs = list(batch)
    if rep._sink is not None:
        if msgs is None:
            msgs = decode_batch(batch)  # type: ignore[arg-type]
        return rep.receive_all(msgs, rejected=rejected)
    t = rep._table
    bad: list[tuple[object, AtomikError]] = []
    if msgs is not None:
        good: list[DeltaMessage] = []
        for m in msgs:
            if type(m) is DeltaMessage or isinstance(m, DeltaMessage):
                good.append(m)
            else:
                bad.append((m, AtomikTypeError(f"expected a DeltaMessage, got {type(m).__name__}")))
        n = len(good)
        width = t._width
        origin = np.fromiter((m.origin for m in good), np.uint64, n)
        seq = np.fromiter((m.seq for m in good), np.uint64, n)
        epoch = np.fromiter((m.epoch for m in good), np.uint64, n)
        addr = np.fromiter((min(m.addr, t._n) for m in good), np.uint64, n)
        wmatch = np.fromiter((m.width == width for m in good), np.bool_, n)
        delta = np.fromiter((m.delta if m.width == width else 0 for m in good), np.uint64, n)
        objs: list[Any] | None = good
    else:
        assert cols is not None
        width, origin, epoch, seq, addr, delta = cols
        n = len(seq)
        wmatch = np.full(n, width == t._width)
        objs = None
    order = np.lexsort((seq, origin))  # stable: of two messages with one id, the first first
    valid = wmatch & (addr < t._n) & (epoch == rep._epoch)
    vo = order[valid[order]]  # the valid ones, in (origin, seq) order
    s_origin, s_seq = origin[vo], seq[vo]
    if len(vo):
        starts = np.flatnonzero(np.diff(s_origin)) + 1
        run_start = np.concatenate(([0], starts, [len(vo)])).astype(np.int64)
    else:
        run_start = np.zeros(1, dtype=np.int64)
    run_origin = [int(o) for o in s_origin[run_start[:-1]]]
    nruns = len(run_origin)
    run_nxt = np.zeros(nruns, dtype=np.uint64)
    full = np.zeros(nruns, dtype=np.uint8)
    ahead_l: list[int] = []
    ahead_start = np.zeros(nruns + 1, dtype=np.int64)
    old_water: list[int] = []
    for r, o in enumerate(run_origin):
        w = rep._water.get(o, -1)
        old_water.append(w)
        if w == U64_MAX:
            full[r] = 1
        else:
            run_nxt[r] = w + 1
        ahead_l += sorted(rep._ahead.get(o, ()))
        ahead_start[r + 1] = len(ahead_l)
    status = np.zeros(len(vo), dtype=np.int8)
    if len(vo):
        kernels().ingest_runs(
            s_seq,
            addr[vo].astype(np.int64),
            delta[vo],
            run_start,
            run_nxt,
            np.array(ahead_l, dtype=np.uint64),
            ahead_start,
            np.uint64(rep._max_pending),
            t._acc,
            status,
            full,
        )
    # the bookkeeping of each origin: watermark, out-of-order set, own seq
    new_water: list[int] = []
    for r, o in enumerate(run_origin):
        w = U64_MAX if full[r] else int(run_nxt[r]) - 1
        new_water.append(w)
        if w > old_water[r]:
            rep._water[o] = w
        lo, hi = int(run_start[r]), int(run_start[r + 1])
        st_r = status[lo:hi]
        out_of_order = s_seq[lo:hi][st_r == 3].tolist()
        ahead = {a for a in rep._ahead.get(o, ()) if a > w}
        ahead.update(out_of_order)
        if ahead:
            rep._ahead[o] = ahead
        else:
            rep._ahead.pop(o, None)
        if o == rep._id:
            applied_seqs = s_seq[lo:hi][(st_r == 0) | (st_r == 3)]
            if applied_seqs.size and int(applied_seqs.max()) >= rep._next_seq:
                rep._next_seq = int(applied_seqs.max()) + 1
    applied_mask = (status == 0) | (status == 3)
    applied = int(np.count_nonzero(applied_mask))
    ai = vo[applied_mask]
    if applied:
        if objs is not None:
            store = rep._store_d
            for i in ai.tolist():
                m = objs[i]
                st = store.get(m.origin)
                if st is None:
                    store[m.origin] = {m.seq: m}
                else:
                    st[m.seq] = m
        else:
            rep._cols.append((rep._epoch, width, origin[ai], seq[ai], addr[ai], delta[ai]))
    # the rejected ones, in (origin, seq) order as receive_all tries them
    refused = np.zeros(n, dtype=np.bool_)
    refused[vo[status == 2]] = True
    conflict: dict[int, ConflictError] = {}
    dup = vo[status == 1]
    if dup.size:  # a duplicate must equal the stored message of its id (if still stored)
        store = rep._store
        for i in dup.tolist():
            o, s = int(origin[i]), int(seq[i])
            first = store.get(o, {}).get(s)
            if first is not None and (first.addr != int(addr[i]) or first.delta != int(delta[i])):
                m = objs[i] if objs is not None else _column_message(cols, i)
                conflict[i] = ConflictError(first, m)
                refused[i] = True
    run_of = np.zeros(n, dtype=np.int64)
    for r in range(nruns):
        run_of[vo[run_start[r] : run_start[r + 1]]] = r
    for i in order[(~valid[order]) | refused[order]].tolist():
        m = objs[i] if objs is not None else _column_message(cols, i)
        if i in conflict:
            bad.append((m, conflict[i]))
            continue
        if refused[i]:
            bad.append((m, rep._window_error(m, new_water[int(run_of[i])])))
            continue
        try:
            rep.check(m)
        except AtomikError as e:
            bad.append((m, e))
            continue
        raise AssertionError(f"ingest rejected a message check() accepts: {m!r}")
    if bad:
        if rejected is None:
            raise RejectedMessagesError(applied, bad)
        rejected.extend(bad)
    return applied
