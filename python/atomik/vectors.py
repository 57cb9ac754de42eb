"""Moved to :mod:`atomik.oracle.vectors`; this old import path names the same module."""

from __future__ import annotations

import sys

from atomik.oracle.vectors import *  # noqa: F403

if __name__ == "__main__":
    from atomik.oracle.vectors import main

    raise SystemExit(main())

sys.modules[__name__] = sys.modules["atomik.oracle.vectors"]
