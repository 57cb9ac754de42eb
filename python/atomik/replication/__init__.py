"""Replication: replicas that deduplicate, their durable log, transports and anti-entropy.

:mod:`~atomik.replication.replica` (``Replica``; its batch pass in
:mod:`~atomik.replication.ingest`, its ``Digest`` in :mod:`~atomik.replication.digest`) is the
part the Lean module ``Atomik.ReplicaImpl`` models; :mod:`~atomik.replication.lww` holds
last-writer-wins registers for values; :mod:`~atomik.replication.log` makes a replica durable
(``PersistentTable``), :mod:`~atomik.replication.transport` carries frames (in process, Redis
Streams, Redis Cluster), :mod:`~atomik.replication.sync` runs anti-entropy and the fault soak, and
:mod:`~atomik.replication.hybrid` keeps an event store beside a table. The old import paths
(``atomik.replica``, ``atomik.log``, ...) still work.
"""

from __future__ import annotations

from atomik.replication.replica import Digest, LWWRegisters, Replica, deliver_all_no_dedup

__all__ = ["Digest", "LWWRegisters", "Replica", "deliver_all_no_dedup"]
