"""Theorem extraction from Lean source text: tricky snippets and the real lean/ files."""

from __future__ import annotations

from pathlib import Path

import pytest

from atomik.conformance.extract import extract_source, extract_tree, split_binders

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = '''module

public section

namespace Atomik

-- theorem commented_out (a : Nat) : a = a := rfl
/- theorem block_commented (a : Nat) : a = a := rfl -/

namespace Inner.Deep

/-- Multi-line statement with implicit binders. Python: x. -/
@[simp] theorem multi_line {w : Nat} (a b : BitVec w)
    (c : BitVec w) :
    a ^^^ (b ^^^ c) =
      (a ^^^ b) ^^^ c := by
  simp

/-- Private, with an instance binder and an arrow. -/
private theorem with_inst {α : Type} [inst : BEq α] (x y : α) (h : x = y) : x = y → y = x := by
  intro h; exact h.symm

end Inner.Deep

section
/-- In a section, still in namespace Atomik. -/
lemma in_section ⦃n : Nat⦄ (l₁ l₂ : List Nat) (h : l₁.Perm l₂) : l₁.length = l₂.length ∧ True := by
  exact ⟨h.length_eq, trivial⟩
end

theorem forall_iff (p : Nat → Prop) : (∀ n, p n) ↔ ¬ ∃ n, ¬ p n := by
  sorry

theorem _root_.rootLevel (a : Nat) : a + 0 = a := rfl

end Atomik
'''


@pytest.fixture(scope="module")
def thms() -> dict[str, object]:
    return {t.name: t for t in extract_source(SNIPPET, module="Snip", file="snip.lean")}


def test_names_follow_nested_namespaces_sections_and_root(thms: dict[str, object]) -> None:
    assert set(thms) == {
        "Atomik.Inner.Deep.multi_line",
        "Atomik.Inner.Deep.with_inst",
        "Atomik.in_section",
        "Atomik.forall_iff",
        "rootLevel",
    }


def test_comments_hide_theorems_but_line_numbers_stay_true(thms: dict[str, object]) -> None:
    t = thms["Atomik.Inner.Deep.multi_line"]
    assert SNIPPET.splitlines()[t.line - 1].startswith("@[simp] theorem multi_line")


def test_multi_line_statement_binders_and_conclusion(thms: dict[str, object]) -> None:
    t = thms["Atomik.Inner.Deep.multi_line"]
    assert [(b.name, b.type, b.kind) for b in t.binders] == [
        ("w", "Nat", "implicit"),
        ("a", "BitVec w", "explicit"),
        ("b", "BitVec w", "explicit"),
        ("c", "BitVec w", "explicit"),
    ]
    assert t.conclusion == "a ^^^ (b ^^^ c) = (a ^^^ b) ^^^ c"
    assert t.attributes == ["simp"]
    assert t.doc == "Multi-line statement with implicit binders. Python: x."
    assert not t.hypotheses


def test_private_instance_binder_and_hypotheses(thms: dict[str, object]) -> None:
    t = thms["Atomik.Inner.Deep.with_inst"]
    assert t.private
    kinds = {b.name: b.kind for b in t.binders}
    assert kinds == {"α": "implicit", "inst": "instance", "x": "explicit", "y": "explicit",
                     "h": "explicit"}
    assert [h.name for h in t.hypotheses] == ["h"]
    assert t.conclusion == "x = y → y = x"
    assert "inst" not in [v.name for v in t.variables]


def test_lemma_strict_implicit_perm_and_conjunction(thms: dict[str, object]) -> None:
    t = thms["Atomik.in_section"]
    assert t.keyword == "lemma"
    assert t.binders[0].kind == "strict"
    assert [h.type for h in t.hypotheses] == ["l₁.Perm l₂"]
    assert t.conclusion == "l₁.length = l₂.length ∧ True"


def test_forall_exists_and_iff_are_kept_verbatim(thms: dict[str, object]) -> None:
    t = thms["Atomik.forall_iff"]
    assert t.conclusion == "(∀ n, p n) ↔ ¬ ∃ n, ¬ p n"
    assert t.binders[0].type == "Nat → Prop"


def test_split_binders_rejects_a_header_without_colon() -> None:
    with pytest.raises(ValueError, match="no ':'"):
        split_binders("(a : Nat) (b : Nat)")


def test_real_lean_files() -> None:
    thms = extract_tree(ROOT / "lean", ROOT)
    names = {t.name for t in thms}
    assert len(names) == len(thms), "duplicate theorem names"
    assert {"Atomik.Delta.compose_assoc", "Atomik.Context.read_load"} <= names
    modules = {t.module for t in thms}
    assert {"Atomik.Delta", "Atomik.Context"} <= modules
    for t in thms:
        src = (ROOT / t.file).read_text(encoding="utf-8").splitlines()[t.line - 1]
        assert f"theorem {t.short_name}" in src or f"lemma {t.short_name}" in src, t.name
        assert t.doc, f"{t.name} has no docstring"
        assert t.conclusion and ":=" not in t.conclusion
        assert t.file.startswith("lean/")
