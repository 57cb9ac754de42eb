"""Coverage report: gates, ``coverage.json``, ``coverage.md`` and a static ``coverage.html``.

The JSON is the source of truth (schema: ``spec/coverage.schema.json``); the markdown and HTML
are rendered from it, so ``python -m atomik.conformance report`` can regenerate both without
re-running any check.
"""

from __future__ import annotations

import html
import json
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from atomik.conformance.engine import CheckResult, Plan

__all__ = ["build", "gate_failures", "load_exemptions", "write_all"]

SUMMARY_KEYS = ("theorems", "checked", "unchecked", "auto_translated", "hand_written",
                "crosshair", "failing", "exempt", "orphans", "mutation_score")
PASSING = ("pass", "verified")
# A Hypothesis check whose premises are met in fewer of its tried examples fails the gate.
MIN_PREMISE_RATE = 0.2
# An iff check whose left side held in fewer (or, from the other end, more) of its examples
# fails the gate: one direction of the law would go (almost) untested.
MIN_IFF_SHARE = 0.2
MIN_OBSERVED = 10  # rates over fewer examples than this are shown but not gated


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


def build(p: Plan, results: list[CheckResult], exemptions: dict[str, str],
          lean_status: dict[str, Any], mutation: dict[str, Any] | None,
          meta: dict[str, Any]) -> dict[str, Any]:
    """The coverage document (``coverage.json``)."""
    names = {t.name for t in p.theorems}
    by_thm: dict[str, list[CheckResult]] = {}
    for r in results:
        by_thm.setdefault(r.theorem, []).append(r)
    modules = lean_status.get("modules", {})
    rows = []
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    verified = 0
    for t in p.theorems:
        checks = by_thm.get(t.name, [])
        mod = modules.get(t.module)
        lean = mod.get("status", "not run") if mod else "not run"
        failing = [c for c in checks if c.result not in PASSING]
        if t.name in exemptions:
            status = "exempt"
        elif not checks:
            status = "unchecked"
        elif failing:
            status = "failing"
        else:
            status = "checked"
        counts["theorems"] += 1
        counts["checked"] += status == "checked"
        counts["unchecked"] += status == "unchecked"
        counts["failing"] += status == "failing"
        counts["exempt"] += status == "exempt"
        counts["auto_translated"] += any(c.kind == "auto" for c in checks)
        counts["hand_written"] += any(c.kind == "hand" for c in checks)
        counts["crosshair"] += any(c.engine == "crosshair" and c.result in PASSING
                                   for c in checks)
        verified += any(c.engine == "crosshair" and c.result == "verified" for c in checks)
        rows.append({
            "name": t.name,
            "module": t.module,
            "file": t.file,
            "line": t.line,
            "statement": t.statement,
            "doc": t.doc,
            "lean": lean,
            "status": status,
            "not_translated": p.not_translated.get(t.name, ""),
            "exemption": exemptions.get(t.name, ""),
            "checks": [
                {"kind": c.kind, "engine": c.engine, "name": c.name, "examples": c.examples,
                 "rejected": c.rejected, "result": c.result, "counterexample": c.counterexample,
                 "seconds": c.seconds, "detail": c.detail,
                 "premise_rate": (None if c.engine != "hypothesis" or not c.attempts
                                  else round(c.examples / c.attempts, 3)),
                 "iff_true": c.iff_true, "iff_false": c.iff_false}
                for c in checks
            ],
        })
    orphans = sorted({r.name + " → " + r.theorem for r in results if r.theorem not in names})
    counts["orphans"] = len(orphans)
    counts["mutation_score"] = mutation.get("score") if mutation else None
    return {
        "summary": counts,
        "crosshair_verified": verified,
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


def apply_lean_status(doc: dict[str, Any], lean_status: dict[str, Any]) -> None:
    """Put a (newer) ``build/lean-status.json`` into a coverage document: the toolchain, the
    modules, the vectors the kernel checked, and each theorem's Lean status."""
    modules = lean_status.get("modules", {})
    doc["lean_toolchain"] = lean_status.get("toolchain", "")
    doc["lean_modules"] = modules
    doc["lean_vectors"] = _lean_vectors(modules)
    for row in doc["theorems"]:
        row["lean"] = modules.get(row["module"], {}).get("status", "not run")


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
    """Per vector suite, how many vectors the Lean kernel confirmed (atomik.vectors)."""
    try:
        from atomik.vectors import lean_summary

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


def render_md(doc: dict[str, Any]) -> str:
    """``coverage.md``."""
    s = doc["summary"]
    lines = ["# atomik — theorem coverage", ""]
    meta = doc.get("meta", {})
    quick = " --quick" if meta.get("quick") else ""
    lines.append(f"Generated by `python -m atomik.conformance check{quick}`"
                 f"; Lean toolchain: {doc.get('lean_toolchain') or 'status not given'}.")
    lines += ["", "| theorems | checked | unchecked | auto-translated | hand-written | "
              "CrossHair (no counterexample / all paths verified) | failing | exempt | orphans | "
              "mutation score |", "|---|---|---|---|---|---|---|---|---|---|"]
    ms = s["mutation_score"]
    lines.append(f"| {s['theorems']} | {s['checked']} | {s['unchecked']} | {s['auto_translated']} "
                 f"| {s['hand_written']} | {s['crosshair']} / {doc.get('crosshair_verified', 0)} "
                 f"| {s['failing']} | {s['exempt']} | {s['orphans']} | "
                 f"{'not run' if ms is None else f'{ms:.0%}'} |")
    lines += ["", "Hypothesis runs against the compiled (numba) code; CrossHair against the pure "
              "twins (`NUMBA_DISABLE_JIT=1`). A CrossHair result of `pass` means no counterexample "
              "within its time budget, not a proof; `verified` means CrossHair exhausted every "
              "path.", ""]
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
    lines += ["", "## Theorems", "", "| status | theorem | source | Lean | checks | statement |",
              "|---|---|---|---|---|---|"]
    for r in doc["theorems"]:
        src = f"[{r['file']}:{r['line']}](../{r['file']}#L{r['line']})"
        checks = "<br>".join(_check_summary(c) for c in r["checks"]) or "—"
        lines.append(f"| {r['status']} | `{r['name']}` | {src} | {r['lean']} | {checks} | "
                     f"`{_cell(r['statement'])}` |")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem;margin:0 0 .3rem} .sub{color:#57606a;margin-bottom:1rem}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:.5rem .8rem;min-width:7rem}
.card b{display:block;font-size:1.3rem} .card span{color:#57606a;font-size:.8rem}
.bar{margin:.8rem 0} .bar button{border:1px solid #d0d7de;background:#f6f8fa;border-radius:6px;
padding:.3rem .7rem;margin-right:.3rem;cursor:pointer} .bar button.on{background:#0969da;color:#fff}
.bar input{padding:.3rem .5rem;border:1px solid #d0d7de;border-radius:6px;width:18rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th{background:#f6f8fa;text-align:left;cursor:pointer;position:sticky;top:0}
th,td{border-bottom:1px solid #d8dee4;padding:.35rem .5rem;vertical-align:top}
td.stmt{font-family:ui-monospace,Menlo,monospace;font-size:.78rem;min-width:16rem;word-break:break-word}
td.src{font-size:.75rem;color:#57606a} td.num{text-align:right;white-space:nowrap}
.s-checked{color:#1a7f37;font-weight:600} .s-failing{color:#cf222e;font-weight:700}
.s-unchecked{color:#9a6700;font-weight:700} .s-exempt{color:#8250df;font-weight:600}
.chk{white-space:nowrap;font-size:.78rem} td.thm{max-width:17rem} td.lean{white-space:nowrap}
.r-fail,.r-error{color:#cf222e} .r-verified{color:#0969da;font-weight:600}
.warn{border:2px solid #8250df;border-radius:8px;padding:.5rem .8rem;margin:.8rem 0}
.bad{border:2px solid #cf222e;border-radius:8px;padding:.5rem .8rem;margin:.8rem 0}
pre{white-space:pre-wrap;margin:.2rem 0;font-size:.75rem;background:#f6f8fa;padding:.3rem}
.doc{color:#57606a}
"""

_JS = """
let filter='all', query='';
function apply(){for(const tr of document.querySelectorAll('tbody tr')){
 const okS = filter==='all' || tr.dataset.status===filter;
 const okQ = !query || tr.textContent.toLowerCase().includes(query);
 tr.style.display = okS && okQ ? '' : 'none';}}
for(const b of document.querySelectorAll('.bar button')){b.onclick=()=>{
 filter=b.dataset.f; document.querySelectorAll('.bar button').forEach(x=>x.classList.remove('on'));
 b.classList.add('on'); apply();};}
document.getElementById('q').oninput=e=>{query=e.target.value.toLowerCase(); apply();};
document.querySelectorAll('th').forEach((th,i)=>{th.onclick=()=>{
 const tb=document.querySelector('tbody'); const rows=[...tb.rows];
 const dir = th.dataset.dir==='asc' ? -1 : 1; th.dataset.dir = dir===1?'asc':'desc';
 rows.sort((a,b)=>{const x=a.cells[i].dataset.k??a.cells[i].textContent,
  y=b.cells[i].dataset.k??b.cells[i].textContent; const nx=parseFloat(x), ny=parseFloat(y);
  return (isNaN(nx)||isNaN(ny) ? x.localeCompare(y) : nx-ny)*dir;});
 rows.forEach(r=>tb.appendChild(r));};});
"""


def render_html(doc: dict[str, Any]) -> str:
    """``coverage.html``: static, no network, inline CSS and JS."""
    e = html.escape
    s = doc["summary"]
    ms = s["mutation_score"]
    cards = [
        ("theorems", s["theorems"]), ("checked", s["checked"]), ("unchecked", s["unchecked"]),
        ("failing", s["failing"]), ("auto-translated", s["auto_translated"]),
        ("hand-written", s["hand_written"]),
        ("CrossHair, no counterexample", s["crosshair"]),
        ("CrossHair, all paths verified", doc.get("crosshair_verified", 0)),
        ("exempt", s["exempt"]), ("orphan checks", s["orphans"]),
        ("mutation score", "not run" if ms is None else f"{ms:.0%}"),
    ]
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
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
        parts.append("<div class=bad><b>Gate failures</b><ul>" + "".join(
            f"<li><pre>{e(f)}</pre></li>" for f in failures) + "</ul></div>")
    parts.append("<div class=bar>" + "".join(
        f"<button data-f={f}{' class=on' if f == 'all' else ''}>{f}</button>"
        for f in ("all", "checked", "failing", "unchecked", "exempt"))
        + " <input id=q placeholder='search theorem, statement, check…'></div>")
    parts.append("<table><thead><tr><th>status</th><th>theorem</th><th>source</th><th>Lean</th>"
                 "<th>checks</th>"
                 "<th title='Hypothesis examples / CrossHair paths'>examples / paths</th>"
                 "<th>statement</th></tr></thead><tbody>")
    for r in doc["theorems"]:
        checks = []
        for c in r["checks"]:
            unit = "paths" if c["engine"] == "crosshair" else "examples"
            res = c["result"]
            if c["engine"] == "crosshair" and res == "pass":
                res = "no counterexample"
            line = (f"<div class='chk r-{e(c['result'])}' title='{e(c['name'])}'>{e(c['kind'])} · "
                    f"{e(c['engine'])} · {e(res)} · {c['examples']} {unit}</div>")
            if c["counterexample"]:
                line += f"<pre>{e(c['counterexample'])}</pre>"
            checks.append(line)
        if r["not_translated"]:
            checks.append(f"<div class=doc>not auto-translated: {e(r['not_translated'])}</div>")
        hyp = sum(c["examples"] for c in r["checks"] if c["engine"] == "hypothesis")
        cx = sum(c["examples"] for c in r["checks"] if c["engine"] == "crosshair")
        parts.append(
            f"<tr data-status={e(r['status'])}><td class=s-{e(r['status'])}>{e(r['status'])}</td>"
            f"<td class=thm><b>{e(r['name'])}</b><div class=doc>{e(r['doc'])}</div></td>"
            f"<td class=src>{e(r['file'])}:{r['line']}</td><td class=lean>{e(r['lean'])}</td>"
            f"<td>{''.join(checks) or '—'}</td><td class=num data-k={hyp}>{hyp} / {cx}</td>"
            f"<td class=stmt>{e(r['statement'])}</td></tr>")
    parts.append(f"</tbody></table><script>{_JS}</script></body></html>")
    return "\n".join(parts)


def write_all(doc: dict[str, Any], out: Path) -> None:
    """Write ``coverage.json``, ``coverage.md`` and ``coverage.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    (out / "coverage.md").write_text(render_md(doc), encoding="utf-8")
    (out / "coverage.html").write_text(render_html(doc), encoding="utf-8")
