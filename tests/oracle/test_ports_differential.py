"""The differential runner against the sample C port: the faithful build passes the vectors and
the default fuzz run; a width-64-only build with four ops does too (no false divergence: the
runner sends nothing outside what hello announced); every planted-bug build is found by the
DEFAULT command; the C port's own vector check (Node.js) passes."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atomik.conformance import port as runner
from atomik.errors import AtomikError
from atomik.oracle import MAX_WIDTH
from atomik.wire import decode

ROOT = Path(__file__).resolve().parents[2]
PORTS = ROOT / "tests" / "ports"
VEC = ROOT / "spec" / "vectors"
SRC = [PORTS / "c" / "atomik_port.c", PORTS / "c" / "atomik_backend.c"]  # shell + backend

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (cc)")

#: The planted bugs of the sample C port (-DATOMIK_MUTANT=n).
MUTANTS = {
    1: "range check off by one",
    2: "batch accumulate overwrites",
    3: "swap keeps the accumulator",
    4: "fingerprint tail read big-endian",
    5: "merge skips the reference check",
    6: "merge moves the deltas",
    7: "batch drops repeated addresses",
    8: "wide value's top word unmasked",
    9: "range masked instead of rejected",
}


def _cc(out: Path, *flags: str) -> Path:
    subprocess.run(
        ["cc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, "-o", str(out)]
        + [str(p) for p in SRC],
        check=True,
        timeout=120,
    )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cport")
    return {
        "good": _cc(out / "atomik_port"),
        "buggy": _cc(out / "atomik_port_buggy", "-DATOMIK_BUGGY"),
        "core64": _cc(out / "atomik_core64", "-DATOMIK_CORE64"),
    }


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = tmp_path_factory.mktemp("mutants")
    return {n: _cc(out / f"mutant_{n}", f"-DATOMIK_MUTANT={n}") for n in MUTANTS}


def test_faithful_port_passes_vectors_and_fuzzing(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = [str(built["good"])]
    caps = runner.Capabilities.from_hello(runner.hello(cmd, 10))
    assert caps.widths == ((1, MAX_WIDTH),) and "ctx.rollback" in caps.ops
    passed, skipped, failures = runner.replay_vectors(cmd, VEC, caps, 10)
    assert failures == [] and passed >= 80
    # Every skip names its reason (this port has no wire ops).
    assert skipped and all(why == "needs ops " + why[len("needs ops ") :] for _, why in skipped)
    assert all("wire" in why for _, why in skipped)
    rc = runner.main(["--examples", "200", "--", *cmd])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "200 generated sequences" in out and "every response agreed" in out
    assert "fuzz: seed " in out and "census:" in out and "merge of distinct contexts" in out


def test_width64_core_port_replays_vectors_and_default_fuzz_without_false_divergence(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = [str(built["core64"])]
    caps = runner.Capabilities.from_hello(runner.hello(cmd, 10))
    assert caps.ops == {"ctx.new", "ctx.load", "ctx.accum", "ctx.read", "hello", "reset"}
    assert caps.widths == ((64, 64),)
    passed, skipped, failures = runner.replay_vectors(cmd, VEC, caps, 10)
    assert failures == []
    assert passed >= 5
    core = [p for p in VEC.glob("context_core/*.json")]
    assert len(core) >= 5 and all(
        json.loads(p.read_text())["output"] is not None for p in core
    )  # valid cases, not only error cases
    assert any(why.startswith("needs width") for _, why in skipped)
    rc = runner.main(["--", *cmd])  # the default command
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "every response agreed" in out


@pytest.mark.parametrize(
    "hello",
    [
        {"ops": ["ctx.new", "ctx.load", "ctx.accum", "ctx.read", "hello"], "widths": [64]},
        # tables without read_batch: the follow-up reads after a batch use table.read
        {"ops": ["hello", "table.new", "table.accum_batch", "table.read"], "widths": [[1, 16]],
         "max_table": 3},
        # no read op at all, odd widths, no ctx.new (so every ctx op targets a missing name)
        {"ops": ["hello", "ctx.accum", "ctx.merge", "table.load_batch"], "widths": [7, [100, 130]]},
        {"ops": ["hello", "ctx.new", "ctx.merge", "ctx.accum", "wire.decode", "delta.compose"],
         "widths": [200]},
        {"ops": ["hello"], "widths": [8]},  # nothing but the lines every port rejects
    ],
)  # fmt: skip
def test_generator_never_leaves_the_announced_capabilities(hello: dict[str, object]) -> None:
    caps = runner.Capabilities.from_hello(hello)
    gen = runner.Generator(caps, random.Random(1))
    ops: set[str] = set()
    for _ in range(300):
        for line in gen.sequence():
            try:
                req = json.loads(line)
            except ValueError:
                continue
            if not isinstance(req, dict):
                continue
            op = req.get("op")
            ops.add(op if isinstance(op, str) else "?")
            w = req.get("width")
            if type(w) is int and 1 <= w <= (64 if op == "table.new" else MAX_WIDTH):
                assert caps.has_width(w), line
            n = req.get("size")
            if op == "table.new" and type(n) is int and 1 <= n <= 65536:
                assert n <= caps.max_table, line
            if op == "wire.decode" and isinstance(req.get("frame"), str):
                try:
                    msg = decode(bytes.fromhex(req["frame"]))
                except AtomikError:
                    continue  # a damaged frame: every implementation rejects it the same way
                assert caps.has_width(msg.width), line
    # Only the announced ops, plus the lines every port rejects the same way (a non-string op,
    # an op nobody has, a hello with a bad version).
    assert ops - {"?", "no.such.op"} <= caps.ops, ops
    assert ops & caps.ops == caps.ops, ops  # and every announced op is exercised


def test_generator_is_weighted_toward_the_algebra() -> None:
    caps = runner.Capabilities.from_hello(
        {"ops": sorted(runner._ALL_OPS), "widths": [[1, MAX_WIDTH]]}
    )
    gen = runner.Generator(caps, random.Random(7))
    lengths, wide = [], 0
    for _ in range(300):
        lengths.append(len(gen.sequence()))
        wide += gen.wide_used
    ev = gen.events
    # Most successful merges join two distinct contexts that share a reference.
    assert ev["merge of distinct contexts"] > 2 * ev["merge of a context with itself"]
    assert ev["merge reference_mismatch"] > 0
    assert ev["batch with a repeated address"] > 100
    assert ev["rollback of an earlier delta"] > 100
    assert max(lengths) >= 100 and sum(lengths) / len(lengths) > 20
    assert wide > 60  # widths 65..4096


def test_capabilities_parse_widths_and_reject_malformed_hello() -> None:
    c = runner.Capabilities.from_hello({"ops": ["hello"], "widths": [64, [1, 8], [100, 9000]]})
    assert c.widths == ((1, 8), (64, 64), (100, MAX_WIDTH))
    assert c.has_width(8) and not c.has_width(9) and c.has_width(4096)
    assert 64 in c.candidate_widths() and 9 not in c.candidate_widths()
    legacy = runner.Capabilities.from_hello({"ops": [], "max_width": 64, "max_table": 16})
    assert legacy.widths == ((1, 64),) and legacy.max_table == 16
    for bad in (
        {"ops": "x", "widths": [64]},
        {"ops": []},
        {"ops": [], "widths": []},
        {"ops": [], "widths": [[8, 1]]},
        {"ops": [], "widths": ["64"]},
        {"ops": [], "widths": [0]},
        {"ops": [], "widths": [64], "max_table": 0},
    ):
        with pytest.raises(runner.PortError):
            runner.Capabilities.from_hello(bad)


def test_vector_needs_names_the_reason() -> None:
    caps = runner.Capabilities.from_hello(
        {"ops": ["table.new", "table.read", "hello"], "widths": [[1, 64]], "max_table": 4}
    )
    doc = {
        "manifest": {"requires": {"ops": ["table.new", "table.read"]}},
        "input": {"requests": [{"op": "table.new", "name": "t", "width": 8, "size": 6}]},
        "output": [{"size": 6, "width": 8}],
    }
    assert runner.vector_needs(doc, caps) == "needs a table of size 6 (max_table 4)"
    doc["input"]["requests"][0]["size"] = 0  # an invalid size is every port's range error
    assert runner.vector_needs(doc, caps) is None
    doc["manifest"]["requires"]["ops"].append("table.swap")
    assert runner.vector_needs(doc, caps) == "needs ops table.swap"


def test_buggy_port_is_caught_and_shrunk(
    built: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = [str(built["buggy"])]
    _, _, failures = runner.replay_vectors(cmd, VEC, runner.hello(cmd, 10), 10)
    assert failures, "the vectors alone should expose the rollback bug"
    repro = tmp_path / "repro.jsonl"
    rc = runner.main(["--repro", str(repro), "--", *cmd])
    out = capsys.readouterr().out
    assert rc == 1, out
    assert "DIVERGENCE" in out and "--- repro.jsonl ---" in out
    assert f"< {repro}" in out  # the file named is the file written
    lines = repro.read_text().splitlines()
    assert 1 <= len(lines) <= 3, out
    assert json.loads(lines[-1])["op"] in ("ctx.rollback", "table.rollback"), out
    # Fresh ids 0..n-1, and the repro replays on a fresh process.
    assert [json.loads(x)["id"] for x in lines] == list(range(len(lines)))
    again = runner.run_sequence(cmd, lines, 10)
    assert again is not None and again.index == len(lines) - 1


def test_no_repro_file_means_no_replay_command_with_a_file(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rc = runner.main(["--quiet", "--", str(built["buggy"])])
    out = capsys.readouterr().out
    assert rc == 1 and "save the lines between the markers as repro.jsonl" in out, out


def test_seed_reproduces_a_run_and_keep_going_collects_distinct_divergences(
    mutants: dict[int, Path],
) -> None:
    # Mutant 9 (masking) diverges on many ops: keep-going finds several distinct ones.
    cmd = [str(mutants[9])]
    info = runner.hello(cmd, 10)
    a = runner.fuzz(cmd, info, examples=40, seed=11, keep_going=True, max_shrink_time=5)
    b = runner.fuzz(cmd, info, examples=40, seed=11, keep_going=True, max_shrink_time=5)
    assert a.seed == b.seed == 11
    assert [d.signature for d in a.divergences] == [d.signature for d in b.divergences]
    assert len({d.signature for d in a.divergences}) == len(a.divergences) >= 2
    assert all(d.reproduced for d in a.divergences)


def test_cli_exit_code_when_the_port_cannot_start(tmp_path: Path) -> None:
    missing = subprocess.run(
        [sys.executable, "-m", "atomik.conformance.port", "--", str(tmp_path / "no-such-port")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "cannot start" in missing.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js")
def test_c_port_own_vector_check(built: dict[str, Path]) -> None:
    check = PORTS / "check_vectors.mjs"

    def node(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["node", str(check), str(VEC), *args], capture_output=True, text=True, timeout=120
        )

    good = node("--", str(built["good"]))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 failed" in good.stdout
    core = node("--timeout", "5", "--", str(built["core64"]))
    assert core.returncode == 0, core.stdout + core.stderr
    summary = core.stdout.strip().splitlines()[-1]
    assert int(summary.split()[1]) >= 5 and " 0 failed" in summary, summary
    assert "needs width 8" in core.stdout  # skipped vectors are listed with the reason
    bad = node("--suites", "delta,context", "--", str(built["buggy"]))
    assert bad.returncode == 1 and "FAIL" in bad.stdout


@pytest.mark.parametrize("n", sorted(MUTANTS))
def test_vectors_catch_every_planted_mutant(mutants: dict[int, Path], n: int) -> None:
    cmd = [str(mutants[n])]
    _, _, failures = runner.replay_vectors(cmd, VEC, runner.hello(cmd, 10), 10)
    assert failures, f"no vector catches mutant {n} ({MUTANTS[n]})"


@pytest.mark.parametrize("n", sorted(MUTANTS))
def test_default_fuzz_command_finds_every_planted_mutant(
    mutants: dict[int, Path], n: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # The DEFAULT command (a fresh random seed, default budget): not a tuned one.
    rc = runner.main(["--quiet", "--", str(mutants[n])])
    out = capsys.readouterr().out
    assert rc == 1, f"the default fuzz run missed mutant {n} ({MUTANTS[n]}):\n{out}"
    found = out.split("found by generated sequence ")[1].split(",")[0]
    with capsys.disabled():
        print(f"\nmutant {n} ({MUTANTS[n]}): found by sequence {found}", end="")
    assert "minimal diverging sequence" in out


def test_c_port_follows_the_documented_validation_order(built: dict[str, Path]) -> None:
    text = (ROOT / "spec" / "oracle.md").read_text()
    block = text.split("<!-- validation-examples")[1].split("```text\n")[1].split("```")[0]
    lines = [ln[len("setup ") :] if ln.startswith("setup ") else ln.rsplit(" -> ", 1)[0].strip()
             for ln in block.splitlines() if ln.strip()]  # fmt: skip
    assert len(lines) > 30
    # The runner's comparison: same ok, id and error code as the oracle, line by line.
    assert runner.run_sequence([str(built["good"])], lines, 10) is None


JS_PORT = ["node", str(PORTS / "js" / "port.mjs")]
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js")


@needs_node
def test_js_shell_port_passes_vectors_fuzzing_and_the_validation_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    caps = runner.Capabilities.from_hello(runner.hello(JS_PORT, 10))
    assert caps.implementation == "atomik-js-sample" and caps.widths == ((1, MAX_WIDTH),)
    passed, _, failures = runner.replay_vectors(JS_PORT, VEC, caps, 10)
    assert failures == [] and passed >= 80
    text = (ROOT / "spec" / "oracle.md").read_text()
    block = text.split("<!-- validation-examples")[1].split("```text\n")[1].split("```")[0]
    lines = [ln[len("setup ") :] if ln.startswith("setup ") else ln.rsplit(" -> ", 1)[0].strip()
             for ln in block.splitlines() if ln.strip()]  # fmt: skip
    assert runner.run_sequence(JS_PORT, lines, 10) is None
    rc = runner.main(["--examples", "200", "--quiet", "--", *JS_PORT])
    out = capsys.readouterr().out
    assert rc == 0 and "every response agreed" in out, out


@needs_node
def test_js_planted_bug_is_found_by_the_default_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMIK_JS_MUTANT", "merge-moves")
    rc = runner.main(["--quiet", "--", *JS_PORT])
    out = capsys.readouterr().out
    assert rc == 1 and "DIVERGENCE" in out, out
    assert '"op":"ctx.merge"' in out


def test_runner_needs_no_dev_extra(built: dict[str, Path]) -> None:
    # The oracle and the runner import nothing from the dev extra (Hypothesis, CrossHair, z3).
    code = (
        "import sys\n"
        "for m in ('hypothesis', 'crosshair', 'z3', 'pytest', 'cocotb'): sys.modules[m] = None\n"
        "from atomik.conformance import port\n"
        f"sys.exit(port.main(['--examples', '30', '--quiet', '--', {str(built['good'])!r}]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "every response agreed" in res.stdout


def test_light_oracle_without_numba_agrees_with_the_full_one(tmp_path: Path) -> None:
    # The light install: no numba (nor rich, nor the dev extra). The oracle then runs the kernels'
    # pure twins; as a port it must agree with the in-process (numba-compiled) oracle on every
    # vector and on generated sequences.
    light = tmp_path / "light_oracle.py"
    light.write_text(
        "import sys\n"
        "for m in ('numba', 'llvmlite', 'hypothesis', 'crosshair', 'z3', 'rich', 'pytest'):\n"
        "    sys.modules[m] = None\n"
        "from atomik import oracle\n"
        "assert oracle.PURE_KERNELS\n"
        "sys.exit(oracle.main([]))\n"
    )
    from atomik import oracle

    assert not oracle.PURE_KERNELS  # this side runs the compiled kernels
    cmd = [sys.executable, str(light)]
    passed, skipped, failures = runner.replay_vectors(cmd, VEC, runner.hello(cmd, 30), 30)
    assert failures == [] and skipped == [] and passed >= 100
    res = runner.fuzz(cmd, runner.hello(cmd, 30), examples=60, timeout=30)
    assert res.divergences == [], res.divergences[0].report(cmd)
    assert res.census.by_op["table.accum_batch"]["ok"] > 0  # the scatter kernels ran


@pytest.fixture(scope="module")
def rust_port(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if shutil.which("cargo") is None:
        pytest.skip("no Rust toolchain (cargo)")
    target = tmp_path_factory.mktemp("rust-target")
    subprocess.run(
        ["cargo", "build", "--release", "--offline", "-q", "--manifest-path",
         str(PORTS / "rust" / "Cargo.toml"), "--target-dir", str(target)],
        check=True,
        timeout=600,
    )  # fmt: skip
    return [str(target / "release" / "atomik_port")]


def test_rust_shell_port_passes_vectors_fuzzing_and_the_validation_examples(
    rust_port: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    caps = runner.Capabilities.from_hello(runner.hello(rust_port, 10))
    assert caps.implementation == "atomik-rust-sample" and caps.widths == ((1, MAX_WIDTH),)
    passed, _, failures = runner.replay_vectors(rust_port, VEC, caps, 10)
    assert failures == [] and passed >= 80
    text = (ROOT / "spec" / "oracle.md").read_text()
    block = text.split("<!-- validation-examples")[1].split("```text\n")[1].split("```")[0]
    lines = [ln[len("setup ") :] if ln.startswith("setup ") else ln.rsplit(" -> ", 1)[0].strip()
             for ln in block.splitlines() if ln.strip()]  # fmt: skip
    assert runner.run_sequence(rust_port, lines, 10) is None
    rc = runner.main(["--examples", "200", "--quiet", "--", *rust_port])
    out = capsys.readouterr().out
    assert rc == 0 and "every response agreed" in out, out


def test_rust_planted_bug_is_found_by_the_default_command(
    rust_port: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMIK_RUST_MUTANT", "batch-drops-repeats")
    rc = runner.main(["--quiet", "--", *rust_port])
    out = capsys.readouterr().out
    assert rc == 1 and "DIVERGENCE" in out, out
    assert '"op":"table.accum_batch"' in out
