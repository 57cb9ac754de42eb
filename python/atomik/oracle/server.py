"""The trusted oracle: the atomik reference implementation behind a JSON-lines protocol.

``python -m atomik.oracle`` reads one JSON request per line on stdin and writes exactly one JSON
response per line on stdout, flushing after each. The protocol (version
:data:`PROTOCOL_VERSION`) is specified in ``spec/oracle.md``; its JSON schema is
``spec/oracle.schema.json``. Other ports implement the same protocol and are compared against
this one by ``python -m atomik.conformance.port``.

Bad input never crashes the oracle: malformed JSON, an unknown op, a missing or mistyped field,
an out-of-range value or a width mismatch each give ``{"ok": false, "error": {"code", "message"}}``
and leave the session unchanged. Every answer comes from the real ``atomik`` code
(:class:`~atomik.context.AtomikContext`, :class:`~atomik.table.AtomikTable`, the delta functions,
the fingerprint and the v1 wire codec); this module only converts JSON to Python values and back.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from atomik import errors as _errors
from atomik.context import AtomikContext
from atomik.delta import apply_delta, compose, compose_all, compute_delta
from atomik.fingerprint import fingerprint, update_chunk
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage, decode, decode_batch

__all__ = [
    "ERROR_CODES",
    "MAX_NAMES",
    "MAX_TABLE",
    "MAX_WIDTH",
    "PROTOCOL_VERSION",
    "PURE_KERNELS",
    "ProtocolError",
    "Session",
    "dump_line",
    "from_word",
    "main",
    "to_word",
]

PROTOCOL_VERSION = 1
#: Widest state the protocol carries (values wider than 64 bits travel as lists of words).
MAX_WIDTH = 4096
#: Largest table a session may create.
MAX_TABLE = 65536
#: Most named objects (contexts and tables) one session may hold.
MAX_NAMES = 256
#: Longest request line accepted, in characters.
MAX_LINE = 1 << 20

#: Every error code the protocol uses, with its meaning (also listed in spec/oracle.md).
ERROR_CODES: dict[str, str] = {
    "bad_json": "the line is not a JSON object",
    "bad_request": "a field is missing, has the wrong JSON type, or is not in the word format",
    "unknown_op": "the op is not one this implementation knows",
    "unsupported_version": "the request's protocol version is not supported",
    "width": "a width outside 1..MAX_WIDTH (or the implementation's max_width)",
    "range": "a value that does not fit its width, or a count out of range",
    "width_mismatch": "operands of different widths, or a wide value with the wrong word count",
    "address": "a table address outside 0 <= addr < size",
    "unknown_object": "no context or table of that kind has that name",
    "name_taken": "an object with that name already exists",
    "shape": "lists that must have equal lengths do not",
    "reference_mismatch": "merging contexts whose references differ",
    "frame_length": "a wire frame that is truncated or too long",
    "frame_version": "a wire frame with an unknown magic or version byte",
    "frame_checksum": "a wire frame whose CRC32C does not match",
    "frame_field": "a wire frame with a field out of range",
    "internal": "an unexpected failure inside the implementation (a bug: please report it)",
}

def _pure_kernels_without_numba() -> bool:
    """Let the oracle run where numba is not installed (the light install, spec/ports.md).

    atomik's kernels are ``numba.njit(cache=True)`` functions whose plain bodies are their pure
    twins. When numba cannot be imported (and the kernels are not loaded yet), a stand-in
    ``numba`` module whose ``njit`` returns the function unchanged is registered, so the kernels
    *are* their twins, exactly as under ``NUMBA_DISABLE_JIT=1``. Returns True when it did so.
    """
    import importlib.util

    if "atomik.kernels" in sys.modules:
        return False
    try:
        present = importlib.util.find_spec("numba") is not None  # does not import it
    except (ImportError, ValueError):
        present = False
    if not present:
        import types

        shim = types.ModuleType("numba")

        def njit(*args: Any, **kwargs: Any) -> Any:
            if len(args) == 1 and callable(args[0]) and not kwargs:
                return args[0]
            return lambda fn: fn

        shim.njit = njit  # type: ignore[attr-defined]
        sys.modules["numba"] = shim
        return True
    return False


#: True when this process runs the kernels' pure twins because numba is not installed.
PURE_KERNELS = _pure_kernels_without_numba()

_WORD = re.compile(r"0x[0-9a-f]{16}\Z")
_HEX = re.compile(r"(?:[0-9a-f]{2})*\Z")
_NAME = re.compile(r"[A-Za-z0-9_]{1,32}\Z")
_MASK64 = (1 << 64) - 1


class ProtocolError(Exception):
    """A request the protocol layer rejects; carries the error ``code`` sent back."""

    def __init__(self, code: str, message: str) -> None:
        """Make an error with one of :data:`ERROR_CODES` and a human message."""
        super().__init__(message)
        self.code = code
        self.message = message


# ----------------------------------------------------------------------------- value encoding
def to_word(value: int, width: int) -> str | list[str]:
    """Encode a ``width``-bit value: ``"0x"`` + 16 hex digits for ``width <= 64``, else a list of
    such words, least significant word first (little-endian word order)."""
    if width <= 64:
        return f"0x{value:016x}"
    n = (width + 63) // 64
    return [f"0x{(value >> (64 * i)) & _MASK64:016x}" for i in range(n)]


def _one_word(obj: object, what: str) -> int:
    if not isinstance(obj, str) or not _WORD.match(obj):
        raise ProtocolError(
            "bad_request", f'{what} must be a word "0x" + 16 lowercase hex digits, got {obj!r}'
        )
    return int(obj, 16)


def from_word(obj: object, width: int, what: str) -> int:
    """Decode a value sent for a ``width``-bit slot; the range check is left to atomik."""
    if width <= 64:
        return _one_word(obj, what)
    n = (width + 63) // 64
    if not isinstance(obj, list):
        raise ProtocolError("bad_request", f"{what} for width {width} must be a list of {n} words")
    if len(obj) != n:
        raise ProtocolError(
            "width_mismatch", f"{what} for width {width} must have {n} words, got {len(obj)}"
        )
    out = 0
    for i, w in enumerate(obj):
        out |= _one_word(w, f"{what}[{i}]") << (64 * i)
    return out


def _field(req: Mapping[str, Any], key: str) -> Any:
    if key not in req:
        raise ProtocolError("bad_request", f"missing field {key!r}")
    return req[key]


def _int(req: Mapping[str, Any], key: str) -> int:
    v = _field(req, key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProtocolError("bad_request", f"{key} must be a JSON integer, got {v!r}")
    return v


def _width(req: Mapping[str, Any], key: str = "width") -> int:
    w = _int(req, key)
    if not 1 <= w <= MAX_WIDTH:
        raise ProtocolError("width", f"{key} must be in 1..{MAX_WIDTH}, got {w}")
    return w


def _list(req: Mapping[str, Any], key: str) -> list[Any]:
    v = _field(req, key)
    if not isinstance(v, list):
        raise ProtocolError("bad_request", f"{key} must be a JSON array, got {v!r}")
    return v


def _hex_bytes(req: Mapping[str, Any], key: str) -> bytes:
    v = _field(req, key)
    if not isinstance(v, str) or not _HEX.match(v):
        raise ProtocolError(
            "bad_request", f"{key} must be an even-length lowercase hex string, got {v!r}"
        )
    return bytes.fromhex(v)


def _name(req: Mapping[str, Any]) -> str:
    v = _field(req, "name")
    if not isinstance(v, str) or not _NAME.match(v):
        raise ProtocolError("bad_request", f"name must match [A-Za-z0-9_]{{1,32}}, got {v!r}")
    return v


_CODE_OF: tuple[tuple[type[Exception], str], ...] = (
    (_errors.FrameLengthError, "frame_length"),
    (_errors.FrameVersionError, "frame_version"),
    (_errors.FrameChecksumError, "frame_checksum"),
    (_errors.FrameFieldError, "frame_field"),
    (_errors.WidthError, "width"),
    (_errors.RangeError, "range"),
    (_errors.AddressError, "address"),
    (_errors.ReferenceMismatchError, "reference_mismatch"),
    (_errors.ShapeError, "shape"),
    (_errors.AtomikTypeError, "bad_request"),
)


def error_code(exc: BaseException) -> str:
    """The protocol error code for an exception raised while answering a request."""
    if isinstance(exc, ProtocolError):
        return exc.code
    for cls, code in _CODE_OF:
        if isinstance(exc, cls):
            return code
    return "internal"


# ----------------------------------------------------------------------------- the session
def _ctx_state(c: AtomikContext) -> dict[str, Any]:
    w = c.width
    return {
        "reference": to_word(c.reference, w),
        "accumulator": to_word(c.accumulator, w),
        "state": to_word(c.read(), w),
    }


def _message_json(m: DeltaMessage) -> dict[str, Any]:
    return {
        "origin": m.origin,
        "epoch": m.epoch,
        "seq": f"0x{m.seq:016x}",
        "addr": m.addr,
        "width": m.width,
        "delta": to_word(m.delta, m.width),
    }


class Session:
    """One protocol session: named contexts and tables, and a dispatcher for requests.

    ``handle(line)`` answers one request line; ``handle_request(obj)`` one decoded request.
    Neither ever raises for bad input: errors are returned as values.
    """

    def __init__(self) -> None:
        """An empty session (no named objects)."""
        self.contexts: dict[str, AtomikContext] = {}
        self.tables: dict[str, AtomikTable] = {}
        self._ops: dict[str, Callable[[Mapping[str, Any]], Any]] = {
            "hello": self._hello,
            "reset": self._reset,
            "delta.compose": self._compose,
            "delta.compute": self._compute,
            "delta.apply": self._apply,
            "delta.compose_all": self._compose_all,
            "ctx.new": self._ctx_new,
            "ctx.load": self._ctx_load,
            "ctx.accum": self._ctx_accum,
            "ctx.rollback": self._ctx_rollback,
            "ctx.read": self._ctx_read,
            "ctx.swap": self._ctx_swap,
            "ctx.merge": self._ctx_merge,
            "ctx.accum_many": self._ctx_accum_many,
            "ctx.is_clean": self._ctx_is_clean,
            "ctx.state": self._ctx_get_state,
            "table.new": self._table_new,
            "table.load": self._table_load,
            "table.accum": self._table_accum,
            "table.rollback": self._table_rollback,
            "table.read": self._table_read,
            "table.swap": self._table_swap,
            "table.accum_batch": self._table_accum_batch,
            "table.load_batch": self._table_load_batch,
            "table.read_batch": self._table_read_batch,
            "fingerprint": self._fp,
            "fingerprint.update_chunk": self._fp_update_chunk,
            "wire.encode": self._wire_encode,
            "wire.decode": self._wire_decode,
            "wire.decode_batch": self._wire_decode_batch,
        }

    @property
    def ops(self) -> list[str]:
        """Every op this session answers, sorted."""
        return sorted(self._ops)

    # ------------------------------------------------------------------ entry points
    def handle(self, line: str) -> dict[str, Any]:
        """Answer one request line (a JSON object) with one response object."""
        if len(line) > MAX_LINE:
            return _err(None, "bad_json", f"line longer than {MAX_LINE} characters")
        try:
            req = json.loads(line)
        except (ValueError, RecursionError) as exc:
            return _err(None, "bad_json", f"not valid JSON: {exc}")
        return self.handle_request(req)

    def handle_request(self, req: object) -> dict[str, Any]:
        """Answer one decoded request object with one response object."""
        if not isinstance(req, dict):
            return _err(None, "bad_json", f"a request must be a JSON object, got {req!r:.60}")
        rid = req.get("id")
        if not (rid is None or (isinstance(rid, int | str) and not isinstance(rid, bool))):
            rid = None
        try:
            version = req.get("v", PROTOCOL_VERSION)
            if type(version) is not int or version != PROTOCOL_VERSION:
                raise ProtocolError(
                    "unsupported_version",
                    f"protocol version {req['v']!r} is not supported (this is {PROTOCOL_VERSION})",
                )
            op = req.get("op")
            if not isinstance(op, str):
                raise ProtocolError("bad_request", f"op must be a string, got {op!r}")
            fn = self._ops.get(op)
            if fn is None:
                raise ProtocolError("unknown_op", f"unknown op {op!r}")
            result = fn(req)
        except RecursionError:
            return _err(rid, "bad_request", "request nested too deeply")
        except Exception as exc:  # errors are values: nothing escapes a request
            return _err(rid, error_code(exc), str(exc) or type(exc).__name__)
        return {"id": rid, "ok": True, "result": result}

    # ------------------------------------------------------------------ helpers
    def _get_ctx(self, req: Mapping[str, Any], key: str = "name") -> AtomikContext:
        name = _field(req, key)
        c = self.contexts.get(name) if isinstance(name, str) else None
        if c is None:
            raise ProtocolError("unknown_object", f"no context named {name!r}")
        return c

    def _get_table(self, req: Mapping[str, Any]) -> AtomikTable:
        name = _field(req, "name")
        t = self.tables.get(name) if isinstance(name, str) else None
        if t is None:
            raise ProtocolError("unknown_object", f"no table named {name!r}")
        return t

    def _new_name(self, req: Mapping[str, Any]) -> str:
        name = _name(req)
        if name in self.contexts or name in self.tables:
            raise ProtocolError("name_taken", f"an object named {name!r} already exists")
        if len(self.contexts) + len(self.tables) >= MAX_NAMES:
            raise ProtocolError("range", f"a session holds at most {MAX_NAMES} objects")
        return name

    # ------------------------------------------------------------------ ops
    def _hello(self, req: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "implementation": "atomik-python",
            "protocol": PROTOCOL_VERSION,
            "max_width": MAX_WIDTH,
            "widths": [[1, MAX_WIDTH]],
            "max_table": MAX_TABLE,
            "ops": self.ops,
        }

    def _reset(self, req: Mapping[str, Any]) -> None:
        self.contexts.clear()
        self.tables.clear()

    def _binary(self, req: Mapping[str, Any], keys: tuple[str, str], fn: Any) -> Any:
        w = _width(req)
        a = from_word(_field(req, keys[0]), w, keys[0])
        b = from_word(_field(req, keys[1]), w, keys[1])
        return to_word(fn(a, b, width=w), w)

    def _compose(self, req: Mapping[str, Any]) -> Any:
        return self._binary(req, ("a", "b"), compose)

    def _compute(self, req: Mapping[str, Any]) -> Any:
        return self._binary(req, ("old", "new"), compute_delta)

    def _apply(self, req: Mapping[str, Any]) -> Any:
        return self._binary(req, ("state", "delta"), apply_delta)

    def _words(self, req: Mapping[str, Any], key: str, w: int) -> list[int]:
        return [from_word(x, w, f"{key}[{i}]") for i, x in enumerate(_list(req, key))]

    def _compose_all(self, req: Mapping[str, Any]) -> Any:
        w = _width(req)
        return to_word(compose_all(self._words(req, "deltas", w), width=w), w)

    def _ctx_new(self, req: Mapping[str, Any]) -> Any:
        w = _width(req)
        name = self._new_name(req)
        initial = from_word(req["initial"], w, "initial") if "initial" in req else 0
        c = AtomikContext(width=w, initial_state=initial)
        self.contexts[name] = c
        return _ctx_state(c)

    def _ctx_load(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        c.load(from_word(_field(req, "value"), c.width, "value"))
        return _ctx_state(c)

    def _ctx_accum(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        c.accum(from_word(_field(req, "delta"), c.width, "delta"))
        return _ctx_state(c)

    def _ctx_rollback(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        c.rollback(from_word(_field(req, "delta"), c.width, "delta"))
        return _ctx_state(c)

    def _ctx_read(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        return to_word(c.read(), c.width)

    def _ctx_swap(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        c.swap()
        return _ctx_state(c)

    def _ctx_merge(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        other = self._get_ctx(req, "other")
        if other.width != c.width:
            raise ProtocolError(
                "width_mismatch",
                f"cannot merge a width-{other.width} context into a width-{c.width} one",
            )
        c.merge(other)
        return _ctx_state(c)

    def _ctx_accum_many(self, req: Mapping[str, Any]) -> Any:
        c = self._get_ctx(req)
        c.accum_many(self._words(req, "deltas", c.width))
        return _ctx_state(c)

    def _ctx_is_clean(self, req: Mapping[str, Any]) -> Any:
        return self._get_ctx(req).is_clean

    def _ctx_get_state(self, req: Mapping[str, Any]) -> Any:
        return _ctx_state(self._get_ctx(req))

    def _table_new(self, req: Mapping[str, Any]) -> Any:
        w = _width(req)
        if w > 64:
            raise ProtocolError("width", f"tables hold widths 1..64, got {w}")
        size = _int(req, "size")
        if not 1 <= size <= MAX_TABLE:
            raise ProtocolError("range", f"size must be in 1..{MAX_TABLE}, got {size}")
        name = self._new_name(req)
        self.tables[name] = AtomikTable(size, width=w)
        return {"size": size, "width": w}

    def _addr_state(self, t: AtomikTable, addr: int) -> dict[str, Any]:
        return {"addr": addr, **_ctx_state(t.context(addr))}

    def _table_load(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        a = _int(req, "addr")
        t.load(a, from_word(_field(req, "value"), t.width, "value"))
        return self._addr_state(t, a)

    def _table_accum(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        a = _int(req, "addr")
        t.accum(a, from_word(_field(req, "delta"), t.width, "delta"))
        return self._addr_state(t, a)

    def _table_rollback(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        a = _int(req, "addr")
        t.rollback(a, from_word(_field(req, "delta"), t.width, "delta"))
        return self._addr_state(t, a)

    def _table_read(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        return to_word(t.read(_int(req, "addr")), t.width)

    def _table_swap(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        a = _int(req, "addr")
        t.swap(a)
        return self._addr_state(t, a)

    def _addrs(self, req: Mapping[str, Any]) -> list[int]:
        out = []
        for i, a in enumerate(_list(req, "addrs")):
            if isinstance(a, bool) or not isinstance(a, int):
                raise ProtocolError("bad_request", f"addrs[{i}] must be a JSON integer, got {a!r}")
            out.append(a)
        return out

    def _table_accum_batch(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        t.accum_batch(self._addrs(req), self._words(req, "deltas", t.width))
        return None

    def _table_load_batch(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        t.load_batch(self._addrs(req), self._words(req, "values", t.width))
        return None

    def _table_read_batch(self, req: Mapping[str, Any]) -> Any:
        t = self._get_table(req)
        return [to_word(int(v), t.width) for v in t.read_batch(self._addrs(req))]

    def _fp(self, req: Mapping[str, Any]) -> Any:
        return to_word(fingerprint(_hex_bytes(req, "data")), 64)

    def _fp_update_chunk(self, req: Mapping[str, Any]) -> Any:
        fp, old, new = (from_word(_field(req, k), 64, k) for k in ("fp", "old", "new"))
        return to_word(update_chunk(fp, old, new), 64)

    def _wire_encode(self, req: Mapping[str, Any]) -> Any:
        w = _width(req)
        m = DeltaMessage(
            origin=_int(req, "origin"),
            epoch=_int(req, "epoch"),
            seq=_one_word(_field(req, "seq"), "seq"),
            addr=_int(req, "addr"),
            width=w,
            delta=from_word(_field(req, "delta"), w, "delta"),
        )
        return {"frame": m.encode().hex()}

    def _wire_decode(self, req: Mapping[str, Any]) -> Any:
        m = decode(_hex_bytes(req, "frame"))
        if m.width > MAX_WIDTH:
            raise ProtocolError("width", f"frame width {m.width} exceeds {MAX_WIDTH}")
        return _message_json(m)

    def _wire_decode_batch(self, req: Mapping[str, Any]) -> Any:
        ms = decode_batch(_hex_bytes(req, "frame"))
        for m in ms:
            if m.width > MAX_WIDTH:
                raise ProtocolError("width", f"frame width {m.width} exceeds {MAX_WIDTH}")
        return [_message_json(m) for m in ms]


def _err(rid: object, code: str, message: str) -> dict[str, Any]:
    return {"id": rid, "ok": False, "error": {"code": code, "message": message}}


def dump_line(obj: object) -> str:
    """One protocol line: compact JSON with sorted keys (no trailing newline)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def serve(lines: Iterable[str], out: TextIO) -> int:
    """Answer every non-blank line of ``lines`` on ``out``; return the number answered."""
    session = Session()
    n = 0
    for line in lines:
        if not line.strip():
            continue
        out.write(dump_line(session.handle(line)) + "\n")
        out.flush()
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m atomik.oracle``: serve stdin to stdout until end of input."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--version":
        from atomik import __version__

        print(f"atomik.oracle {__version__} (protocol version {PROTOCOL_VERSION})")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(
            "usage: python -m atomik.oracle < requests.jsonl\n"
            "Reads one JSON request per line, writes one JSON response per line "
            f"(protocol version {PROTOCOL_VERSION}; see spec/oracle.md)."
        )
        return 0
    if args:
        print(f"atomik.oracle: unexpected arguments {args!r} (try --help)", file=sys.stderr)
        return 2
    try:
        sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    except AttributeError:  # pragma: no cover - stdin replaced by a non-TextIOWrapper
        pass
    serve(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
