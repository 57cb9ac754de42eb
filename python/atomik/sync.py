"""Moved to :mod:`atomik.replication.sync`; this old import path names the same module."""

from __future__ import annotations

import sys

from atomik.replication.sync import *  # noqa: F403

if __name__ == "__main__":
    from atomik.replication.sync import main

    raise SystemExit(main())

sys.modules[__name__] = sys.modules["atomik.replication.sync"]
