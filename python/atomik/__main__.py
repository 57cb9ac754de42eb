"""``python -m atomik`` (or the ``atomik`` command): a short tour of the delta-state algebra."""

from __future__ import annotations

import argparse
import random

from rich.console import Console
from rich.table import Table

import atomik
from atomik import AtomikContext, AtomikTable, Fingerprint, Replica, deliver_all_no_dedup
from atomik.fingerprint import fingerprint


def tour(console: Console) -> None:
    """Print the tour: context, replicas, dedup, fingerprint."""
    console.rule(f"[bold]atomik {atomik.__version__}[/] — state is a bit vector, a change is XOR")

    ctx = AtomikContext(width=16)
    steps = Table(title="1. One context: reference + accumulator", show_lines=False)
    for col in ("operation", "reference", "accumulator", "read()"):
        steps.add_column(col, justify="right" if col != "operation" else "left")

    def row(op: str) -> None:
        steps.add_row(
            op, f"0x{ctx.reference:04x}", f"0x{ctx.accumulator:04x}", f"0x{ctx.read():04x}"
        )

    ctx.load(0x1000)
    row("load(0x1000)")
    ctx.accum(0x00FF)
    row("accum(0x00ff)")
    ctx.accum(0x0F00)
    row("accum(0x0f00)")
    ctx.rollback(0x00FF)
    row("rollback(0x00ff)  (= accum again)")
    old = ctx.swap()
    row(f"swap() -> 0x{old:04x}")
    console.print(steps)
    console.print(
        "read() is O(1): it equals replaying every delta from the reference, "
        f"replay(...) = 0x{atomik.replay(0x1000, [0x00FF, 0x0F00, 0x00FF], width=16):04x}.\n"
    )

    a, b = Replica(1, 4, 16), Replica(2, 4, 16)
    msgs = [a.put(0, 0x1234), a.accum(1, 0x0001), b.accum(1, 0x0100), b.put(2, 0xBEEF)]
    c, d = Replica(3, 4, 16), Replica(4, 4, 16)
    order_c, order_d = list(msgs), [*msgs, msgs[0]]  # d also gets a duplicate
    random.Random(7).shuffle(order_c)
    random.Random(8).shuffle(order_d)
    applied_c, applied_d = c.receive_all(order_c), d.receive_all(order_d)
    reps = Table(title="2. Replicas: same set of messages, different orders (and a duplicate)")
    reps.add_column("replica")
    reps.add_column("delivery order (origin, seq)")
    reps.add_column("applied", justify="right")
    reps.add_column("state[0..3]")
    for name, r, order, n in (("C", c, order_c, applied_c), ("D", d, order_d, applied_d)):
        reps.add_row(
            name,
            " ".join(f"({m.origin},{m.seq})" for m in order),
            str(n),
            " ".join(f"{r.read(i):04x}" for i in range(4)),
        )
    console.print(reps)
    console.print(f"Converged: [bold green]{c.same_state(d)}[/]; D ignored its duplicate.")
    naive = AtomikTable(4, 16)
    deliver_all_no_dedup(naive, order_d)
    console.print(
        f"Without dedup the duplicate does [bold red]not[/] self-cancel harmlessly: address 0 "
        f"reads 0x{naive.read(0):04x} instead of 0x{d.read(0):04x} — the update is undone.\n"
    )

    page = bytearray(b"The quick brown fox jumps over the lazy dog. " * 3)
    fp = Fingerprint()
    base = fp.load(page)
    old_chunk = bytes(page[16:24])
    page[18] ^= 0x20
    fp.update_chunk(2, old_chunk, bytes(page[16:24]))
    console.print(
        f"3. Fingerprint of a {len(page)}-byte buffer: 0x{base:016x}; one byte changed -> "
        f"0x{fp.value:016x} in O(1), changed = [bold]{fp.changed}[/] "
        f"(recomputed: 0x{fingerprint(page):016x})."
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``--help``, ``--version``, otherwise the tour."""
    ap = argparse.ArgumentParser(
        prog="atomik",
        description="A short tour of atomik's delta-state algebra: a context, replicas "
        "converging, a duplicate ignored, a fingerprint catching a change.",
    )
    ap.add_argument("--version", action="version", version=f"atomik {atomik.__version__}")
    ap.parse_args(argv)
    tour(Console())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
