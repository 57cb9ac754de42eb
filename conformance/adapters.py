"""Copy / call / return glue between the functional Lean model and the mutating Python API.

Lean's ``Context.accum c d`` returns a new context; Python's ``ctx.accum(d)`` mutates ``ctx``. Each
adapter here copies its input, calls the real public method, and returns the copy (or converts a
Lean value into the argument shape the API takes: a Lean list of deltas becomes the numpy array
that ``accum_many`` and ``compose_all`` hand to their numba kernels). No adapter computes an
algebraic result itself: the only expressions of their own are Lean core definitions
(``BitVec.allOnes``, ``List.replicate``).

``PURE`` mode (environment variable ``ATOMIK_CONFORMANCE_PURE=1``, set by the CrossHair engine
together with ``NUMBA_DISABLE_JIT=1``) keeps sequences as Python lists, so CrossHair sees only
plain Python and symbolic ints are never handed to numpy: where the API would hand an array to a
numba kernel, the adapter calls that kernel's pure twin on the list instead (the twins are written
to run on lists of ints), so CrossHair reasons about the twin's own code.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import numpy as np

from atomik import delta as _delta
from atomik import fingerprint as _fp
from atomik.conformance.strategies import REPLICA_ID, TABLE_SIZE
from atomik.context import AtomikContext
from atomik.replication.replica import (
    ConflictError,
    DeltaMessage,
    RejectedMessagesError,
    Replica,
    deliver_all_no_dedup,
)
from atomik.table import AtomikTable

PURE = os.environ.get("ATOMIK_CONFORMANCE_PURE") == "1"


def _words(ds: list[int], width: int) -> Any:
    """A Lean list of deltas as the numpy shape the kernels take (1-D, or 2-D words if wide)."""
    if width <= 64:
        return np.array(ds, dtype=np.uint64)
    k = (width + 63) // 64
    mask = (1 << 64) - 1
    rows = [[(d >> (64 * j)) & mask for j in range(k)] for d in ds]
    return np.array(rows, dtype=np.uint64).reshape(len(ds), k)


# --------------------------------------------------------------------------- Lean core


def bitvec_all_ones(w: int) -> int:
    """Lean core ``BitVec.allOnes w``."""
    return (1 << w) - 1


def list_replicate(n: int, x: Any) -> list[Any]:
    """Lean core ``List.replicate n x``."""
    return [x] * n


# --------------------------------------------------------------------------- Delta


def _twin(kernel: Any) -> Any:
    return getattr(kernel, "py_func", kernel)


def compose_all(ds: list[int], *, width: int) -> int:
    """``Delta.composeAll`` → ``atomik.delta.compose_all`` on a uint64 array (numba kernel
    ``xor_reduce``); in ``PURE`` mode, the twin of ``xor_reduce`` on the list (width <= 64)."""
    if PURE:
        if width <= 64:
            from atomik import kernels

            return int(_twin(kernels.xor_reduce)(list(ds)))
        return _delta.compose_all(list(ds), width=width)
    return _delta.compose_all(_words(ds, width), width=width)


# --------------------------------------------------------------------------- Context


def context_load(c: AtomikContext, v: int) -> AtomikContext:
    """``Context.load`` → copy, ``load``, return."""
    out = c.copy()
    out.load(v)
    return out


def context_accum(c: AtomikContext, d: int) -> AtomikContext:
    """``Context.accum`` → copy, ``accum``, return."""
    out = c.copy()
    out.accum(d)
    return out


def context_read(c: AtomikContext) -> int:
    """``Context.read`` → ``read()``."""
    return c.read()


def context_swap(c: AtomikContext) -> AtomikContext:
    """``Context.swap`` → copy, ``swap()``, return the copy."""
    out = c.copy()
    out.swap()
    return out


def context_swap_to(c: AtomikContext, v: int) -> AtomikContext:
    """``Context.swapTo c v`` → copy, ``swap(new_reference=v)``, return the copy."""
    out = c.copy()
    out.swap(v)
    return out


def context_rollback(c: AtomikContext, d: int) -> AtomikContext:
    """``Context.rollback`` → copy, ``rollback``, return."""
    out = c.copy()
    out.rollback(d)
    return out


def context_merge(c1: AtomikContext, c2: AtomikContext) -> AtomikContext:
    """``Context.merge`` → copy, ``merge(other, allow_different_reference=True)``, return."""
    out = c1.copy()
    out.merge(c2, allow_different_reference=True)
    return out


def context_accum_all(c: AtomikContext, ds: list[int]) -> AtomikContext:
    """``Context.accumAll`` → copy, ``accum_many`` on a uint64 array (numba kernel), return."""
    out = c.copy()
    out.accum_many(list(ds) if PURE else _words(ds, c.width))
    return out


def context_is_clean(c: AtomikContext) -> bool:
    """``Context.isClean`` → ``is_clean``."""
    return c.is_clean


def context_reference(c: AtomikContext) -> int:
    """Field ``Context.reference`` → ``reference``."""
    return c.reference


def context_accumulator(c: AtomikContext) -> int:
    """Field ``Context.accumulator`` → ``accumulator``."""
    return c.accumulator


# --------------------------------------------------------------------------- Table


def table_empty(w: int) -> AtomikTable:
    """``Table.empty w`` → ``AtomikTable(TABLE_SIZE, w)``."""
    return AtomikTable(TABLE_SIZE, w)


def table_load(t: AtomikTable, a: int, v: int) -> AtomikTable:
    """``Table.load`` → copy, ``load``, return."""
    out = t.copy()
    out.load(a, v)
    return out


def table_accum(t: AtomikTable, a: int, d: int) -> AtomikTable:
    """``Table.accum`` → copy, ``accum``, return."""
    out = t.copy()
    out.accum(a, d)
    return out


def table_read(t: AtomikTable, a: int) -> int:
    """``Table.read`` → ``read``."""
    return t.read(a)


def table_swap(t: AtomikTable, a: int) -> AtomikTable:
    """``Table.swap`` → copy, ``swap``, return the copy."""
    out = t.copy()
    out.swap(a)
    return out


def table_swap_to(t: AtomikTable, a: int, v: int) -> AtomikTable:
    """``Table.swapTo t a v`` → copy, ``swap(a, new_reference=v)``, return the copy."""
    out = t.copy()
    out.swap(a, v)
    return out


def table_rollback(t: AtomikTable, a: int, d: int) -> AtomikTable:
    """``Table.rollback`` → copy, ``rollback``, return."""
    out = t.copy()
    out.rollback(a, d)
    return out


def table_accum_seq(t: AtomikTable, ops: list[tuple[int, int]]) -> AtomikTable:
    """``Table.accumSeq`` → copy, ``accum`` for each pair in order, return."""
    out = t.copy()
    for a, d in ops:
        out.accum(a, d)
    return out


def table_accum_batch(t: AtomikTable, ops: list[tuple[int, int]]) -> AtomikTable:
    """``Table.accumBatch`` → copy, ``accum_batch(addrs, deltas)`` (numba scatter-XOR), return."""
    out = t.copy()
    out.accum_batch(
        np.array([a for a, _ in ops], dtype=np.int64),
        np.array([d for _, d in ops], dtype=np.uint64),
    )
    return out


def table_read_batch(t: AtomikTable, addrs: list[int]) -> list[int]:
    """``Table.readBatch`` → ``read_batch`` (a uint64 array) as a list of ints."""
    return [int(x) for x in t.read_batch(np.array(addrs, dtype=np.int64))]


def table_load_batch(t: AtomikTable, ops: list[tuple[int, int]]) -> AtomikTable:
    """``Table.loadBatch`` → copy, ``load_batch(addrs, values)`` (numba scatter-set), return."""
    out = t.copy()
    out.load_batch(
        np.array([a for a, _ in ops], dtype=np.int64),
        np.array([v for _, v in ops], dtype=np.uint64),
    )
    return out


def table_get(t: AtomikTable, a: int) -> AtomikContext:
    """Field ``Table.get`` → ``context(a)`` (a copy of the context at ``a``)."""
    return t.context(a)


def table_deliver(t: AtomikTable, m: DeltaMessage) -> AtomikTable:
    """``Table.deliver`` → copy, ``deliver_all_no_dedup(copy, [m])``, return."""
    out = t.copy()
    deliver_all_no_dedup(out, [m])
    return out


def table_deliver_all(t: AtomikTable, ms: list[DeltaMessage]) -> AtomikTable:
    """``Table.deliverAll`` → copy, ``deliver_all_no_dedup``, return."""
    out = t.copy()
    deliver_all_no_dedup(out, ms)
    return out


# --------------------------------------------------------------------------- Replica


def message_id(m: DeltaMessage) -> tuple[int, int]:
    """``Message.id`` → ``msg.id``."""
    return m.id


def message_addr(m: DeltaMessage) -> int:
    """Field ``Message.addr``."""
    return m.addr


def message_delta(m: DeltaMessage) -> int:
    """Field ``Message.delta``."""
    return m.delta


def replica_init(t: AtomikTable) -> Replica:
    """``Replica.init t`` → ``Replica.from_table(REPLICA_ID, t)``."""
    return Replica.from_table(REPLICA_ID, t)


def replica_receive(r: Replica, m: DeltaMessage) -> Replica:
    """``Replica.receive`` → deep copy, ``receive``, return. The abstract replica ignores the
    content of a seen id; the real one raises ``ConflictError`` for another content and changes
    nothing (``ReplicaImpl.State.step_of_conflict``): the same replica."""
    out = copy.deepcopy(r)
    try:
        out.receive(m)
    except ConflictError:
        pass
    return out


def replica_receive_all(r: Replica, ms: list[DeltaMessage]) -> Replica:
    """``Replica.receiveAll`` → deep copy, ``receive_all``, return (a conflict changed nothing, as
    in :func:`replica_receive`; any other rejection raises)."""
    out = copy.deepcopy(r)
    rej: list[Any] = []
    n = out.receive_all(ms, rejected=rej)
    other = [(m, e) for m, e in rej if not isinstance(e, ConflictError)]
    if other:
        raise RejectedMessagesError(n, other)
    return out


def replica_table(r: Replica) -> AtomikTable:
    """Field ``Replica.table`` → ``replica.table`` (a copy)."""
    return r.table


def replica_eq(a: Any, b: Any) -> Any:
    """Lean equality of replicas (same table, same set of applied identifiers): Python keeps the
    applied identifiers as per-origin watermarks plus out-of-order sets, compared here."""
    if not (isinstance(a, Replica) and isinstance(b, Replica)):
        return NotImplemented
    return a.table == b.table and a.watermarks() == b.watermarks() and a.pending() == b.pending()


# --------------------------------------------------------------------------- Fingerprint


def fingerprint_of_chunks(cs: list[int], *, width: int) -> int:
    """``Fingerprint.ofChunks``: at width 64, ``fingerprint`` of the chunks laid out as a buffer
    of little-endian words (numba kernel ``fingerprint_words``); otherwise
    ``fingerprint_of_chunks(cs, width=)``. In ``PURE`` mode at width 64, the twin of
    ``fingerprint_words`` on the list."""
    if width == 64 and PURE:
        from atomik import kernels

        return int(_twin(kernels.fingerprint_words)(list(cs)))
    if width == 64:
        return _fp.fingerprint(b"".join(int(c).to_bytes(8, "little") for c in cs))
    return _fp.fingerprint_of_chunks(list(cs), width=width)
