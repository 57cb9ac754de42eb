"""The port-facing oracle: the JSON-lines server other ports are compared against, and the vectors.

:mod:`~atomik.oracle.server` answers the protocol of ``spec/oracle.md`` from the real atomik code
(``python -m atomik.oracle``); :mod:`~atomik.oracle.vectors` generates and checks the committed
conformance vectors of ``spec/vectors/`` and their Lean statements (``python -m
atomik.oracle.vectors``; ``python -m atomik.vectors`` still works).
"""

from __future__ import annotations

from atomik.oracle.server import (
    ERROR_CODES,
    MAX_NAMES,
    MAX_TABLE,
    MAX_WIDTH,
    PROTOCOL_VERSION,
    PURE_KERNELS,
    ProtocolError,
    Session,
    dump_line,
    from_word,
    main,
    serve,
    to_word,
)

__all__ = [
    "ERROR_CODES",
    "MAX_NAMES",
    "MAX_TABLE",
    "MAX_WIDTH",
    "PROTOCOL_VERSION",
    "PURE_KERNELS",
    "ProtocolError",
    "Session",
    "dump_line",
    "from_word",
    "main",
    "serve",
    "to_word",
]
