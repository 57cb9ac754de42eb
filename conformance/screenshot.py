"""Render ``reports/coverage.html`` in headless Chromium and save a PNG screenshot.

``python -m atomik.conformance.screenshot [--html reports/coverage.html] [--png
reports/coverage.png]``. Uses Debian's ``chromium`` (``apt-get install -y chromium``) with no
network, no sandbox, no GPU and a fresh profile folder. Exit status 3 when no Chromium is found
(tests skip on it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The path of a Chromium binary, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html: Path, png: Path, width: int = 1400, height: int = 1100,
               timeout: float = 90.0) -> Path:
    """Screenshot ``html`` into ``png``; raise FileNotFoundError without Chromium."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install -y chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atomik-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
               f"--window-size={width},{height}", f"--screenshot={png.resolve()}",
               html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): "
                           f"{proc.stderr[-1000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m atomik.conformance.screenshot")
    ap.add_argument("--html", default="reports/coverage.html", type=Path)
    ap.add_argument("--png", default="reports/coverage.png", type=Path)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1100)
    args = ap.parse_args(argv)
    try:
        out = screenshot(args.html, args.png, args.width, args.height)
    except FileNotFoundError as e:
        print(f"screenshot: {e}", file=sys.stderr)
        return 3
    print(f"screenshot: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
