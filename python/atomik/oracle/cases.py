"""The vector framework: what a vector function returns (:class:`Case`), a generated vector
(:class:`Vector`, its JSON form and what a port needs to replay it), the ``@vector`` decorator
and the registry it fills, the seed of a case, and the value helpers the suites share.

This module imports no suite: the suite modules register themselves through :func:`vector` when
they are imported (:mod:`atomik.oracle.vectors` imports them, in order).
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atomik.oracle import MAX_WIDTH, PROTOCOL_VERSION, Session, to_word

#: Version of the vector format and of the protocol the requests use.
SPEC_VERSION = PROTOCOL_VERSION
#: Widths every per-width suite covers (the last one is a wide, multi-word state).
WIDTHS = (1, 7, 8, 16, 32, 63, 64, 200)
DEFAULT_OUT = Path("spec/vectors")

Request = dict[str, Any]
_PROTOCOL_OPS = frozenset(Session().ops)


@dataclass
class Case:
    """What a vector function returns: its requests, the theorems they exercise, and a check.

    ``check(results)`` receives the oracle's results (one per request; for an invalid case, the
    results of every request but the last) and asserts the laws on them.
    """

    requests: list[Request]
    theorems: list[str]
    check: Callable[[list[Any]], None] | None = None


@dataclass
class Vector:
    """One generated vector: a file ``<suite>/<case>.json``."""

    suite: str
    case: str
    seed: int
    theorems: list[str]
    requests: list[Request]
    output: list[Any] | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The vector as the JSON object written to disk."""
        doc: dict[str, Any] = {
            "manifest": {
                "spec_version": SPEC_VERSION,
                "suite": self.suite,
                "case": self.case,
                "seed": self.seed,
                "theorems": sorted(self.theorems),
                "requires": self.requires(),
            },
            "input": {"requests": self.requests},
            "output": self.output,
        }
        if self.error is not None:
            doc["error"] = self.error
        return doc

    def requires(self) -> dict[str, Any]:
        """What a port needs to replay this vector: the protocol ops it uses (a deliberately
        unknown op is not listed) and the widest valid width it uses (0 when none)."""
        ops = sorted({r["op"] for r in self.requests if r.get("op") in _PROTOCOL_OPS})
        widths = [
            r["width"]
            for r in self.requests
            if type(r.get("width")) is int and 1 <= r["width"] <= MAX_WIDTH
        ]
        return {"ops": ops, "max_width": max(widths, default=0)}

    def dumps(self) -> str:
        """The file contents: sorted keys, 2-space indent, newline at end."""
        return json.dumps(self.to_json(), sort_keys=True, indent=2) + "\n"


@dataclass
class _Spec:
    suite: str
    fn: Callable[..., Case]
    params: dict[str, tuple[Any, ...]] = field(default_factory=dict)


_SPECS: list[_Spec] = []


def vector(
    suite: str, **params: tuple[Any, ...]
) -> Callable[[Callable[..., Case]], Callable[..., Case]]:
    """Declare a vector function of ``suite``, generated once per combination of ``params``."""

    def deco(fn: Callable[..., Case]) -> Callable[..., Case]:
        _SPECS.append(_Spec(suite, fn, dict(params)))
        return fn

    return deco


def _case_name(fn: Callable[..., Case], combo: dict[str, Any]) -> str:
    parts = [fn.__name__] + [f"{k}_{v}" for k, v in combo.items()]
    return "_".join(parts)


def _seed(suite: str, case: str) -> int:
    return zlib.crc32(f"{suite}/{case}".encode())


def _rand(rng: random.Random, width: int) -> int:
    """A random ``width``-bit value, biased towards edge patterns now and then."""
    r = rng.random()
    if r < 0.1:
        return (1 << width) - 1
    if r < 0.2:
        return 1 << (width - 1)
    return rng.getrandbits(width)


def _w(v: int, width: int) -> Any:
    return to_word(v, width)


def _int(word: Any) -> int:
    if isinstance(word, list):
        return sum(int(x, 16) << (64 * i) for i, x in enumerate(word))
    return int(word, 16)


def _state(result: dict[str, Any]) -> tuple[int, int, int]:
    return _int(result["reference"]), _int(result["accumulator"]), _int(result["state"])
