"""Last-writer-wins registers: for values where concurrent writes must resolve to one writer.

Deltas merge concurrent writes (``s ^ x ^ y``); :class:`LWWRegisters` instead keeps, per register,
the write with the largest Lamport stamp ``(clock, origin)`` and discards the other (see
``spec/replication.md``). ``lean/Atomik/LWW.lean`` models this file definition by definition
(``Regs``, ``Write``, ``stampLt``, ``receive``, ``put``, ``read``) and proves its convergence
(``Atomik.LWW.Regs.receiveAll_perm``: the same writes in any order, duplicates included, give the
same values and stamps when no two writes share a stamp with different contents);
``conformance/properties/lww.py`` holds this code to every theorem.
"""

from __future__ import annotations

from dataclasses import dataclass

from atomik._check import check_addr, check_count, check_value, check_width
from atomik.errors import AtomikTypeError

__all__ = ["LWWRegisters", "LWWWrite"]


@dataclass(frozen=True, slots=True)
class LWWWrite:
    """A last-writer-wins register write: ``value`` at ``addr``, stamped ``(clock, origin)``."""

    origin: int
    clock: int
    addr: int
    value: int

    @property
    def stamp(self) -> tuple[int, int]:
        """The total order of writes: Lamport clock, ties broken by origin."""
        return (self.clock, self.origin)


class LWWRegisters:
    """``num_contexts`` last-writer-wins registers of ``width`` bits, for values (not deltas)
    where concurrent writes must resolve to one writer's value instead of ``s ^ x ^ y``.

    Each write carries a Lamport stamp ``(clock, origin)``; a register keeps the write with the
    largest stamp (a write whose stamp is not larger is ignored, so a duplicate changes nothing).
    The cost: a concurrent write is *discarded*, not merged. Proved in ``Atomik.LWW``: a duplicate
    changes nothing (``Regs.receive_idem``); two receives commute (``Regs.receive_comm``); the
    same writes in any order with duplicates give the same values and stamps when no two writes
    share a stamp with different contents (``Regs.receiveAll_perm``), also on two replicas of
    different ids and clocks (``Regs.receiveAll_converge``); a register reads the value
    of the write with the largest stamp received at its address (``Regs.receiveAll_read_max``);
    the clock passes every received clock (``Regs.receive_clock``, ``Regs.receiveAll_clock``); a
    local write is stamped past the stored stamp and wins locally (``Regs.put_stamp_gt``,
    ``Regs.put_wins``); a refused write changes nothing (``Regs.receive_error_iff``). The clock
    stays ahead of every stored stamp (``Regs.clockAhead_receive``, ``Regs.clockAhead_put``), so
    on registers built through this API ``put``'s raise past the stored stamp changes nothing
    (``Regs.putClock_of_clockAhead``): it guards registers whose fields were set otherwise.
    """

    __slots__ = ("_clock", "_id", "_n", "_stamps", "_values", "_width")

    def __init__(self, replica_id: int, num_contexts: int, width: int = 64) -> None:
        """Registers all reading 0 (stamp ``(-1, -1)``, older than any write)."""
        self._id = check_value(replica_id, 32, "replica_id")
        self._n = check_count(num_contexts, "num_contexts", minimum=1)
        self._width = check_width(width)
        self._clock = 0
        self._values = [0] * self._n
        self._stamps: list[tuple[int, int]] = [(-1, -1)] * self._n

    def put(self, addr: int, value: int) -> LWWWrite:
        """Write ``value`` at ``addr`` locally; return the write to send to peers."""
        a = check_addr(addr, self._n)
        v = check_value(value, self._width, "value")
        self._clock = max(self._clock, self._stamps[a][0] + 1)
        w = LWWWrite(self._id, self._clock, a, v)
        self._clock += 1
        self.receive(w)
        return w

    def receive(self, write: LWWWrite) -> bool:
        """Keep ``write`` if its stamp is newer than the register's; return whether it was."""
        if not isinstance(write, LWWWrite):
            raise AtomikTypeError(f"expected an LWWWrite, got {type(write).__name__}")
        a = check_addr(write.addr, self._n)
        v = check_value(write.value, self._width, "value")
        check_value(write.origin, 32, "origin")
        check_count(write.clock, "clock")
        self._clock = max(self._clock, write.clock + 1)
        if write.stamp <= self._stamps[a]:
            return False
        self._stamps[a], self._values[a] = write.stamp, v
        return True

    def read(self, addr: int) -> int:
        """The value of the newest write at ``addr`` (0 if none)."""
        return self._values[check_addr(addr, self._n)]
