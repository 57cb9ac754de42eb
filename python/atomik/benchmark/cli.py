"""The driver and the command line: ``python -m atomik.benchmark [--quick] [--out DIR]``."""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import atomik
from atomik.benchmark.config import (
    BENCH_DEPS,
    DEFAULT_OUT,
    DEFAULT_QUICK_OUT,
    WHERE_THE_LOG_WINS,
    BenchConfig,
)
from atomik.benchmark.measure import _loadavg, machine_info
from atomik.benchmark.per_event import row_per_event
from atomik.benchmark.plots import make_plots
from atomik.benchmark.report import _rich_table, numba_line, render_markdown, update_readme
from atomik.benchmark.rows_hybrid import row_hybrid, row_ingest
from atomik.benchmark.rows_kernels import numba_warmup, row_kernels
from atomik.benchmark.rows_replicas import row_replicas
from atomik.benchmark.rows_state import row_reconstruction, row_storage, row_undo, row_wire

ROWS: tuple[tuple[str, Callable[[BenchConfig, np.random.Generator], dict[str, Any]]], ...] = (
    ("reconstruction", row_reconstruction),
    ("storage", row_storage),
    ("wire", row_wire),
    ("undo", row_undo),
    ("replicas", row_replicas),
    ("kernels", row_kernels),
    ("per_event", row_per_event),
    ("hybrid", row_hybrid),
    ("ingest", row_ingest),
)


# =============================================================================== driver
def check_bench_deps() -> None:
    """Raise SystemExit with an install hint if a ``bench`` extra dependency is missing."""
    missing = [m for m in BENCH_DEPS if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(
            f"atomik.benchmark needs {', '.join(missing)}: "
            "install the bench extra with  pip install 'atomik-delta[bench]'  "
            "(in a checkout: pip install -e '.[bench]')"
        )


def run(cfg: BenchConfig, out: Path, *, console: Any | None = None) -> dict[str, Any]:
    """Run every row, write ``results.json``, ``table.md`` and the plots to ``out``."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    check_bench_deps()
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=150)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(cfg.seed)
    started = time.time()
    load_start = _loadavg()
    results: dict[str, Any] = {
        "mode": "quick" if cfg.quick else "full",
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started)),
        "config": {k: v for k, v in cfg.__dict__.items()},
        "machine": machine_info(),
        "loadavg_start": load_start,
        "rows": [],
        "where_the_log_wins": WHERE_THE_LOG_WINS,
        "ratio_definition": "peer / atomik (time or bytes): above 1, atomik is faster/smaller",
    }
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("numba kernels (compile / cache load)", total=len(ROWS) + 1)
        results["numba_first_calls"] = numba_warmup()
        progress.advance(task)
        for name, fn in ROWS:
            progress.update(task, description=f"row: {name}")
            t0 = time.perf_counter()
            row = fn(cfg, rng)
            row["duration_s"] = time.perf_counter() - t0
            results["rows"].append(row)
            progress.advance(task)
            gc.collect()
        progress.update(task, description="done")
    kern = next(r for r in results["rows"] if r["id"] == "kernels")
    results["memory_bandwidth_GBps"] = kern["bandwidth"]["numpy_copy_GBps"]
    results["xor_reduce_over_bandwidth"] = kern["bandwidth"]["xor_reduce_over_copy"]
    results["loadavg_end"] = _loadavg()
    results["duration_s"] = time.time() - started
    results["plots"] = make_plots(results, out)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / "table.md").write_text(render_markdown(results))
    console.print(_rich_table(results))
    for row in results["rows"]:
        console.print(f"[bold]{row['title']}[/]: {row['note']}")
    console.print(f"[bold]numba[/]: {numba_line(results)}")
    console.print(f"\n[bold yellow]{WHERE_THE_LOG_WINS}[/]")
    console.print(
        f"\nxor_reduce / memory bandwidth: {results['xor_reduce_over_bandwidth']:.2f} "
        f"({results['memory_bandwidth_GBps']:.2f} GB/s copy). Wrote {out}/results.json, "
        f"table.md, {', '.join(results['plots'])} in {results['duration_s']:.0f} s."
    )
    return results


def resolve_out(quick: bool, out: Path | None) -> Path:
    """The output folder: ``out`` if given, else the committed report folder (full mode) or a
    temporary folder (quick mode, so CI never overwrites the committed report)."""
    if out is not None:
        return out
    return DEFAULT_QUICK_OUT if quick else DEFAULT_OUT


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``python -m atomik.benchmark [--quick] [--out DIR]``."""
    p = argparse.ArgumentParser(
        prog="python -m atomik.benchmark",
        description="Every claim of the delta-state pitch, measured against its peer.",
    )
    p.add_argument("--quick", action="store_true", help="small sizes, for CI (well under a minute)")
    p.add_argument("--version", action="version", version=f"atomik {atomik.__version__}")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default: {DEFAULT_OUT}; with --quick, {DEFAULT_QUICK_OUT}, so a CI "
        "run never overwrites the committed full report)",
    )
    p.add_argument("--seed", type=int, default=20261125, help="random seed (%(default)s)")
    p.add_argument(
        "--readme",
        type=Path,
        nargs="?",
        const=Path("README.md"),
        default=None,
        help="measure nothing: rewrite the benchmark block of README.md (or the given file) "
        f"from {DEFAULT_OUT}/results.json (or --out)",
    )
    args = p.parse_args(argv)
    if args.readme is not None:
        src = (args.out or DEFAULT_OUT) / "results.json"
        if not src.is_file():
            p.error(f"{src} not found: run python -m atomik.benchmark first")
        changed = update_readme(args.readme, json.loads(src.read_text()))
        print(f"{args.readme}: benchmark block {'updated' if changed else 'already current'}")
        return 0
    args.out = resolve_out(args.quick, args.out)
    if args.out.exists() and not args.out.is_dir():
        p.error(f"--out {args.out} exists and is not a directory")
    run(BenchConfig.make(args.quick, args.seed), args.out)
    return 0
