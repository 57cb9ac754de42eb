"""Source lint for lean/: forbidden escape hatches, and modules that drop out of the build.

Lean's kernel checks what it is given; these rules make sure it is given everything:

* no ``sorry``, ``admit``, ``axiom``, ``native_decide``, ``implemented_by``, ``extern``, ``unsafe``
  anywhere in code (comments and docstrings are ignored, so prose may name them);
* every file under ``lean/Atomik/`` is imported by the root ``lean/Atomik.lean``, so no proof file
  can silently drop out of ``make lean`` or ``lake build``;
* every file starts with ``module`` (the wasm toolchain compiles every file as a module, and a
  native ``lake build`` must see the same thing);
* no theorem is vacuous by its shape: a conclusion whose two sides are the same text
  (``x = x``, ``p ↔ p``), ``True``, or an existential witnessed by its own term
  (``∃ c, c = f x``). Lean would prove these; they say nothing about the code.

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
    findings.extend(lint_vacuity(path, text))
    first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
    if first != "module":
        findings.append(Finding(path, 1, f"file must start with `module` (found {first[:40]!r})"))
    return findings


_DECL_RE = re.compile(
    r"^[ \t]*(?:@\[[^\]]*\][ \t]*)*(?:(?:private|protected|public)[ \t]+)?"
    r"(?:theorem|lemma)[ \t]+(?P<name>[^\s({\[⦃:]+)",
    re.M,
)
_OPEN, _CLOSE = "([{⟨⦃", ")]}⟩⦄"


def _top_level_split(text: str, sep: str) -> list[str]:
    """Split ``text`` at occurrences of ``sep`` outside any brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _norm(text: str) -> str:
    text = " ".join(text.split())
    while (
        text.startswith("(") and text.endswith(")") and len(_top_level_split(text[1:-1], ")")) == 1
    ):
        inner = text[1:-1]
        if inner.count("(") != inner.count(")"):
            break
        text = inner.strip()
    return text


def statement_of(code: str, start: int) -> str | None:
    """The statement of the declaration whose name ends at ``start``: text after the top-level
    ``:`` of the signature, up to the ``:=`` (or ``|`` of an equation list) that ends it."""
    depth, colon, i = 0, -1, start
    while i < len(code):
        ch = code[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif depth == 0 and code.startswith(":=", i):
            return code[colon + 1 : i] if colon >= 0 else None
        elif depth == 0 and ch == ":" and colon < 0:
            colon = i
        elif depth == 0 and colon >= 0 and ch == "|" and code[i - 1] == "\n":
            return code[colon + 1 : i]
        i += 1
    return None


def _is_eq_sign(text: str, i: int) -> bool:
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return prev not in ":=<>!≠" and nxt not in "=>"


def vacuity(statement: str) -> str | None:
    """Why a theorem statement is vacuous by its shape, or ``None``.

    >>> vacuity("f x = f x"), vacuity("∃ c, c = compose a b"), vacuity("f x = g x") is None
    ('both sides of `=` are the same: f x', 'an existential witnessed by its own term', True)
    """
    concl = _norm(_top_level_split(_norm(statement), "→")[-1])
    if concl == "True":
        return "the conclusion is `True`"
    match = re.match(r"^∃\s*(\w+)(?:\s*:[^,]+)?,\s*(.*)$", concl)
    if match:
        var, body = match.group(1), _norm(match.group(2))
        sides = [_norm(p) for p in _split_eq(body)]
        if len(sides) == 2 and var in sides:
            other = sides[1] if sides[0] == var else sides[0]
            if not re.search(rf"(?<![\w.]){re.escape(var)}(?![\w'])", other):
                return "an existential witnessed by its own term"
    for sep in ("↔", "="):
        sides = [
            _norm(p) for p in (_split_eq(concl) if sep == "=" else _top_level_split(concl, sep))
        ]
        if len(sides) == 2 and sides[0] == sides[1]:
            return f"both sides of `{sep}` are the same: {sides[0]}"
    return None


def _split_eq(text: str) -> list[str]:
    """Split at top-level ``=`` signs that are equality (not ``:=``, ``==``, ``<=``, ``=>``)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "=" and depth == 0 and _is_eq_sign(text, i):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def lint_vacuity(path: Path, text: str) -> list[Finding]:
    """Findings for theorems whose statement is vacuous by its shape."""
    code = strip_comments(text)
    findings: list[Finding] = []
    for match in _DECL_RE.finditer(code):
        stmt = statement_of(code, match.end())
        if stmt is None:
            continue
        why = vacuity(stmt)
        if why:
            line = code.count("\n", 0, match.start("name")) + 1
            findings.append(Finding(path, line, f"theorem {match.group('name')} is vacuous: {why}"))
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
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m atomik.conformance.leanlint [LEAN_DIR]\n"
              "Lint the Lean sources (default lean/): no sorry, admit, axiom, native_decide, "
              "vacuous statements; every module imported by the build. Exit 1 on findings.")
        return 0
    if args and args[0] == "--version":
        from atomik import __version__

        print(f"atomik.conformance.leanlint {__version__}")
        return 0
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
