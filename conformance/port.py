"""Differential runner: hold an external port to the atomik oracle.

    python -m atomik.conformance.port [options] -- CMD ARGS...

``CMD`` is a program that speaks the oracle protocol (``spec/oracle.md``): one JSON request per
line on stdin, one JSON response per line on stdout. The runner

* asks it ``hello`` and reads its capabilities (:class:`Capabilities`: the ops, the widths as a
  set of ranges, ``max_table``); nothing it sends — valid requests, bad-input lines, follow-up
  reads — uses an op the port did not announce, or a valid width or table size outside what it
  announced;
* with ``--vectors DIR``, replays every committed vector the port can run (one process, ``reset``
  between vectors when the port lists it) and lists the skipped ones with the reason;
* otherwise (or also, with ``--fuzz``), generates operation sequences weighted toward the algebra
  (merges of distinct contexts that share a reference, rollbacks of earlier deltas, batches with
  repeated addresses, long sequences, wide widths, bad input every port must reject the same way),
  runs each on the port and on a fresh in-process oracle :class:`~atomik.oracle.Session`, and
  compares every response (``ok``, ``id``, and the ``result`` or the error ``code``; never the
  message).

The generator is a seeded :class:`random.Random` (no Hypothesis needed): by default each run draws
a new seed and prints it; ``--seed N`` reproduces a run. On a divergence the runner removes every
request it can while the port still diverges on the same op, renumbers the ids, confirms the repro
on a fresh process and prints it; ``--keep-going`` collects distinct divergences instead of
stopping at the first. A per-op census says what was exercised. Exit status: 0 agreement,
1 divergence (or a failing vector), 2 the port could not be run or did not answer ``hello``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shlex
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atomik import __version__
from atomik.oracle import MAX_TABLE, MAX_WIDTH, Session, dump_line, to_word
from atomik.wire import DeltaMessage, encode, encode_batch

__all__ = [
    "Capabilities",
    "Divergence",
    "Driver",
    "FuzzResult",
    "Generator",
    "PortError",
    "PortProcess",
    "compare",
    "fuzz",
    "hello",
    "main",
    "replay_vectors",
    "run_sequence",
    "shrink",
    "vector_needs",
]

#: Widths the generator prefers (edges of the word layout), kept when the port supports them.
EDGE_WIDTHS = (1, 2, 7, 8, 16, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 192, 200, 255, 256,
               257, 511, 513, 1000, 1024, 2047, 4095, 4096)  # fmt: skip
#: Default number of generated sequences and time budget of a fuzz run.
DEFAULT_EXAMPLES = 1000
DEFAULT_MAX_TIME = 60.0
_ALL_OPS = frozenset(Session().ops)
_MASK64 = (1 << 64) - 1


class PortError(Exception):
    """The port could not be started, died, timed out, or wrote something that is not JSON."""


# ----------------------------------------------------------------------------- capabilities
@dataclass(frozen=True)
class Capabilities:
    """What a port announced in ``hello``: its ops, its widths (inclusive ranges), its largest
    table, and its name. The runner derives every request it sends from these."""

    implementation: str
    ops: frozenset[str]
    widths: tuple[tuple[int, int], ...]
    max_table: int = MAX_TABLE

    @classmethod
    def from_hello(cls, info: dict[str, Any]) -> Capabilities:
        """Parse a ``hello`` result; raises :class:`PortError` when it is malformed.

        ``widths`` is a list whose items are a width ``w`` or an inclusive range ``[lo, hi]``;
        without it, ``max_width`` means ``[[1, max_width]]``. ``max_table`` defaults to the
        protocol's 65536."""
        ops = info.get("ops")
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
            raise PortError(f"hello must give ops (a list of strings): {_canon(info)}")
        raw = info.get("widths")
        ranges: list[tuple[int, int]] = []
        if raw is None:
            mw = info.get("max_width")
            if type(mw) is not int or mw < 1:
                raise PortError(f"hello must give widths or max_width (an int): {_canon(info)}")
            ranges.append((1, mw))
        elif isinstance(raw, list) and raw:
            for item in raw:
                if type(item) is int:
                    ranges.append((item, item))
                elif (
                    isinstance(item, list)
                    and len(item) == 2
                    and all(type(x) is int for x in item)
                    and item[0] <= item[1]
                ):
                    ranges.append((item[0], item[1]))
                else:
                    raise PortError(f"hello widths: {item!r} is not a width or [lo, hi]")
        else:
            raise PortError(f"hello widths must be a non-empty list: {_canon(info)}")
        ranges = [(max(lo, 1), min(hi, MAX_WIDTH)) for lo, hi in ranges]
        ranges = [r for r in ranges if r[0] <= r[1]]
        if not ranges:
            raise PortError(f"hello announces no width in 1..{MAX_WIDTH}: {_canon(info)}")
        mt = info.get("max_table", MAX_TABLE)
        if type(mt) is not int or mt < 1:
            raise PortError(f"hello max_table must be a positive int: {_canon(info)}")
        name = info.get("implementation")
        return cls(
            str(name) if name is not None else "?",
            frozenset(ops) & _ALL_OPS,
            tuple(sorted(set(ranges))),
            min(mt, MAX_TABLE),
        )

    def has_width(self, w: int) -> bool:
        """Whether ``w`` is a width the port announced."""
        return any(lo <= w <= hi for lo, hi in self.widths)

    def has_table_width(self, w: int) -> bool:
        """Whether the port can hold a table of width ``w`` (tables are at most 64 bits)."""
        return w <= 64 and self.has_width(w)

    def candidate_widths(self) -> list[int]:
        """The widths the generator draws from: the edge widths inside the announced set, every
        range's ends, and a few points inside wide ranges."""
        out = {w for w in EDGE_WIDTHS if self.has_width(w)}
        rng = random.Random(0)
        for lo, hi in self.widths:
            out |= {lo, hi}
            if hi - lo > 2:
                out |= {rng.randint(lo, hi) for _ in range(3)}
        return sorted(out)

    def describe(self) -> str:
        """One line for people: ``ops``, ``widths`` and ``max_table``."""
        ws = ", ".join(f"{lo}" if lo == hi else f"{lo}..{hi}" for lo, hi in self.widths)
        return (
            f"{self.implementation} — {len(self.ops)} ops, widths {ws}, max_table {self.max_table}"
        )


# ----------------------------------------------------------------------------- the process
class PortProcess:
    """A running port: send one request line, read one response line (with a timeout)."""

    def __init__(self, cmd: Sequence[str], timeout: float = 10.0) -> None:
        """Start ``cmd`` with pipes on stdin and stdout (stderr is passed through)."""
        self.cmd = list(cmd)
        self.timeout = timeout
        try:
            self.proc = subprocess.Popen(
                self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
            )
        except OSError as exc:
            raise PortError(f"cannot start {shlex.join(self.cmd)}: {exc}") from exc
        self._buf = b""

    def ask(self, line: str) -> dict[str, Any]:
        """Send one request line; return the decoded response object."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise PortError(f"port stopped reading its input ({exc})") from exc
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PortError(f"no answer within {self.timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                code = self.proc.poll()
                raise PortError(f"port closed its output (exit status {code})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\n", 1)
        try:
            obj = json.loads(raw)
        except ValueError as exc:
            raise PortError(f"port answered with invalid JSON: {raw[:200]!r}") from exc
        if not isinstance(obj, dict):
            raise PortError(f"port answered with a non-object: {raw[:200]!r}")
        return obj

    def reset(self) -> None:
        """Send ``reset``; raises :class:`PortError` unless it succeeds."""
        res = self.ask(dump_line({"op": "reset"}))
        if res.get("ok") is not True:
            raise PortError(f"reset failed: {_canon(res)}")

    def close(self) -> None:
        """Close stdin and wait briefly; kill the process if it does not exit."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (subprocess.TimeoutExpired, OSError):
            self.proc.kill()
            self.proc.wait()
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()


def _canon(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def compare(oracle: dict[str, Any], port: dict[str, Any]) -> str | None:
    """None when two responses agree; otherwise a one-line description of the difference.

    Compared: ``ok``, ``id``, and ``result`` (exact JSON, so ``true`` is not ``1``) or the error
    ``code``. Error messages are free text and never compared.
    """
    if port.get("ok") is not oracle["ok"]:
        mine = oracle["error"]["code"] if not oracle["ok"] else "ok"
        err = port.get("error")
        theirs = err.get("code") if isinstance(err, dict) else _canon(port.get("ok"))
        return (
            f"ok: oracle {_canon(oracle['ok'])} ({mine}), port {_canon(port.get('ok'))} ({theirs})"
        )
    if _canon(port.get("id")) != _canon(oracle["id"]):
        return f"id: oracle {_canon(oracle['id'])}, port {_canon(port.get('id'))}"
    if oracle["ok"]:
        if _canon(port.get("result")) != _canon(oracle["result"]):
            return "result differs"
        return None
    err = port.get("error")
    code = err.get("code") if isinstance(err, dict) else None
    if code != oracle["error"]["code"]:
        return f"error code: oracle {oracle['error']['code']!r}, port {code!r}"
    return None


def _op_of(line: str) -> str:
    try:
        obj = json.loads(line)
    except ValueError:
        return "(not json)"
    op = obj.get("op") if isinstance(obj, dict) else None
    return op if isinstance(op, str) else "(no op)"


@dataclass
class Divergence:
    """The first request of a sequence where the port and the oracle disagree."""

    lines: list[str]
    index: int
    oracle: dict[str, Any]
    port: dict[str, Any] | None
    why: str
    found_after: int = 0
    shrink_runs: int = 0
    original_length: int = 0
    reproduced: bool = True

    @property
    def op(self) -> str:
        """The op of the diverging request."""
        return _op_of(self.lines[self.index])

    @property
    def signature(self) -> str:
        """What makes two divergences "the same bug" for ``--keep-going``: op and difference."""
        return f"{self.op}: {self.why}"

    @property
    def repro(self) -> list[str]:
        """The request lines up to and including the diverging one."""
        return self.lines[: self.index + 1]

    def report(self, cmd: Sequence[str], repro_file: Path | None = None) -> str:
        """A human report: the sequence up to the divergence as JSON lines, and both answers."""
        reqs = "\n".join(self.repro)
        port = "(no answer)" if self.port is None else _canon(self.port)
        how = (
            f"replay it with\n  {shlex.join(cmd)} < {repro_file}"
            if repro_file is not None
            else "save the lines between the markers as repro.jsonl and replay them with\n"
            f"  {shlex.join(cmd)} < repro.jsonl"
        )
        shrunk = (
            f" (shrunk from {self.original_length})"
            if self.original_length > len(self.repro)
            else ""
        )
        fresh = (
            ""
            if self.reproduced
            else ("\nNOTE: not reproduced on a fresh process: the port's reset leaks state")
        )
        return (
            f"minimal diverging sequence ({self.index + 1} requests{shrunk}); {how}\n"
            f"--- repro.jsonl ---\n{reqs}\n--- at request {self.index + 1} ---\n"
            f"why:    {self.why}\n"
            f"oracle: {_canon(self.oracle)}\nport:   {port}{fresh}"
        )


def _drive(port: PortProcess, lines: Sequence[str]) -> Divergence | None:
    session = Session()
    for i, line in enumerate(lines):
        want = session.handle(line)
        try:
            got = port.ask(line)
        except PortError as exc:
            return Divergence(list(lines), i, want, None, str(exc))
        why = compare(want, got)
        if why is not None:
            return Divergence(list(lines), i, want, got, why)
    return None


def run_sequence(cmd: Sequence[str], lines: Sequence[str], timeout: float) -> Divergence | None:
    """Run ``lines`` on a fresh port process and a fresh oracle session; return the first
    divergence, or None when every response agrees."""
    port = PortProcess(cmd, timeout)
    try:
        return _drive(port, lines)
    finally:
        port.close()


class Driver:
    """Runs sequences on one long-lived port process, sending ``reset`` between them when the
    port supports it (much faster than a process per sequence); otherwise, or after the port
    failed, a fresh process per sequence."""

    def __init__(self, cmd: Sequence[str], timeout: float, use_reset: bool) -> None:
        """Remember how to start the port; nothing is started yet."""
        self.cmd, self.timeout, self.use_reset = list(cmd), timeout, use_reset
        self.port: PortProcess | None = None
        self.runs = 0

    def run(self, lines: Sequence[str]) -> Divergence | None:
        """Like :func:`run_sequence`, reusing the process when possible."""
        self.runs += 1
        if not self.use_reset:
            return run_sequence(self.cmd, lines, self.timeout)
        if self.port is not None:
            try:
                self.port.reset()
            except PortError:
                self.close()
        if self.port is None:
            self.port = PortProcess(self.cmd, self.timeout)
        div = _drive(self.port, lines)
        if div is not None and div.port is None:
            self.close()  # it died or hung: start afresh next time
        return div

    def close(self) -> None:
        """Stop the port process, if one is running."""
        if self.port is not None:
            self.port.close()
            self.port = None


def hello(cmd: Sequence[str], timeout: float) -> dict[str, Any]:
    """The port's answer to ``hello`` (checked by :meth:`Capabilities.from_hello`); raises
    :class:`PortError`."""
    port = PortProcess(cmd, timeout)
    try:
        res = port.ask(dump_line({"id": 0, "op": "hello"}))
    finally:
        port.close()
    if not res.get("ok") or not isinstance(res.get("result"), dict):
        raise PortError(f"port did not answer hello: {_canon(res)}")
    Capabilities.from_hello(res["result"])
    return res["result"]


def _caps(info: dict[str, Any] | Capabilities) -> Capabilities:
    return info if isinstance(info, Capabilities) else Capabilities.from_hello(info)


# ----------------------------------------------------------------------------- vectors
def vector_needs(doc: dict[str, Any], caps: Capabilities) -> str | None:
    """Why a port with ``caps`` cannot replay the vector ``doc`` (None when it can).

    A vector needs every protocol op it sends, every valid width it uses (``width`` fields in
    1..4096, tables in 1..64, and the widths of decoded messages), and every valid table size."""
    need = doc["manifest"]["requires"]
    missing = sorted(set(need["ops"]) - caps.ops)
    if missing:
        return "needs ops " + ", ".join(missing)
    outputs = doc["output"] if isinstance(doc["output"], list) else []
    for r in doc["input"]["requests"]:
        w = r.get("width")
        if type(w) is int:
            table = r.get("op") == "table.new"
            if (1 <= w <= (64 if table else MAX_WIDTH)) and not caps.has_width(w):
                return f"needs width {w}"
        n = r.get("size")
        if r.get("op") == "table.new" and type(n) is int and caps.max_table < n <= MAX_TABLE:
            return f"needs a table of size {n} (max_table {caps.max_table})"
    for out in outputs:
        items = out if isinstance(out, list) else [out]
        for m in items:
            if isinstance(m, dict) and type(m.get("width")) is int and "delta" in m:
                if not caps.has_width(m["width"]):
                    return f"needs width {m['width']} (a decoded message)"
    return None


def _check_vector(port: PortProcess, doc: dict[str, Any]) -> str | None:
    reqs = doc["input"]["requests"]
    for i, r in enumerate(reqs):
        last = i == len(reqs) - 1
        try:
            got = port.ask(dump_line({**r, "id": i}))
        except PortError as exc:
            return f"request {i + 1}: {exc}"
        if doc["output"] is None and last:
            err = got.get("error")
            code = err.get("code") if isinstance(err, dict) else None
            if got.get("ok") is not False or code != doc["error"]:
                return f"request {i + 1}: expected error {doc['error']!r}, got {_canon(got)}"
        elif got.get("ok") is not True:
            return f"request {i + 1}: expected success, got {_canon(got)}"
        elif doc["output"] is not None and _canon(got.get("result")) != _canon(doc["output"][i]):
            return (
                f"request {i + 1}: expected {_canon(doc['output'][i])}, "
                f"got {_canon(got.get('result'))}"
            )
    return None


def replay_vectors(
    cmd: Sequence[str],
    folder: Path,
    info: dict[str, Any] | Capabilities,
    timeout: float,
) -> tuple[int, list[tuple[str, str]], list[str]]:
    """Replay every vector under ``folder`` the port can run; return (passed, skipped as
    (file, reason) pairs, failures). One port process serves every vector when the port lists
    ``reset`` (it is restarted after a failure); otherwise each vector gets a fresh process."""
    caps = _caps(info)
    use_reset = "reset" in caps.ops
    passed = 0
    skipped: list[tuple[str, str]] = []
    failures: list[str] = []
    port: PortProcess | None = None
    try:
        for path in sorted(folder.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            why = vector_needs(doc, caps)
            if why is not None:
                skipped.append((str(path.relative_to(folder)), why))
                continue
            if port is not None:
                try:
                    port.reset()
                except PortError:
                    port.close()
                    port = None
            if port is None:
                port = PortProcess(cmd, timeout)
            problem = _check_vector(port, doc)
            if problem:
                failures.append(f"{path}: {problem}")
            else:
                passed += 1
            if problem or not use_reset:
                port.close()
                port = None
    finally:
        if port is not None:
            port.close()
    return passed, skipped, failures


# ----------------------------------------------------------------------------- generation
@dataclass
class Census:
    """What a fuzz run exercised: requests per op with their outcomes, and algebra events."""

    sequences: int = 0
    requests: int = 0
    longest: int = 0
    wide_sequences: int = 0
    by_op: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    events: Counter[str] = field(default_factory=Counter)

    def add(self, op: str, answer: dict[str, Any]) -> None:
        """Count one request and the oracle's answer to it."""
        self.requests += 1
        self.by_op[op]["ok" if answer["ok"] else answer["error"]["code"]] += 1

    def render(self) -> str:
        """The census as a small table."""
        mean = self.requests / self.sequences if self.sequences else 0.0
        lines = [
            f"census: {self.requests} requests in {self.sequences} sequences "
            f"(mean {mean:.1f}, longest {self.longest}; {self.wide_sequences} with a width > 64)",
            f"  {'op':<26}{'sent':>7}{'ok':>7}  errors",
        ]
        for op in sorted(self.by_op):
            c = self.by_op[op]
            errs = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k != "ok")
            lines.append(f"  {op:<26}{sum(c.values()):>7}{c['ok']:>7}  {errs}")
        if self.events:
            ev = ", ".join(f"{k} {v}" for k, v in sorted(self.events.items()))
            lines.append(f"  algebra: {ev}")
        return "\n".join(lines)


class Generator:
    """Random request sequences for a port with :class:`Capabilities` ``caps``.

    A scratch oracle session follows every generated request, so each request is sized for its
    target (its width, its table's size) and the generator knows which contexts share a reference
    and which deltas were accumulated. Only announced ops and widths are used; about one request
    in twelve carries one fault every implementation must reject with the same code."""

    def __init__(self, caps: Capabilities, rng: random.Random) -> None:
        """Prepare the weights for the ops ``caps`` announces."""
        self.caps, self.rng = caps, rng
        self.widths = caps.candidate_widths()
        self.narrow = [w for w in self.widths if w <= 64]
        self.wide = [w for w in self.widths if w > 64]
        self.table_widths = [w for w in self.widths if caps.has_table_width(w)]
        weights = {
            "ctx.new": 1, "ctx.load": 3, "ctx.accum": 6, "ctx.rollback": 4, "ctx.read": 2,
            "ctx.swap": 2, "ctx.merge": 5, "ctx.accum_many": 2, "ctx.is_clean": 1,
            "ctx.state": 1, "table.new": 0.5, "table.load": 2, "table.accum": 3,
            "table.rollback": 2, "table.read": 1, "table.swap": 1, "table.accum_batch": 3,
            "table.load_batch": 2, "table.read_batch": 1, "delta.compose": 1,
            "delta.compute": 1, "delta.apply": 1, "delta.compose_all": 1, "fingerprint": 1,
            "fingerprint.update_chunk": 0.5, "wire.encode": 0.7, "wire.decode": 1,
            "wire.decode_batch": 0.5,
        }  # fmt: skip
        if not self.table_widths:
            weights = {k: v for k, v in weights.items() if not k.startswith("table.")}
        self.ops = [op for op in sorted(weights) if op in caps.ops]
        self.weights = [weights[op] for op in self.ops]
        self.events: Counter[str] = Counter()

    # ------------------------------------------------------------------ values
    def bits(self, w: int) -> int:
        """A ``w``-bit value biased to the edges: random, all ones, top bit, one bit, a sparse
        top word, zero."""
        r, rng = self.rng.random(), self.rng
        if r < 0.5:
            return rng.getrandbits(w)
        if r < 0.6:
            return (1 << w) - 1
        if r < 0.7:
            return (1 << (w - 1)) | rng.getrandbits(w - 1) if w > 1 else 1
        if r < 0.8:
            return 1 << rng.randrange(w)
        if r < 0.9 and w > 64:
            top = (w - 1) // 64 * 64
            return rng.getrandbits(w - top) << top
        return 0

    def over(self, w: int) -> tuple[Any, str]:
        """A value that does not fit width ``w`` and the code every implementation answers."""
        x = self.rng.getrandbits(w)
        if w % 64:
            hi = (w + 63) // 64 * 64
            # Half the time exactly bit w (the off-by-one edge), else any bit up to the word end.
            bit = w if self.rng.random() < 0.5 else self.rng.randrange(w, hi)
            return to_word(x | 1 << bit, hi), "range"
        if w > 64:
            words = to_word(x, w)
            assert isinstance(words, list)
            return [*words, "0x0000000000000001"], "width_mismatch"
        return f"0x{x | 1 << 63:016X}", "bad_request"  # uppercase digits: not a word

    # ------------------------------------------------------------------ a sequence
    def sequence(self) -> list[str]:
        """One sequence of request lines (ids are the positions)."""
        rng = self.rng
        self.s = Session()
        self.lines: list[str] = []
        self.hist: dict[str, list[int]] = defaultdict(list)
        self.counter = 0
        self.wide_used = False
        # Most sequences work on one width; a third of them on a wide one when there is one.
        if self.wide and rng.random() < 0.4:
            self.w0 = rng.choice(self.wide)
        else:
            self.w0 = rng.choice(self.narrow or self.widths)
        r = rng.random()
        length = (
            rng.randint(3, 12)
            if r < 0.3
            else rng.randint(12, 40)
            if r < 0.8
            else rng.randint(40, 120)
        )
        if "ctx.new" in self.caps.ops:
            shared = self.bits(self.w0)
            for _ in range(rng.choice((1, 2, 2, 3))):
                init = shared if rng.random() < 0.7 else self.bits(self.w0)
                self.new_ctx(self.w0, init)
        if "table.new" in self.caps.ops and self.table_widths and rng.random() < 0.5:
            self.new_table()
        while len(self.lines) < length:
            if rng.random() < 0.05 or not self.ops:
                self.raw()
                continue
            op = rng.choices(self.ops, self.weights)[0]
            getattr(self, "g_" + op.replace(".", "_"))(rng.random() < 0.08)
        return self.lines

    def emit(self, req: dict[str, Any] | str) -> dict[str, Any]:
        """Append one request (a dict gets the next id) and return the oracle's answer."""
        if isinstance(req, dict):
            req = {"id": len(self.lines), **req}
            w = req.get("width")
            if type(w) is int and 64 < w <= MAX_WIDTH:
                self.wide_used = True
            line = dump_line(req)
        else:
            line = req
        self.lines.append(line)
        return self.s.handle(line)

    def fresh(self, prefix: str) -> str:
        """A name no object has."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def ctx_names(self, w: int | None = None) -> list[str]:
        """The contexts (of width ``w``), in creation order."""
        return [n for n, c in self.s.contexts.items() if w is None or c.width == w]

    def target_ctx(self, bad: bool) -> tuple[str, int] | None:
        """A context to act on: an existing one, or (when asked to fail, or none can be made) a
        name that is not a context."""
        names = self.ctx_names()
        if bad and self.rng.random() < 0.3:
            other = list(self.s.tables) if self.s.tables and self.rng.random() < 0.5 else []
            return (other[0] if other else "ghost"), 64
        if not names:
            if "ctx.new" not in self.caps.ops:
                return "ghost", 64
            self.new_ctx(self.w0, self.bits(self.w0))
            names = self.ctx_names()
        n = self.rng.choice(names)
        return n, self.s.contexts[n].width

    def value_for(self, w: int, bad: bool) -> Any:
        """A value for a width-``w`` slot: fitting, or (``bad``) one that does not fit."""
        if bad:
            return self.over(w)[0]
        return to_word(self.bits(w), w)

    def new_ctx(self, w: int, init: int | None, bad: bool = False) -> None:
        """Create a context (``bad``: with a fault: bad width, bad name, taken name, bad
        initial)."""
        req: dict[str, Any] = {"op": "ctx.new", "name": self.fresh("c"), "width": w}
        if init is not None:
            req["initial"] = to_word(init, w)
        if bad:
            k = self.rng.randrange(4)
            if k == 0:
                req["width"] = self.rng.choice((0, MAX_WIDTH + 1, -3))
            elif k == 1:
                req["name"] = self.rng.choice(("bad name", "", "x" * 33))
            elif k == 2 and self.s.contexts:
                req["name"] = self.rng.choice(self.ctx_names())
            else:
                req["initial"] = self.over(w)[0]
        self.emit(req)

    def observe_ctx(self, name: str) -> None:
        """A follow-up read of a context, with whichever read op the port has."""
        for op in ("ctx.state", "ctx.read", "ctx.is_clean"):
            if op in self.caps.ops:
                self.emit({"op": op, "name": name})
                return

    # ------------------------------------------------------------------ ctx ops
    def g_ctx_new(self, bad: bool) -> None:
        rng = self.rng
        names = self.ctx_names()
        if names and rng.random() < 0.6:
            # A fork: a new context whose reference is an existing one's (merge-compatible).
            src = self.s.contexts[rng.choice(names)]
            self.new_ctx(src.width, src.reference, bad)
            return
        w = rng.choice(self.widths) if rng.random() < 0.3 else self.w0
        self.new_ctx(w, self.bits(w) if rng.random() < 0.7 else None, bad)

    def g_ctx_load(self, bad: bool) -> None:
        t = self.target_ctx(bad)
        assert t is not None
        name, w = t
        peers = [n for n in self.ctx_names(w) if n != name]
        if not bad and peers and self.rng.random() < 0.6:
            v = to_word(self.s.contexts[self.rng.choice(peers)].reference, w)
        else:
            v = self.value_for(w, bad)
        if self.emit({"op": "ctx.load", "name": name, "value": v})["ok"]:
            self.hist[name].clear()

    def _delta(self, name: str, w: int, bad: bool, earlier: float) -> tuple[Any, bool]:
        h = self.hist.get(name)
        if not bad and h and self.rng.random() < earlier:
            return to_word(self.rng.choice(h), w), True
        return self.value_for(w, bad), False

    def g_ctx_accum(self, bad: bool, op: str = "ctx.accum") -> None:
        name, w = self.target_ctx(bad) or ("ghost", 64)
        d, again = self._delta(name, w, bad, 0.15 if op == "ctx.accum" else 0.8)
        ans = self.emit({"op": op, "name": name, "delta": d})
        if ans["ok"]:
            self.hist[name].append(int_of(d))
            if again and op == "ctx.rollback":
                self.census_event("rollback of an earlier delta")

    def g_ctx_rollback(self, bad: bool) -> None:
        self.g_ctx_accum(bad, "ctx.rollback")

    def g_ctx_accum_many(self, bad: bool) -> None:
        name, w = self.target_ctx(bad) or ("ghost", 64)
        ds = [self._delta(name, w, False, 0.3)[0] for _ in range(self.rng.randint(0, 6))]
        if ds and self.rng.random() < 0.4:
            ds.append(self.rng.choice(ds))  # a repeated delta cancels itself
        if bad:
            ds.insert(self.rng.randint(0, len(ds)), self.over(w)[0])
        if self.emit({"op": "ctx.accum_many", "name": name, "deltas": ds})["ok"]:
            self.hist[name].extend(int_of(d) for d in ds)

    def g_ctx_read(self, bad: bool) -> None:
        name, _ = self.target_ctx(bad) or ("ghost", 64)
        self.emit({"op": "ctx.read", "name": name})

    def g_ctx_state(self, bad: bool) -> None:
        name, _ = self.target_ctx(bad) or ("ghost", 64)
        self.emit({"op": "ctx.state", "name": name})

    def g_ctx_is_clean(self, bad: bool) -> None:
        name, _ = self.target_ctx(bad) or ("ghost", 64)
        self.emit({"op": "ctx.is_clean", "name": name})

    def g_ctx_swap(self, bad: bool) -> None:
        name, _ = self.target_ctx(bad) or ("ghost", 64)
        if self.emit({"op": "ctx.swap", "name": name})["ok"]:
            self.hist[name].clear()

    def g_ctx_merge(self, bad: bool) -> None:
        rng = self.rng
        name, w = self.target_ctx(bad) or ("ghost", 64)
        c = self.s.contexts.get(name)
        r = rng.random()
        if c is None:
            other = rng.choice(self.ctx_names() or ["ghost"])
        elif bad or r < 0.05:
            other = "ghost"
        else:
            same = [n for n in self.ctx_names(w) if n != name]
            sharing = [n for n in same if self.s.contexts[n].reference == c.reference]
            if r < 0.65:
                if not sharing and "ctx.new" in self.caps.ops:
                    # Make a merge-compatible peer and give it deltas of its own.
                    self.new_ctx(w, c.reference)
                    peer = self.ctx_names()[-1]
                    if "ctx.accum" in self.caps.ops:
                        d = to_word(self.bits(w), w)
                        self.emit({"op": "ctx.accum", "name": peer, "delta": d})
                        self.hist[peer].append(int_of(d))
                    sharing = [peer]
                other = rng.choice(sharing or same or [name])
            elif r < 0.85:
                other = rng.choice([n for n in same if n not in sharing] or same or [name])
            elif r < 0.93:
                widths = [n for n in self.ctx_names() if self.s.contexts[n].width != w]
                other = rng.choice(widths or [name])
            else:
                other = name
        ans = self.emit({"op": "ctx.merge", "name": name, "other": other})
        if ans["ok"]:
            if other != name:
                self.census_event("merge of distinct contexts")
                self.hist[name].extend(self.hist.get(other, []))
            else:
                self.census_event("merge of a context with itself")
        else:
            self.census_event(f"merge {ans['error']['code']}")
        if other in self.s.contexts:
            self.observe_ctx(other)

    # ------------------------------------------------------------------ table ops
    def new_table(self, bad: bool = False) -> None:
        """Create a small table (sizes up to 8 mostly, up to max_table sometimes)."""
        rng = self.rng
        w = rng.choice(self.table_widths)
        size = rng.randint(1, min(8, self.caps.max_table))
        if rng.random() < 0.1:
            size = rng.randint(1, min(300, self.caps.max_table))
        req: dict[str, Any] = {"op": "table.new", "name": self.fresh("t"), "width": w, "size": size}
        if bad:
            k = rng.randrange(3)
            if k == 0:
                req["width"] = rng.choice((0, 65, MAX_WIDTH + 1))
            elif k == 1:
                req["size"] = rng.choice((0, -1, MAX_TABLE + 1))
            else:
                req["name"] = "bad-name"
        self.emit(req)

    def target_table(self, bad: bool) -> tuple[str, int, int]:
        """(name, width, size) of a table to act on, or a name that is not a table."""
        if bad and self.rng.random() < 0.25:
            return (self.rng.choice(self.ctx_names() or ["ghost"])), 64, 1
        if not self.s.tables:
            if "table.new" not in self.caps.ops:
                return "ghost", 64, 1
            self.new_table()
            if not self.s.tables:
                return "ghost", 64, 1
        name = self.rng.choice(sorted(self.s.tables))
        t = self.s.tables[name]
        return name, t.width, t.num_contexts

    def addr(self, size: int, bad: bool) -> int:
        """An address in range (mostly low), or one out of range."""
        if bad:
            return self.rng.choice((-1, size, size + 3, 1 << 40))
        return (
            self.rng.randrange(min(size, 4))
            if self.rng.random() < 0.7
            else self.rng.randrange(size)
        )

    def g_table_new(self, bad: bool) -> None:
        self.new_table(bad)

    def _table_one(self, op: str, key: str | None, bad: bool) -> None:
        name, w, size = self.target_table(bad)
        kind = self.rng.randrange(2) if bad else -1
        req: dict[str, Any] = {"op": op, "name": name, "addr": self.addr(size, kind == 0)}
        if key is not None:
            req[key] = self.value_for(w, kind == 1)
        self.emit(req)

    def g_table_load(self, bad: bool) -> None:
        self._table_one("table.load", "value", bad)

    def g_table_accum(self, bad: bool) -> None:
        self._table_one("table.accum", "delta", bad)

    def g_table_rollback(self, bad: bool) -> None:
        self._table_one("table.rollback", "delta", bad)

    def g_table_read(self, bad: bool) -> None:
        self._table_one("table.read", None, bad)

    def g_table_swap(self, bad: bool) -> None:
        self._table_one("table.swap", None, bad)

    def _batch(self, op: str, key: str, bad: bool) -> None:
        rng = self.rng
        name, w, size = self.target_table(bad)
        n = rng.randint(1, 8)
        addrs = [self.addr(size, False) for _ in range(n)]
        if rng.random() < 0.6:
            # Repeated addresses: duplicates accumulate (accum) or the last wins (load).
            addrs.insert(rng.randint(0, n), rng.choice(addrs))
            addrs.insert(rng.randint(0, n), rng.choice(addrs))
        vals = [to_word(self.bits(w), w) for _ in addrs]
        if bad:
            k = rng.randrange(3)
            if k == 0:
                vals.pop(rng.randrange(len(vals)))  # shape
            elif k == 1:
                addrs[rng.randrange(len(addrs))] = self.addr(size, True)
            else:
                vals[rng.randrange(len(vals))] = self.over(w)[0]
        ans = self.emit({"op": op, "name": name, "addrs": addrs, key: vals})
        if ans["ok"] and len(set(addrs)) < len(addrs):
            self.census_event("batch with a repeated address")
        if name in self.s.tables:
            self.observe_table(name, sorted(set(addrs) & set(range(size))))

    def observe_table(self, name: str, addrs: list[int]) -> None:
        """Follow-up reads of a table's addresses, with whichever read op the port has."""
        if "table.read_batch" in self.caps.ops:
            self.emit({"op": "table.read_batch", "name": name, "addrs": addrs})
        elif "table.read" in self.caps.ops:
            for a in addrs:
                self.emit({"op": "table.read", "name": name, "addr": a})

    def g_table_accum_batch(self, bad: bool) -> None:
        self._batch("table.accum_batch", "deltas", bad)

    def g_table_load_batch(self, bad: bool) -> None:
        self._batch("table.load_batch", "values", bad)

    def g_table_read_batch(self, bad: bool) -> None:
        name, _, size = self.target_table(bad)
        addrs = [self.addr(size, False) for _ in range(self.rng.randint(0, 6))]
        if bad:
            addrs.append(self.addr(size, True))
        self.emit({"op": "table.read_batch", "name": name, "addrs": addrs})

    # ------------------------------------------------------------------ delta, fingerprint, wire
    def _width(self, bad: bool) -> int:
        if bad and self.rng.random() < 0.3:
            return self.rng.choice((0, MAX_WIDTH + 1))
        return self.w0 if self.rng.random() < 0.6 else self.rng.choice(self.widths)

    def _binary(self, op: str, keys: tuple[str, str], bad: bool) -> None:
        w = self._width(bad)
        vw = w if 1 <= w <= MAX_WIDTH else 64
        which = self.rng.randrange(2) if bad and 1 <= w <= MAX_WIDTH else -1
        req = {"op": op, "width": w}
        for i, k in enumerate(keys):
            req[k] = self.value_for(vw, which == i)
        self.emit(req)

    def g_delta_compose(self, bad: bool) -> None:
        self._binary("delta.compose", ("a", "b"), bad)

    def g_delta_compute(self, bad: bool) -> None:
        self._binary("delta.compute", ("old", "new"), bad)

    def g_delta_apply(self, bad: bool) -> None:
        self._binary("delta.apply", ("state", "delta"), bad)

    def g_delta_compose_all(self, bad: bool) -> None:
        w = self._width(bad)
        vw = w if 1 <= w <= MAX_WIDTH else 64
        ds = [self.value_for(vw, False) for _ in range(self.rng.randint(0, 6))]
        if ds and self.rng.random() < 0.3:
            ds.append(self.rng.choice(ds))
        if bad and 1 <= w <= MAX_WIDTH:
            ds.insert(self.rng.randint(0, len(ds)), self.over(vw)[0])
        self.emit({"op": "delta.compose_all", "width": w, "deltas": ds})

    def g_fingerprint(self, bad: bool) -> None:
        data = self.rng.randbytes(self.rng.choice((0, 1, 7, 8, 9, 15, 16, 17, 64, 100)))
        text = data.hex()
        if bad:
            text = self.rng.choice((text + "a", text.upper() + "AB", 5))
        self.emit({"op": "fingerprint", "data": text})

    def g_fingerprint_update_chunk(self, bad: bool) -> None:
        vals = [to_word(self.bits(64), 64) for _ in range(3)]
        if bad:
            vals[self.rng.randrange(3)] = "0x12"
        self.emit({"op": "fingerprint.update_chunk", "fp": vals[0], "old": vals[1], "new": vals[2]})

    def _message(self) -> DeltaMessage:
        w = self.rng.choice(self.widths)
        rng = self.rng
        return DeltaMessage(rng.getrandbits(32), rng.randrange(4), rng.getrandbits(64),
                            rng.getrandbits(32), w, self.bits(w))  # fmt: skip

    def g_wire_encode(self, bad: bool) -> None:
        m = self._message()
        req = {"op": "wire.encode", "origin": m.origin, "epoch": m.epoch, "seq": f"0x{m.seq:016x}",
               "addr": m.addr, "width": m.width, "delta": to_word(m.delta, m.width)}  # fmt: skip
        if bad:
            k = self.rng.randrange(3)
            if k == 0:
                req["delta"] = self.over(m.width)[0]
            elif k == 1:
                req["origin"] = 1 << 32
            else:
                req["width"] = 0
        self.emit(req)

    def _frame(self, frame: bytes, bad: bool) -> str:
        b = bytearray(frame)
        if bad:
            k = self.rng.randrange(3)
            if k == 0:
                b = b[: self.rng.randrange(len(b))]
            elif k == 1:
                i = self.rng.randrange(len(b))
                b[i] ^= 1 << self.rng.randrange(8)
            else:
                b.append(0)
        return bytes(b).hex()

    def g_wire_decode(self, bad: bool) -> None:
        self.emit({"op": "wire.decode", "frame": self._frame(encode(self._message()), bad)})

    def g_wire_decode_batch(self, bad: bool) -> None:
        ms = [self._message() for _ in range(self.rng.randint(0, 3))]
        self.emit({"op": "wire.decode_batch", "frame": self._frame(encode_batch(ms), bad)})

    def raw(self) -> None:
        """A line every implementation rejects the same way, using only announced ops."""
        w = self.w0
        lines = ["not json", "[1,2]", '{"op":5}', '{"op":"no.such.op"}', '{"v":2,"op":"hello"}']
        ops = self.caps.ops
        if "ctx.read" in ops:
            lines += ['{"op":"ctx.read"}', '{"op":"ctx.read","name":"ghost"}']
        if "ctx.accum" in ops:
            lines.append('{"op":"ctx.accum","name":"ghost","delta":"0x0000000000000001"}')
        if "ctx.new" in ops:
            lines.append(dump_line({"op": "ctx.new", "name": "bad name", "width": w}))
            lines.append(dump_line({"op": "ctx.new", "name": "c0", "width": str(w)}))
        if "table.read" in ops:
            lines.append('{"op":"table.read","name":"ghost","addr":0}')
        if "delta.compose" in ops:
            lines.append(dump_line({"op": "delta.compose", "width": w, "a": "0x1",
                                    "b": to_word(0, w)}))  # fmt: skip
        self.emit(self.rng.choice(lines))

    def census_event(self, what: str) -> None:
        """Count an algebra event (read by :func:`fuzz` for the census)."""
        self.events[what] += 1


def int_of(word: Any) -> int:
    """The integer a word or a list of words (least significant first) stands for."""
    if isinstance(word, list):
        return sum(int(x, 16) << (64 * i) for i, x in enumerate(word))
    return int(word, 16)


# ----------------------------------------------------------------------------- shrinking
def renumber(lines: Iterable[str]) -> list[str]:
    """The lines with fresh ids 0, 1, 2, … (lines that are not JSON objects with an id kept)."""
    out = []
    for i, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        if isinstance(obj, dict) and "id" in obj:
            obj["id"] = i
            out.append(dump_line(obj))
        else:
            out.append(line)
    return out


_ZERO_WORD = "0x0000000000000000"


def _word_paths(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to the non-zero words inside a decoded request (values, lists of values)."""
    if isinstance(obj, str):
        return [path] if len(obj) == 18 and obj.startswith("0x") and obj != _ZERO_WORD else []
    if isinstance(obj, dict):
        return [q for k in sorted(obj) if k != "seq" for q in _word_paths(obj[k], (*path, k))]
    if isinstance(obj, list):
        return [q for i, x in enumerate(obj) for q in _word_paths(x, (*path, i))]
    return []


def _zeroed(lines: list[str], where: list[tuple[int, tuple[Any, ...]]]) -> list[str]:
    """``lines`` with the words at ``where`` (line index, path) set to zero."""
    objs: dict[int, Any] = {}
    for i, path in where:
        obj = objs.setdefault(i, json.loads(lines[i]))
        node = obj
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _ZERO_WORD
    return [dump_line(objs[i]) if i in objs else line for i, line in enumerate(lines)]


def shrink(
    driver: Driver, div: Divergence, *, max_runs: int = 600, max_time: float = 30.0
) -> Divergence:
    """Shrink a divergence while the port still diverges on a request of the same op: remove
    requests (chunks, then single lines), then set words of the values to zero (chunks, then
    single words), renumbering ids each time; return the smallest divergence found."""
    op = div.op
    best = div
    cur = renumber(div.repro)
    best.lines, best.index = cur, len(cur) - 1
    deadline = time.monotonic() + max_time
    runs = 0

    def attempt(cand: list[str]) -> bool:
        nonlocal cur, best, runs
        runs += 1
        d = driver.run(cand) if cand else None
        if d is not None and d.op == op:
            cur = d.repro
            best = Divergence(cur, len(cur) - 1, d.oracle, d.port, d.why)
            return True
        return False

    def budget() -> bool:
        return runs < max_runs and time.monotonic() < deadline

    chunk = max(1, len(cur) // 2)
    while chunk >= 1:
        i = 0
        while i < len(cur) and budget():
            if not attempt(renumber(cur[:i] + cur[i + chunk :])):
                i += chunk
        if chunk == 1:
            break
        chunk //= 2

    def positions() -> list[tuple[int, tuple[Any, ...]]]:
        out = []
        for i, line in enumerate(cur):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            out += [(i, p) for p in _word_paths(obj)] if isinstance(obj, dict) else []
        return out

    pos = positions()
    chunk = max(1, len(pos) // 2)
    while pos and budget():
        i = 0
        while i < len(pos) and budget():
            if attempt(_zeroed(cur, pos[i : i + chunk])):
                pos = positions()  # the lines (and their words) may have changed
            else:
                i += chunk
        if chunk == 1:
            break
        chunk = max(1, chunk // 2)
    best.found_after, best.original_length = div.found_after, div.original_length
    best.shrink_runs = runs
    return best


# ----------------------------------------------------------------------------- fuzzing
@dataclass
class FuzzResult:
    """What a fuzz run did: the seed, sequences run, the census and the divergences found."""

    seed: int
    sequences: int
    census: Census
    divergences: list[Divergence]
    seconds: float


def fuzz(
    cmd: Sequence[str],
    info: dict[str, Any] | Capabilities,
    *,
    examples: int = DEFAULT_EXAMPLES,
    max_time: float = DEFAULT_MAX_TIME,
    seed: int | None = None,
    timeout: float = 10.0,
    keep_going: bool = False,
    max_shrink_time: float = 30.0,
    max_divergences: int = 10,
) -> FuzzResult:
    """Run up to ``examples`` generated sequences (none started after ``max_time`` s). Stop at
    the first divergence unless ``keep_going`` (then collect up to ``max_divergences`` with
    distinct signatures). Each divergence is shrunk and confirmed on a fresh process."""
    caps = _caps(info)
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    gen = Generator(caps, rng)
    census = Census()
    driver = Driver(cmd, timeout, "reset" in caps.ops)
    found: list[Divergence] = []
    seen: set[str] = set()
    start = time.monotonic()
    n = 0
    try:
        while n < examples and time.monotonic() - start < max_time:
            n += 1
            lines = gen.sequence()
            census.sequences += 1
            census.longest = max(census.longest, len(lines))
            census.wide_sequences += gen.wide_used
            div = driver.run(lines)
            upto = len(lines) if div is None else div.index + 1
            scratch = Session()
            for line in lines[:upto]:
                census.add(_op_of(line), scratch.handle(line))
            if div is None or div.signature in seen:
                continue
            div.found_after, div.original_length = n, div.index + 1
            small = shrink(driver, div, max_time=max_shrink_time)
            small.reproduced = run_sequence(cmd, small.repro, timeout) is not None
            seen.add(div.signature)
            seen.add(small.signature)
            found.append(small)
            if not keep_going or len(found) >= max_divergences:
                break
    finally:
        driver.close()
        census.events = gen.events
    return FuzzResult(seed, n, census, found, time.monotonic() - start)


# ----------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m atomik.conformance.port``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" in args:
        cut = args.index("--")
        opts, cmd = args[:cut], args[cut + 1 :]
    else:
        opts, cmd = args, []
    ap = argparse.ArgumentParser(
        prog="python -m atomik.conformance.port",
        usage="%(prog)s [options] -- CMD ARGS...",
        description="Compare a port speaking the atomik oracle protocol with the oracle.",
    )
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--vectors", type=Path, help="replay the vectors under this folder first")
    ap.add_argument("--fuzz", action="store_true", help="with --vectors: fuzz as well")
    ap.add_argument(
        "--examples", type=int, default=DEFAULT_EXAMPLES,
        help=f"generated sequences ({DEFAULT_EXAMPLES})",
    )  # fmt: skip
    ap.add_argument(
        "--max-time", type=float, default=DEFAULT_MAX_TIME,
        help=f"start no sequence after S s ({DEFAULT_MAX_TIME:g})",
    )  # fmt: skip
    ap.add_argument("--seed", type=int, help="generator seed (default: a new one, printed)")
    ap.add_argument("--keep-going", action="store_true", help="collect distinct divergences")
    ap.add_argument(
        "--max-shrink-time", type=float, default=30.0, help="shrink each divergence for S s (30)"
    )
    ap.add_argument("--timeout", type=float, default=10.0, help="per-response timeout in s (10)")
    ap.add_argument("--repro", type=Path, help="write the minimal diverging sequence here")
    ap.add_argument("--quiet", action="store_true", help="no census")
    ns = ap.parse_args(opts)
    if not cmd:
        ap.error("give the port command after --")
    try:
        info = hello(cmd, ns.timeout)
        caps = Capabilities.from_hello(info)
    except PortError as exc:
        print(f"port: {exc}", file=sys.stderr)
        return 2
    print(f"port: {caps.describe()}")
    status = 0
    if ns.vectors:
        passed, skipped, failures = replay_vectors(cmd, ns.vectors, caps, ns.timeout)
        for f in failures:
            print(f"FAIL {f}")
        for path, why in skipped:
            print(f"skip {path}: {why}")
        print(
            f"vectors: {passed} passed, {len(failures)} failed, {len(skipped)} skipped "
            "(unsupported)"
        )
        if failures:
            status = 1
        if not ns.fuzz:
            return status
    try:
        res = fuzz(
            cmd,
            caps,
            examples=ns.examples,
            max_time=ns.max_time,
            seed=ns.seed,
            timeout=ns.timeout,
            keep_going=ns.keep_going,
            max_shrink_time=ns.max_shrink_time,
        )
    except PortError as exc:
        print(f"port: {exc}", file=sys.stderr)
        return 2
    print(f"fuzz: seed {res.seed} (reproduce with --seed {res.seed})")
    if not ns.quiet:
        print(res.census.render())
    if not res.divergences:
        print(
            f"fuzz: {res.sequences} generated sequences in {res.seconds:.1f} s, every response "
            "agreed with the oracle"
        )
        return status
    for k, div in enumerate(res.divergences, 1):
        target = None
        if ns.repro:
            target = ns.repro if k == 1 else ns.repro.with_suffix(f".{k}{ns.repro.suffix}")
            target.write_text("\n".join(div.repro) + "\n", encoding="utf-8")
        print(
            f"fuzz: DIVERGENCE {k} found by generated sequence {div.found_after}, "
            f"shrunk in {div.shrink_runs} runs"
        )
        print(div.report(cmd, target))
    print(
        f"fuzz: {len(res.divergences)} distinct divergence(s) in {res.sequences} sequences "
        f"({res.seconds:.1f} s)"
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
