"""The public API: exported names, docstrings, and a cheap import."""

import inspect
import subprocess
import sys
from dataclasses import is_dataclass

import atomik
from atomik import context, delta, errors, eventlog, fingerprint, kernels, table, wire
from atomik.replication import replica

MODULES = [atomik, context, delta, errors, eventlog, fingerprint, kernels, replica, table, wire]


def test_all_names_exist_and_are_documented() -> None:
    missing = []
    for mod in MODULES:
        assert mod.__doc__, mod.__name__
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj) and not (getattr(obj, "__doc__", None) or "").strip():
                missing.append(f"{mod.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    dunder_ok = attr in ("__init__", "__eq__") and not is_dataclass(obj)
                    if attr.startswith("_") and not dunder_ok:
                        continue
                    fn = member.fget if isinstance(member, property) else member
                    if isinstance(fn, classmethod | staticmethod):
                        fn = fn.__func__
                    if callable(fn) and not (fn.__doc__ or "").strip():
                        missing.append(f"{mod.__name__}.{name}.{attr}")
    assert missing == []


def test_version() -> None:
    assert atomik.__version__.count(".") == 2


def test_import_does_not_load_numba() -> None:
    code = "import sys, atomik; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
