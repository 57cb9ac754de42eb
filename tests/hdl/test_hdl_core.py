"""The cocotb bridge and scoreboard: the sample Verilog core agrees with the Python reference
under Icarus Verilog, its planted batch bug is caught, and the bridge itself is checked against
a pure-Python model of the core (no simulator needed)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest

from atomik.conformance.hdl import CoreBridge, Scoreboard, capabilities, sequences

HERE = Path(__file__).resolve().parent
CORE = HERE / "atomik_core.v"


class ModelCore:
    """The sample core in Python (the same ports' behaviour), optionally with its batch bug."""

    def __init__(self, entries: int, buggy_batch: bool = False) -> None:
        self.ref = [0] * entries
        self.acc = [0] * entries
        self.buggy = buggy_batch

    async def reset(self) -> None:
        self.ref = [0] * len(self.ref)
        self.acc = [0] * len(self.acc)

    async def load(self, addr: int, value: int) -> None:
        self.ref[addr], self.acc[addr] = value, 0

    async def accum(self, addr: int, delta: int) -> None:
        self.acc[addr] ^= delta

    async def swap(self, addr: int) -> None:
        self.ref[addr] ^= self.acc[addr]
        self.acc[addr] = 0

    async def accum_batch(self, pairs: Sequence[tuple[int, int]]) -> None:
        for k in range(0, len(pairs), 2):
            lane = pairs[k : k + 2]
            if self.buggy and len(lane) == 2 and lane[0][0] == lane[1][0]:
                lane = lane[1:]
            for a, d in lane:
                self.acc[a] ^= d

    async def read(self, addr: int) -> tuple[int, int]:
        return self.ref[addr], self.acc[addr]


def _score(core: ModelCore, seed: int, count: int) -> tuple[int, Scoreboard, object]:
    bridge = CoreBridge(core, 64)
    board = Scoreboard()

    async def go() -> tuple[int, object]:
        for k, lines in enumerate(sequences(capabilities(64), seed, count), 1):
            bad = await board.run(bridge, lines)
            if bad is not None:
                return k, bad
        return 0, None

    k, bad = asyncio.run(go())
    return k, board, bad


def test_bridge_and_scoreboard_agree_on_a_faithful_model() -> None:
    _, board, bad = _score(ModelCore(64), seed=3, count=150)
    assert bad is None, bad.report()  # type: ignore[attr-defined]
    for op in ("ctx.new", "ctx.accum", "ctx.swap", "table.accum_batch", "table.read_batch"):
        assert board.census[op] > 10, board.census
    assert board.census["rejected by the shell"] > 0


def test_scoreboard_catches_the_lost_lane_bug_in_the_model() -> None:
    k, _, bad = _score(ModelCore(64, buggy_batch=True), seed=3, count=150)
    assert bad is not None and k <= 50
    assert '"op":"table.read_batch"' in bad.lines[bad.index]  # type: ignore[attr-defined]


def _icarus() -> str | None:
    return shutil.which("iverilog")


def _run_cocotb(
    tmp: Path,
    defines: dict[str, object],
    seed: int,
    width: int = 64,
    testcase: str | None = None,
) -> tuple[int, int, str]:
    pytest.importorskip("cocotb", reason="cocotb not installed (pip install -e '.[dev]')")
    from cocotb_tools.runner import get_runner

    runner = get_runner("icarus")
    runner.build(
        sources=[CORE],
        hdl_toplevel="atomik_core",
        build_dir=tmp,
        defines=defines,
        parameters={"W": width},
        always=True,
    )
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    log = tmp / "sim.log"
    try:
        xml = runner.test(
            test_module="cocotb_atomik_core",
            hdl_toplevel="atomik_core",
            build_dir=tmp,
            test_dir=tmp,
            extra_env={
                "ATOMIK_HDL_SEED": str(seed),
                "ATOMIK_HDL_SEQUENCES": "25",
                "ATOMIK_HDL_WIDTH": str(width),
                "ATOMIK_VECTORS": str(HERE.parents[1] / "spec" / "vectors"),
            },
            log_file=log,
            testcase=testcase,
        )
    except SystemExit:  # the runner exits 1 when a cocotb test failed; the XML says which
        xml = next(tmp.glob("*.result.xml"))
    root = ET.parse(xml).getroot()
    cases = list(root.iter("testcase"))
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    return len(cases), len(failed), log.read_text(errors="replace")


@pytest.mark.skipif(
    _icarus() is None,
    reason="Icarus Verilog (Debian package iverilog) is not installed: `make system-deps` "
    "installs it when it can (root with apt-get)",
)
def test_sample_core_under_icarus_matches_the_reference(tmp_path: Path) -> None:
    seed = int(os.environ.get("ATOMIK_HDL_SEED", "1"))
    n, failed, log = _run_cocotb(tmp_path / "good", {}, seed)
    assert n == 2 and failed == 0, log[-3000:]
    assert "census:" in log
    replayed = int(log.split("vectors replayed through the bridge: ")[1].split()[0])
    assert replayed >= 5, log[-3000:]
    n, failed, log = _run_cocotb(tmp_path / "buggy", {"ATOMIK_BUGGY_BATCH": 1}, seed)
    assert n == 2 and failed == 2, log[-3000:]  # both the fuzz sequences and the vectors
    assert "hardware diverges at request" in log


@pytest.mark.skipif(
    _icarus() is None, reason="Icarus Verilog (Debian package iverilog) is not installed"
)
def test_a_wide_core_matches_the_reference(tmp_path: Path) -> None:
    # The same core with W = 128: wide values (two words) through the bridge, contexts only.
    n, failed, log = _run_cocotb(
        tmp_path / "wide", {}, seed=2, width=128, testcase="scoreboard_against_reference"
    )
    assert n == 1 and failed == 0, log[-3000:]
    assert "'ctx.accum'" in log
