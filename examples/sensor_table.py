"""A table of sensors fed at 1000 Hz: one delta per reading, read() in O(1) at any time.

Sixteen sensors report a 32-bit value every millisecond (simulated, ten seconds of readings).
Each reading becomes the delta ``old ^ new`` on its sensor's context; the per-event path is one
``accum`` per reading, and every 100 ms the readings of that window are also applied to a second
table as one batch (a numba kernel). Both tables read what the sensors last reported.

    python examples/sensor_table.py [--seconds S]
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from atomik import AtomikTable, compute_delta

SENSORS, WIDTH, HZ = 16, 32, 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="simulated seconds of readings")
    args = ap.parse_args(argv)
    rng = random.Random(1000)
    live = AtomikTable(SENSORS, WIDTH)  # one accum per reading
    batched = AtomikTable(SENSORS, WIDTH)  # one accum_batch per 100 ms window
    last = [0] * SENSORS  # what each sensor last reported (the plain model)
    window_addrs: list[int] = []
    window_deltas: list[int] = []
    readings = int(args.seconds * HZ) * SENSORS
    for i in range(readings):
        s = i % SENSORS
        value = (last[s] + rng.randrange(-50, 51)) % (1 << WIDTH)  # a drifting sensor value
        delta = compute_delta(last[s], value)
        live.accum(s, delta)
        window_addrs.append(s)
        window_deltas.append(delta)
        last[s] = value
        if len(window_addrs) == SENSORS * HZ // 10:  # every 100 ms of readings
            batched.accum_batch(
                np.array(window_addrs, np.uint64), np.array(window_deltas, np.uint64)
            )
            window_addrs.clear()
            window_deltas.clear()
    if window_addrs:
        batched.accum_batch(
            np.array(window_addrs, np.uint64), np.array(window_deltas, np.uint64)
        )
    assert [live.read(s) for s in range(SENSORS)] == last
    assert [int(v) for v in batched.read_all()] == last
    print(f"{readings:,} readings from {SENSORS} sensors applied as deltas; "
          f"both tables read the last value of every sensor (sensor 0: {last[0]:#x})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
