"""Translate a Lean theorem statement into an executable Hypothesis property.

The statement fragment (see the design card): binders with explicit types, premises as binders,
and a conclusion built from mapped definitions, field/method syntax (``c.read``,
``(c.accum d).read``), ``^^^``, ``++``, ``::``, list literals, ``0#w``, ``BitVec.allOnes w``,
``=``, ``≠``, ``<``, ``≤``, ``∈``, ``∉``, ``↔``, ``→``, ``∧``, ``∨``, ``¬``, ``+``, ``*`` and
``true``/``false``.

``spec/symbols.toml`` maps every Lean definition to a Python callable (usually an adapter in
:mod:`atomik.conformance.adapters`) and every Lean type to a strategy. The statement is parsed
into a small AST and *interpreted* against those callables: nothing is generated as source code,
but :func:`render` prints the Python that the property evaluates, for the report.

Premises become generators where a rule exists (``l₁.Perm l₂``: ``l₂`` is drawn as a permutation
of ``l₁``); any other premise is evaluated and becomes a filter (``hypothesis.assume``), which
Hypothesis's ``filter_too_much`` health check guards.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atomik.conformance.extract import Theorem

__all__ = [
    "AutoProperty",
    "ParseError",
    "SymbolTable",
    "UnmappedSymbol",
    "Untranslatable",
    "parse",
    "render",
    "translate",
]

WIDTHS: tuple[int, ...] = (1, 7, 8, 16, 32, 63, 64)
WIDE_WIDTHS: tuple[int, ...] = (65, 127, 128, 129, 200, 1000)  # as strategies.WIDE_WIDTHS


class Untranslatable(ValueError):
    """The statement parses but cannot be turned into a property (reason in the message)."""


class ParseError(Untranslatable):
    """The statement is outside the fragment the parser reads."""


class UnmappedSymbol(Untranslatable):
    """A symbol in the statement has no entry in ``spec/symbols.toml``."""

    def __init__(self, symbol: str, hand_only_reason: str | None = None) -> None:
        self.symbol = symbol
        self.hand_only_reason = hand_only_reason
        msg = f"symbol {symbol!r} has no Python mapping in spec/symbols.toml"
        if hand_only_reason:
            msg = f"symbol {symbol!r} is hand-only: {hand_only_reason}"
        super().__init__(msg)


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Node:
    """Base class of the statement AST."""


@dataclass(frozen=True)
class Name(Node):
    """An identifier as written (resolved later: bound variable, field chain or constant)."""

    text: str


@dataclass(frozen=True)
class Num(Node):
    """A natural-number literal."""

    value: int


@dataclass(frozen=True)
class BitLit(Node):
    """``n#w``: the bit vector of width ``w`` with value ``n mod 2^w``."""

    value: Node
    width: Node


@dataclass(frozen=True)
class Field(Node):
    """``e.name``: a structure field or a method call with ``e`` as receiver."""

    target: Node
    name: str


@dataclass(frozen=True)
class App(Node):
    """Function application ``f a b``."""

    fn: Node
    args: tuple[Node, ...]


@dataclass(frozen=True)
class BinOp(Node):
    """An infix operator."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not(Node):
    """``¬ p``."""

    arg: Node


@dataclass(frozen=True)
class ListLit(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Tuple(Node):
    """``(a, b)``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Quant(Node):
    """``∀``/``∃`` (parsed so the error can say so; never translated)."""

    kind: str
    body: str


# --------------------------------------------------------------------------- lexer and parser

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+)|(?P<ident>[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*)"
    r"|(?P<field>(?<=[)\]])(?:\.[^\W\d][\w'!?]*)+)"
    r"|(?P<op>\^\^\^|\+\+|::|↔|→|∧|∨|¬|≠|=|≤|<|≥|>|∈|∉|\*|\+|-|#|\(|\)|\[|\]|,|:|×|∀|∃))"
)

# (left binding power, right binding power) of each infix operator (Lean's precedences).
_INFIX: dict[str, tuple[int, int]] = {
    "↔": (20, 21),
    "→": (25, 25),
    "∨": (30, 30),
    "∧": (35, 35),
    "×": (35, 35),
    "=": (50, 51),
    "≠": (50, 51),
    "<": (50, 51),
    "≤": (50, 51),
    ">": (50, 51),
    "≥": (50, 51),
    "∈": (50, 51),
    "∉": (50, 51),
    "^^^": (58, 59),
    "++": (65, 66),
    "+": (65, 66),
    "-": (65, 66),
    "::": (67, 67),
    "*": (70, 71),
}


def _tokenize(text: str) -> list[tuple[str, str]]:
    toks: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ParseError(f"cannot read {text[pos:pos + 20]!r}")
        kind = m.lastgroup or "op"
        toks.append((kind, m.group(kind)))
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (value is not None and t[1] != value):
            raise ParseError(f"expected {value or 'a token'} in {self.text!r}, got {t}")
        self.i += 1
        return t

    def parse(self) -> Node:
        e = self.expr(0)
        if self.peek() is not None:
            raise ParseError(f"unexpected {self.peek()} in {self.text!r}")
        return e

    def expr(self, min_bp: int) -> Node:
        t = self.peek()
        if t is None:
            raise ParseError(f"unexpected end of {self.text!r}")
        if t[1] == "¬":
            self.take()
            left: Node = Not(self.expr(40))
        elif t[1] in ("∀", "∃"):
            self.take()
            rest = " ".join(v for _, v in self.toks[self.i :])
            self.i = len(self.toks)
            return Quant(t[1], rest)
        else:
            left = self.app()
        while True:
            t = self.peek()
            if t is None or t[0] != "op" or t[1] not in _INFIX:
                break
            lbp, rbp = _INFIX[t[1]]
            if lbp < min_bp:
                break
            self.take()
            right = self.expr(rbp)
            left = BinOp(t[1], left, right)
        return left

    def starts_atom(self) -> bool:
        t = self.peek()
        return t is not None and (t[0] in ("num", "ident") or t[1] in ("(", "["))

    def app(self) -> Node:
        fn = self.atom()
        args: list[Node] = []
        while self.starts_atom():
            args.append(self.atom())
        return App(fn, tuple(args)) if args else fn

    def atom(self) -> Node:
        kind, val = self.take()
        node: Node
        if kind == "num":
            node = Num(int(val))
            if self.peek() == ("op", "#"):
                self.take()
                node = BitLit(node, self.atom())
        elif kind == "ident":
            node = Name(val)
        elif val == "(":
            items = [self.expr(0)]
            if self.peek() == ("op", ":"):  # type ascription: keep the term
                self.take()
                self.expr(0)
            while self.peek() == ("op", ","):
                self.take()
                items.append(self.expr(0))
            self.take(")")
            node = items[0] if len(items) == 1 else Tuple(tuple(items))
        elif val == "[":
            items = []
            if self.peek() != ("op", "]"):
                items.append(self.expr(0))
                while self.peek() == ("op", ","):
                    self.take()
                    items.append(self.expr(0))
            self.take("]")
            node = ListLit(tuple(items))
        else:
            raise ParseError(f"unexpected {val!r} in {self.text!r}")
        while self.peek() is not None and self.peek()[0] == "field":  # type: ignore[index]
            for part in self.take()[1][1:].split("."):
                node = Field(node, part)
        return node


def parse(text: str) -> Node:
    """Parse a Lean term of the statement fragment into an AST."""
    return _Parser(text).parse()


# --------------------------------------------------------------------------- symbols


@dataclass
class Symbol:
    """One mapped Lean definition."""

    lean: str
    python: str
    returns: str
    width: bool = False  # pass ``width=w`` as a keyword
    max_width: int | None = None
    crosshair: bool = True
    note: str = ""
    _fn: Callable[..., Any] | None = None

    @property
    def fn(self) -> Callable[..., Any]:
        """The Python callable (imported on first use)."""
        if self._fn is None:
            mod, _, attr = self.python.partition(":")
            obj: Any = importlib.import_module(mod)
            for part in attr.split("."):
                obj = getattr(obj, part)
            self._fn = obj
        return self._fn


@dataclass
class TypeInfo:
    """One mapped Lean type: a strategy factory (called with the width) and an equality."""

    lean: str
    strategy: str
    eq: str = ""
    max_width: int | None = None
    crosshair: bool = True

    def _load(self, ref: str) -> Any:
        mod, _, attr = ref.partition(":")
        return getattr(importlib.import_module(mod), attr)

    def make(self, width: int) -> Any:
        """The Hypothesis strategy for this type at ``width``."""
        return self._load(self.strategy)(width)

    def equality(self) -> Callable[[Any, Any], bool] | None:
        """A custom equality, when Python's ``==`` is not the Lean equality."""
        return self._load(self.eq) if self.eq else None


@dataclass
class SymbolTable:
    """``spec/symbols.toml`` loaded: definitions, types, hand-only symbols and theorems."""

    defs: dict[str, Symbol] = field(default_factory=dict)
    types: dict[str, TypeInfo] = field(default_factory=dict)
    hand_only_symbols: dict[str, str] = field(default_factory=dict)
    hand_only_theorems: dict[str, str] = field(default_factory=dict)
    path: str = "spec/symbols.toml"

    @classmethod
    def load(cls, path: Path) -> SymbolTable:
        """Read and validate a symbols file."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        st = cls(path=str(path))
        for lean, d in data.get("defs", {}).items():
            st.defs[lean] = Symbol(
                lean=lean,
                python=d["python"],
                returns=d.get("returns", ""),
                width=bool(d.get("width", False)),
                max_width=d.get("max_width"),
                crosshair=bool(d.get("crosshair", True)),
                note=d.get("note", ""),
            )
        for lean, d in data.get("types", {}).items():
            st.types[lean] = TypeInfo(
                lean=lean,
                strategy=d["strategy"],
                eq=d.get("eq", ""),
                max_width=d.get("max_width"),
                crosshair=bool(d.get("crosshair", True)),
            )
        hand = data.get("hand_only", {})
        for sym, reason in hand.get("symbols", {}).items():
            if not str(reason).strip():
                raise ValueError(f"{path}: hand_only symbol {sym} needs a written reason")
            st.hand_only_symbols[sym] = str(reason)
        for thm, reason in hand.get("theorems", {}).items():
            if not str(reason).strip():
                raise ValueError(f"{path}: hand_only theorem {thm} needs a written reason")
            st.hand_only_theorems[thm] = str(reason)
        return st

    @staticmethod
    def _candidates(name: str, namespace: str) -> list[str]:
        parts = namespace.split(".") if namespace else []
        out = [".".join([*parts[:k], name]) for k in range(len(parts), -1, -1)]
        return out

    def resolve_def(self, name: str, namespace: str) -> Symbol:
        """The symbol ``name`` denotes inside ``namespace`` (Lean's resolution order)."""
        for cand in self._candidates(name, namespace):
            if cand in self.defs:
                return self.defs[cand]
        for cand in self._candidates(name, namespace):
            if cand in self.hand_only_symbols:
                raise UnmappedSymbol(cand, self.hand_only_symbols[cand])
        raise UnmappedSymbol(self._full_guess(name, namespace))

    def _full_guess(self, name: str, namespace: str) -> str:
        for cand in self._candidates(name, namespace):
            head = cand.rsplit(".", 1)[0]
            if head in self.types or any(d.startswith(head + ".") for d in self.defs):
                return cand
        return name

    def resolve_type(self, name: str, namespace: str) -> TypeInfo | None:
        """The mapped type ``name`` denotes inside ``namespace``, if any."""
        for cand in self._candidates(name, namespace):
            if cand in self.types:
                return self.types[cand]
        return None


# --------------------------------------------------------------------------- types

_BUILTIN_TYPES = {"BitVec", "Nat", "List", "Bool", "Prop"}


@dataclass(frozen=True)
class LType:
    """A Lean type reduced to its head and arguments (``List (BitVec w)``)."""

    head: str
    args: tuple[Any, ...] = ()

    def __str__(self) -> str:
        if not self.args:
            return self.head
        return self.head + " " + " ".join(f"({a})" if isinstance(a, LType) and a.args else str(a)
                                          for a in self.args)


def _to_type(node: Node, st: SymbolTable, ns: str) -> LType:
    if isinstance(node, Name):
        if node.text in _BUILTIN_TYPES:
            return LType(node.text)
        info = st.resolve_type(node.text, ns)
        if info is None:
            for cand in st._candidates(node.text, ns):  # a type may be hand-only too
                if cand in st.hand_only_symbols:
                    raise UnmappedSymbol(cand, st.hand_only_symbols[cand])
            raise UnmappedSymbol(st._full_guess(node.text, ns) if "." in node.text else node.text)
        return LType(info.lean)
    if isinstance(node, App) and isinstance(node.fn, Name):
        head = _to_type(node.fn, st, ns)
        args: list[Any] = []
        for a in node.args:
            if isinstance(a, Name) and a.text not in _BUILTIN_TYPES and st.resolve_type(
                a.text, ns
            ) is None:
                args.append(a.text)  # the width variable
            else:
                args.append(_to_type(a, st, ns))
        return LType(head.head, tuple(args))
    if isinstance(node, BinOp) and node.op == "×":
        return LType("Prod", (_to_type(node.left, st, ns), _to_type(node.right, st, ns)))
    raise Untranslatable(f"type {node} is outside the fragment")


def parse_type(text: str, st: SymbolTable, ns: str) -> LType:
    """Parse a binder type (``List (Nat × BitVec w)``)."""
    return _to_type(parse(text), st, ns)


_TYPE_NS = {"BitVec": "BitVec", "List": "List", "Nat": "Nat", "Bool": "Bool"}


# --------------------------------------------------------------------------- compilation

Env = dict[str, Any]
Evaluator = Callable[[Env], Any]


@dataclass
class Compiled:
    """A compiled term: its evaluator, its Lean type head (if known) and its Python rendering."""

    ev: Evaluator
    type_head: str
    py: str


def _eq(st: SymbolTable) -> Callable[[Any, Any], bool]:
    eqs = {t.lean: t.equality() for t in st.types.values() if t.eq}

    def eq(a: Any, b: Any) -> bool:
        for lean, f in eqs.items():
            del lean
            if f is not None:
                r = f(a, b)
                if r is not NotImplemented:
                    return bool(r)
        try:
            import numpy as np

            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                return bool(np.array_equal(a, b))
        except ImportError:  # pragma: no cover - numpy is a dependency
            pass
        return bool(a == b)

    return eq


class _Compiler:
    def __init__(self, st: SymbolTable, ns: str, var_types: dict[str, LType]) -> None:
        self.st = st
        self.ns = ns
        self.var_types = var_types
        self.symbols: set[str] = set()
        self.eq = _eq(st)

    def type_ns(self, head: str) -> str:
        return _TYPE_NS.get(head, head)

    def method(self, recv: Compiled, name: str) -> Symbol:
        if not recv.type_head:
            raise Untranslatable(f"cannot resolve .{name}: receiver type unknown")
        full = f"{self.type_ns(recv.type_head)}.{name}"
        if full in self.st.defs:
            self.symbols.add(full)
            return self.st.defs[full]
        if full in self.st.hand_only_symbols:
            raise UnmappedSymbol(full, self.st.hand_only_symbols[full])
        raise UnmappedSymbol(full)

    def const(self, name: str) -> Symbol:
        sym = self.st.resolve_def(name, self.ns)
        self.symbols.add(sym.lean)
        return sym

    def call(self, sym: Symbol, args: list[Compiled]) -> Compiled:
        evs = [a.ev for a in args]
        short = sym.python.split(":")[-1]
        if sym.width:

            def ev(env: Env, _s: Symbol = sym, _e: list[Evaluator] = evs) -> Any:
                return _s.fn(*(e(env) for e in _e), width=env["w"])

            py = f"{short}({', '.join([*(a.py for a in args), 'width=w'])})"
        else:

            def ev(env: Env, _s: Symbol = sym, _e: list[Evaluator] = evs) -> Any:
                return _s.fn(*(e(env) for e in _e))

            py = f"{short}({', '.join(a.py for a in args)})"
        return Compiled(ev, sym.returns, py)

    def head_and_args(self, node: Node) -> tuple[Node, list[Node]]:
        if isinstance(node, App):
            return node.fn, list(node.args)
        return node, []

    def compile(self, node: Node) -> Compiled:
        if isinstance(node, Num):
            v = node.value
            return Compiled(lambda env, _v=v: _v, "Nat", str(v))
        if isinstance(node, BitLit):
            val, wid = self.compile(node.value), self.compile(node.width)
            return Compiled(
                lambda env, _a=val.ev, _b=wid.ev: _a(env) % (1 << _b(env)),
                "BitVec",
                val.py if val.py == "0" else f"({val.py} % 2**{wid.py})",
            )
        if isinstance(node, ListLit):
            items = [self.compile(i) for i in node.items]
            return Compiled(
                lambda env, _i=[c.ev for c in items]: [e(env) for e in _i],
                "List",
                "[" + ", ".join(c.py for c in items) + "]",
            )
        if isinstance(node, Tuple):
            items = [self.compile(i) for i in node.items]
            return Compiled(
                lambda env, _i=[c.ev for c in items]: tuple(e(env) for e in _i),
                "Prod",
                "(" + ", ".join(c.py for c in items) + ")",
            )
        if isinstance(node, Not):
            a = self.compile(node.arg)
            return Compiled(lambda env, _a=a.ev: not _a(env), "Prop", f"not ({a.py})")
        if isinstance(node, Quant):
            raise Untranslatable(f"nested quantifier {node.kind} (in a premise or the conclusion)")
        if isinstance(node, BinOp):
            return self.binop(node)
        if isinstance(node, Name | Field | App):
            fn, args = self.head_and_args(node)
            return self.apply(fn, [self.compile(a) for a in args])
        raise Untranslatable(f"unsupported term {node}")

    def apply(self, fn: Node, args: list[Compiled]) -> Compiled:
        if isinstance(fn, Field):
            recv = self.compile(fn.target)
            return self.call(self.method(recv, fn.name), [recv, *args])
        if isinstance(fn, Name):
            parts = fn.text.split(".")
            if parts[0] in self.var_types:
                if len(parts) == 1:
                    if args:
                        raise Untranslatable(f"applying the variable {parts[0]}")
                    name = parts[0]
                    return Compiled(
                        lambda env, _n=name: env[_n], self.var_types[name].head, _pyname(name)
                    )
                recv = self.compile(Name(parts[0]))
                for p in parts[1:-1]:
                    recv = self.call(self.method(recv, p), [recv])
                return self.call(self.method(recv, parts[-1]), [recv, *args])
            if fn.text == "true" and not args:
                return Compiled(lambda env: True, "Bool", "True")
            if fn.text == "false" and not args:
                return Compiled(lambda env: False, "Bool", "False")
            return self.call(self.const(fn.text), args)
        if args:
            head = self.compile(fn)
            raise Untranslatable(f"applying a non-function term {head.py}")
        return self.compile(fn)

    def binop(self, node: BinOp) -> Compiled:
        op = node.op
        if op == "×":
            raise Untranslatable("product type in a term")
        a, b = self.compile(node.left), self.compile(node.right)
        ea, eb = a.ev, b.ev
        eq = self.eq
        table: dict[str, tuple[Callable[[Env], Any], str, str]] = {
            "^^^": (lambda env: ea(env) ^ eb(env), "BitVec", f"({a.py} ^ {b.py})"),
            "++": (lambda env: list(ea(env)) + list(eb(env)), "List", f"({a.py} + {b.py})"),
            "::": (lambda env: [ea(env), *eb(env)], "List", f"[{a.py}, *{b.py}]"),
            "+": (lambda env: ea(env) + eb(env), "Nat", f"({a.py} + {b.py})"),
            "*": (lambda env: ea(env) * eb(env), "Nat", f"({a.py} * {b.py})"),
            "-": (lambda env: max(ea(env) - eb(env), 0), "Nat", f"max({a.py} - {b.py}, 0)"),
            "=": (lambda env: eq(ea(env), eb(env)), "Prop", f"{a.py} == {b.py}"),
            "≠": (lambda env: not eq(ea(env), eb(env)), "Prop", f"{a.py} != {b.py}"),
            "<": (lambda env: ea(env) < eb(env), "Prop", f"{a.py} < {b.py}"),
            "≤": (lambda env: ea(env) <= eb(env), "Prop", f"{a.py} <= {b.py}"),
            ">": (lambda env: ea(env) > eb(env), "Prop", f"{a.py} > {b.py}"),
            "≥": (lambda env: ea(env) >= eb(env), "Prop", f"{a.py} >= {b.py}"),
            "∈": (lambda env: any(eq(ea(env), x) for x in eb(env)), "Prop", f"{a.py} in {b.py}"),
            "∉": (lambda env: not any(eq(ea(env), x) for x in eb(env)), "Prop",
                  f"{a.py} not in {b.py}"),
            "∧": (lambda env: bool(ea(env)) and bool(eb(env)), "Prop", f"({a.py}) and ({b.py})"),
            "∨": (lambda env: bool(ea(env)) or bool(eb(env)), "Prop", f"({a.py}) or ({b.py})"),
            "→": (lambda env: (not ea(env)) or bool(eb(env)), "Prop",
                  f"(not ({a.py})) or ({b.py})"),
            "↔": (lambda env: bool(ea(env)) == bool(eb(env)), "Prop",
                  f"bool({a.py}) == bool({b.py})"),
        }
        if op not in table:
            raise Untranslatable(f"operator {op}")
        ev, head, py = table[op]
        return Compiled(ev, head, py)


def _pyname(name: str) -> str:
    sub = str.maketrans("₀₁₂₃₄₅₆₇₈₉'", "0123456789_")
    return name.translate(sub)


# --------------------------------------------------------------------------- the property


@dataclass
class Draw:
    """How one bound variable is drawn: from its type, or by a generator rule."""

    name: str
    type: LType | None  # None for the width variable
    rule: str = "type"  # "width", "type", or "perm:<source>"


@dataclass
class AutoProperty:
    """An automatically translated theorem, ready to run."""

    theorem: Theorem
    draws: list[Draw]
    filters: list[tuple[str, Evaluator]]  # (Lean text, evaluator) of premises used as filters
    generators: list[str]  # Lean text of premises turned into generators
    conclusion: Evaluator
    sides: tuple[Evaluator, Evaluator] | None  # for ``lhs = rhs``: both sides, for the message
    python: str  # rendering of the conclusion
    widths: tuple[int, ...]
    symbols: set[str]
    crosshair_ok: bool
    st: SymbolTable
    iff_left: Evaluator | None = None  # for ``p ↔ q``: p, so the report shows how often it held

    def strategy_for(self, t: LType, width: int, data: Any) -> Any:
        """The Hypothesis strategy for a type at a width (module strategies for mapped types)."""
        from atomik.conformance import strategies as S

        if t.head == "BitVec":
            return S.bitvecs(width)
        if t.head == "Nat":
            return S.nats()
        if t.head == "Bool":
            return S.bools()
        if t.head == "List":
            return S.lists_of(self.strategy_for(t.args[0], width, data))
        if t.head == "Prod":
            return S.pairs(*(self.strategy_for(a, width, data) for a in t.args))
        info = self.st.types[t.head]
        return info.make(width)

    def run(self, data: Any) -> None:
        """One example: draw every variable, apply the premises, assert the conclusion."""
        from hypothesis import assume

        env: Env = {}
        for d in self.draws:
            if d.rule == "width":
                env[d.name] = data.draw(_sampled(self.widths), label=d.name)
            elif d.rule.startswith("perm:"):
                from hypothesis import strategies as hst

                env[d.name] = data.draw(hst.permutations(env[d.rule[5:]]), label=d.name)
            else:
                assert d.type is not None
                env[d.name] = data.draw(self.strategy_for(d.type, env["w"], data), label=d.name)
        for _text, f in self.filters:
            assume(bool(f(env)))
        if self.iff_left is not None:
            from atomik.conformance.engine import observe_iff

            observe_iff(bool(self.iff_left(env)))
        if self.sides is not None:
            left, right = self.sides[0](env), self.sides[1](env)
            holds = bool(self.conclusion(env))
            assert holds, (left, right)
        else:
            assert bool(self.conclusion(env)), self.python


def _sampled(widths: tuple[int, ...]) -> Any:
    from hypothesis import strategies as hst

    return hst.sampled_from(widths)


def _is_perm(node: Node) -> tuple[str, str] | None:
    """``l₁.Perm l₂`` or ``List.Perm l₁ l₂`` → (l₁, l₂)."""
    if isinstance(node, App) and isinstance(node.fn, Name):
        parts = node.fn.text.split(".")
        if parts[-1] == "Perm" and len(node.args) == 1 and len(parts) == 2:
            arg = node.args[0]
            if isinstance(arg, Name):
                return parts[0], arg.text
        if node.fn.text == "List.Perm" and len(node.args) == 2:
            a, b = node.args
            if isinstance(a, Name) and isinstance(b, Name):
                return a.text, b.text
    return None


def translate(thm: Theorem, st: SymbolTable) -> AutoProperty:
    """Translate one theorem, or raise :class:`Untranslatable` / :class:`UnmappedSymbol`."""
    if thm.name in st.hand_only_theorems:
        raise Untranslatable(f"hand-only: {st.hand_only_theorems[thm.name]}")
    ns = thm.namespace
    var_types: dict[str, LType] = {}
    draws: list[Draw] = []
    width_var = None
    max_widths: list[int] = []
    crosshair_ok = True
    for b in thm.variables:
        if b.type.strip() == "Nat" and b.name == "w":
            width_var = b.name
            var_types[b.name] = LType("Nat")
            draws.append(Draw(b.name, None, "width"))
            continue
        t = parse_type(b.type, st, ns)
        var_types[b.name] = t
        draws.append(Draw(b.name, t))
        for head in _heads(t):
            info = st.types.get(head)
            if info is not None:
                if info.max_width is not None:
                    max_widths.append(info.max_width)
                crosshair_ok = crosshair_ok and info.crosshair
    if width_var is None:
        raise Untranslatable("no width variable `w : Nat` among the binders")
    comp = _Compiler(st, ns, var_types)
    filters: list[tuple[str, Evaluator]] = []
    generators: list[str] = []
    for h in thm.hypotheses:
        node = parse(h.type)
        perm = _is_perm(node)
        if perm and perm[1] in var_types and perm[0] in var_types:
            src, dst = perm
            order = [d.name for d in draws]
            if order.index(src) < order.index(dst):
                draws[order.index(dst)] = Draw(dst, var_types[dst], f"perm:{src}")
                generators.append(f"{h.name} : {h.type}")
                continue
        filters.append((f"{h.name} : {h.type}", comp.compile(node).ev))
    concl_node = parse(thm.conclusion)
    concl = comp.compile(concl_node)
    sides = None
    if isinstance(concl_node, BinOp) and concl_node.op in ("=", "≠"):
        sides = (comp.compile(concl_node.left).ev, comp.compile(concl_node.right).ev)
    iff_left = None
    if isinstance(concl_node, BinOp) and concl_node.op == "↔":
        iff_left = comp.compile(concl_node.left).ev
    for s in comp.symbols:
        sym = st.defs[s]
        if sym.max_width is not None:
            max_widths.append(sym.max_width)
        crosshair_ok = crosshair_ok and sym.crosshair
    limit = min(max_widths) if max_widths else None
    widths = tuple(w for w in (*WIDTHS, *WIDE_WIDTHS) if limit is None or w <= limit)
    return AutoProperty(
        theorem=thm,
        draws=draws,
        filters=filters,
        generators=generators,
        conclusion=concl.ev,
        sides=sides,
        python=concl.py,
        widths=widths,
        symbols=set(comp.symbols),
        crosshair_ok=crosshair_ok,
        st=st,
        iff_left=iff_left,
    )


def _heads(t: LType) -> list[str]:
    out = [t.head]
    for a in t.args:
        if isinstance(a, LType):
            out.extend(_heads(a))
    return out


def render(prop: AutoProperty) -> str:
    """A readable Python rendering of what the property asserts."""
    lines = []
    for d in prop.draws:
        if d.rule == "width":
            lines.append(f"{d.name} = draw(sampled_from({list(prop.widths)}))")
        elif d.rule.startswith("perm:"):
            lines.append(f"{_pyname(d.name)} = draw(permutations({_pyname(d.rule[5:])}))")
        else:
            lines.append(f"{_pyname(d.name)} = draw(<{d.type}>)")
    for text, _ in prop.filters:
        lines.append(f"assume({text})")
    lines.append(f"assert {prop.python}")
    return "\n".join(lines)
