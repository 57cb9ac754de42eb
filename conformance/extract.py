"""Extract ``theorem`` / ``lemma`` declarations from Lean sources, as text.

No Lean metaprogramming is available on the offline toolchain, so the statements are read from the
source: comments are blanked (docstrings are kept for the report), ``namespace``/``section``/``end``
are tracked to give every theorem its full name (``Atomik.Context.read_load``), and the header
``theorem NAME BINDERS : CONCLUSION :=`` is split into binders (explicit ``()``, implicit ``{}``,
strict implicit ``⦃⦄``, instance ``[]``), hypotheses (binders whose type is a proposition) and the
conclusion.

Usage: ``python -m atomik.conformance.extract [LEAN_DIR]`` prints one line per theorem.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Binder", "Theorem", "extract_file", "extract_source", "extract_tree", "split_binders"]


@dataclass(frozen=True)
class Binder:
    """One bound name: ``kind`` is ``explicit``, ``implicit``, ``strict`` or ``instance``."""

    name: str
    type: str
    kind: str
    is_hypothesis: bool = False


@dataclass
class Theorem:
    """A theorem as written in the source."""

    name: str  # full name, e.g. Atomik.Context.read_load
    short_name: str  # as written after ``theorem``
    namespace: str
    module: str  # e.g. Atomik.Context
    file: str  # path relative to the repo root when known
    line: int  # line of the ``theorem`` keyword (1-based)
    binders: list[Binder]
    conclusion: str
    doc: str = ""
    attributes: list[str] = field(default_factory=list)
    private: bool = False
    keyword: str = "theorem"

    @property
    def variables(self) -> list[Binder]:
        """The binders that are data (not hypotheses, not instances)."""
        return [b for b in self.binders if not b.is_hypothesis and b.kind != "instance"]

    @property
    def hypotheses(self) -> list[Binder]:
        """The binders whose type is a proposition (premises of the theorem)."""
        return [b for b in self.binders if b.is_hypothesis]

    @property
    def statement(self) -> str:
        """The statement as one normalised line: binders, then ``:`` and the conclusion."""
        parts = []
        for b in self.binders:
            o, c = _BRACKETS[b.kind]
            parts.append(f"{o}{b.name} : {b.type}{c}")
        return " ".join([*parts, ":", self.conclusion]).strip()


_BRACKETS = {"explicit": ("(", ")"), "implicit": ("{", "}"), "strict": ("⦃", "⦄"),
             "instance": ("[", "]")}
_OPEN = {"(": ")", "{": "}", "[": "]", "⦃": "⦄", "⟨": "⟩"}
_CLOSE = set(_OPEN.values())

# Types whose binders are data, never hypotheses.
DATA_TYPES = frozenset({"BitVec", "Nat", "Int", "List", "Bool", "Prod", "Context", "Table",
                        "Message", "Replica", "Event", "Fin", "Option", "Array"})
_PROP_MARKERS = re.compile(
    r"=|≠|<|≤|>|≥|∈|∉|↔|∧|∨|¬|→|\.Perm\b|\bList\.Perm\b|∀|∃|\bTrue\b|\bFalse\b"
)


def _blank_comments(text: str) -> tuple[str, dict[int, str]]:
    """Blank comments (keeping newlines and offsets); return docstrings keyed by end offset."""
    out = list(text)
    docs: dict[int, str] = {}
    i, n = 0, len(text)
    while i < n:
        if text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif text.startswith("/-", i):
            is_doc = text.startswith("/--", i) and not text.startswith("/--/", i)
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/-", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("-/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if is_doc:
                docs[j] = " ".join(text[i + 3 : j - 2].split())
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            i += 1
    return "".join(out), docs


_DECL_RE = re.compile(
    r"^(?P<attrs>(?:@\[[^\]]*\]\s*)*)(?P<mods>(?:(?:private|protected|public|noncomputable)\s+)*)"
    r"(?P<kw>theorem|lemma)\s+(?P<name>[^\s(\[{⦃:]+)",
    re.M,
)
_SCOPE_RE = re.compile(r"^\s*(namespace|section|end)\b[ \t]*([^\s]*)", re.M)
_NEXT_DECL_RE = re.compile(
    r"^(?:@\[|private\s|protected\s|public\s|theorem\s|lemma\s|def\s|structure\s|namespace\s|end\b|"
    r"section\b|instance\s|abbrev\s|inductive\s|/--|#)",
    re.M,
)


def _scope_at(clean: str, offset: int) -> str:
    """The namespace in force at ``offset`` (``section`` pushes an anonymous scope)."""
    stack: list[tuple[str, str]] = []
    for m in _SCOPE_RE.finditer(clean, 0, offset):
        kw, arg = m.group(1), m.group(2)
        if kw == "namespace":
            stack.append(("namespace", arg))
        elif kw == "section":
            stack.append(("section", arg))
        elif stack:
            # `end X` closes the scope named X (a namespace `A.B` may be closed as one).
            stack.pop()
    return ".".join(a for k, a in stack if k == "namespace" and a)


def split_binders(header: str) -> tuple[list[Binder], str]:
    """Split ``BINDERS : CONCLUSION`` into binders and the conclusion text."""
    i, n = 0, len(header)
    binders: list[Binder] = []
    while i < n:
        ch = header[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "({[⦃":
            close = _OPEN.get(ch, "⦄") if ch != "⦃" else "⦄"
            depth, j = 0, i
            while j < n:
                if header[j] in _OPEN or header[j] == "⦃":
                    depth += 1
                elif header[j] in _CLOSE or header[j] == "⦄":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n or header[j] != close:
                raise ValueError(f"unbalanced binder in: {header!r}")
            inner = " ".join(header[i + 1 : j].split())
            kind = {"(": "explicit", "{": "implicit", "[": "instance", "⦃": "strict"}[ch]
            binders.extend(_parse_binder(inner, kind))
            i = j + 1
            continue
        if ch == ":":
            return binders, " ".join(header[i + 1 :].split())
        raise ValueError(f"unexpected {ch!r} in theorem header: {header!r}")
    raise ValueError(f"no ':' before the conclusion in: {header!r}")


def _top_level_colon(s: str) -> int:
    depth = 0
    for k, ch in enumerate(s):
        if ch in _OPEN or ch == "⦃":
            depth += 1
        elif ch in _CLOSE or ch == "⦄":
            depth -= 1
        elif ch == ":" and depth == 0 and not s.startswith(":=", k):
            return k
    return -1


def _parse_binder(inner: str, kind: str) -> list[Binder]:
    k = _top_level_colon(inner)
    if k < 0:
        if kind == "instance":
            return [Binder("_inst", inner, kind)]
        raise ValueError(f"binder without a type: {inner!r}")
    names = inner[:k].split()
    typ = inner[k + 1 :].strip()
    return [Binder(nm, typ, kind, _is_prop(nm, typ, kind)) for nm in names]


def _is_prop(name: str, typ: str, kind: str) -> bool:
    if kind == "instance":
        return False
    head = typ.split()[0].split(".")[-1] if typ.split() else ""
    if head in DATA_TYPES and not _PROP_MARKERS.search(typ):
        return False
    if _PROP_MARKERS.search(typ):
        return True
    return name.startswith("h")


def _header_end(clean: str, start: int) -> int:
    """Offset of the top-level ``:=`` (or ``|`` of an equation compiler, or ``where``)."""
    depth, j, n = 0, start, len(clean)
    while j < n:
        ch = clean[j]
        if ch in _OPEN or ch == "⦃":
            depth += 1
        elif ch in _CLOSE or ch == "⦄":
            depth -= 1
        elif depth == 0 and clean.startswith(":=", j):
            return j
        j += 1
    raise ValueError("theorem without ':='")


def module_name(path: Path, root: Path) -> str:
    """``lean/Atomik/Context.lean`` under ``lean/`` → ``Atomik.Context``."""
    rel = path.relative_to(root).with_suffix("")
    return ".".join(rel.parts)


def extract_source(text: str, *, module: str = "", file: str = "<string>") -> list[Theorem]:
    """Every theorem/lemma in one Lean source text."""
    clean, docs = _blank_comments(text)
    found: list[Theorem] = []
    for m in _DECL_RE.finditer(clean):
        start = m.start()
        end = _header_end(clean, m.end())
        binders, conclusion = split_binders(clean[m.end() : end])
        ns = _scope_at(clean, start)
        short = m.group("name")
        if short.startswith("_root_."):
            full = short[len("_root_.") :]
        else:
            full = f"{ns}.{short}" if ns else short
        doc = ""
        for off, d in docs.items():
            if off <= start and not clean[off:start].strip():
                doc = d
        attrs = re.findall(r"@\[([^\]]*)\]", m.group("attrs"))
        found.append(
            Theorem(
                name=full,
                short_name=short,
                namespace=ns,
                module=module,
                file=file,
                line=text.count("\n", 0, start) + 1,
                binders=binders,
                conclusion=conclusion,
                doc=doc,
                attributes=[a.strip() for a in attrs],
                private="private" in m.group("mods").split(),
                keyword=m.group("kw"),
            )
        )
    return found


def extract_file(path: Path, lean_root: Path, repo_root: Path | None = None) -> list[Theorem]:
    """Every theorem of one ``.lean`` file under ``lean_root`` (module name from the path)."""
    rel = str(path)
    if repo_root is not None:
        try:
            rel = str(path.resolve().relative_to(repo_root.resolve()))
        except ValueError:
            rel = str(path)
    return extract_source(path.read_text(encoding="utf-8"), module=module_name(path, lean_root),
                          file=rel)


def extract_tree(lean_root: Path, repo_root: Path | None = None) -> list[Theorem]:
    """Every theorem under ``lean_root`` (sorted by module, then line)."""
    out: list[Theorem] = []
    for p in sorted(lean_root.rglob("*.lean")):
        if ".lake" in p.parts:
            continue
        out.extend(extract_file(p, lean_root, repo_root))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print every theorem found under a Lean folder (default ``lean``)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else "lean")
    for t in extract_tree(root, Path.cwd()):
        print(f"{t.file}:{t.line}: {t.name} : {t.statement}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
