"""The PNG plots of a benchmark run (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def make_plots(results: dict[str, Any], out: Path) -> list[str]:
    """Write the PNG plots; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = {r["id"]: r for r in results["rows"]}
    files: list[str] = []

    def loglog(
        series: dict[str, Any],
        lines: list[tuple[str, str, str]],
        ylabel: str,
        title: str,
        name: str,
    ) -> None:
        """One log-log plot of ``series[key]`` against ``series["n"]``; ``None`` points dropped."""
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for key, style, label in lines:
            pts = [(n, v) for n, v in zip(series["n"], series[key], strict=True) if v is not None]
            if pts:
                ax.loglog([p[0] for p in pts], [p[1] for p in pts], style, label=label)
        ax.set_xlabel("updates n")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
        files.append(name)

    loglog(
        rows["reconstruction"]["series"],
        [
            ("read", "o-", "atomik read()"),
            ("list_replay", "s-", "replay Python list"),
            ("eventsourcing", "^-", "eventsourcing (POPO) get"),
        ],
        "time to reconstruct the state (ns, median)",
        "State reconstruction after n updates",
        "reconstruction.png",
    )
    loglog(
        rows["storage"]["series"],
        [
            ("context", "o-", "atomik context (JSON snapshot)"),
            ("log_binary", "s-", "log: packed u64"),
            ("log_json", "d-", "log: JSON events"),
            ("eventsourcing", "^-", "eventsourcing records"),
        ],
        "bytes stored",
        "Storage after n updates",
        "storage.png",
    )

    cm = rows["wire"]["comparisons"]
    labels: list[str] = []
    vals: list[float] = []
    colors: list[str] = []
    seen: set[str] = set()
    for c in cm:
        if c["unit"] != "bytes":
            continue
        for side in ("ours", "peer"):
            lab = f"{c['case']}: {c[side]['name']}"
            if lab not in seen:
                seen.add(lab)
                labels.append(lab)
                vals.append(c[side]["bytes"])
                colors.append("tab:blue" if side == "ours" else "tab:gray")
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(labels) + 1.5))
    bars = ax.barh(range(len(labels)), vals, color=colors)
    ax.bar_label(bars, labels=[f"{v:.4g} B" for v in vals], fontsize=7, padding=2)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("bytes per update (log)")
    ax.set_title("Bytes on the wire per update")
    fig.tight_layout()
    fig.savefig(out / "wire.png", dpi=120)
    plt.close(fig)
    files.append("wire.png")

    cm = [c for c in rows["kernels"]["comparisons"] if c["unit"] == "ns"]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(cm) + 1.5))
    ratios = [c["ratio"] for c in cm]
    bars = ax.barh(
        range(len(cm)), ratios, color=["tab:blue" if r >= 1 else "tab:red" for r in ratios]
    )
    ax.bar_label(bars, labels=[f"{r:.3g}×" for r in ratios], fontsize=7, padding=2)
    ax.set_yticks(range(len(cm)), [f"{c['case']}\nvs {c['peer']['name']}" for c in cm], fontsize=7)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("peer time / atomik time (log; > 1: atomik faster)")
    ax.set_title("Raw kernels")
    fig.tight_layout()
    fig.savefig(out / "kernels.png", dpi=120)
    plt.close(fig)
    files.append("kernels.png")
    return files
