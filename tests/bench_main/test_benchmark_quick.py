"""The benchmark's quick mode, run end to end as CI runs it, plus its input checks."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

for _mod in ("matplotlib", "eventsourcing", "pycrdt", "atomik_core"):
    pytest.importorskip(_mod, reason="needs the bench extra: pip install -e '.[bench]'")

from atomik import benchmark  # noqa: E402

ROW_IDS = [
    "reconstruction", "storage", "wire", "undo", "replicas", "kernels", "per_event", "hybrid",
    "ingest",
]
PLOTS = ["reconstruction.png", "storage.png", "wire.png", "kernels.png"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "atomik.benchmark", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text()), proc.stdout


def _positive(side: dict[str, Any], unit: str) -> None:
    key = "median_ns" if unit == "ns" else "bytes"
    assert side[key] > 0, side


def test_every_row_is_present_and_measured(quick_run: tuple[Path, dict[str, Any], str]) -> None:
    _, res, _ = quick_run
    assert res["mode"] == "quick"
    assert [r["id"] for r in res["rows"]] == ROW_IDS
    for row in res["rows"]:
        assert row["status"] == "measured", row["status"]
        measured = [c for c in row["comparisons"] if c["status"] == "measured"]
        assert measured, f"row {row['id']} has no measured comparison"
        for c in measured:
            _positive(c["ours"], c["unit"])
            _positive(c["peer"], c["unit"])
            assert c["ratio"] is not None and c["ratio"] > 0
        for c in row["comparisons"]:
            if c["status"] != "measured":  # a comparison not run must say why, with no number
                assert c["status"].startswith(("pending:", "not run:")), c["status"]
                assert c["ratio"] is None
                assert "median_ns" not in c["peer"] and "bytes" not in c["peer"]


def test_reconstruction_rows_cover_the_quick_sizes(
    quick_run: tuple[Path, dict[str, Any], str],
) -> None:
    _, res, _ = quick_run
    series = res["rows"][0]["series"]
    assert series["n"] == [100, 1_000, 10_000]
    # the peer really replays: its time grows with n, read() does not depend on n's magnitude
    assert series["list_replay"][-1] > series["list_replay"][0]


def test_replicas_converge_and_duplicates_without_dedup_are_reported(
    quick_run: tuple[Path, dict[str, Any], str],
) -> None:
    _, res, _ = quick_run
    conv = next(r for r in res["rows"] if r["id"] == "replicas")["converged"]
    assert conv["atomik"] is True
    assert isinstance(conv["atomik_without_dedup"], bool)
    assert isinstance(conv["pycrdt"], bool)


def test_machine_info_and_bandwidth(quick_run: tuple[Path, dict[str, Any], str]) -> None:
    _, res, _ = quick_run
    m = res["machine"]
    for key in ("cpu_model", "logical_cores", "memory_total_bytes", "python", "numpy", "numba"):
        assert m[key], key
    assert res["memory_bandwidth_GBps"] > 0
    assert res["xor_reduce_over_bandwidth"] > 0
    assert res["loadavg_start"] is not None and res["loadavg_end"] is not None
    for k in ("xor_reduce", "scatter_xor", "fingerprint_words"):
        assert res["numba_first_calls"][k]["first_call_ns"] > 0


def test_outputs_written_and_log_strengths_stated(
    quick_run: tuple[Path, dict[str, Any], str],
) -> None:
    out, res, stdout = quick_run
    for name in PLOTS:
        data = (out / name).read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 1000, name
    assert sorted(res["plots"]) == sorted(PLOTS)
    md = (out / "table.md").read_text()
    assert "| row |" in md and "Where the event log wins" in md
    assert "audit" in res["where_the_log_wins"] and "time travel" in res["where_the_log_wins"]
    assert "Where the event log wins" in stdout


def test_out_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "not-a-dir"
    f.write_text("keep me")
    proc = subprocess.run(
        [sys.executable, "-m", "atomik.benchmark", "--quick", "--out", str(f)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "is not a directory" in proc.stderr
    assert f.read_text() == "keep me"


def test_missing_bench_dependency_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def fake(name: str, *a: Any, **k: Any) -> Any:
        return None if name == "pycrdt" else real(name, *a, **k)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    with pytest.raises(SystemExit, match=r"pycrdt.*pip install 'atomik-delta\[bench\]'"):
        benchmark.check_bench_deps()


def test_measure_and_ratio() -> None:
    m = benchmark.measure(lambda: sum(range(100)), repeats=3, min_sample_ns=100_000)
    assert 0 < m["min_ns"] <= m["median_ns"] <= m["max_ns"]
    assert m["calls_per_sample"] >= 1 and m["repeats"] == 3
    c = benchmark._cmp("x", "ours", {"bytes": 10}, "peer", {"bytes": 40}, unit="bytes")
    assert c["ratio"] == 4.0 and c["status"] == "measured"
    p = benchmark._cmp("x", "ours", {"median_ns": 5.0}, "peer", None, pending="no API")
    assert p["ratio"] is None and p["status"] == "pending: no API"


def test_quick_mode_never_defaults_to_the_committed_report() -> None:
    assert benchmark.resolve_out(False, None) == Path("reports/benchmark")
    assert benchmark.resolve_out(True, None) != Path("reports/benchmark")
    assert benchmark.resolve_out(True, Path("x")) == Path("x")


@pytest.mark.parametrize(
    ("loadavg", "cores", "expected"),
    [
        (None, 2, "load unknown"),
        ([0.2, 1.0, 1.0], 2, "otherwise idle at the start"),
        ([3.1, 2.0, 1.0], 2, "1-minute load 3.1 on 2 cores at the start: other work was running"),
        ([0.5, 0.0, 0.0], None, "1-minute load 0.5 at the start: other work was running"),
    ],
)
def test_load_note_follows_the_measured_load(
    loadavg: list[float] | None, cores: int | None, expected: str
) -> None:
    note = benchmark.load_note(loadavg, cores)
    assert note == expected, (note, expected)


PKG = Path(benchmark.__file__).parent


def _benchmark_imports(path: Path) -> set[str]:
    """The atomik.benchmark submodules a module imports at its top level."""
    out: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("atomik.benchmark."):
            out.add(node.module.rsplit(".", 1)[1])
    return out


def test_package_modules_are_small_and_import_one_way() -> None:
    mods = {p.stem: p for p in PKG.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert {"config", "measure", "cli", "report", "plots", "per_event"} <= set(mods)
    for name, path in mods.items():
        n = len(path.read_text().splitlines())
        assert n <= 600, f"{name}.py has {n} lines"
    graph = {name: _benchmark_imports(path) for name, path in mods.items()}
    assert all(deps <= set(mods) for deps in graph.values()), graph
    # Depth-first search for a cycle among the submodules.
    state: dict[str, int] = {}

    def visit(m: str, trail: tuple[str, ...]) -> None:
        assert state.get(m) != 1, f"import cycle: {' -> '.join((*trail, m))}"
        if state.get(m) == 2:
            return
        state[m] = 1
        for d in sorted(graph[m]):
            visit(d, (*trail, m))
        state[m] = 2

    for m in sorted(graph):
        visit(m, ())
    # The shared layers import no row, and nothing but the CLI imports the CLI.
    for base in ("config", "measure", "peers", "report", "plots"):
        assert not {d for d in graph[base] if d.startswith("rows_") or d == "per_event"}, base
    assert [m for m, deps in graph.items() if "cli" in deps] == []


def test_old_flat_names_still_import() -> None:
    from atomik.benchmark import (  # noqa: F401
        README_BEGIN,
        README_END,
        ROWS,
        BenchConfig,
        main,
        make_plots,
        readme_block,
        row_per_event,
        run,
        update_readme,
    )

    assert [name for name, _ in ROWS] == ROW_IDS
    assert benchmark.BenchConfig.make(True).quick is True


def test_version_flag() -> None:
    import atomik

    proc = subprocess.run(
        [sys.executable, "-m", "atomik.benchmark", "--version"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"atomik {atomik.__version__}"
