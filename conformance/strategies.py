"""Hypothesis strategies shared by the automatic translator and the hand-written properties.

One place decides how a Lean type is sampled:

* ``BitVec w`` → ints in ``[0, 2**w)`` (Hypothesis already favours 0, 1 and the top values);
* ``Nat`` → small naturals ``0..NAT_MAX`` (also valid addresses: tables have ``TABLE_SIZE``
  addresses, so every drawn ``Nat`` is an address of every drawn table);
* ``List α`` → lists of up to ``LIST_MAX`` elements;
* structures (``Context w``, ``Table w``, ``Message w``, ``Replica w``, ``Event w``) → built from
  their fields through the public Python API, so every drawn value is one the API can reach.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik import AtomikContext, AtomikTable
from atomik.eventlog import Event, EventLog
from atomik.replication.replica import ConflictError, DeltaMessage, Replica

__all__ = [
    "LIST_MAX",
    "NAT_MAX",
    "REPLICA_ID",
    "TABLE_SIZE",
    "WIDTHS",
    "bitvecs",
    "bools",
    "contexts",
    "eventlogs",
    "events",
    "lists_of",
    "messages",
    "nats",
    "pairs",
    "replicas",
    "sized_tables",
    "tables",
    "widths",
]

WIDTHS: tuple[int, ...] = (1, 7, 8, 16, 32, 63, 64)
# Wider than one word, around every multiple of 64 and one large width.
WIDE_WIDTHS: tuple[int, ...] = (65, 127, 128, 129, 200, 1000)
TABLE_SIZE = 8
NAT_MAX = TABLE_SIZE - 1
LIST_MAX = 12
REPLICA_ID = 99  # the id of drawn replicas: never the origin of a drawn message


def widths(wide: bool = False) -> st.SearchStrategy[int]:
    """A width from ``WIDTHS`` (plus ``WIDE_WIDTHS`` when ``wide``)."""
    return st.sampled_from((*WIDTHS, *WIDE_WIDTHS) if wide else WIDTHS)


def bitvecs(width: int) -> st.SearchStrategy[int]:
    """``BitVec width``: an int in ``[0, 2**width)``.

    Wider than 64 bits, half the draws are built word by word, so every 64-bit word (not only the
    low ones Hypothesis favours for big ranges) carries edge values such as 0, 1 and all ones.
    """
    top = (1 << width) - 1
    whole = st.integers(min_value=0, max_value=top)
    if width <= 64:
        return whole
    k = (width + 63) // 64
    words = st.lists(st.integers(0, (1 << 64) - 1), min_size=k, max_size=k).map(
        lambda ws: sum(w << (64 * i) for i, w in enumerate(ws)) & top
    )
    return st.one_of(whole, words)


def nats() -> st.SearchStrategy[int]:
    """A small ``Nat`` (``0..NAT_MAX``), valid as a table address."""
    return st.integers(min_value=0, max_value=NAT_MAX)


def bools() -> st.SearchStrategy[bool]:
    """``Bool``."""
    return st.booleans()


def lists_of(
    elements: st.SearchStrategy[Any], max_size: int = LIST_MAX
) -> st.SearchStrategy[list[Any]]:
    """``List α``: empty one time in ten, otherwise 1..``max_size`` elements (a plain
    ``st.lists`` is empty far more often, which starves every law about a batch)."""
    non_empty = st.lists(elements, min_size=1, max_size=max(1, max_size))
    return st.integers(0, 9).flatmap(lambda k: st.just([]) if k == 0 else non_empty)


def pairs(
    a: st.SearchStrategy[Any], b: st.SearchStrategy[Any]
) -> st.SearchStrategy[tuple[Any, Any]]:
    """``α × β``."""
    return st.tuples(a, b)


def _deltas_or_zero(width: int) -> st.SearchStrategy[int]:
    # A third of the time zero, so that clean contexts (a premise of some laws) are common.
    return st.one_of(st.just(0), bitvecs(width), bitvecs(width))


@st.composite
def _context(draw: st.DrawFn, width: int) -> AtomikContext:
    ref = draw(bitvecs(width))
    acc = draw(_deltas_or_zero(width))
    c = AtomikContext(width=width, initial_state=ref)
    if acc:
        c.accum(acc)
    return c


def contexts(width: int) -> st.SearchStrategy[AtomikContext]:
    """``Context width``: any reference, any accumulator (zero a third of the time)."""
    return _context(width)


@st.composite
def _table(draw: st.DrawFn, width: int) -> AtomikTable:
    t = AtomikTable(TABLE_SIZE, width)
    for a in range(TABLE_SIZE):
        if draw(st.booleans()):
            t.load(a, draw(bitvecs(width)))
            acc = draw(_deltas_or_zero(width))
            if acc:
                t.accum(a, acc)
    return t


def tables(width: int) -> st.SearchStrategy[AtomikTable]:
    """``Table width``: ``TABLE_SIZE`` addresses, each zero or loaded and accumulated."""
    return _table(width)


TABLE_SIZES: tuple[int, ...] = (1, 2, 9, 64, 65, 130)


@st.composite
def _sized_table(draw: st.DrawFn, width: int) -> AtomikTable:
    n = draw(st.sampled_from(TABLE_SIZES), label="num_contexts")
    t = AtomikTable(n, width)
    edge = st.sampled_from((0, n - 1, n // 2))
    for a in draw(st.lists(edge | st.integers(0, n - 1), max_size=12), label="touched"):
        if draw(st.booleans()):
            t.load(a, draw(bitvecs(width)))
        if draw(st.booleans()):
            t.accum(a, draw(bitvecs(width)))
    return t


def sized_tables(width: int) -> st.SearchStrategy[AtomikTable]:
    """A table of ``TABLE_SIZES`` addresses (1 up to 130, so more than one word of 64 and the
    first and last address), a few of them loaded and accumulated (the same one often twice)."""
    return _sized_table(width)


def messages(width: int) -> st.SearchStrategy[DeltaMessage]:
    """``Message width``: origin 0..2, seq 0..3 (so identifiers collide often), epoch 0."""
    return st.builds(
        DeltaMessage,
        origin=st.integers(0, 2),
        epoch=st.just(0),
        seq=st.integers(0, 3),
        addr=nats(),
        width=st.just(width),
        delta=bitvecs(width),
    )


@st.composite
def well_formed_messages(
    draw: st.DrawFn, width: int, max_size: int = LIST_MAX
) -> list[DeltaMessage]:
    """A list of messages in which one identifier always names one message (Lean's
    ``Replica.WellFormed``), possibly with exact duplicates."""
    ms = draw(st.lists(messages(width), max_size=max_size, unique_by=lambda m: m.id))
    if ms:
        dups = draw(st.lists(st.sampled_from(ms), max_size=4))
        ms = ms + dups
    return draw(st.permutations(ms))


@st.composite
def _replica(draw: st.DrawFn, width: int) -> Replica:
    r = Replica.from_table(REPLICA_ID, draw(tables(width)))
    for m in draw(st.lists(messages(width), max_size=4)):
        try:
            r.receive(m)
        except ConflictError:  # a seen id with another content: refused, nothing changed
            pass
    return r


def replicas(width: int) -> st.SearchStrategy[Replica]:
    """``Replica width``: a drawn table that has already received a few drawn messages."""
    return _replica(width)


def events(width: int) -> st.SearchStrategy[Event]:
    """An event at a table address (``0..NAT_MAX``) carrying a ``width``-bit delta."""
    return st.builds(Event, addr=nats(), delta=bitvecs(width))


@st.composite
def _eventlog(draw: st.DrawFn, width: int) -> EventLog:
    log = EventLog(width)
    for e in draw(lists_of(events(width)), label="log events"):
        log.append(e)
    if len(log) and draw(st.booleans(), label="truncated"):
        log.truncate(log.snapshot(draw(st.integers(1, len(log)), label="truncated at")))
        for e in draw(st.lists(events(width), max_size=4), label="events after truncation"):
            log.append(e)
    return log


def eventlogs(width: int) -> st.SearchStrategy[EventLog]:
    """``EventLog width``: events at several addresses, truncated part-way half the time (so
    the base of truncated events is non-empty), then more events appended."""
    return _eventlog(width)
