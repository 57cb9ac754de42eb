"""atomik: delta-state algebra, a reference implementation linked to Lean theorems.

State is a bit vector, a change is a delta, applying a delta is XOR. Importing this package is
cheap: numba is imported and kernels compile on first use (and are cached on disk).

Submodules: ``delta``, ``context``, ``table``, ``fingerprint`` (the function
``atomik.fingerprint.fingerprint(buf)`` lives there, so that the name ``atomik.fingerprint`` stays
the module), ``wire``, ``replica``, ``eventlog``, ``kernels``, ``errors``.
"""

from __future__ import annotations

from atomik.context import AtomikContext, replay
from atomik.delta import (
    SparseDelta,
    apply_delta,
    apply_sparse,
    compose,
    compose_all,
    compute_delta,
    decode_sparse,
    encode_sparse,
)
from atomik.errors import (
    AddressError,
    AtomikError,
    AtomikTypeError,
    ConflictError,
    EpochError,
    FrameChecksumError,
    FrameError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
    PruneError,
    RangeError,
    ReferenceMismatchError,
    RejectedMessagesError,
    ReorderWindowError,
    ShapeError,
    SizeError,
    SnapshotError,
    WidthError,
)
from atomik.eventlog import Event, EventLog, LogSnapshot
from atomik.fingerprint import Fingerprint
from atomik.replication.replica import Replica, deliver_all_no_dedup
from atomik.table import AtomikTable
from atomik.wire import (
    DeltaMessage,
    decode,
    decode_any,
    decode_batch,
    encode,
    encode_batch,
    frame_size,
)

__version__ = "0.1.0"

__all__ = [
    "AddressError",
    "AtomikContext",
    "AtomikError",
    "AtomikTable",
    "AtomikTypeError",
    "ConflictError",
    "DeltaMessage",
    "EpochError",
    "Event",
    "EventLog",
    "Fingerprint",
    "FrameChecksumError",
    "FrameError",
    "FrameFieldError",
    "FrameLengthError",
    "FrameVersionError",
    "LogSnapshot",
    "PruneError",
    "RangeError",
    "ReferenceMismatchError",
    "RejectedMessagesError",
    "ReorderWindowError",
    "Replica",
    "ShapeError",
    "SizeError",
    "SnapshotError",
    "SparseDelta",
    "WidthError",
    "__version__",
    "apply_delta",
    "apply_sparse",
    "compose",
    "compose_all",
    "compute_delta",
    "decode",
    "decode_any",
    "decode_batch",
    "decode_sparse",
    "deliver_all_no_dedup",
    "encode",
    "encode_batch",
    "encode_sparse",
    "frame_size",
    "replay",
]
