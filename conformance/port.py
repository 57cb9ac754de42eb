"""Differential runner: hold an external port to the atomik oracle.

    python -m atomik.conformance.port [options] -- CMD ARGS...

``CMD`` is a program that speaks the oracle protocol (``spec/oracle.md``): one JSON request per
line on stdin, one JSON response per line on stdout. The runner

* asks it ``hello`` to learn its ops and ``max_width``, and only sends what it supports;
* with ``--vectors DIR``, replays every committed vector (``spec/vectors``) and compares;
* otherwise (or also, with ``--vectors`` and ``--fuzz``), generates operation sequences with
  Hypothesis (a list-of-ops strategy: contexts, tables, deltas, fingerprints and wire frames,
  mostly valid with deliberate bad input mixed in), runs each sequence on the port (one process
  reused through the ``reset`` op when the port lists it, else a fresh process per sequence) and
  on a fresh in-process oracle :class:`~atomik.oracle.Session`, and compares every response
  (``ok``, ``id``, and the ``result`` or the error ``code``; never the error message).

On a divergence Hypothesis shrinks the sequence, and the runner prints the minimal sequence as
JSON lines a port author can replay (``CMD < repro.jsonl``), with both answers at the first
request where they differ, after confirming it on a fresh process. Exit status: 0 agreement,
1 divergence (or a failing vector), 2 the port could not be run or did not answer ``hello``.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atomik.oracle import MAX_WIDTH, Session, dump_line, to_word
from atomik.wire import DeltaMessage, encode

__all__ = [
    "Divergence",
    "Driver",
    "PortError",
    "PortProcess",
    "compare",
    "fuzz",
    "main",
    "replay_vectors",
    "run_sequence",
]

#: Widths the generator draws from (those above the port's max_width are left out).
WIDTHS = (1, 7, 8, 16, 32, 63, 64, 100, 200)


class PortError(Exception):
    """The port could not be started, died, timed out, or wrote something that is not JSON."""


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
        return f"ok: oracle {_canon(oracle['ok'])}, port {_canon(port.get('ok'))}"
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

    def report(self, cmd: Sequence[str]) -> str:
        """A human report: the sequence up to the divergence as JSON lines, and both answers."""
        reqs = "\n".join(self.lines[: self.index + 1])
        port = "(no answer)" if self.port is None else _canon(self.port)
        return (
            f"minimal diverging sequence ({self.index + 1} requests); replay it with\n"
            f"  {shlex.join(cmd)} < repro.jsonl\n"
            f"--- repro.jsonl ---\n{reqs}\n--- at request {self.index + 1} ---\n"
            f"why:    {self.why}\n"
            f"oracle: {_canon(self.oracle)}\nport:   {port}"
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

    def run(self, lines: Sequence[str]) -> Divergence | None:
        """Like :func:`run_sequence`, reusing the process when possible."""
        if not self.use_reset:
            return run_sequence(self.cmd, lines, self.timeout)
        if self.port is not None:
            try:
                res = self.port.ask(dump_line({"op": "reset"}))
                if res.get("ok") is not True:
                    raise PortError(f"reset failed: {_canon(res)}")
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
    """The port's answer to ``hello`` (its ops and limits); raises :class:`PortError`."""
    port = PortProcess(cmd, timeout)
    try:
        res = port.ask(dump_line({"id": 0, "op": "hello"}))
    finally:
        port.close()
    if not res.get("ok") or not isinstance(res.get("result"), dict):
        raise PortError(f"port did not answer hello: {_canon(res)}")
    info = res["result"]
    if not isinstance(info.get("ops"), list) or not isinstance(info.get("max_width"), int):
        raise PortError(f"hello must give ops (a list) and max_width (an int): {_canon(info)}")
    return info


# ----------------------------------------------------------------------------- vectors
def replay_vectors(
    cmd: Sequence[str], folder: Path, info: dict[str, Any], timeout: float
) -> tuple[int, int, list[str]]:
    """Replay every vector under ``folder`` the port supports; return (passed, skipped,
    failures). A vector is skipped when its manifest ``requires`` an op the port lacks or a
    width above the port's max_width."""
    ops = set(info["ops"])
    passed = skipped = 0
    failures: list[str] = []
    for path in sorted(folder.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        reqs = doc["input"]["requests"]
        need = doc["manifest"]["requires"]
        if not set(need["ops"]) <= ops or need["max_width"] > info["max_width"]:
            skipped += 1
            continue
        port = PortProcess(cmd, timeout)
        problem = None
        try:
            for i, r in enumerate(reqs):
                last = i == len(reqs) - 1
                try:
                    got = port.ask(dump_line({**r, "id": i}))
                except PortError as exc:
                    problem = f"request {i + 1}: {exc}"
                    break
                if doc["output"] is None and last:
                    err = got.get("error")
                    code = err.get("code") if isinstance(err, dict) else None
                    if got.get("ok") is not False or code != doc["error"]:
                        problem = (
                            f"request {i + 1}: expected error {doc['error']!r}, got {_canon(got)}"
                        )
                elif got.get("ok") is not True:
                    problem = f"request {i + 1}: expected success, got {_canon(got)}"
                elif doc["output"] is not None and _canon(got.get("result")) != _canon(
                    doc["output"][i]
                ):
                    problem = (
                        f"request {i + 1}: expected {_canon(doc['output'][i])}, "
                        f"got {_canon(got.get('result'))}"
                    )
                if problem:
                    break
        finally:
            port.close()
        if problem:
            failures.append(f"{path}: {problem}")
        else:
            passed += 1
    return passed, skipped, failures


_ALL_OPS = frozenset(Session().ops)


# ----------------------------------------------------------------------------- fuzzing
def _strategies(info: dict[str, Any]) -> Any:
    """The Hypothesis strategy of abstract operation sequences for a port with ``info``."""
    from hypothesis import strategies as st

    ops = set(info["ops"]) & _ALL_OPS
    widths = [w for w in WIDTHS if w <= min(info["max_width"], MAX_WIDTH)]
    # Mostly supported widths; now and then one every implementation must reject.
    width = st.sampled_from(widths * 4 + [0, MAX_WIDTH + 1])
    # A value: bits masked to the target width; or with the width's top bit set; or all ones;
    # or, rarely, "over" (one bit above the width: an error every implementation must report).
    value = st.tuples(
        st.integers(0, 2**256 - 1), st.sampled_from(["fit"] * 4 + ["top", "ones", "over"])
    )
    slot = st.integers(0, 1)
    tslot = st.integers(0, 1)
    addr = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from([-1, 4, 9]))
    values = st.lists(value, max_size=5)
    table_width = st.sampled_from([w for w in widths if w <= 64] + [0, 65])
    # Batches: in-range addresses and fitting values, so most batches apply (repeated addresses
    # are likely); one fault at a time is planted now and then.
    good_value = st.tuples(
        st.integers(0, 2**256 - 1), st.sampled_from(["fit"] * 4 + ["top", "ones"])
    )
    batch = st.lists(st.tuples(st.integers(0, 3), good_value), max_size=6)
    batch_fault = st.sampled_from(["none"] * 6 + ["drop", "address", "over"])
    s: dict[str, Any] = {
        "delta.compose": st.tuples(width, value, value),
        "delta.compute": st.tuples(width, value, value),
        "delta.apply": st.tuples(width, value, value),
        "delta.compose_all": st.tuples(width, values),
        "ctx.new": st.tuples(slot, width, st.none() | value),
        "ctx.load": st.tuples(slot, value),
        "ctx.accum": st.tuples(slot, value),
        "ctx.rollback": st.tuples(slot, value),
        "ctx.read": st.tuples(slot),
        "ctx.swap": st.tuples(slot),
        "ctx.is_clean": st.tuples(slot),
        "ctx.state": st.tuples(slot),
        "ctx.merge": st.tuples(slot, slot),
        "ctx.accum_many": st.tuples(slot, values),
        "table.new": st.tuples(tslot, table_width, st.integers(0, 8)),
        "table.load": st.tuples(tslot, addr, value),
        "table.accum": st.tuples(tslot, addr, value),
        "table.rollback": st.tuples(tslot, addr, value),
        "table.read": st.tuples(tslot, addr),
        "table.swap": st.tuples(tslot, addr),
        "table.accum_batch": st.tuples(tslot, batch, batch_fault),
        "table.load_batch": st.tuples(tslot, batch, batch_fault),
        "table.read_batch": st.tuples(tslot, st.lists(addr, max_size=6)),
        "fingerprint": st.tuples(st.binary(max_size=40)),
        "fingerprint.update_chunk": st.tuples(value, value, value),
        "wire.encode": st.tuples(
            st.sampled_from(widths), value, st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1)
        ),
        "wire.decode": st.tuples(
            st.sampled_from(widths),
            value,
            st.integers(0, 2**32 - 1),
            st.sampled_from(["none", "cut", "flip", "width0"]),
            st.integers(0, 400),
        ),
        "raw": st.sampled_from(
            [
                "not json",
                '{"op":5}',
                '{"op":"no.such.op"}',
                '{"v":2,"op":"hello"}',
                '{"op":"ctx.read"}',
                '{"op":"ctx.accum","name":"ghost","delta":"0x0000000000000001"}',
                '{"op":"table.read","name":"ghost","addr":0}',
                '{"op":"ctx.new","name":"bad name","width":8}',
                '{"op":"delta.compose","width":8,"a":"0x1","b":"0x0000000000000000"}',
            ]
        ),
    }
    # The ops that change state are drawn three times as often as the others.
    weight = {
        "ctx.accum": 3, "ctx.rollback": 3, "ctx.load": 2, "ctx.swap": 2, "ctx.merge": 2,
        "table.accum": 3, "table.rollback": 3, "table.load": 2, "table.accum_batch": 2,
    }  # fmt: skip
    names = sorted(k for k in s if k in ops or k == "raw")
    step = st.one_of(*(st.tuples(st.just(n), s[n]) for n in names for _ in range(weight.get(n, 1))))

    # A prelude creates up to two contexts and two tables, under distinct names and with valid
    # parameters, so the body has something to work on. Its contexts share one width (so merges
    # get past the width check) and its tables are small (so most addresses hit).
    def creations(w: int) -> Any:
        tw = w if w <= 64 else 64
        new_ctx = [
            st.tuples(st.just("ctx.new"), st.tuples(st.just(i), st.just(w), value))
            for i in range(2)
        ]
        new_table = [
            st.tuples(st.just("table.new"), st.tuples(st.just(i), st.just(tw), st.integers(1, 4)))
            for i in range(2)
        ]
        n_ctx = st.integers(0, 2) if "ctx.new" in ops else st.just(0)
        n_table = st.integers(0, 2) if "table.new" in ops else st.just(0)
        return st.tuples(n_ctx, n_table).flatmap(
            lambda n: st.tuples(*new_ctx[: n[0]], *new_table[: n[1]]).map(list)
        )

    prelude = st.sampled_from(widths).flatmap(creations)
    body = st.lists(step, min_size=1, max_size=25)
    return st.builds(lambda a, b: a + b, prelude, body)


def _val(v: tuple[int, str], w: int) -> Any:
    bits, kind = v
    x = bits & ((1 << w) - 1)
    if kind == "top" and w >= 1:
        x |= 1 << (w - 1)
    elif kind == "ones":
        x = (1 << w) - 1
    elif kind == "over" and w % 64:
        x |= 1 << w  # one bit above the width, still inside the words a width-w value uses
    return to_word(x, w) if 1 <= w <= MAX_WIDTH else to_word(x & ((1 << 64) - 1), 64)


def _pick(existing: dict[str, Any], prefix: str, slot: int) -> str:
    """The name an op on ``slot`` targets: one of the existing objects of its kind (so most ops
    act on something), or a name that does not exist yet when there are none."""
    names = sorted(existing)
    return names[slot % len(names)] if names else f"{prefix}{slot}"


def render(steps: Sequence[tuple[str, tuple[Any, ...]]]) -> list[str]:
    """Turn abstract steps into request lines, using a scratch oracle session to know each named
    object's width at that point (so values are sized for their target)."""
    scratch = Session()
    lines: list[str] = []
    for i, (op, args) in enumerate(steps):
        req: dict[str, Any]
        if op == "raw":
            line = str(args)
            scratch.handle(line)
            lines.append(line)
            continue
        req = {"id": i, "op": op}
        if op in ("delta.compose", "delta.compute", "delta.apply"):
            w, a, b = args
            keys = {"delta.compose": ("a", "b"), "delta.compute": ("old", "new")}.get(
                op, ("state", "delta")
            )
            req.update(width=w, **{keys[0]: _val(a, w), keys[1]: _val(b, w)})
        elif op == "delta.compose_all":
            w, vs = args
            req.update(width=w, deltas=[_val(v, w) for v in vs])
        elif op.startswith("ctx."):
            name = f"c{args[0]}" if op == "ctx.new" else _pick(scratch.contexts, "c", args[0])
            req["name"] = name
            ctx = scratch.contexts.get(name)
            w = ctx.width if ctx is not None else 64
            if op == "ctx.new":
                req["width"] = args[1]
                if args[2] is not None:
                    req["initial"] = _val(args[2], args[1])
            elif op == "ctx.load":
                req["value"] = _val(args[1], w)
            elif op in ("ctx.accum", "ctx.rollback"):
                req["delta"] = _val(args[1], w)
            elif op == "ctx.merge":
                req["other"] = _pick(scratch.contexts, "c", args[1])
            elif op == "ctx.accum_many":
                req["deltas"] = [_val(v, w) for v in args[1]]
        elif op.startswith("table."):
            name = f"t{args[0]}" if op == "table.new" else _pick(scratch.tables, "t", args[0])
            req["name"] = name
            t = scratch.tables.get(name)
            w = t.width if t is not None else 64
            if op == "table.new":
                req.update(width=args[1], size=args[2])
            elif op in ("table.load", "table.accum", "table.rollback"):
                key = "value" if op == "table.load" else "delta"
                req.update(addr=args[1], **{key: _val(args[2], w)})
            elif op in ("table.read", "table.swap"):
                req["addr"] = args[1]
            elif op in ("table.accum_batch", "table.load_batch"):
                pairs, fault = args[1], args[2]
                key = "values" if op == "table.load_batch" else "deltas"
                addrs = [a for a, _ in pairs]
                vals = [_val(v, w) for _, v in pairs]
                if pairs and fault == "drop":
                    vals = vals[:-1]
                elif pairs and fault == "address":
                    addrs[-1] = 9
                elif pairs and fault == "over":
                    vals[-1] = _val((pairs[-1][1][0], "over"), w)
                req.update(addrs=addrs, **{key: vals})
            elif op == "table.read_batch":
                req["addrs"] = list(args[1])
        elif op == "fingerprint":
            req["data"] = args[0].hex()
        elif op == "fingerprint.update_chunk":
            req.update(fp=_val(args[0], 64), old=_val(args[1], 64), new=_val(args[2], 64))
        elif op == "wire.encode":
            w, v, origin, seq = args
            req.update(
                origin=origin, epoch=1, seq=f"0x{seq:016x}", addr=5, width=w, delta=_val(v, w)
            )
        elif op == "wire.decode":
            w, v, origin, how, k = args
            d = v[0] & ((1 << w) - 1)
            frame = bytearray(encode(DeltaMessage(origin, 1, 7, 5, w, d)))
            if how == "cut":
                frame = frame[: k % len(frame)]
            elif how == "flip":
                frame[k % len(frame)] ^= 1 << (k % 8)
            elif how == "width0":
                frame[23:25] = b"\x00\x00"
            req["frame"] = bytes(frame).hex()
        line = dump_line(req)
        scratch.handle(line)
        lines.append(line)
        if op in ("table.accum_batch", "table.load_batch") and req["name"] in scratch.tables:
            # Batch ops answer null: observe every address right away.
            size = scratch.tables[req["name"]].num_contexts
            look = {"id": i, "op": "table.read_batch", "name": req["name"]}
            look["addrs"] = list(range(min(size, 16)))
            lines.append(dump_line(look))
            scratch.handle(lines[-1])
    return lines


def fuzz(
    cmd: Sequence[str],
    info: dict[str, Any],
    *,
    examples: int,
    max_time: float,
    seed: int | None,
    timeout: float,
    max_shrink_time: float = 60.0,
) -> tuple[int, Divergence | None]:
    """Run up to ``examples`` generated sequences (no new ones after ``max_time`` s, no more
    shrinking after ``max_shrink_time`` s); return (sequences generated before the first
    divergence or in all, the minimal divergence or None)."""
    from hypothesis import HealthCheck, Phase, assume, given, settings
    from hypothesis import seed as hseed
    from hypothesis.errors import Unsatisfiable

    found: list[Divergence] = []
    ran = [0]
    start = time.monotonic()
    found_at = [0.0]
    first = [0]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(_strategies(info))
    def prop(steps: list[tuple[str, tuple[Any, ...]]]) -> None:
        now = time.monotonic()
        if found:
            assume(now - found_at[0] < max_shrink_time)
        else:
            assume(now - start < max_time)
        ran[0] += 1
        div = driver.run(render(steps))
        if div is not None:
            if not found:
                found_at[0] = time.monotonic()
                first[0] = ran[0]
            found.append(div)
            raise AssertionError(div.why)

    if seed is not None:
        prop = hseed(seed)(prop)
    driver = Driver(cmd, timeout, "reset" in info["ops"])
    try:
        prop()
    except AssertionError:
        div = found[-1]
        div.found_after = first[0]
        div.shrink_runs = ran[0] - first[0]
        # Confirm on a fresh process: the repro must not depend on earlier sequences.
        again = run_sequence(cmd, div.lines[: div.index + 1], timeout)
        if again is None:
            div.why += " (NOT reproduced on a fresh process: the port's reset leaks state)"
        return first[0], div
    except Unsatisfiable:  # max_time ran out before any sequence ran
        pass
    finally:
        driver.close()
    return ran[0], None


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
    ap.add_argument("--vectors", type=Path, help="replay the vectors under this folder first")
    ap.add_argument("--fuzz", action="store_true", help="with --vectors: fuzz as well")
    ap.add_argument("--examples", type=int, default=200, help="generated sequences (200)")
    ap.add_argument("--max-time", type=float, default=60.0, help="stop generating after S s (60)")
    ap.add_argument("--seed", type=int, help="Hypothesis seed (default: derandomized)")
    ap.add_argument(
        "--max-shrink-time", type=float, default=60.0, help="stop shrinking after S s (60)"
    )
    ap.add_argument("--timeout", type=float, default=10.0, help="per-response timeout in s (10)")
    ap.add_argument("--repro", type=Path, help="write the minimal diverging sequence here")
    ns = ap.parse_args(opts)
    if not cmd:
        ap.error("give the port command after --")
    try:
        info = hello(cmd, ns.timeout)
    except PortError as exc:
        print(f"port: {exc}", file=sys.stderr)
        return 2
    print(
        f"port: {info.get('implementation', '?')} — {len(info['ops'])} ops, "
        f"max_width {info['max_width']}"
    )
    status = 0
    if ns.vectors:
        passed, skipped, failures = replay_vectors(cmd, ns.vectors, info, ns.timeout)
        for f in failures:
            print(f"FAIL {f}")
        print(f"vectors: {passed} passed, {len(failures)} failed, {skipped} skipped (unsupported)")
        if failures:
            status = 1
        if not ns.fuzz:
            return status
    ran, div = fuzz(
        cmd,
        info,
        examples=ns.examples,
        max_time=ns.max_time,
        seed=ns.seed,
        timeout=ns.timeout,
        max_shrink_time=ns.max_shrink_time,
    )
    if div is None:
        print(f"fuzz: {ran} generated sequences, every response agreed with the oracle")
        return status
    print(
        f"fuzz: DIVERGENCE found by generated sequence {div.found_after}, "
        f"shrunk in {div.shrink_runs} more runs"
    )
    print(div.report(cmd))
    if ns.repro:
        ns.repro.write_text("\n".join(div.lines[: div.index + 1]) + "\n", encoding="utf-8")
        print(f"written to {ns.repro}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
