"""atomik: delta-state algebra, a reference implementation linked to Lean theorems.

State is a bit vector, a change is a delta, applying a delta is XOR. Importing this package is
cheap: numba kernels compile lazily on first call (and are cached on disk).
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
    EpochError,
    FrameChecksumError,
    FrameError,
    FrameFieldError,
    FrameLengthError,
    FrameVersionError,
    RangeError,
    ReferenceMismatchError,
    ShapeError,
    SnapshotError,
    WidthError,
)

__version__ = "0.1.0"

__all__ = [
    "AddressError",
    "AtomikContext",
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
    "SnapshotError",
    "SparseDelta",
    "WidthError",
    "__version__",
    "apply_delta",
    "apply_sparse",
    "compose",
    "compose_all",
    "compute_delta",
    "decode_sparse",
    "encode_sparse",
    "replay",
]
