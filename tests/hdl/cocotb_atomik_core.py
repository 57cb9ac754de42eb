"""cocotb test of the sample delta-state core (atomik_core.v) against the Python reference.

Run by tests/hdl/test_hdl_core.py through cocotb_tools.runner (Icarus Verilog). The sequences
are the differential runner's, generated for what the bridge serves; ATOMIK_HDL_SEED and
ATOMIK_HDL_SEQUENCES choose them. The test fails with the first diverging sequence."""

from __future__ import annotations

import os

import cocotb

from atomik.conformance.hdl import (
    CocotbCoreDriver,
    CoreBridge,
    Scoreboard,
    capabilities,
    sequences,
)


@cocotb.test()
async def scoreboard_against_reference(dut: object) -> None:
    """Every accepted request of every generated sequence answers as the reference does."""
    entries = int(os.environ.get("ATOMIK_HDL_ENTRIES", "64"))
    width = int(os.environ.get("ATOMIK_HDL_WIDTH", "64"))  # the core's W parameter
    seed = int(os.environ.get("ATOMIK_HDL_SEED", "1"))
    count = int(os.environ.get("ATOMIK_HDL_SEQUENCES", "40"))
    driver = CocotbCoreDriver(dut)
    await driver.start()
    bridge = CoreBridge(driver, entries, width)
    board = Scoreboard()
    for k, lines in enumerate(sequences(capabilities(entries, width), seed, count), 1):
        bad = await board.run(bridge, lines)
        if bad is not None:
            raise AssertionError(f"sequence {k} (seed {seed}): {bad.report()}")
    dut._log.info("census: %s", dict(sorted(board.census.items())))
    assert board.census["ctx.accum"] > 0
    if width <= 64:  # tables hold widths 1..64
        assert board.census["table.accum_batch"] > 0


@cocotb.test()
async def vectors_through_the_bridge(dut: object) -> None:
    """Every committed vector the bridge can serve answers on the core as the reference does (the
    reference's answers are the vectors' outputs: `python -m atomik.oracle.vectors --check`)."""
    import json
    from pathlib import Path

    from atomik.conformance.port import vector_needs
    from atomik.oracle import dump_line

    entries = int(os.environ.get("ATOMIK_HDL_ENTRIES", "64"))
    caps = capabilities(entries)
    driver = CocotbCoreDriver(dut)
    await driver.start()
    bridge = CoreBridge(driver, entries)
    board = Scoreboard()
    folder = Path(os.environ["ATOMIK_VECTORS"])
    replayed = 0
    for path in sorted(folder.rglob("*.json")):
        doc = json.loads(path.read_text())
        if vector_needs(doc, caps) is not None:
            continue
        lines = [dump_line({**r, "id": i}) for i, r in enumerate(doc["input"]["requests"])]
        bad = await board.run(bridge, lines)
        if bad is not None:
            raise AssertionError(f"{path.name}: {bad.report()}")
        replayed += 1
    dut._log.info("vectors replayed through the bridge: %d", replayed)
    assert replayed >= 5
