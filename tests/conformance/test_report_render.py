"""The static HTML report renders in headless Chromium (skipped when Chromium is absent): at
desktop and phone widths, with no horizontal overflow, an anchor per theorem and source links
that open existing files at existing lines; and every planted mutant still applies to the
current sources."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from atomik.conformance import mutants, report, screenshot

ROOT = Path(__file__).resolve().parents[2]
NO_CHROMIUM = "chromium not installed (apt-get install -y chromium): the browser checks need it"


def _doc() -> dict[str, object]:
    return {
        "summary": {"theorems": 2, "checked": 1, "unchecked": 0, "auto_translated": 1,
                    "hand_written": 1, "crosshair": 1, "failing": 1, "exempt": 0, "orphans": 0,
                    "mutation_score": None},
        "crosshair_verified": 0, "meta": {}, "lean_toolchain": "test", "lean_modules": {},
        "exemptions": [], "unmapped_symbols": {}, "orphans": [], "orphan_checks": [],
        "mutation": None,
        "theorems": [
            {"name": "Atomik.Delta.compose_comm", "module": "Atomik.Delta",
             "file": "lean/Atomik/Delta.lean", "line": 40, "statement": "compose a b = compose b a",
             "doc": "Commutative.", "lean": "checked", "status": "checked", "not_translated": "",
             "exemption": "",
             "checks": [{"kind": "auto", "engine": "hypothesis", "name": "auto", "examples": 200,
                         "rejected": 0, "result": "pass", "counterexample": None, "seconds": 0.1,
                         "detail": ""}]},
            {"name": "Atomik.Delta.compose_self", "module": "Atomik.Delta",
             "file": "lean/Atomik/Delta.lean", "line": 53, "statement": "compose a a = 0#w",
             "doc": "Self-inverse.", "lean": "checked", "status": "failing",
             "not_translated": "", "exemption": "",
             "checks": [{"kind": "hand", "engine": "hypothesis", "name": "m:f", "examples": 3,
                         "rejected": 0, "result": "fail",
                         "counterexample": "AssertionError: (1, 0)",
                         "seconds": 0.1, "detail": ""}]},
        ],
    }


def test_gate_messages_name_the_failing_theorem() -> None:
    (msg,) = report.gate_failures(_doc())  # type: ignore[arg-type]
    assert "Atomik.Delta.compose_self at lean/Atomik/Delta.lean:53" in msg
    assert "AssertionError: (1, 0)" in msg


@pytest.mark.skipif(screenshot.find_chromium() is None, reason=NO_CHROMIUM)
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report.write_all(_doc(), tmp_path)  # type: ignore[arg-type]
    png = screenshot.screenshot(tmp_path / "coverage.html", tmp_path / "c.png", 900, 500)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank page compresses to a few hundred bytes


def test_every_mutant_applies_to_the_current_sources(tmp_path: Path) -> None:
    assert len(mutants.MUTANTS) >= 12
    assert len({m.name for m in mutants.MUTANTS}) == len(mutants.MUTANTS)
    for m in mutants.MUTANTS:
        pkg = tmp_path / m.name
        shutil.copytree(ROOT / "python" / "atomik", pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
        before = (pkg / m.file).read_text()
        mutants.apply(m, pkg)
        after = (pkg / m.file).read_text()
        assert after != before, m.name
        compile(after, m.file, "exec")  # the mutant is still valid Python


def test_lean_status_is_the_modules_status_and_a_failed_module_is_a_gate() -> None:
    from atomik.conformance.engine import CheckResult, Plan
    from atomik.conformance.extract import extract_source

    src = ("namespace Atomik.Delta\n/-- d -/\ntheorem t {w : Nat} (a : BitVec w) : a = a ^^^ 0#w "
           ":= by simp\nend Atomik.Delta\n")
    thms = extract_source(src, module="Atomik.Delta", file="lean/Atomik/Delta.lean")
    plan = Plan(thms, {}, [])
    res = [CheckResult("Atomik.Delta.t", "hand", "hypothesis", "m:f", 10, 0, "pass")]
    for status, gate in (("checked", False), ("failed", True)):
        lean = {"toolchain": "x", "modules": {"Atomik.Delta": {"status": status}}}
        doc = report.build(plan, res, {}, lean, None, {})
        assert doc["theorems"][0]["lean"] == status
        assert any("Lean did not check" in g for g in report.gate_failures(doc)) is gate
    doc = report.build(plan, res, {}, {"modules": {}}, None, {})
    assert doc["theorems"][0]["lean"] == "not run"


def _lean(status: str | None) -> dict[str, Any]:
    return {"toolchain": "x", "modules": {} if status is None else
            {"Atomik.Delta": {"status": status}}}


def test_green_only_when_lean_checked_the_module_and_report_recomputes_it(
        tmp_path: Path) -> None:
    from atomik.conformance.__main__ import main
    from atomik.conformance.engine import CheckResult, Plan
    from atomik.conformance.extract import extract_source

    src = ("namespace Atomik.Delta\n"
           + "".join(f"/-- d -/\ntheorem t{i} {{w : Nat}} (a : BitVec w) : a = a ^^^ 0#w := by "
                     "simp\n" for i in range(4)) + "end Atomik.Delta\n")
    plan = Plan(extract_source(src, module="Atomik.Delta", file="lean/Atomik/Delta.lean"), {}, [])
    res = [CheckResult("Atomik.Delta.t0", "hand", "hypothesis", "m:f", 10, 0, "pass"),
           CheckResult("Atomik.Delta.t1", "hand", "hypothesis", "m:g", 10, 0, "fail", "cex")]
    ex = {"Atomik.Delta.t3": "a written reason for the test"}

    def statuses(doc: dict[str, Any]) -> list[str]:
        return [r["status"] for r in doc["theorems"]]

    def counts(doc: dict[str, Any]) -> tuple[int, ...]:
        s = doc["summary"]
        return tuple(s[k] for k in ("theorems", "checked", "lean_not_checked", "failing",
                                    "unchecked", "exempt"))

    def lean_gate(doc: dict[str, Any]) -> bool:
        return any("Lean did not check" in g for g in report.gate_failures(doc))

    for lean, first, gate in ((None, "lean-not-checked", False), ("failed", "lean-not-checked",
                                                                  True),
                              ("checked", "checked", False)):
        doc = report.build(plan, res, ex, _lean(lean), None, {})
        # only the theorem whose checks pass changes; failing, unchecked, exempt stay
        assert statuses(doc) == [first, "failing", "unchecked", "exempt"], lean
        green = first == "checked"
        assert counts(doc) == (4, int(green), int(not green), 1, 1, 1), lean
        assert lean_gate(doc) is gate
    # `report --lean-status` (make verify: checks first, Lean's result after) recomputes the
    # statuses, the counts and the gates of a report built without Lean
    doc = report.build(plan, res, ex, _lean(None), None, {})
    assert tuple(doc["summary"]) == report.SUMMARY_KEYS
    report.write_all(doc, tmp_path)
    assert "lean-not-checked" in (tmp_path / "coverage.html").read_text()
    for lean, first, code in (("checked", "checked", 1), ("failed", "lean-not-checked", 1)):
        (tmp_path / "lean.json").write_text(json.dumps(_lean(lean)))
        # exit 1 either way: t1's failing check and t2's missing check are gates
        assert main(["report", "--out", str(tmp_path), "--lean-status",
                     str(tmp_path / "lean.json")]) == code
        got = json.loads((tmp_path / "coverage.json").read_text())
        assert statuses(got) == [first, "failing", "unchecked", "exempt"]
        assert got["summary"]["checked"] == (first == "checked")
        assert got["summary"]["lean_not_checked"] == (first != "checked")
        assert lean_gate(got) is (lean == "failed")
        md = (tmp_path / "coverage.md").read_text()
        assert f"| {first} | <a id=\"Atomik.Delta.t0\">" in md
        # the per-module table: Lean's status, then the theorems by status, then the checks
        green = int(first == "checked")
        link = report._md_href(report._link_base(tmp_path), "lean/Atomik/Delta.lean", None)
        assert (f"| [Atomik.Delta]({link}) | {lean} | 4 | {green} | {1 - green} | 1 | 1 | 1 "
                "| 2 |") in md


# Runs in a page that shows the report in a frame of the width under test (headless Chromium's
# window is never narrower than 500 px): measures the laid-out report and writes the result as
# JSON into <pre id=probe>.
PROBE = """<pre id=probe></pre><script>
window.addEventListener('load', () => {
const win = document.getElementById('page').contentWindow, doc = win.document;
const d = doc.documentElement, out = {};
out.innerWidth = win.innerWidth; out.scrollWidth = d.scrollWidth;
out.overflowing = [...doc.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > win.innerWidth + 0.5)
  .map(el => el.tagName + '.' + el.className).slice(0, 10);
out.rowDisplay = [...doc.querySelectorAll('#thms tbody tr')]
  .map(tr => win.getComputedStyle(tr).display);
out.headVisible = win.getComputedStyle(doc.querySelector('#thms thead')).display !== 'none';
out.ids = [...doc.querySelectorAll('#thms tbody tr')].map(tr => tr.id);
out.selfLinks = [...doc.querySelectorAll('a.self')]
  .map(a => decodeURIComponent(a.hash.slice(1)));
out.links = [...doc.querySelectorAll('a[href]:not(.self)')].map(a => a.href);
out.nameOverflow = [...doc.querySelectorAll('td.thm')]
  .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent);
document.getElementById('probe').textContent = JSON.stringify(out);
});
</script>"""


def _rendered_doc() -> dict[str, Any]:
    """A report over three real Delta theorems: an auto check, a hand property (a real one, so
    its source link points into conformance/properties/), a failing check whose counterexample
    is one long unbreakable token, and a long theorem name."""
    from atomik.conformance.engine import CheckResult, Plan
    from atomik.conformance.extract import extract_tree
    from atomik.conformance.properties import delta as delta_props
    from atomik.conformance.registry import HandCheck

    thms = [t for t in extract_tree(ROOT / "lean", ROOT) if t.module == "Atomik.Delta"][:3]
    assert len(thms) == 3
    fn = delta_props.compose_self_arrays
    hand = HandCheck(thms[1].name, fn, False)
    res = [CheckResult(thms[0].name, "auto", "hypothesis", "auto", 200, 0, "pass", None, 0.1,
                       "left = compose(a, b, width=w)\nright = compose(b, a, width=w)\n"
                       "assert left == right, (left, right)  # " + "x" * 300),
           CheckResult(thms[1].name, "hand", "hypothesis", hand.qualname, 200, 3, "pass", None,
                       0.1, fn.__doc__ or ""),
           CheckResult(thms[2].name, "auto", "hypothesis", "auto", 4, 0, "fail",
                       "AssertionError: " + "0123456789abcdef" * 40, 0.1, "assert False")]
    lean = {"toolchain": "test", "modules": {"Atomik.Delta": {"status": "checked"}}}
    return report.build(Plan(thms, {}, [hand]), res, {}, lean, None, {})


def _probe(folder: Path, width: int) -> dict[str, Any]:
    page = screenshot.framed(folder / "coverage.html", width, 900, folder)
    page.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = screenshot.dump_dom(page, max(width + 40, screenshot.MIN_WINDOW), 1000)
    m = re.search(r"<pre id=\"?probe\"?>(.*?)</pre>", dom, re.S)
    assert m and m.group(1), f"the probe script did not run at {width} px"
    return dict(json.loads(html.unescape(m.group(1))))


@pytest.mark.skipif(screenshot.find_chromium() is None, reason=NO_CHROMIUM)
@pytest.mark.parametrize("width", [1400, 390])
def test_html_report_fits_the_window_links_anchors_and_sources(tmp_path: Path,
                                                               width: int) -> None:
    doc = _rendered_doc()
    report.write_all(doc, tmp_path)
    got = _probe(tmp_path, width)
    assert got["innerWidth"] == width
    # no horizontal page overflow: nothing sticks out of the window
    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["overflowing"] == [], got["overflowing"]
    assert got["nameOverflow"] == []  # theorem names wrap inside their cell
    phone = width < 700
    # at phone width every row is a stacked card and the header row is hidden
    assert set(got["rowDisplay"]) == ({"block"} if phone else {"table-row"})
    assert got["headVisible"] is not phone
    # an anchor per theorem, linked from its name
    names = [r["name"] for r in doc["theorems"]]
    assert got["ids"] == names and got["selfLinks"] == names
    # every other link opens an existing file at an existing line
    hrefs = got["links"]
    # 3 theorem sources and 1 hand property at a line, the module's file in the module table
    assert len(hrefs) == 5, hrefs
    files, whole = set(), []
    for href in hrefs:
        u = urlparse(href)
        assert u.scheme == "file", href
        path = Path(unquote(u.path))
        assert path.is_file(), href
        rel = path.resolve().relative_to(ROOT).as_posix()
        files.add(rel)
        if not u.fragment:
            whole.append(rel)
            continue
        m = re.fullmatch(r"L(\d+)", u.fragment)
        assert m, href
        assert 1 <= int(m.group(1)) <= len(path.read_text().splitlines()), href
    assert whole == ["lean/Atomik/Delta.lean"]
    assert files == {"lean/Atomik/Delta.lean", "conformance/properties/delta.py"}


def test_each_check_shows_the_property_that_ran(tmp_path: Path) -> None:
    import inspect

    from atomik.conformance.properties import delta as delta_props

    doc = _rendered_doc()
    auto, hand = doc["theorems"][0]["checks"][0], doc["theorems"][1]["checks"][0]
    fn = delta_props.compose_self_arrays
    assert hand["file"] == "conformance/properties/delta.py"
    assert hand["line"] == inspect.getsourcelines(fn)[1]
    assert "def compose_self_arrays(data: Any) -> None:" in hand["source"]
    assert hand["source"].lstrip().startswith("@checks(")
    report.write_all(doc, tmp_path)
    page = (tmp_path / "coverage.html").read_text()
    # the hand property's source and the auto-translation's Python, each collapsed
    assert html.escape(hand["source"]) in page
    assert html.escape(auto["detail"]) in page
    assert page.count("<details>") == 3
    assert "<meta name=viewport" in page
    md = (tmp_path / "coverage.md").read_text()
    assert "def compose_self_arrays" in md
