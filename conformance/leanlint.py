"""Source lint for lean/: forbidden escape hatches, and modules that drop out of the build.

Lean's kernel checks what it is given; these rules make sure it is given everything:

* no ``sorry``, ``admit``, ``axiom``, ``native_decide``, ``implemented_by``, ``extern``, ``unsafe``
  anywhere in code (comments and docstrings are ignored, so prose may name them);
* every file under ``lean/Atomik/`` is imported by the root ``lean/Atomik.lean``, so no proof file
  can silently drop out of ``make lean`` or ``lake build``;
* every file starts with ``module`` (the wasm toolchain compiles every file as a module, and a
  native ``lake build`` must see the same thing).

Run as ``python -m atomik.conformance.leanlint [LEAN_DIR]``; exit status 1 names each finding as
``file:line: message``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

FORBIDDEN: tuple[str, ...] = (
    "sorry",
    "admit",
    "axiom",
    "native_decide",
    "implemented_by",
    "extern",
    "unsafe",
)
_FORBIDDEN_RE = re.compile(r"(?<![\w.'])(" + "|".join(FORBIDDEN) + r")(?![\w'])")


@dataclass(frozen=True)
class Finding:
    """One lint finding: where it is and what is wrong."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def strip_comments(text: str) -> str:
    """Blank out Lean comments (``--`` and nested ``/- -/``, docstrings included) and string
    literals, keeping every newline so that line numbers stay true.

    >>> strip_comments("a -- sorry\\n/- sorry /- x -/ -/ b").split()
    ['a', 'b']
    """
    out: list[str] = []
    i, n, depth = 0, len(text), 0
    in_string = False
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if depth:
            if ch == "/" and nxt == "-":
                depth += 1
                out.append("  ")
                i += 2
            elif ch == "-" and nxt == "/":
                depth -= 1
                out.append("  ")
                i += 2
            else:
                out.append("\n" if ch == "\n" else " ")
                i += 1
        elif in_string:
            if ch == "\\" and nxt:
                out.append("  " if nxt != "\n" else " \n")
                i += 2
                continue
            if ch == '"':
                in_string = False
            out.append("\n" if ch == "\n" else " ")
            i += 1
        elif ch == "/" and nxt == "-":
            depth = 1
            out.append("  ")
            i += 2
        elif ch == "-" and nxt == "-":
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
        elif ch == '"':
            in_string = True
            out.append(" ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def lint_text(path: Path, text: str) -> list[Finding]:
    """Lint one Lean source text; ``path`` is only used to label findings."""
    findings: list[Finding] = []
    code = strip_comments(text)
    for lineno, line in enumerate(code.splitlines(), start=1):
        for match in _FORBIDDEN_RE.finditer(line):
            word = match.group(1)
            findings.append(Finding(path, lineno, f"forbidden `{word}` in lean/ source"))
    first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
    if first != "module":
        findings.append(Finding(path, 1, f"file must start with `module` (found {first[:40]!r})"))
    return findings


def module_name(lean_dir: Path, path: Path) -> str:
    """``lean/Atomik/Delta.lean`` -> ``Atomik.Delta``."""
    rel = path.relative_to(lean_dir).with_suffix("")
    return ".".join(rel.parts)


_IMPORT_RE = re.compile(
    r"^[ \t]*(?:public[ \t]+)?(?:meta[ \t]+)?import[ \t]+([\w.]+(?:[ \t]+[\w.]+)*)", re.M
)


def imports_of(text: str) -> list[str]:
    """Module names a Lean source imports (``import A`` / ``public import A B``)."""
    names: list[str] = []
    for match in _IMPORT_RE.finditer(strip_comments(text)):
        names.extend(match.group(1).split())
    return names


def lint_tree(lean_dir: Path, root_module: str = "Atomik") -> list[Finding]:
    """Lint every ``.lean`` file under ``lean_dir`` and check the root imports each module."""
    findings: list[Finding] = []
    files = sorted(lean_dir.rglob("*.lean"))
    if not files:
        return [Finding(lean_dir, 0, "no .lean files found")]
    for path in files:
        findings.extend(lint_text(path, path.read_text(encoding="utf-8")))
    root = lean_dir / f"{root_module}.lean"
    if not root.exists():
        findings.append(Finding(root, 0, f"root file {root.name} is missing"))
        return findings
    imported = set(imports_of(root.read_text(encoding="utf-8")))
    for path in files:
        if path == root:
            continue
        name = module_name(lean_dir, path)
        if name.startswith(root_module + ".") and name not in imported:
            findings.append(
                Finding(
                    path,
                    1,
                    f"module {name} is not imported by {root.name}: it would drop out of the build",
                )
            )
    return findings


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: lint ``lean/`` (or the folder given), exit 1 on findings."""
    args = sys.argv[1:] if argv is None else argv
    lean_dir = Path(args[0]) if args else Path("lean")
    findings = lint_tree(lean_dir)
    for finding in findings:
        print(finding)
    count = len(list(lean_dir.rglob("*.lean")))
    if findings:
        print(f"leanlint: {len(findings)} finding(s) in {lean_dir}/ ({count} files)")
        return 1
    print(f"leanlint: {count} files clean (no {', '.join(FORBIDDEN)}; every module in the build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
