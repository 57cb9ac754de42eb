"""Coverage report: gates, ``coverage.json``, ``coverage.md`` and a static ``coverage.html``.

The JSON is the source of truth (schema: ``spec/coverage.schema.json``); the markdown and HTML
are rendered from it, so ``python -m atomik.conformance report`` can regenerate both without
re-running any check.
"""

from __future__ import annotations

import html
import inspect
import json
import os
import textwrap
import tomllib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from atomik.conformance.engine import CheckResult, Plan

__all__ = ["build", "gate_failures", "load_exemptions", "write_all"]

SUMMARY_KEYS = ("theorems", "checked", "lean_not_checked", "unchecked", "auto_translated",
                "hand_written", "crosshair", "failing", "exempt", "orphans", "mutation_score")
PASSING = ("pass", "verified")
# A theorem's status: "checked" (green) needs passing checks AND Lean having checked its module;
# "lean-not-checked": every check passes but Lean did not check the module in this report (not
# run, or failed: a failure is also a gate); "failing": a check failed; "unchecked": no check;
# "exempt": a written exemption.
STATUSES = ("checked", "lean-not-checked", "failing", "unchecked", "exempt")
_STATUS_KEY = {s: s.replace("-", "_") for s in STATUSES}  # status → its summary count
# A Hypothesis check whose premises are met in fewer of its tried examples fails the gate.
MIN_PREMISE_RATE = 0.2
# An iff check whose left side held in fewer (or, from the other end, more) of its examples
# fails the gate: one direction of the law would go (almost) untested.
MIN_IFF_SHARE = 0.2
MIN_OBSERVED = 10  # rates over fewer examples than this are shown but not gated
# The folder holding conformance/ (the repository root in a checkout): property files are named
# relative to it, as theorem files are relative to the repository root.
_PKG_ROOT = Path(__file__).resolve().parent.parent


def load_exemptions(path: Path) -> dict[str, str]:
    """``spec/exemptions.toml``: ``[exempt] "Theorem.name" = "written reason"``."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for name, reason in data.get("exempt", {}).items():
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            raise ValueError(f"{path}: exemption of {name} needs a written reason")
        out[name] = reason.strip()
    return out


def load_lean_status(path: Path | None) -> dict[str, Any]:
    """The Lean build status JSON written by ``conformance/leanbuild.py`` (empty if absent)."""
    if path is None or not path.exists():
        return {"toolchain": "", "modules": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _repo_roots() -> list[Path]:
    """Where the repository root may be: the working directory, then the folder holding
    conformance/, each only if it holds lean/ (the theorem files are named relative to it)."""
    return [c for c in dict.fromkeys((Path.cwd().resolve(), _PKG_ROOT)) if (c / "lean").is_dir()]


def _rel_file(path: str) -> str:
    """``path`` relative to the repository root (or, in an installed copy, to the folder
    holding conformance/), with forward slashes; unchanged when it is under neither."""
    for base in (*_repo_roots(), _PKG_ROOT):
        try:
            return Path(path).resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return path


def property_source(fn: Callable[..., Any]) -> dict[str, Any]:
    """The file (relative to the repository root), first line and source text of a hand-written
    property, as the report shows it; empty fields when the source cannot be read."""
    try:
        fn = inspect.unwrap(fn)
        file = inspect.getsourcefile(fn) or ""
        lines, line = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return {"file": "", "line": None, "source": ""}
    return {"file": _rel_file(file), "line": line,
            "source": textwrap.dedent("".join(lines)).rstrip() + "\n"}


def theorem_status(checks: list[dict[str, Any]], lean: str, exempt: bool) -> str:
    """The status of one theorem from its checks' results, its module's Lean status and
    whether it is exempt (see ``STATUSES``)."""
    if exempt:
        return "exempt"
    if not checks:
        return "unchecked"
    if any(c["result"] not in PASSING for c in checks):
        return "failing"
    return "checked" if lean == "checked" else "lean-not-checked"


def _recount(doc: dict[str, Any]) -> None:
    """Recompute the theorem counts of ``doc["summary"]`` from its rows (orphans and the
    mutation score are kept)."""
    s = doc["summary"]
    counts = {k: s.get(k) for k in ("orphans", "mutation_score")}
    for k in SUMMARY_KEYS:
        if k not in counts:
            counts[k] = 0
    verified = 0
    for r in doc["theorems"]:
        checks = r["checks"]
        counts["theorems"] += 1
        counts[_STATUS_KEY[r["status"]]] += 1
        counts["auto_translated"] += any(c["kind"] == "auto" for c in checks)
        counts["hand_written"] += any(c["kind"] == "hand" for c in checks)
        counts["crosshair"] += any(c["engine"] == "crosshair" and c["result"] in PASSING
                                   for c in checks)
        verified += any(c["engine"] == "crosshair" and c["result"] == "verified" for c in checks)
    doc["summary"] = {k: counts[k] for k in SUMMARY_KEYS}
    doc["crosshair_verified"] = verified


def build(p: Plan, results: list[CheckResult], exemptions: dict[str, str],
          lean_status: dict[str, Any], mutation: dict[str, Any] | None,
          meta: dict[str, Any]) -> dict[str, Any]:
    """The coverage document (``coverage.json``)."""
    names = {t.name for t in p.theorems}
    by_thm: dict[str, list[CheckResult]] = {}
    for r in results:
        by_thm.setdefault(r.theorem, []).append(r)
    modules = lean_status.get("modules", {})
    sources = {h.qualname: property_source(h.fn) for h in p.hands}
    rows = []
    for t in p.theorems:
        checks = by_thm.get(t.name, [])
        mod = modules.get(t.module)
        lean = mod.get("status", "not run") if mod else "not run"
        rows.append({
            "name": t.name,
            "module": t.module,
            "file": t.file,
            "line": t.line,
            "statement": t.statement,
            "doc": t.doc,
            "lean": lean,
            "status": "",
            "not_translated": p.not_translated.get(t.name, ""),
            "exemption": exemptions.get(t.name, ""),
            "checks": [
                {"kind": c.kind, "engine": c.engine, "name": c.name, "examples": c.examples,
                 "rejected": c.rejected, "result": c.result, "counterexample": c.counterexample,
                 "seconds": c.seconds, "detail": c.detail,
                 "premise_rate": (None if c.engine != "hypothesis" or not c.attempts
                                  else round(c.examples / c.attempts, 3)),
                 "iff_true": c.iff_true, "iff_false": c.iff_false,
                 **(sources.get(c.name, {"file": "", "line": None, "source": ""})
                    if c.kind == "hand" else {"file": t.file, "line": t.line, "source": ""})}
                for c in checks
            ],
        })
    for row in rows:
        row["status"] = theorem_status(row["checks"], row["lean"], row["name"] in exemptions)
    orphans = sorted({r.name + " → " + r.theorem for r in results if r.theorem not in names})
    doc: dict[str, Any] = {
        "summary": {"orphans": len(orphans),
                    "mutation_score": mutation.get("score") if mutation else None},
        "crosshair_verified": 0,
        "meta": meta,
        "lean_toolchain": lean_status.get("toolchain", ""),
        "lean_modules": modules,
        "lean_vectors": _lean_vectors(modules),
        "exemptions": [{"name": k, "reason": v} for k, v in sorted(exemptions.items())],
        "unmapped_symbols": {k: sorted(v) for k, v in sorted(p.unmapped.items())},
        "orphans": orphans,
        "orphan_checks": [asdict(r) for r in results if r.theorem not in names],
        "mutation": mutation,
        "theorems": rows,
    }
    _recount(doc)
    return doc


def apply_lean_status(doc: dict[str, Any], lean_status: dict[str, Any]) -> None:
    """Put a (newer) ``build/lean-status.json`` into a coverage document: the toolchain, the
    modules, the vectors the kernel checked, each theorem's Lean status, and from them each
    theorem's status and the summary counts (green only where Lean checked the module)."""
    modules = lean_status.get("modules", {})
    doc["lean_toolchain"] = lean_status.get("toolchain", "")
    doc["lean_modules"] = modules
    doc["lean_vectors"] = _lean_vectors(modules)
    for row in doc["theorems"]:
        row["lean"] = modules.get(row["module"], {}).get("status", "not run")
        row["status"] = theorem_status(row["checks"], row["lean"], bool(row.get("exemption")))
    _recount(doc)


def gate_failures(doc: dict[str, Any]) -> list[str]:
    """Every reason ``make verify`` must fail, one message each, naming what and where."""
    out: list[str] = []
    names = {r["name"] for r in doc["theorems"]}
    for sym, thms in doc["unmapped_symbols"].items():
        out.append(f"unmapped symbol {sym} (used by {', '.join(thms)}): add it to "
                   "spec/symbols.toml [defs], or to [hand_only.symbols] with a reason and a "
                   "hand-written property")
    for r in doc["theorems"]:
        where = f"{r['file']}:{r['line']}"
        if r["status"] == "unchecked":
            why = f" ({r['not_translated']})" if r["not_translated"] else ""
            out.append(f"theorem without any check: {r['name']} at {where}{why}")
        for c in r["checks"]:
            if c["result"] not in PASSING:
                out.append(f"{c['result']} check of {r['name']} at {where} [{c['kind']} / "
                           f"{c['engine']} {c['name']}]: {c['counterexample']}")
            tried = c.get("examples", 0) + c.get("rejected", 0)
            rate = c.get("premise_rate")
            if c["engine"] == "hypothesis" and rate is not None and tried >= MIN_OBSERVED \
                    and rate < MIN_PREMISE_RATE:
                out.append(f"premise of {r['name']} at {where} met in {rate:.0%} of {tried} "
                           f"tried examples (< {MIN_PREMISE_RATE:.0%}) [{c['kind']} "
                           f"{c['name']}]: generate the premise instead of filtering")
            seen = c.get("iff_true", 0) + c.get("iff_false", 0)
            if seen >= MIN_OBSERVED:
                share = c["iff_true"] / seen
                if not MIN_IFF_SHARE <= share <= 1 - MIN_IFF_SHARE:
                    out.append(f"iff check of {r['name']} at {where}: its left side held in "
                               f"{share:.0%} of {seen} examples (outside {MIN_IFF_SHARE:.0%}.."
                               f"{1 - MIN_IFF_SHARE:.0%}) [{c['kind']} {c['name']}]: draw both "
                               "sides true and false")
        if r["lean"] == "failed":
            out.append(f"Lean did not check the module of {r['name']} at {where}")
    for o in doc["orphan_checks"]:
        out.append(f"check {o['name']} names an unknown theorem {o['theorem']}")
    for e in doc["exemptions"]:
        if e["name"] not in names:
            out.append(f"exemption names an unknown theorem {e['name']} (spec/exemptions.toml)")
    m = doc.get("mutation")
    if m and m.get("survivors"):
        out.append(f"mutants not caught: {', '.join(m['survivors'])}")
    return out


# --------------------------------------------------------------------------- markdown


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _check_summary(c: dict[str, Any]) -> str:
    unit = "paths" if c["engine"] == "crosshair" else "examples"
    extra = ""
    if c.get("premise_rate") is not None and c.get("rejected"):
        extra += f", premise met in {c['premise_rate']:.0%}"
    seen = c.get("iff_true", 0) + c.get("iff_false", 0)
    if seen:
        extra += f", left side of ↔ true in {c['iff_true'] / seen:.0%}"
    return f"{c['kind']}/{c['engine']}: {c['result']} ({c['examples']} {unit}{extra})"


def _lean_vectors(modules: dict[str, Any]) -> list[dict[str, Any]]:
    """Per vector suite, how many vectors the Lean kernel confirmed (atomik.oracle.vectors)."""
    try:
        from atomik.oracle.vectors import lean_summary

        return lean_summary(modules)
    except (ImportError, OSError):  # no spec/vectors next to the package (an installed copy)
        return []


def _lean_vectors_md(doc: dict[str, Any]) -> list[str]:
    rows = doc.get("lean_vectors") or []
    if not rows:
        return []
    out = ["", "## Vectors confirmed by the Lean kernel", "",
           "Each stated vector is an `example … := by decide` in lean/Atomik/Vectors.lean; it is "
           "confirmed when the Lean build checked that module.", "",
           "| suite | vectors | valid | stated | confirmed | outside the model |",
           "|---|---|---|---|---|---|"]
    out += [f"| {r['suite']} | {r['vectors']} | {r['valid']} | {r['stated']} | {r['confirmed']} "
            f"| {_cell(r['outside'])} |" for r in rows]
    return out


def module_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per Lean module (in the report's order): its file, Lean status and seconds, and how many
    of its theorems have each status."""
    out: dict[str, dict[str, Any]] = {}
    lean = doc.get("lean_modules") or {}
    for r in doc["theorems"]:
        m = out.get(r["module"])
        if m is None:
            info = lean.get(r["module"]) or {}
            m = out[r["module"]] = {"module": r["module"], "file": r["file"],
                                    "lean": r["lean"], "seconds": info.get("seconds"),
                                    "theorems": 0, "checks": 0, **dict.fromkeys(STATUSES, 0)}
        m["theorems"] += 1
        m["checks"] += len(r["checks"])
        m[r["status"]] += 1
    return list(out.values())


def _modules_md(doc: dict[str, Any], base: str) -> list[str]:
    rows = module_rows(doc)
    if not rows:
        return []
    out = ["## Modules", "",
           "Per Lean module: whether Lean checked it in this run, and its theorems by status.", "",
           "| module | Lean | theorems | checked | checks pass, Lean did not check | failing "
           "| unchecked | exempt | checks |", "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    for m in rows:
        secs = f" ({m['seconds']:.0f} s)" if isinstance(m["seconds"], int | float) else ""
        out.append(f"| [{m['module']}]({_md_href(base, m['file'], None)}) | {m['lean']}{secs} "
                   f"| {m['theorems']} | {m['checked']} | {m['lean-not-checked']} "
                   f"| {m['failing']} | {m['unchecked']} | {m['exempt']} | {m['checks']} |")
    return out


def _md_href(base: str, file: str, line: int | None) -> str:
    return quote(f"{base}/{file}") + (f"#L{line}" if line else "")


def render_md(doc: dict[str, Any], base: str = "..") -> str:
    """``coverage.md``; ``base`` is the relative path from the report's folder to the
    repository root (source links are ``base/file#Lline``)."""
    s = doc["summary"]
    lines = ["# atomik — theorem coverage", ""]
    meta = doc.get("meta", {})
    quick = " --quick" if meta.get("quick") else ""
    lines.append(f"Generated by `python -m atomik.conformance check{quick}`"
                 f"; Lean toolchain: {doc.get('lean_toolchain') or 'status not given'}.")
    lines += ["", "| theorems | checked | checks pass, Lean did not check | unchecked | "
              "auto-translated | hand-written | "
              "CrossHair (no counterexample / all paths verified) | failing | exempt | orphans | "
              "mutation score |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    ms = s["mutation_score"]
    lines.append(f"| {s['theorems']} | {s['checked']} | {s.get('lean_not_checked', 0)} "
                 f"| {s['unchecked']} | {s['auto_translated']} "
                 f"| {s['hand_written']} | {s['crosshair']} / {doc.get('crosshair_verified', 0)} "
                 f"| {s['failing']} | {s['exempt']} | {s['orphans']} | "
                 f"{'not run' if ms is None else f'{ms:.0%}'} |")
    lines += ["", "Hypothesis runs against the compiled (numba) code; CrossHair against the pure "
              "twins (`NUMBA_DISABLE_JIT=1`). A CrossHair result of `pass` means no counterexample "
              "within its time budget, not a proof; `verified` means CrossHair exhausted every "
              "path.", "",
              "A theorem is *checked* when its checks pass and Lean checked its module in this "
              "run; *lean-not-checked* when its checks pass but Lean did not check the module "
              "(not run here, or failed: a failure is also a gate).", ""]
    lines += _modules_md(doc, base)
    lines.append("")
    lines += ["## Exemptions", ""]
    if doc["exemptions"]:
        lines += [f"- **{e['name']}**: {e['reason']}" for e in doc["exemptions"]]
    else:
        lines.append("None: every theorem needs a passing executable check.")
    lines += _lean_vectors_md(doc)
    failures = gate_failures(doc)
    lines += ["", "## Gate failures", ""]
    lines += [f"- {_cell(f)}" for f in failures] if failures else ["None."]
    if doc["orphans"]:
        lines += ["", "## Checks naming no theorem", ""] + [f"- {o}" for o in doc["orphans"]]
    lines += ["", "## Theorems", "",
              "Each theorem's checks, with the property that ran, follow the table "
              "(*Executed properties*).", "",
              "| status | theorem | source | Lean | checks | statement |",
              "|---|---|---|---|---|---|"]
    for r in doc["theorems"]:
        src = f"[{r['file']}:{r['line']}]({_md_href(base, r['file'], r['line'])})"
        checks = "<br>".join(_check_summary(c) for c in r["checks"]) or "—"
        lines.append(f"| {r['status']} | <a id=\"{html.escape(r['name'])}\"></a>`{r['name']}` "
                     f"| {src} | {r['lean']} | {checks} | `{_cell(r['statement'])}` |")
    lines += ["", "## Executed properties", ""]
    for r in doc["theorems"]:
        if not r["checks"]:
            continue
        lines += [f"<details><summary><code>{html.escape(r['name'])}</code>: "
                  f"{html.escape(r['status'])}</summary>", ""]
        seen: set[tuple[str, str]] = set()
        for c in r["checks"]:
            if (c["kind"], c["name"]) in seen:
                continue
            seen.add((c["kind"], c["name"]))
            if c["kind"] == "hand":
                where = ""
                if c.get("file"):
                    where = f" ([{c['file']}:{c['line']}]({_md_href(base, c['file'], c['line'])}))"
                lines += [f"Hand-written property `{c['name']}`{where}:", "", "```python",
                          (c.get("source") or c.get("detail") or "").rstrip(), "```", ""]
            else:
                lines += ["Auto-translated property (the Python it evaluates):", "", "```python",
                          (c.get("detail") or "").rstrip(), "```", ""]
        lines += ["</details>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem;margin:0 0 .3rem} .sub{color:#57606a;margin-bottom:1rem}
a{color:#0969da;text-decoration:none} a:hover{text-decoration:underline}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:.5rem .8rem;min-width:7rem}
.card b{display:block;font-size:1.3rem} .card span{color:#57606a;font-size:.8rem}
.bar{margin:.8rem 0;display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
.bar button{border:1px solid #d0d7de;background:#f6f8fa;border-radius:6px;padding:.3rem .7rem;
cursor:pointer} .bar button.on{background:#0969da;color:#fff}
.bar input{padding:.3rem .5rem;border:1px solid #d0d7de;border-radius:6px;width:18rem;
max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.85rem;table-layout:auto}
th{background:#f6f8fa;text-align:left;cursor:pointer;position:sticky;top:0;white-space:nowrap}
th,td{border-bottom:1px solid #d8dee4;padding:.35rem .5rem;vertical-align:top}
td.thm,td.checks,td.stmt{overflow-wrap:anywhere} td.st,td.src{white-space:nowrap}
td.stmt{font-family:ui-monospace,Menlo,monospace;font-size:.78rem;min-width:16rem}
td.src{font-size:.75rem;color:#57606a} td.num{text-align:right;white-space:nowrap}
.s-checked{color:#1a7f37;font-weight:600} .s-failing{color:#cf222e;font-weight:700}
.s-unchecked{color:#9a6700;font-weight:700} .s-exempt{color:#8250df;font-weight:600}
.s-lean-not-checked{color:#57606a;font-weight:600;font-style:italic}
.chk{font-size:.78rem} td.thm{min-width:12rem;max-width:20rem} td.lean{white-space:nowrap}
td.checks{min-width:18rem;max-width:34rem}
a.self{color:inherit;font-weight:700} tr:target{background:#fff8c5}
.r-fail,.r-error{color:#cf222e} .r-verified{color:#0969da;font-weight:600}
.warn{border:2px solid #8250df;border-radius:8px;padding:.5rem .8rem;margin:.8rem 0}
.bad{border:2px solid #cf222e;border-radius:8px;padding:.5rem .8rem;margin:.8rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0;font-size:.75rem;
background:#f6f8fa;padding:.3rem}
details{margin:.15rem 0 .4rem} summary{cursor:pointer;font-size:.75rem;color:#57606a}
details pre{white-space:pre;overflow-x:auto;overflow-wrap:normal;max-width:100%}
.doc{color:#57606a}
details.bad>summary{font-size:1rem;color:inherit}
details.mods{margin:.8rem 0} table.mods{width:auto;min-width:60%} table.mods th{cursor:default}
@media (max-width:760px){
 body{margin:.6rem} .card{min-width:5.5rem;padding:.4rem .6rem} .bar input{width:100%}
 table,tbody,tr,td{display:block;width:100%;max-width:none}
 thead{display:none}
 tr{border:1px solid #d0d7de;border-radius:8px;margin:0 0 .7rem;padding:.3rem .2rem}
 td{border:0;padding:.2rem .5rem;min-width:0}
 td.thm,td.checks,td.stmt,td.src{min-width:0;max-width:none}
 td[data-label]::before{content:attr(data-label);display:block;font-size:.7rem;color:#57606a;
 text-transform:uppercase;letter-spacing:.03em}
 td.num{text-align:left}
 table.mods tr{display:flex;flex-wrap:wrap;gap:0 .2rem} table.mods td{width:auto}
 table.mods td:first-child{width:100%}
}
"""

_JS = """
let filter='all', query='';
function apply(){for(const tr of document.querySelectorAll('#thms tbody tr')){
 const okS = filter==='all' || tr.dataset.status===filter;
 const okQ = !query || tr.textContent.toLowerCase().includes(query);
 tr.style.display = okS && okQ ? '' : 'none';}}
for(const b of document.querySelectorAll('.bar button')){b.onclick=()=>{
 filter=b.dataset.f; document.querySelectorAll('.bar button').forEach(x=>x.classList.remove('on'));
 b.classList.add('on'); apply();};}
document.getElementById('q').oninput=e=>{query=e.target.value.toLowerCase(); apply();};
document.querySelectorAll('#thms th').forEach((th,i)=>{th.onclick=()=>{
 const tb=document.querySelector('#thms tbody'); const rows=[...tb.rows];
 const dir = th.dataset.dir==='asc' ? -1 : 1; th.dataset.dir = dir===1?'asc':'desc';
 rows.sort((a,b)=>{const x=a.cells[i].dataset.k??a.cells[i].textContent,
  y=b.cells[i].dataset.k??b.cells[i].textContent; const nx=parseFloat(x), ny=parseFloat(y);
  return (isNaN(nx)||isNaN(ny) ? x.localeCompare(y) : nx-ny)*dir;});
 rows.forEach(r=>tb.appendChild(r));};});
"""


def _link_base(out: Path) -> str:
    """The relative path from the report folder ``out`` to the repository root (``..`` for
    reports/), so source links open the files in a checkout and on GitHub."""
    for cand in _repo_roots():
        return Path(os.path.relpath(cand, out.resolve())).as_posix()
    return ".."


def _src_link(base: str, file: str, line: int | None) -> str:
    """An ``<a>`` to ``file`` (relative to the repository root) at ``line``."""
    e = html.escape
    if not file:
        return ""
    anchor = f"#L{line}" if line else ""
    label = f"{file}:{line}" if line else file
    return f"<a href='{e(quote(f'{base}/{file}'))}{anchor}'>{e(label)}</a>"


def _breakable(name: str) -> str:
    """An escaped theorem name with line-break opportunities after each dot and underscore."""
    e = html.escape
    return "".join(e(ch) + ("<wbr>" if ch in "._" else "") for ch in name)


def _checks_html(r: dict[str, Any], base: str) -> str:
    """The checks of one theorem: per property, one line per engine run, then the executed
    property (the rendered auto-translation, or the hand property's source) collapsed."""
    e = html.escape
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in r["checks"]:
        groups.setdefault((c["kind"], c["name"]), []).append(c)
    out = []
    for (kind, name), runs in groups.items():
        lines = []
        for c in runs:
            unit = "paths" if c["engine"] == "crosshair" else "examples"
            res = c["result"]
            if c["engine"] == "crosshair" and res == "pass":
                res = "no counterexample"
            lines.append(f"<div class='chk r-{e(c['result'])}'>{e(kind)} · {e(c['engine'])} · "
                         f"{e(res)} · {c['examples']} {unit}</div>")
            if c["counterexample"]:
                lines.append(f"<pre>{e(c['counterexample'])}</pre>")
        first = runs[0]
        if kind == "hand":
            link = _src_link(base, first.get("file") or "", first.get("line"))
            doc = (first.get("detail") or "").strip()
            body = first.get("source") or ""
            shown = name.removeprefix("atomik.conformance.properties.")
            summary = (f"property <code>{e(shown)}</code>" + (f" ({link})" if link else ""))
            if doc:
                summary += f"<div class=doc>{e(doc)}</div>"
        else:
            body = first.get("detail") or ""
            summary = "auto-translated property (the Python it evaluates)"
        lines.append(f"<details><summary>{summary}</summary><pre>{e(body) or '—'}</pre>"
                     "</details>" if body else f"<div class=doc>{summary}</div>")
        out.append("".join(lines))
    return "".join(out)


def _modules_html(doc: dict[str, Any], base: str) -> str:
    """The per-module table (see :func:`module_rows`)."""
    e = html.escape
    rows = module_rows(doc)
    if not rows:
        return ""
    cols = [("checked", "checked"), ("lean-not-checked", "checks pass, Lean did not check"),
            ("failing", "failing"), ("unchecked", "unchecked"), ("exempt", "exempt")]
    out = ["<details class=mods open><summary><b>Modules</b>: whether Lean checked each, and its "
           "theorems by status</summary><table class=mods><thead><tr><th>module</th><th>Lean</th>"
           "<th>theorems</th>" + "".join(f"<th>{e(label)}</th>" for _, label in cols)
           + "<th>checks</th></tr></thead><tbody>"]
    for m in rows:
        secs = f" ({m['seconds']:.0f} s)" if isinstance(m["seconds"], int | float) else ""
        out.append(f"<tr><td data-label=module>{_src_link(base, m['file'], None)}</td>"
                   f"<td class=lean data-label=Lean>{e(m['lean'])}{secs}</td>"
                   f"<td class=num data-label=theorems>{m['theorems']}</td>"
                   + "".join(f"<td class=num data-label='{e(label)}'>{m[k]}</td>"
                             for k, label in cols)
                   + f"<td class=num data-label=checks>{m['checks']}</td></tr>")
    out.append("</tbody></table></details>")
    return "".join(out)


def render_html(doc: dict[str, Any], base: str = "..") -> str:
    """``coverage.html``: static, no network, inline CSS and JS. ``base`` is the relative path
    from the report's folder to the repository root (source links are ``base/file#Lline``)."""
    e = html.escape
    s = doc["summary"]
    ms = s["mutation_score"]
    cards = [
        ("theorems", s["theorems"]), ("checked (checks pass, Lean checked)", s["checked"]),
        ("checks pass, Lean did not check", s.get("lean_not_checked", 0)),
        ("unchecked", s["unchecked"]),
        ("failing", s["failing"]), ("auto-translated", s["auto_translated"]),
        ("hand-written", s["hand_written"]),
        ("CrossHair, no counterexample", s["crosshair"]),
        ("CrossHair, all paths verified", doc.get("crosshair_verified", 0)),
        ("exempt", s["exempt"]), ("orphan checks", s["orphans"]),
        ("mutation score", "not run" if ms is None else f"{ms:.0%}"),
    ]
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<meta name=viewport content='width=device-width, initial-scale=1'>",
             "<title>atomik theorem coverage</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>atomik — theorem coverage</h1>",
             f"<div class=sub>Every Lean theorem, the executable checks that hold the Python code "
             f"to it, with which engine and how many examples. Lean toolchain: "
             f"{e(doc.get('lean_toolchain') or 'status not given')}.</div>",
             "<div class=cards>"]
    parts += [f"<div class=card><b>{e(str(v))}</b><span>{e(k)}</span></div>" for k, v in cards]
    parts.append("</div>")
    if doc["exemptions"]:
        parts.append("<div class=warn><b>Exemptions</b><ul>" + "".join(
            f"<li><b>{e(x['name'])}</b>: {e(x['reason'])}</li>" for x in doc["exemptions"])
            + "</ul></div>")
    failures = gate_failures(doc)
    if failures:
        parts.append(f"<details class=bad open><summary><b>Gate failures ({len(failures)})</b>"
                     "</summary><ul>" + "".join(f"<li><pre>{e(f)}</pre></li>" for f in failures)
                     + "</ul></details>")
    parts.append(_modules_html(doc, base))
    parts.append("<div class=bar>" + "".join(
        f"<button data-f={f}{' class=on' if f == 'all' else ''}>{f}</button>"
        for f in ("all", *STATUSES))
        + " <input id=q placeholder='search theorem, statement, check…'></div>")
    parts.append("<table id=thms><thead><tr><th>status</th><th>theorem</th><th>source</th>"
                 "<th>Lean</th>"
                 "<th>checks</th>"
                 "<th title='Hypothesis examples / CrossHair paths'>examples / paths</th>"
                 "<th>statement</th></tr></thead><tbody>")
    for r in doc["theorems"]:
        checks = _checks_html(r, base)
        if r["not_translated"]:
            checks += f"<div class=doc>not auto-translated: {e(r['not_translated'])}</div>"
        if r.get("exemption"):
            checks += f"<div class=doc>exempt: {e(r['exemption'])}</div>"
        hyp = sum(c["examples"] for c in r["checks"] if c["engine"] == "hypothesis")
        cx = sum(c["examples"] for c in r["checks"] if c["engine"] == "crosshair")
        name = r["name"]
        parts.append(
            f"<tr id='{e(name)}' data-status='{e(r['status'])}'>"
            f"<td class='st s-{e(r['status'])}' data-label=status>{e(r['status'])}</td>"
            f"<td class=thm><a class=self href='#{e(quote(name, safe=''))}' "
            f"title='link to this theorem'>{_breakable(name)}</a>"
            f"<div class=doc>{e(r['doc'])}</div></td>"
            f"<td class=src data-label=source>{_src_link(base, r['file'], r['line'])}</td>"
            f"<td class=lean data-label=Lean>{e(r['lean'])}</td>"
            f"<td class=checks data-label=checks>{checks or '—'}</td>"
            f"<td class=num data-k={hyp} data-label='examples / paths'>{hyp} / {cx}</td>"
            f"<td class=stmt data-label=statement>{e(r['statement'])}</td></tr>")
    parts.append(f"</tbody></table><script>{_JS}</script></body></html>")
    return "\n".join(parts)


def write_all(doc: dict[str, Any], out: Path) -> None:
    """Write ``coverage.json``, ``coverage.md`` and ``coverage.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    (out / "coverage.md").write_text(render_md(doc, _link_base(out)), encoding="utf-8")
    (out / "coverage.html").write_text(render_html(doc, _link_base(out)), encoding="utf-8")
