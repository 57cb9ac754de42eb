"""A durable table that survives a restart and a crash in the middle of a write.

Every write is appended to a log file (write-ahead, fsync per write) before it is applied.
The program writes, "restarts" (reopens the file), then simulates a crash that leaves half a
record at the end of the file: reopening truncates the torn tail and reads every acknowledged
write.

    python examples/durable_table.py [--dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from atomik.replication.log import PersistentTable


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=None, help="folder for the log (default: temp)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.dir or Path(tmp)) / "accounts.log"
        with PersistentTable(path, 8, 64, replica_id=1) as t:
            for account in range(8):
                t.put(account, 1000 * (account + 1))
            t.accum(3, 0xFF)
            before = t.read_all()
        print(f"wrote 9 records to {path.name} ({path.stat().st_size} bytes), closed")

        t = PersistentTable(path, 8, 64, replica_id=1)  # the restart
        assert t.read_all() == before and t.recovery.applied == 9
        ack = t.put(5, 42)  # acknowledged: on disk when put returns
        t.abandon()  # the process dies without closing
        with path.open("ab") as f:
            f.write(b"\x7a" * 11)  # ...in the middle of its next append
        t = PersistentTable(path, 8, 64, replica_id=1)
        assert t.recovery.truncated_bytes == 11
        assert t.read(5) == 42 and ack.id in {m.id for m in t.replica.messages()}
        print(f"after the crash: torn tail of {t.recovery.truncated_bytes} bytes truncated, "
              f"{t.recovery.applied} records replayed, every acknowledged write is there")
        size = t.compact()  # snapshot + the messages peers may still need
        print(f"compacted to {size} bytes; account 5 reads {t.read(5)}")
        t.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
