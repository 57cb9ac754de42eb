"""The one exception hierarchy of atomik.

Every error raised for bad input is an :class:`AtomikError`. Errors about a *value* (a width out of
range, a delta too wide, an unknown address, a malformed frame) also subclass :class:`ValueError`;
errors about a *type* (a float where an int is expected, a ``float64`` array) also subclass
:class:`TypeError`, so both ``except AtomikError`` and the built-in idioms work. Each message says
what was expected and what came.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atomik.wire import DeltaMessage

__all__ = [
    "AddressError",
    "AtomikError",
    "AtomikTypeError",
    "ConflictError",
    "EpochError",
    "FrameChecksumError",
    "FrameError",
    "FrameFieldError",
    "FrameLengthError",
    "FrameVersionError",
    "PruneError",
    "RangeError",
    "ReferenceMismatchError",
    "RejectedMessagesError",
    "ReorderWindowError",
    "ShapeError",
    "SizeError",
    "SnapshotError",
    "WidthError",
]


class AtomikError(Exception):
    """Base class of every error atomik raises for bad input."""


class AtomikTypeError(AtomikError, TypeError):
    """A value of the wrong type: e.g. a ``bool``, ``float`` or ``str`` where an int is expected,
    or a numpy array of the wrong dtype."""


class WidthError(AtomikError, ValueError):
    """A bit width that is not an int ``>= 1``, or two operands of different widths."""


class RangeError(AtomikError, ValueError):
    """A value that does not fit its width: expected ``0 <= value < 2**width``."""


class AddressError(AtomikError, IndexError):
    """An address outside ``0 <= addr < num_contexts``. Also an :class:`IndexError`."""


class SizeError(RangeError):
    """A size beyond a documented limit: e.g. more than ``atomik.table.MAX_CONTEXTS`` contexts,
    or a context wider than ``atomik.context.MAX_CONTEXT_WIDTH`` bits (refused before anything
    is allocated). Also a :class:`RangeError`."""


class ShapeError(AtomikError, ValueError):
    """Arrays or buffers whose shapes or lengths do not match what the operation needs."""


class ReferenceMismatchError(AtomikError, ValueError):
    """Merging two contexts that do not share a reference (the merge law needs a shared one)."""


class SnapshotError(AtomikError, ValueError):
    """A snapshot that is missing fields or is inconsistent with itself."""


class EpochError(AtomikError, ValueError):
    """A message from an epoch the receiver does not accept (e.g. older than its current one)."""


class FrameError(AtomikError, ValueError):
    """A wire frame (or sparse-delta encoding) that cannot be decoded. Never a partial result."""


class FrameLengthError(FrameError):
    """A frame shorter or longer than its header says, or than the format allows."""


class FrameVersionError(FrameError):
    """A frame whose magic/version byte is not one this decoder knows."""


class FrameChecksumError(FrameError):
    """A frame whose CRC32C does not match its contents."""


class FrameFieldError(FrameError):
    """A frame with a field out of range (width 0, a delta too wide for its width, ...)."""


# replication (raised by atomik.replication.replica.Replica)
class ReorderWindowError(AtomikError, ValueError):
    """A message too far ahead of its origin's watermark for the bounded out-of-order set.

    Nothing was applied or recorded; deliver the missing earlier messages first (an anti-entropy
    round does), then deliver this one again.
    """


class ConflictError(AtomikError, ValueError):
    """A message whose ``(origin, seq)`` was already applied here with another address or delta.

    Two writers share one id (e.g. two nodes with the same ``replica_id``): applying the second
    would fork the replicas for good, dropping it silently would hide the fork. Nothing was applied
    or stored. ``first`` is the stored message of that id, ``second`` the refused one.
    """

    def __init__(self, first: DeltaMessage, second: DeltaMessage) -> None:
        """Name the id and both contents."""
        super().__init__(
            f"message {second.id} (origin {second.origin}, seq {second.seq}) conflicts with the "
            f"applied message of that id: addr {first.addr} delta {first.delta:#x} applied, addr "
            f"{second.addr} delta {second.delta:#x} refused (two writers with one replica_id?); "
            "nothing changed"
        )
        self.first = first
        self.second = second


class RejectedMessagesError(AtomikError, ValueError):
    """Some messages of a batch were rejected; every other one was still received.

    ``applied`` is how many messages were applied, ``rejected`` the ``(message, error)`` pairs in
    the order they were tried. A rejected message changed nothing.
    """

    def __init__(self, applied: int, rejected: list[tuple[object, AtomikError]]) -> None:
        """Record what was applied and what was rejected."""
        kinds = sorted({type(e).__name__ for _, e in rejected})
        super().__init__(
            f"{len(rejected)} message(s) rejected ({', '.join(kinds)}), {applied} applied; "
            f"first: {rejected[0][1]}"
        )
        self.applied = applied
        self.rejected = rejected


class PruneError(AtomikError, ValueError):
    """``prune`` was given no peer digest (that would forget every stored message)."""
