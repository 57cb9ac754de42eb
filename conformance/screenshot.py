"""Render ``reports/coverage.html`` in headless Chromium and save a PNG screenshot.

``python -m atomik.conformance.screenshot [--html reports/coverage.html] [--png
reports/coverage.png]``. Uses Debian's ``chromium`` (``apt-get install -y chromium``) with no
network, no sandbox, no GPU and a fresh profile folder. Exit status 3 when no Chromium is found
(tests skip on it). ``--width 390`` shows the phone layout: headless Chromium's window is never
narrower than 500 px, so a narrower page is drawn in a frame of that width (at the left of the
picture). :func:`dump_dom` returns the DOM after the page's scripts ran (the browser test reads
its measurements from it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from atomik import __version__

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless Chromium does not make a window narrower than this: a narrower page (a phone's 390 px)
# is rendered in an <iframe> of that width inside a window of this width.
MIN_WINDOW = 500


def find_chromium() -> str | None:
    """The path of a Chromium binary, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(html: Path, action: str, width: int, height: int,
         timeout: float) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``html`` with ``action`` (``--screenshot=…`` or
    ``--dump-dom``) in a window of ``width`` × ``height`` CSS pixels."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="atomik-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--hide-scrollbars", "--allow-file-access-from-files",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", action,
               html.resolve().as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def framed(html: Path, width: int, height: int, into: Path) -> Path:
    """A page in folder ``into`` showing ``html`` in an ``<iframe id=page>`` of ``width`` ×
    ``height`` CSS pixels at its top left (media queries of ``html`` see that width). Open it in
    a window at least ``MIN_WINDOW`` wide; with ``--allow-file-access-from-files`` (which
    :func:`dump_dom` and :func:`screenshot` pass) its scripts may read the frame's document."""
    page = into / f"framed-{width}.html"
    page.write_text("<!doctype html><html><head><meta charset=utf-8><style>body{margin:0}"
                    "iframe{border:0;display:block}</style></head><body>"
                    f"<iframe id=page src='{html.resolve().as_uri()}' width={width} "
                    f"height={height}></iframe></body></html>", encoding="utf-8")
    return page


def dump_dom(html: Path, width: int = 1400, height: int = 1100, timeout: float = 90.0) -> str:
    """The DOM of ``html`` after its scripts ran, as Chromium serializes it (``--dump-dom``);
    raise FileNotFoundError without Chromium."""
    proc = _run(html, "--dump-dom", width, height, timeout)
    if "<html" not in proc.stdout:
        raise RuntimeError(f"chromium dumped no DOM (exit {proc.returncode}): "
                           f"{proc.stderr[-1000:]}")
    return proc.stdout


def screenshot(html: Path, png: Path, width: int = 1400, height: int = 1100,
               timeout: float = 90.0) -> Path:
    """Screenshot ``html`` into ``png``; raise FileNotFoundError without Chromium. Below
    ``MIN_WINDOW`` the page is shown in a frame of ``width`` at the left of the picture."""
    png.parent.mkdir(parents=True, exist_ok=True)
    if width < MIN_WINDOW:
        with tempfile.TemporaryDirectory(prefix="atomik-frame-") as tmp:
            page = framed(html, width, height, Path(tmp))
            proc = _run(page, f"--screenshot={png.resolve()}", MIN_WINDOW, height, timeout)
    else:
        proc = _run(html, f"--screenshot={png.resolve()}", width, height, timeout)
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): "
                           f"{proc.stderr[-1000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m atomik.conformance.screenshot")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
