"""``python -m atomik.replication.log inspect FILE``: what a durable log holds, and what opening it
would do.

Prints the header (width, size, replica id, epoch, snapshot length), the records by origin, and
the recovery verdict: whether it opens cleanly, the torn tail it would truncate, the corruption or
conflicts it would refuse, and what ``salvage=True`` would drop. The verdict comes from the real
recovery code, run on a private copy of the file: the file itself is never modified (and may be
inspected while another process holds its lock).
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any

from atomik import __version__
from atomik.errors import AtomikError, FrameError
from atomik.wire import decode, frame_size

_HEADER = struct.Struct("<8sBBHIIIQ")
_HEADER_SIZE = _HEADER.size + 4


def inspect_log(path: Path) -> dict[str, Any]:
    """A JSON-ready description of the log at ``path`` (see the module docstring)."""
    from atomik.replication.log import LogError, PersistentTable

    data = path.read_bytes()
    out: dict[str, Any] = {"file": str(path), "bytes": len(data)}
    if len(data) < _HEADER_SIZE:
        out["verdict"] = f"refused: {len(data)} bytes, shorter than the {_HEADER_SIZE}-byte header"
        return out
    magic, version, flags, width, n, rid, epoch, snap_len = _HEADER.unpack_from(data, 0)
    out["header"] = {
        "magic": magic.decode(errors="replace"),
        "version": version,
        "flags": flags,
        "width": width,
        "num_contexts": n,
        "replica_id": rid,
        "epoch": epoch,
        "snapshot_bytes": snap_len,
    }
    records: dict[int, list[int]] = {}
    undecodable = 0
    if width:
        f = frame_size(width)
        off = _HEADER_SIZE + snap_len
        while len(data) - off >= f:
            try:
                m = decode(data[off : off + f])
                records.setdefault(m.origin, []).append(m.seq)
            except FrameError:
                undecodable += 1
            off += f
    out["records"] = {
        "total": sum(len(v) for v in records.values()) + undecodable,
        "undecodable": undecodable,
        "by_origin": {
            str(o): {"count": len(s), "min_seq": min(s), "max_seq": max(s)}
            for o, s in sorted(records.items())
        },
    }

    def attempt(salvage: bool) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            try:
                t = PersistentTable(copy, n, width, replica_id=rid, epoch=epoch, salvage=salvage)
            except (LogError, AtomikError) as e:
                why = str(e).replace(str(copy), str(path))
                return {"opens": False, "error": type(e).__name__, "reason": why}
            rec = t.recovery
            t.close()
            return {
                "opens": True,
                "snapshot": rec.snapshot,
                "records": rec.records,
                "applied": rec.applied,
                "duplicates": rec.duplicates,
                "truncated_bytes": rec.truncated_bytes,
                "dropped": [
                    {"offset": o, "reason": r.replace(str(copy), str(path))}
                    for o, r in rec.salvaged
                ],
            }

    plain = attempt(False)
    out["open"] = plain
    if not plain["opens"]:
        out["salvage"] = attempt(True)
    out["verdict"] = (
        "opens cleanly" if plain["opens"] and not plain["truncated_bytes"]
        else f"opens; truncates a torn tail of {plain['truncated_bytes']} bytes"
        if plain["opens"]
        else f"refused ({plain['error']}); salvage would "
        + (f"drop {len(out['salvage']['dropped'])} record(s)" if out["salvage"]["opens"]
           else f"also fail ({out['salvage']['error']})")
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m atomik.replication.log``."""
    ap = argparse.ArgumentParser(prog="python -m atomik.replication.log",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ins = sub.add_parser("inspect", help="describe a log file without modifying it")
    ins.add_argument("file", type=Path)
    ins.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"python -m atomik.replication.log: no such file: {args.file}", file=sys.stderr)
        return 2
    info = inspect_log(args.file)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{info['file']} ({info['bytes']} bytes)", show_header=False)
    for k, v in info.get("header", {}).items():
        table.add_row(k, str(v))
    if "records" in info:
        table.add_row("records", str(info["records"]["total"]))
        for o, r in info["records"]["by_origin"].items():
            table.add_row(f"  origin {o}", f"{r['count']} (seq {r['min_seq']}..{r['max_seq']})")
        if info["records"]["undecodable"]:
            table.add_row("  undecodable", str(info["records"]["undecodable"]))
    console.print(table)
    console.print(f"verdict: [bold]{info['verdict']}[/]")
    if not info.get("open", {}).get("opens", True):
        console.print(f"  {info['open']['reason']}")
        for d in info.get("salvage", {}).get("dropped", []):
            console.print(f"  salvage drops byte {d['offset']}: {d['reason']}")
    return 0
