"""Hold an HDL delta-state design to the atomik oracle from cocotb.

Hardware has no JSON and no error path, so the pieces are split this way:

* :class:`CoreDriver` is what a design offers: ``load``/``accum``/``swap`` of one entry, a batch
  accumulate of (address, delta) pairs, ``read`` of an entry's (reference, accumulator), and
  ``reset``. :class:`CocotbCoreDriver` implements it for the sample core
  (``tests/hdl/atomik_core.v``: a command port, a two-lane batch path and a read port).
* :class:`CoreBridge` is the port shell: it serves protocol requests (``ctx.*`` and ``table.*``
  at one width) on the design, mapping each named context to one entry and each table to a run
  of entries, and builds the protocol answer from what the hardware reads back.
* :class:`Scoreboard` is the reference model in-process: for every request of a sequence (made
  by the runner's :class:`~atomik.conformance.port.Generator` from :data:`CAPABILITIES`) it asks
  the real :class:`~atomik.oracle.Session`; a request the reference rejects is the shell's to
  refuse and never reaches the hardware (so later reads show that a rejected request changed
  nothing); every accepted request is executed on the hardware and its answer compared with
  :func:`~atomik.conformance.port.compare`.

cocotb is imported only by :class:`CocotbCoreDriver`; the rest runs without it (and is tested
against a pure-Python model of the core).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atomik.conformance.port import Capabilities, Generator, compare, int_of
from atomik.oracle import Session, dump_line, to_word

__all__ = [
    "CAPABILITIES",
    "CocotbCoreDriver",
    "CoreBridge",
    "CoreDriver",
    "Mismatch",
    "Scoreboard",
    "capabilities",
    "sequences",
]


def capabilities(entries: int, width: int = 64, max_table: int = 8) -> Capabilities:
    """What a :class:`CoreBridge` over a core of ``entries`` entries of ``width`` bits serves."""
    ops = [
        "hello", "reset", "ctx.new", "ctx.load", "ctx.accum", "ctx.rollback", "ctx.read",
        "ctx.swap", "ctx.state", "ctx.is_clean", "table.new", "table.load", "table.accum",
        "table.rollback", "table.read", "table.swap", "table.accum_batch", "table.load_batch",
        "table.read_batch",
    ]  # fmt: skip
    return Capabilities("atomik-hdl-bridge", frozenset(ops), ((width, width),),
                        min(max_table, entries))  # fmt: skip


#: The capabilities of the sample core (64 entries of 64 bits).
CAPABILITIES = capabilities(64)


class CoreDriver(Protocol):
    """The operations a delta-state design offers (every argument already valid)."""

    async def reset(self) -> None:
        """Clear every entry."""

    async def load(self, addr: int, value: int) -> None:
        """reference := value, accumulator := 0."""

    async def accum(self, addr: int, delta: int) -> None:
        """accumulator ^= delta."""

    async def swap(self, addr: int) -> None:
        """reference ^= accumulator, accumulator := 0."""

    async def accum_batch(self, pairs: Sequence[tuple[int, int]]) -> None:
        """accum for every (addr, delta) pair, through the design's batch path."""

    async def read(self, addr: int) -> tuple[int, int]:
        """(reference, accumulator) of an entry."""


class CapacityError(Exception):
    """The design has no room left for another object (the sequence is cut there)."""


class CoreBridge:
    """The protocol shell over a :class:`CoreDriver`: valid requests in, protocol answers out."""

    def __init__(self, core: CoreDriver, entries: int, width: int = 64) -> None:
        """Serve ``core``, which has ``entries`` entries of ``width`` bits."""
        self.core, self.entries, self.width = core, entries, width
        self.objects: dict[str, tuple[int, int]] = {}  # name -> (base address, size or 0 = ctx)
        self.next = 0

    def _alloc(self, n: int) -> int:
        if self.next + n > self.entries:
            raise CapacityError(f"the design has {self.entries} entries")
        base, self.next = self.next, self.next + n
        return base

    async def _state(self, addr: int) -> dict[str, Any]:
        ref, acc = await self.core.read(addr)
        w = self.width
        return {
            "reference": to_word(ref, w),
            "accumulator": to_word(acc, w),
            "state": to_word(ref ^ acc, w),
        }

    async def execute(self, req: dict[str, Any]) -> Any:
        """The result of one request the reference accepted, computed by the hardware."""
        op = req["op"]
        if op == "reset":
            await self.core.reset()
            self.objects.clear()
            self.next = 0
            return None
        if op == "ctx.new":
            a = self._alloc(1)
            self.objects[req["name"]] = (a, 0)
            await self.core.load(a, int_of(req.get("initial", "0x0")))
            return await self._state(a)
        if op == "table.new":
            base = self._alloc(req["size"])
            self.objects[req["name"]] = (base, req["size"])
            for i in range(req["size"]):
                await self.core.load(base + i, 0)
            return {"size": req["size"], "width": req["width"]}
        base, _ = self.objects[req["name"]]
        kind, verb = op.split(".")
        addr = base + req["addr"] if "addr" in req else base
        if verb == "load":
            await self.core.load(addr, int_of(req["value"]))
        elif verb in ("accum", "rollback"):
            await self.core.accum(addr, int_of(req["delta"]))
        elif verb == "swap":
            await self.core.swap(addr)
        elif verb == "accum_batch":
            deltas = [int(d, 16) for d in req["deltas"]]
            pairs = [(base + a, d) for a, d in zip(req["addrs"], deltas, strict=True)]
            await self.core.accum_batch(pairs)
            return None
        elif verb == "load_batch":
            for a, v in zip(req["addrs"], req["values"], strict=True):
                await self.core.load(base + a, int(v, 16))  # in order: the last load wins
            return None
        elif verb == "read_batch":
            out = []
            for a in req["addrs"]:
                ref, acc = await self.core.read(base + a)
                out.append(to_word(ref ^ acc, self.width))
            return out
        state = await self._state(addr)
        if verb == "read":
            return state["state"]
        if verb == "is_clean":
            return int_of(state["accumulator"]) == 0
        return {"addr": req["addr"], **state} if kind == "table" else state


@dataclass
class Mismatch:
    """A request where the hardware's answer differs from the reference's."""

    lines: list[str]
    index: int
    want: dict[str, Any]
    got: dict[str, Any]
    why: str

    def report(self) -> str:
        """The sequence up to the mismatch and both answers."""
        reqs = "\n".join(self.lines[: self.index + 1])
        return (
            f"hardware diverges at request {self.index + 1} ({self.why})\n{reqs}\n"
            f"reference: {dump_line(self.want)}\nhardware:  {dump_line(self.got)}"
        )


@dataclass
class Scoreboard:
    """The reference model in-process, checking every answer of the hardware."""

    census: Counter[str] = field(default_factory=Counter)

    async def run(self, bridge: CoreBridge, lines: Sequence[str]) -> Mismatch | None:
        """Run one sequence from a reset design; return the first mismatch, or None."""
        ref = Session()
        await bridge.execute({"op": "reset"})
        for i, line in enumerate(lines):
            want = ref.handle(line)
            if not want["ok"]:
                self.census["rejected by the shell"] += 1
                continue
            req = json.loads(line)
            try:
                result = await bridge.execute(req)
            except CapacityError:
                self.census["cut: design full"] += 1
                return None
            got = {"id": want["id"], "ok": True, "result": result}
            self.census[req["op"]] += 1
            why = compare(want, got)
            if why is not None:
                return Mismatch(list(lines), i, want, got, why)
        return None


def sequences(caps: Capabilities, seed: int, count: int) -> list[list[str]]:
    """``count`` generated sequences for ``caps`` (the runner's generator, seeded)."""
    gen = Generator(caps, random.Random(seed))
    return [gen.sequence() for _ in range(count)]


class CocotbCoreDriver:
    """:class:`CoreDriver` for the sample core's ports (``clk``, ``rst``, ``cmd_*``, ``b_*``,
    ``rd_*``; see ``tests/hdl/atomik_core.v``), driven from a cocotb test."""

    def __init__(self, dut: Any) -> None:
        """Drive ``dut``; start its clock with :meth:`start`."""
        self.dut = dut

    async def start(self) -> None:
        """Start a 10 ns clock and idle every input."""
        import cocotb
        from cocotb.clock import Clock

        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        for sig in ("cmd_valid", "b_valid0", "b_valid1", "rst"):
            getattr(self.dut, sig).value = 0
        for sig in ("cmd_op", "cmd_addr", "cmd_data", "b_addr0", "b_delta0", "b_addr1",
                    "b_delta1", "rd_addr"):  # fmt: skip
            getattr(self.dut, sig).value = 0
        await self.reset()

    async def _tick(self) -> None:
        from cocotb.triggers import RisingEdge, Timer

        await RisingEdge(self.dut.clk)
        await Timer(1, unit="ns")  # let the registers settle before the next drive or read

    async def reset(self) -> None:
        self.dut.rst.value = 1
        await self._tick()
        self.dut.rst.value = 0

    async def _cmd(self, op: int, addr: int, data: int) -> None:
        d = self.dut
        d.cmd_valid.value, d.cmd_op.value, d.cmd_addr.value, d.cmd_data.value = 1, op, addr, data
        await self._tick()
        d.cmd_valid.value = 0

    async def load(self, addr: int, value: int) -> None:
        await self._cmd(0, addr, value)

    async def accum(self, addr: int, delta: int) -> None:
        await self._cmd(1, addr, delta)

    async def swap(self, addr: int) -> None:
        await self._cmd(2, addr, 0)

    async def accum_batch(self, pairs: Sequence[tuple[int, int]]) -> None:
        d = self.dut
        for k in range(0, len(pairs), 2):
            (a0, d0), rest = pairs[k], pairs[k + 1 : k + 2]
            d.b_valid0.value, d.b_addr0.value, d.b_delta0.value = 1, a0, d0
            if rest:
                d.b_valid1.value, d.b_addr1.value, d.b_delta1.value = 1, rest[0][0], rest[0][1]
            await self._tick()
            d.b_valid0.value = d.b_valid1.value = 0

    async def read(self, addr: int) -> tuple[int, int]:
        from cocotb.triggers import Timer

        self.dut.rd_addr.value = addr
        await Timer(1, unit="ns")
        return int(self.dut.rd_ref.value), int(self.dut.rd_acc.value)
