"""The one exception hierarchy of atomik.

Every error raised for bad input is an :class:`AtomikError`. Errors about a *value* (a width out of
range, a delta too wide, an unknown address, a malformed frame) also subclass :class:`ValueError`;
errors about a *type* (a float where an int is expected, a ``float64`` array) also subclass
:class:`TypeError`, so both ``except AtomikError`` and the built-in idioms work. Each message says
what was expected and what came.
"""

from __future__ import annotations

__all__ = [
    "AddressError",
    "AtomikError",
    "AtomikTypeError",
    "EpochError",
    "FrameChecksumError",
    "FrameError",
    "FrameFieldError",
    "FrameLengthError",
    "FrameVersionError",
    "RangeError",
    "ReferenceMismatchError",
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
