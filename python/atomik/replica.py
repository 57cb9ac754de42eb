"""Moved to :mod:`atomik.replication.replica`; this old import path names the same module."""

from __future__ import annotations

import sys

from atomik.replication.replica import *  # noqa: F403

sys.modules[__name__] = sys.modules["atomik.replication.replica"]
