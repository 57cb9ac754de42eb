"""Statement translation: parser, each operator, generators/filters, symbol resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik.conformance.extract import extract_source
from atomik.conformance.translate import (
    App,
    BinOp,
    BitLit,
    Field,
    ListLit,
    Name,
    Not,
    SymbolTable,
    UnmappedSymbol,
    Untranslatable,
    parse,
    render,
    translate,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table() -> SymbolTable:
    return SymbolTable.load(ROOT / "spec" / "symbols.toml")


def _thm(src: str, ns: str = "Atomik.Delta") -> Any:
    parts = ns.split(".")
    text = "".join(f"namespace {p}\n" for p in parts) + src + "\n" + "".join(
        f"end {p}\n" for p in reversed(parts))
    (t,) = extract_source(text, module=".".join(parts[:2]), file="x.lean")
    return t


def _run(prop: Any, n: int = 40) -> None:
    @settings(max_examples=n, database=None, deadline=None)
    @given(st.data())
    def t(data: Any) -> None:
        prop.run(data)

    t()


# ----------------------------------------------------------------------------- parser


def test_precedence_application_binds_tighter_than_xor_and_eq() -> None:
    n = parse("t.read a ^^^ x ^^^ y = z")
    assert isinstance(n, BinOp) and n.op == "="
    left = n.left
    assert isinstance(left, BinOp) and left.op == "^^^"
    assert isinstance(left.left, BinOp) and left.left.op == "^^^"  # left associative
    assert left.left.left == App(Name("t.read"), (Name("a"),))


def test_iff_arrow_and_not_precedences() -> None:
    n = parse("a = b ∧ ¬ c = d → e ≠ f ↔ g = h")
    assert isinstance(n, BinOp) and n.op == "↔"
    imp = n.left
    assert isinstance(imp, BinOp) and imp.op == "→"
    conj = imp.left
    assert isinstance(conj, BinOp) and conj.op == "∧"
    assert isinstance(conj.right, Not)


def test_field_after_parenthesis_list_literal_bitlit_and_ascription() -> None:
    n = parse("((c.load v).accumAll [a, b ^^^ 0#w]).read = ([] : List (BitVec w)).length")
    assert isinstance(n, BinOp)
    assert isinstance(n.left, Field) and n.left.name == "read"
    inner = n.left.target
    assert isinstance(inner, App) and isinstance(inner.args[0], ListLit)
    lit = inner.args[0].items[1]
    assert isinstance(lit, BinOp) and isinstance(lit.right, BitLit)
    assert n.right == Name("[].length") or isinstance(n.right, Field | Name)


def test_chained_fields_after_parenthesis() -> None:
    n = parse("(r.receive m).table.read a")
    assert isinstance(n, App)
    assert isinstance(n.fn, Field) and n.fn.name == "read"
    assert isinstance(n.fn.target, Field) and n.fn.target.name == "table"


def test_cons_and_append_and_arithmetic() -> None:
    n = parse("composeAll (d :: ds ++ [x]) = List.replicate (2 * n + 1) d")
    assert isinstance(n, BinOp)
    rep = n.right
    assert isinstance(rep, App) and isinstance(rep.args[0], BinOp) and rep.args[0].op == "+"


# ----------------------------------------------------------------------------- translation


@pytest.mark.parametrize(
    "src",
    [
        "theorem t1 {w : Nat} (a b : BitVec w) : compose a b = a ^^^ b := by rfl",
        "theorem t2 {w : Nat} (a b : BitVec w) : compose a b = 0#w ↔ a = b := by rfl",
        "theorem t3 {w : Nat} (a : BitVec w) (h : 0 < w) : compose a (BitVec.allOnes w) ≠ a := x",
        "theorem t4 {w : Nat} (a b : BitVec w) : a = b → compose a b = 0#w := by rfl",
        "theorem t5 {w : Nat} (a b : BitVec w) : compose a b = compose b a ∧ "
        "compose a a = 0#w := x",
        "theorem t6 {w : Nat} (a : BitVec w) : ¬ compose a a ≠ 0#w := by rfl",
        "theorem t7 {w : Nat} (l₁ l₂ : List (BitVec w)) : composeAll (l₁ ++ l₂) = "
        "compose (composeAll l₁) (composeAll l₂) := x",
        "theorem t8 {w : Nat} (d : BitVec w) (ds : List (BitVec w)) : composeAll (d :: ds) = "
        "compose d (composeAll ds) := x",
        "theorem t9 {w : Nat} (n : Nat) (d : BitVec w) : composeAll (List.replicate (2 * n) d) "
        "= 0#w := x",
        "theorem t10 {w : Nat} (d : BitVec w) : composeAll [d, d, d] = d := x",
    ],
)
def test_each_operator_translates_and_holds(table: SymbolTable, src: str) -> None:
    prop = translate(_thm(src), table)
    _run(prop, 30)
    assert "assert" in render(prop)


@pytest.mark.parametrize(
    "src",
    [
        "theorem f1 {w : Nat} (a b : BitVec w) : compose a b = a := by rfl",
        "theorem f2 {w : Nat} (a b : BitVec w) : compose a b = 0#w ↔ a ≠ b := by rfl",
        "theorem f3 {w : Nat} (a b : BitVec w) : a ≠ b → compose a b = 0#w := by rfl",
        "theorem f4 {w : Nat} (a : BitVec w) : ¬ compose a a = 0#w := by rfl",
        "theorem f5 {w : Nat} (l₁ l₂ : List (BitVec w)) : composeAll (l₁ ++ l₂) = "
        "composeAll l₁ := x",
    ],
)
def test_false_statements_fail_with_a_counterexample(table: SymbolTable, src: str) -> None:
    prop = translate(_thm(src), table)
    with pytest.raises(AssertionError):
        _run(prop, 100)


def test_perm_premise_is_a_generator_not_a_filter(table: SymbolTable) -> None:
    t = _thm("theorem p {w : Nat} (l₁ l₂ : List (BitVec w)) (h : l₁.Perm l₂) : "
             "composeAll l₁ = composeAll l₂ := x")
    prop = translate(t, table)
    assert prop.filters == []
    assert prop.generators == ["h : l₁.Perm l₂"]
    assert [d.rule for d in prop.draws] == ["width", "type", "perm:l₁"]
    _run(prop, 50)


def test_other_premises_are_filters(table: SymbolTable) -> None:
    t = _thm("theorem q {w : Nat} (a b : BitVec w) (h : a ≠ b) : compose a b ≠ 0#w := x")
    prop = translate(t, table)
    assert [f for f, _ in prop.filters] == ["h : a ≠ b"]
    _run(prop, 50)


def test_method_syntax_resolves_through_the_receiver_type(table: SymbolTable) -> None:
    t = _thm("theorem r {w : Nat} (c : Context w) (d : BitVec w) : "
             "(c.accum d).read = c.read ^^^ d := x", ns="Atomik.Context")
    prop = translate(t, table)
    assert prop.symbols == {"Atomik.Context.accum", "Atomik.Context.read"}
    assert "context_read(context_accum(c, d))" in prop.python
    _run(prop, 30)


def test_namespace_resolution_of_qualified_names(table: SymbolTable) -> None:
    t = _thm("theorem s {w : Nat} (v : BitVec w) (ds : List (BitVec w)) : "
             "Context.replay v ds = v ^^^ Delta.composeAll ds := x", ns="Atomik.Context")
    prop = translate(t, table)
    assert prop.symbols == {"Atomik.Context.replay", "Atomik.Delta.composeAll"}


def test_wide_width_only_where_every_symbol_supports_it(table: SymbolTable) -> None:
    delta = translate(_thm("theorem u {w : Nat} (a : BitVec w) : compose a a = 0#w := x"), table)
    assert 200 in delta.widths
    tbl = translate(_thm("theorem v {w : Nat} (t : Table w) (a : Nat) : t.read a = t.read a "
                         "^^^ 0#w := x", ns="Atomik.Table"), table)
    assert max(tbl.widths) == 64


def test_unmapped_symbol_is_named(table: SymbolTable) -> None:
    t = _thm("theorem x {w : Nat} (a : BitVec w) : frobnicate a = a := x")
    with pytest.raises(UnmappedSymbol) as ei:
        translate(t, table)
    assert ei.value.symbol.endswith("frobnicate")
    assert ei.value.hand_only_reason is None


def test_hand_only_symbol_carries_its_reason(table: SymbolTable) -> None:
    t = _thm("theorem y {w : Nat} (t : Table w) (ops : List (Nat × BitVec w)) (a : Nat) : "
             "Table.deltasAt ops a = [] := x", ns="Atomik.Table")
    with pytest.raises(UnmappedSymbol) as ei:
        translate(t, table)
    assert ei.value.symbol == "Atomik.Table.deltasAt"
    assert ei.value.hand_only_reason


def test_quantifiers_are_untranslatable(table: SymbolTable) -> None:
    t = _thm("theorem z {w : Nat} (a : BitVec w) : ∃ b, compose a b = 0#w := x")
    with pytest.raises(Untranslatable, match="quantifier"):
        translate(t, table)
