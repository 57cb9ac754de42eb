"""The registry of hand-written properties: ``@checks("Atomik.Context.read_load")``.

A hand-written property is a function of one argument, a Hypothesis ``DataObject`` (``data``), that
draws its inputs with ``data.draw(...)`` and asserts the theorem's conclusion with
``assert left == right, (left, right)``. The engine wraps it in ``@given(st.data())`` with the run's
settings, so every property runs under the same budget, seed and engines.

``@checks(name, crosshair=True)`` also runs the property under CrossHair against the pure-Python
twins (only for properties that stay in plain Python ints and lists).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["HandCheck", "all_checks", "checks", "clear", "load_properties"]


@dataclass(frozen=True)
class HandCheck:
    """One registered hand-written property."""

    theorem: str
    fn: Callable[[Any], None]
    crosshair: bool

    @property
    def qualname(self) -> str:
        """``module:function`` of the property (shown in the report)."""
        return f"{self.fn.__module__}:{self.fn.__qualname__}"


_REGISTRY: list[HandCheck] = []


Property = Callable[[Any], None]


def checks(theorem: str, *, crosshair: bool = False) -> Callable[[Property], Property]:
    """Register the decorated property as an executable check of the Lean theorem ``theorem``
    (its full name, e.g. ``Atomik.Context.read_load``)."""
    if not isinstance(theorem, str) or not theorem.strip():
        raise ValueError("@checks needs the full name of a Lean theorem")

    def deco(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        _REGISTRY.append(HandCheck(theorem, fn, crosshair))
        return fn

    return deco


def all_checks() -> list[HandCheck]:
    """Every registered hand-written property, in registration order."""
    return list(_REGISTRY)


def clear() -> None:
    """Forget every registration (tests use this to build small registries)."""
    _REGISTRY.clear()


def load_properties(package: str = "atomik.conformance.properties") -> list[HandCheck]:
    """Import every module of ``package`` (registering its properties); return the properties
    registered by that package."""
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        name = f"{package}.{info.name}"
        if name in sys.modules and not any(c.fn.__module__ == name for c in _REGISTRY):
            importlib.reload(sys.modules[name])  # registry was cleared: register again
        else:
            importlib.import_module(name)
    return [c for c in _REGISTRY if c.fn.__module__.startswith(package + ".")]
