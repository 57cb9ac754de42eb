"""Batch ingest (``Replica.ingest``: numpy columns and one numba pass) against the per-message
receive loop it replaces (``Replica.receive_all``): same replica, same count, same rejections."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from atomik.conformance import strategies as S
from atomik.conformance.properties.replica import (
    ST,
    _fork,
    _impl_replica,
    _packet,
    _state,
    _writers,
)
from atomik.conformance.registry import checks
from atomik.replication.replica import DeltaMessage, RejectedMessagesError, Replica
from atomik.wire import decode_batch_columns, encode_batch


def _key(rejected: list[Any]) -> list[tuple[Any, ...]]:
    return [(m, type(e), str(e)) for m, e in rejected]


def _batch(data: Any, r: Replica, w: int) -> list[Any]:
    """Real writers' messages (contiguous seqs), messages around the watermarks (inside, at the
    edge of and past the window, near 2^64; some of another width -- 65 and 128 among them --,
    address or epoch), copies of any of them, forks (an id of the batch or of the replica with
    another address or delta), in any order."""
    size = r.table.num_contexts
    batch: list[Any] = _writers(data, w, size, r.epoch, "good")
    around = data.draw(st.lists(_packet(r, w), max_size=6), label="around")
    batch += around
    if around:  # copies of messages past a gap: out of order, so only the batch knows them
        batch += data.draw(st.lists(st.sampled_from(around), max_size=2), label="around copies")
    for wide in data.draw(st.lists(st.sampled_from((65, 128)), max_size=1), label="wide"):
        batch.append(DeltaMessage(1, r.epoch, 0, 0, wide, data.draw(S.bitvecs(wide))))
    if batch:
        batch += data.draw(st.lists(st.sampled_from(batch), max_size=4), label="copies")
    # forks (one id, another address or delta) of the batch's and of the replica's messages
    pool = [m for m in batch + r.messages() if m.width == w and m.addr < size]
    for k in range(data.draw(st.integers(0, 3), label="forks") if pool else 0):
        batch.append(_fork(data, data.draw(st.sampled_from(pool), label=f"of {k}"), size,
                           f"fork {k}"))
    return list(data.draw(st.permutations(batch), label="order"))


@checks(ST + "receiveBatch_perm")
def ingest_is_receive_all(data: Any) -> None:
    """``ingest`` of a batch (as messages, or as one v1 batch frame) leaves the replica exactly
    as receiving the messages one by one with ``receive_all`` (the model's ``receiveBatch``):
    same tables, watermarks, out-of-order sets, own seq and stored messages, same applied count,
    the same rejected messages with the same errors in the same order (windows 1..4 and 4096,
    duplicates, conflicting forks, invalid messages, replica widths 1..64 and messages of widths
    65 and 128)."""
    w = data.draw(st.one_of(st.sampled_from((1, 64)), S.widths()), label="w")
    r = _impl_replica(data, w, "r")
    batch = _batch(data, r, w)
    junk = data.draw(st.lists(st.sampled_from((None, 3, "msg")), max_size=1), label="junk")
    as_frame = not junk and data.draw(st.booleans(), label="as frame")
    given = encode_batch(batch) if as_frame else batch + junk
    if as_frame and batch and decode_batch_columns(given) is None:
        assert len({m.width for m in batch}) > 1 or batch[0].width > 64  # only then no columns
    a, b = copy.deepcopy(r), copy.deepcopy(r)
    if data.draw(st.booleans(), label="collect rejections"):
        ra: list[Any] = []
        rb: list[Any] = []
        na = a.receive_all(batch + junk, rejected=ra)
        nb = b.ingest(given, rejected=rb)
        assert na == nb, (na, nb)
        assert _key(ra) == _key(rb), (ra, rb)
    else:  # without a list, both raise after receiving the rest, naming the same messages
        ea = eb = None
        try:
            a.receive_all(batch + junk)
        except RejectedMessagesError as e:
            ea = e
        try:
            b.ingest(given)
        except RejectedMessagesError as e:
            eb = e
        assert (ea is None) == (eb is None), (ea, eb)
        if ea is not None and eb is not None:
            assert ea.applied == eb.applied and _key(ea.rejected) == _key(eb.rejected)
    assert _state(a) == _state(b), (batch, _state(a), _state(b))
