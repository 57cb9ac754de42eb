"""The vector generator is split into modules by what they hold (framework, suites, Lean
rendering, command line); ``atomik.oracle.vectors`` keeps every name it exported, the framework
imports no suite, and the suites register in the order the vectors have always had."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from atomik.oracle import cases, lean_vectors, state_suites, vectors, wire_suites

PKG = Path(vectors.__file__).resolve().parent


def test_vectors_keeps_its_names_as_the_same_objects() -> None:
    import atomik.vectors

    assert atomik.vectors is vectors  # the old import path names the same module
    for name in vectors.__all__:
        assert hasattr(vectors, name), name
    for name in ("Case", "Vector", "SPEC_VERSION", "WIDTHS", "DEFAULT_OUT", "vector"):
        assert getattr(vectors, name) is getattr(cases, name), name
    for name in ("LEAN_OUT", "LEAN_OUTSIDE", "LEAN_PARTIAL", "LeanFacts", "lean_facts",
                 "lean_summary", "lean_table", "render_doc", "DOC_PATH", "_vector_facts"):
        assert getattr(vectors, name) is getattr(lean_vectors, name), name
    for spec in cases._SPECS:
        assert getattr(vectors, spec.fn.__name__) is spec.fn, spec.fn.__name__


def test_the_framework_imports_no_suite_and_the_suites_register_in_order() -> None:
    code = (
        "import sys, atomik.oracle.cases as c\n"
        "print(len(c._SPECS), sorted(m for m in sys.modules if m.startswith('atomik.oracle.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("0 "), out.stdout
    for name in ("state_suites", "wire_suites", "lean_vectors", "atomik.oracle.vectors"):
        assert name not in out.stdout, out.stdout
    modules = [spec.fn.__module__ for spec in cases._SPECS]
    n_state = modules.count(state_suites.__name__)
    assert n_state > 0 and modules.count(wire_suites.__name__) > 0
    assert modules == [state_suites.__name__] * n_state + [wire_suites.__name__] * (
        len(modules) - n_state
    ), modules
    suites = [spec.suite for spec in cases._SPECS]
    assert suites[0] == "delta" and suites[-1] == "wire_invalid", suites


def test_oracle_modules_are_small_and_say_what_they_hold() -> None:
    mods = sorted(PKG.glob("*.py"))
    assert {"cases.py", "state_suites.py", "wire_suites.py", "lean_vectors.py", "vectors.py"} <= {
        p.name for p in mods
    }
    for path in mods:
        text = path.read_text()
        n = len(text.splitlines())
        assert n <= 600, f"{path.name} has {n} lines"
        assert ast.get_docstring(ast.parse(text)), f"{path.name} has no module docstring"
