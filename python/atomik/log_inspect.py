"""Moved to :mod:`atomik.replication.log_inspect`; this old import path names the same module."""

from __future__ import annotations

import sys

from atomik.replication.log_inspect import *  # noqa: F403

if __name__ == "__main__":
    from atomik.replication.log_inspect import main

    raise SystemExit(main())

sys.modules[__name__] = sys.modules["atomik.replication.log_inspect"]
