"""The oracle answers every request with a value: results for good input, error codes for bad
input, never a traceback, and a rejected request changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomik.oracle import ERROR_CODES, MAX_TABLE, MAX_WIDTH, PROTOCOL_VERSION, Session, dump_line

W = "0x{:016x}".format


def ask(s: Session, **req: Any) -> dict[str, Any]:
    return s.handle(dump_line(req))


def ok(s: Session, **req: Any) -> Any:
    r = ask(s, **req)
    assert r["ok"] is True, r
    return r["result"]


def code(s: Session, **req: Any) -> str:
    r = ask(s, **req)
    assert r["ok"] is False, r
    assert set(r["error"]) == {"code", "message"} and r["error"]["message"]
    return r["error"]["code"]


def snapshot(s: Session) -> Any:
    return (
        {k: c.snapshot() for k, c in s.contexts.items()},
        {k: t.snapshot() for k, t in s.tables.items()},
    )


def test_hello_lists_every_op_and_the_version() -> None:
    s = Session()
    info = ok(s, op="hello", id=7)
    assert info["protocol"] == PROTOCOL_VERSION and info["max_width"] == MAX_WIDTH
    assert info["widths"] == [[1, MAX_WIDTH]] and info["max_table"] == MAX_TABLE
    assert info["ops"] == s.ops and "ctx.rollback" in info["ops"]
    assert ask(s, op="hello", id="x")["id"] == "x"


def test_every_op_answers_an_empty_request_with_an_error_value() -> None:
    s = Session()
    for op in s.ops:
        r = ask(s, op=op, id=1)
        if op in ("hello", "reset"):
            assert r["ok"]
            continue
        assert r["ok"] is False and r["id"] == 1, (op, r)
        assert r["error"]["code"] in ("bad_request", "unknown_object"), (op, r)


def test_context_session_values() -> None:
    s = Session()
    assert ok(s, op="ctx.new", name="c", width=8, initial=W(0x0F)) == {
        "reference": W(0x0F),
        "accumulator": W(0),
        "state": W(0x0F),
    }
    assert ok(s, op="ctx.accum", name="c", delta=W(0xF0))["state"] == W(0xFF)
    assert ok(s, op="ctx.read", name="c") == W(0xFF)
    assert ok(s, op="ctx.rollback", name="c", delta=W(0xF0))["state"] == W(0x0F)
    ok(s, op="ctx.accum", name="c", delta=W(0x01))
    assert ok(s, op="ctx.swap", name="c") == {
        "reference": W(0x0E),
        "accumulator": W(0),
        "state": W(0x0E),
    }
    assert ok(s, op="ctx.is_clean", name="c") is True
    ok(s, op="ctx.new", name="d", width=8, initial=W(0x0E))
    ok(s, op="ctx.accum_many", name="d", deltas=[W(1), W(2), W(4)])
    assert ok(s, op="ctx.merge", name="c", other="d")["state"] == W(0x0E ^ 7)


def test_wide_values_are_little_endian_word_lists() -> None:
    s = Session()
    a = [W(1), W(0), W(1 << 2)]
    b = [W(3), W(0), W(0)]
    assert ok(s, op="delta.compose", width=131, a=a, b=b) == [W(2), W(0), W(4)]
    assert code(s, op="delta.compose", width=131, a=a, b=b[:2]) == "width_mismatch"
    assert code(s, op="delta.compose", width=131, a=[W(0), W(0), W(8)], b=b) == "range"
    assert code(s, op="delta.compose", width=131, a=W(0), b=b) == "bad_request"


def test_bad_input_gets_the_documented_codes() -> None:
    s = Session()
    assert s.handle("{not json")["error"]["code"] == "bad_json"
    assert s.handle("[1, 2]")["error"]["code"] == "bad_json"
    assert s.handle('"hello"')["error"]["code"] == "bad_json"
    assert s.handle("[" * 100000)["error"]["code"] == "bad_json"
    assert code(s, op="nope") == "unknown_op"
    assert code(s, op=3) == "bad_request"
    assert code(s, v=2, op="hello") == "unsupported_version"
    assert code(s, v=True, op="hello") == "unsupported_version"
    assert code(s, op="delta.compose", width=0, a=W(0), b=W(0)) == "width"
    assert code(s, op="delta.compose", width=MAX_WIDTH + 1, a=W(0), b=W(0)) == "width"
    assert code(s, op="delta.compose", width=8.0, a=W(0), b=W(0)) == "bad_request"
    assert code(s, op="delta.compose", width=8, a=W(256), b=W(0)) == "range"
    assert code(s, op="delta.compose", width=8, a="0xFF", b=W(0)) == "bad_request"
    assert code(s, op="ctx.read", name="ghost") == "unknown_object"
    assert code(s, op="ctx.new", name="", width=8) == "bad_request"
    ok(s, op="ctx.new", name="a", width=8)
    assert code(s, op="ctx.new", name="a", width=8) == "name_taken"
    ok(s, op="ctx.new", name="b", width=16)
    assert code(s, op="ctx.merge", name="a", other="b") == "width_mismatch"
    ok(s, op="table.new", name="t", size=3, width=8)
    assert code(s, op="table.read", name="t", addr=3) == "address"
    assert code(s, op="table.new", name="u", size=0, width=8) == "range"
    assert code(s, op="table.new", name="u", size=2, width=65) == "width"
    assert code(s, op="table.accum_batch", name="t", addrs=[0], deltas=[]) == "shape"
    assert code(s, op="table.accum_batch", name="t", addrs=[True], deltas=[W(0)]) == "bad_request"
    assert code(s, op="fingerprint", data="abc") == "bad_request"
    assert code(s, op="wire.decode", frame="a701") == "frame_length"


def test_every_code_used_is_documented_in_the_spec() -> None:
    from pathlib import Path

    spec = (Path(__file__).resolve().parents[2] / "spec" / "oracle.md").read_text()
    for c in ERROR_CODES:
        assert f"`{c}`" in spec, c


# Random requests: every field drawn from JSON values that are likely to matter.
_json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from([W(0), W(1), W(2**64 - 1), "c", "t", "00ff", "a70101"]),
)
_json = st.recursive(
    _json_scalar,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=8,
)
_fields = ["name", "other", "width", "size", "addr", "a", "b", "old", "new", "state", "delta"]
_fields += ["value", "initial", "deltas", "values", "addrs", "data", "fp", "frame", "id", "v"]
_fields += ["origin", "epoch", "seq"]


@settings(max_examples=100, deadline=None, database=None)
@given(
    op=st.sampled_from([*Session().ops, "bogus"]),
    fields=st.dictionaries(st.sampled_from(_fields), _json, max_size=6),
)
def test_random_requests_never_escape_and_reject_without_change(
    op: str, fields: dict[str, Any]
) -> None:
    s = Session()
    ok(s, op="ctx.new", name="c", width=8, initial=W(5))
    ok(s, op="ctx.new", name="w", width=130)
    ok(s, op="table.new", name="t", size=4, width=16)
    ok(s, op="table.accum", name="t", addr=1, delta=W(9))
    before = snapshot(s)
    r = s.handle(json.dumps({"op": op, **fields}))
    assert set(r) in ({"id", "ok", "result"}, {"id", "ok", "error"})
    json.dumps(r)  # the response is JSON
    if not r["ok"]:
        assert r["error"]["code"] in ERROR_CODES and r["error"]["code"] != "internal", r
        assert snapshot(s) == before


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=60))
def test_random_lines_never_escape(line: str) -> None:
    r = Session().handle(line)
    assert isinstance(r["ok"], bool)
    if not r["ok"]:
        assert r["error"]["code"] != "internal", r


def test_cli_answers_one_line_per_request_even_for_garbage() -> None:
    data = b'{"op":"hello","id":1}\n\n\xff\xfe garbage\n{"op":"ctx.new","name":"c","width":4}\n'
    data += (
        b'{"op":"ctx.accum","name":"c","delta":"0x0000000000000010"}\n{"op":"ctx.read","name":"c"}'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "atomik.oracle"], input=data, capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [r["ok"] for r in out] == [True, False, True, False, True]
    assert out[1]["error"]["code"] == "bad_json"
    assert out[3]["error"]["code"] == "range"
    assert out[4]["result"] == W(0)
    assert proc.stderr == b""


def test_schema_lists_exactly_the_ops_and_codes() -> None:
    from pathlib import Path

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "spec" / "oracle.schema.json").read_text()
    )
    ops = {r["properties"]["op"]["const"] for r in schema["$defs"]["request"]["oneOf"]}
    assert ops == set(Session().ops)
    err = schema["$defs"]["response"]["oneOf"][1]["properties"]["error"]
    assert set(err["properties"]["code"]["enum"]) == set(ERROR_CODES)


def validation_examples() -> tuple[list[str], list[tuple[str, str]]]:
    """The setup lines and (request, code) examples of spec/oracle.md's validation order."""
    text = (Path(__file__).resolve().parents[2] / "spec" / "oracle.md").read_text()
    block = text.split("<!-- validation-examples")[1].split("```text\n")[1].split("```")[0]
    setup, examples = [], []
    for line in block.splitlines():
        if line.startswith("setup "):
            setup.append(line[len("setup ") :])
        elif " -> " in line:
            req, want = line.rsplit(" -> ", 1)
            examples.append((req.strip(), want.strip()))
    return setup, examples


def test_the_validation_order_examples_in_the_spec_are_what_the_oracle_answers() -> None:
    setup, examples = validation_examples()
    assert len(setup) >= 3 and len(examples) >= 30
    s = Session()
    for line in setup:
        assert s.handle(line)["ok"] is True, line
    before = snapshot(s)
    for req, want in examples:
        r = s.handle(req)
        got = "ok" if r["ok"] else r["error"]["code"]
        assert got == want, f"spec/oracle.md says {req} -> {want}; the oracle answers {got}"
    assert snapshot(s) == before  # every example is rejected and changes nothing
    assert set(ERROR_CODES) - {w for _, w in examples} <= {
        "internal", "frame_length", "frame_version", "frame_checksum", "frame_field"
    }  # fmt: skip


def test_hello_matches_the_schema_and_the_runner_reads_it() -> None:
    import jsonschema

    from atomik.conformance.port import Capabilities

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "spec" / "oracle.schema.json").read_text()
    )
    hello_schema = {**schema["$defs"]["hello_result"], "$defs": schema["$defs"]}
    info = ok(Session(), op="hello")
    jsonschema.validate(info, hello_schema)
    caps = Capabilities.from_hello(info)
    assert caps.widths == ((1, MAX_WIDTH),) and caps.max_table == MAX_TABLE
    assert caps.ops == set(info["ops"])
    for bad in ({**info, "widths": []}, {**info, "widths": [[1, 2, 3]]}, {**info, "max_table": 0}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, hello_schema)
