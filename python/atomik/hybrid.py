"""Moved to :mod:`atomik.replication.hybrid`; this old import path names the same module."""

from __future__ import annotations

import sys

from atomik.replication.hybrid import *  # noqa: F403

sys.modules[__name__] = sys.modules["atomik.replication.hybrid"]
