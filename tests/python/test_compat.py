"""atomik.compat against atomik-core 0.4.0 itself: the same code, the same answers, and atomik's
errors for bad input (nothing changed by a rejected call)."""

from __future__ import annotations

import contextlib
import io
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

atomik_core = pytest.importorskip("atomik_core", reason="atomik-core 0.4.0 runs side by side")

import atomik  # noqa: E402
from atomik import compat  # noqa: E402
from atomik.errors import (  # noqa: E402
    AddressError,
    AtomikError,
    AtomikTypeError,
    RangeError,
    ReferenceMismatchError,
    SnapshotError,
    WidthError,
)

README = Path(atomik_core.__file__).parent.parent / "atomik_core-0.4.0.dist-info" / "METADATA"
LIBS = (atomik_core, compat)


def _readme_blocks() -> list[str]:
    if not README.is_file():  # pragma: no cover - depends on how atomik-core was installed
        pytest.skip(f"{README} not found")
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def observe(value: Any) -> Any:
    """What a piece of state says, in library-independent terms."""
    if isinstance(value, bool | int | str | float | type(None)):
        return value
    if isinstance(value, dict):
        return {k: observe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [observe(v) for v in value]
    if isinstance(value, type):  # an imported class
        return ("class", value.__name__)
    if hasattr(value, "batch_accum"):  # a table
        return ("table", value.num_contexts, value.width, value.snapshot())
    if hasattr(value, "accumulate_delta"):  # a fingerprint
        return ("fingerprint", value.value, value.delta, value.changed)
    if hasattr(value, "pending") and hasattr(value, "apply"):  # a delta stream
        return ("stream", [value.read(a) for a in range(4)])
    if hasattr(value, "is_clean"):  # a context
        return ("context", value.read(), value.reference, value.accumulator, value.width)
    if hasattr(value, "delta") and hasattr(value, "addr"):  # a message
        return ("message", value.addr, value.delta)
    return ("other", type(value).__name__)


def test_atomik_core_readme_runs_unchanged_with_the_same_answers() -> None:
    blocks = _readme_blocks()
    assert len(blocks) >= 6 and any("DeltaStream" in b for b in blocks)
    seen: list[tuple[str, dict[str, Any]]] = []
    for lib in ("atomik_core", "atomik.compat"):
        # the README's Fingerprint block uses names it does not define: give both runs the same
        ns: dict[str, Any] = {"reference_data": bytes(range(40)), "old_value": 5, "new_value": 9}
        out = io.StringIO()
        for block in blocks:
            code = block.replace("from atomik_core import", f"from {lib} import")
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"<{lib} README>", "exec"), ns)
        names = {k: observe(v) for k, v in ns.items() if not k.startswith("__")}
        seen.append((out.getvalue(), names))
    (core_out, core_names), (compat_out, compat_names) = seen
    assert compat_out == core_out and "0xdeadbe10" in core_out
    assert compat_names == core_names
    assert core_names["active"] == {0: 0x1011, 1: 0x2020, 2: 0x30}


# --------------------------------------------------------------------------- side by side
def _both(make: Callable[[Any], Any]) -> tuple[Any, Any]:
    return make(atomik_core), make(compat)


@pytest.mark.parametrize("seed", range(8))
def test_context_operations_give_core_answers(seed: int) -> None:
    rng = random.Random(seed)
    width = rng.choice([8, 16, 64, 100])
    start = rng.getrandbits(width)
    core, ours = _both(lambda lib: lib.AtomikContext(width=width, initial_state=start))
    for _ in range(200):
        op = rng.choice(["load", "accum", "accum", "rollback", "swap", "swap_to"])
        v = rng.getrandbits(width)
        outs = []
        for c in (core, ours):
            if op == "swap":
                outs.append(c.swap())
            elif op == "swap_to":
                outs.append(c.swap(v))
            else:
                outs.append(getattr(c, op)(v))
        assert outs[0] == outs[1]
        assert (ours.read(), ours.reference, ours.accumulator, ours.delta_count, ours.is_clean) == (
            core.read(), core.reference, core.accumulator, core.delta_count, core.is_clean
        )
    assert ours.snapshot() == core.snapshot()
    assert compat.AtomikContext.from_snapshot(core.snapshot()) == ours


def test_context_equality_and_with_block_are_core_s() -> None:
    for lib in LIBS:
        a, b = lib.AtomikContext(initial_state=1), lib.AtomikContext()
        b.accum(1)
        assert a == b  # same read(), whatever the split (plain atomik says !=)
        assert a != lib.AtomikContext(width=32, initial_state=1)
        with lib.AtomikContext() as ctx:
            ctx.accum(5)
        assert ctx.read() == 0
    plain = atomik.AtomikContext()
    plain.accum(1)
    assert atomik.AtomikContext(initial_state=1) != plain  # atomik's own class keeps its own
    assert compat.AtomikContext(initial_state=1) == plain  # a compat operand: core's equality
    with pytest.raises(TypeError):
        hash(compat.AtomikContext())


@pytest.mark.parametrize("seed", range(6))
def test_table_operations_give_core_answers(seed: int) -> None:
    rng = random.Random(seed)
    n, width = rng.choice([(4, 8), (16, 64), (256, 32)])
    core, ours = _both(lambda lib: lib.AtomikTable(num_contexts=n, width=width))
    for _ in range(300):
        op, a, v = rng.randrange(7), rng.randrange(n), rng.getrandbits(width)
        to = v if rng.random() < 0.5 else None
        batch = {rng.randrange(n): rng.getrandbits(width) for _ in range(3)}
        outs = []
        for t in (core, ours):
            if op == 0:
                outs.append(t.load(addr=a, initial_state=v))
            elif op in (1, 2):
                outs.append(t.accum(addr=a, delta=v))
            elif op == 3:
                outs.append(t.swap(a, to))
            elif op == 4:
                t.context(a).accum(v)  # live in both
            elif op == 5:
                t.batch_accum(batch)
            else:
                outs.append(t.read(a))
        assert len(set(outs)) <= 1, outs  # swap and read return the same in both
        assert ours.snapshot() == core.snapshot()
        c, o = core.context(a), ours.context(a)
        assert (o.read(), o.reference, o.accumulator, o.delta_count, o.is_clean) == (
            c.read(), c.reference, c.accumulator, c.delta_count, c.is_clean
        )
        assert o.snapshot() == c.snapshot()
    assert (ours.num_contexts, ours.width) == (core.num_contexts, core.width)
    assert ours.to_atomik().read_all().tolist() == [core.read(i) for i in range(n)]


def test_table_defaults_and_context_view_write_through() -> None:
    core, ours = _both(lambda lib: lib.AtomikTable())
    assert ours.num_contexts == core.num_contexts == 256
    for t in (core, ours):
        view = t.context(7)
        view.load(0x10)
        view.accum(0x01)
        assert t.read(7) == 0x11  # the write reached the table (plain atomik: a detached copy)
        assert view.swap() == 0x11 and view.is_clean and t.context(7).reference == 0x11
        view.rollback(3)
        assert t.read(7) == 0x12
    assert ours.context(7).snapshot() == core.context(7).snapshot()
    assert ours.context(7) == compat.AtomikContext(initial_state=0x12)  # core's equality
    assert ours.context(7) != compat.AtomikContext(initial_state=0x13)
    probe = atomik.AtomikContext(initial_state=0x11)
    probe.accum(4)
    ours.context(7).merge(probe)
    assert ours.read(7) == 0x12 ^ 4 and ours.context(7).delta_count == 2


@pytest.mark.parametrize("seed", range(6))
def test_fingerprint_gives_core_answers(seed: int) -> None:
    rng = random.Random(seed)
    core, ours = _both(lambda lib: lib.Fingerprint())
    for _ in range(60):
        op = rng.randrange(4)
        data = rng.randbytes(rng.randrange(0, 200))
        if op == 0:
            assert ours.load(data) == core.load(data)
        elif op == 1:
            assert ours.update(data) == core.update(data)
        elif op == 2:
            old, new = rng.getrandbits(64), rng.getrandbits(64)
            assert ours.accumulate_delta(old, new) is core.accumulate_delta(old, new) is None
        else:
            ours.reset()
            core.reset()
        assert (ours.value, ours.delta, ours.changed) == (core.value, core.delta, core.changed)


def test_fingerprint_reset_is_core_s_not_atomik_s() -> None:
    for lib in LIBS:
        fp = lib.Fingerprint(width=64)
        original = fp.load(b"version 1 of the file")
        fp.update(b"version 2 of the file")
        fp.reset()
        assert fp.value == original and not fp.changed
        fp.update(b"version 2 of the file")
        assert fp.changed  # still compared with the original (atomik.Fingerprint: not changed)


@pytest.mark.parametrize("seed", range(6))
def test_sync_tables_converge_like_core_s(seed: int) -> None:
    rng = random.Random(seed)
    k, n = 3, 8
    tables = {lib: [lib.SyncTable(num_contexts=n) for _ in range(k)] for lib in LIBS}
    sent: dict[Any, list[list[Any]]] = {lib: [[] for _ in range(k)] for lib in LIBS}
    for lib in LIBS:
        for i, t in enumerate(tables[lib]):
            t.on_delta(sent[lib][i].append)
    for _ in range(120):
        i, a, v = rng.randrange(k), rng.randrange(n), rng.getrandbits(64)
        if rng.random() < 0.2:
            v = tables[atomik_core][i].get(a)  # an unchanged value
        core_msg = tables[atomik_core][i].put(a, v)
        msg = tables[compat][i].put(a, v)
        if core_msg.delta == 0:
            assert msg is None  # nothing to send (core: a delta-0 message reusing a seq)
        else:
            assert (msg.addr, msg.delta) == (core_msg.addr, core_msg.delta)
    for lib in LIBS:
        assert [len(s) for s in sent[lib]] == [len(s) for s in sent[atomik_core]]
        order = [(j, m) for j in range(k) for m in sent[lib][j]]
        rng.shuffle(order)
        for j, m in order:
            for i, t in enumerate(tables[lib]):
                if i != j:
                    t.receive(m)
    core_t, ours = tables[atomik_core], tables[compat]
    for i in range(k):
        assert ours[i].snapshot() == core_t[i].snapshot()
        assert ours[i].diff(ours[0]) == core_t[i].diff(core_t[0]) == []
    assert ours[0].get(0) == core_t[0].get(0)
    assert len(ours[0]) == n and list(ours[0]) == list(range(n)) and (n - 1) in ours[0]
    assert n not in ours[0] and "0" not in ours[0]
    back = compat.SyncTable.from_snapshot(core_t[0].snapshot())
    assert back.snapshot() == atomik_core.SyncTable.from_snapshot(core_t[0].snapshot()).snapshot()
    assert compat.SyncTable.from_snapshot({}).num_contexts == 256


def test_sync_table_deduplicates_where_core_self_cancels() -> None:
    core_a, core_b = atomik_core.SyncTable(4), atomik_core.SyncTable(4)
    a, b = compat.SyncTable(4), compat.SyncTable(4)
    assert a.replica.replica_id != b.replica.replica_id  # drawn, distinct in one process
    m, cm = a.put(0, 7), core_a.put(0, 7)
    core_b.receive(cm)
    core_b.receive(cm)
    assert core_b.get(0) == 0
    assert b.receive(m) is True and b.receive(m) is False
    assert b.get(0) == 7
    assert b.diff(a) == [] and a.put(0, 7) is None and a.replica.next_seq == 1


def test_delta_streams_like_core_s() -> None:
    for lib in LIBS:
        nodes = [lib.DeltaStream() for _ in range(3)]
        for node in nodes:
            node.load(0, 0xAAAA)
        msgs = [node.accum(0, 1 << (4 * i)) for i, node in enumerate(nodes)]
        for i, node in enumerate(nodes):
            for j, msg in enumerate(msgs):
                if i != j:
                    node.apply(msg)
        assert [node.read(0) for node in nodes] == [0xAAAA ^ 0x111] * 3
        assert [m.delta for m in nodes[1].pending()] == [0x10] and nodes[1].pending() == []
        nodes[0].load(0, 5)  # a local load resets the address; later deltas apply on top
        nodes[0].accum(0, 2)
        assert nodes[0].read(0) == 7
    s, r = compat.DeltaStream(), compat.DeltaStream()
    m = s.accum(3, 9)
    assert r.apply(m) is True and r.apply(m) is False and r.read(3) == 9  # once, not cancelled


# --------------------------------------------------------------------------- bad input
def _rejects(
    call: Callable[[], object], error: type[AtomikError], state: Callable[[], object]
) -> None:
    before = state()
    with pytest.raises(error):
        call()
    assert state() == before, "a rejected call changed the state"


def test_bad_input_raises_atomik_errors_and_changes_nothing() -> None:
    ctx = compat.AtomikContext(width=8)
    ctx.accum(3)
    cstate = ctx.snapshot
    _rejects(lambda: ctx.accum(0x1FF), RangeError, cstate)  # core masks to 0xFF
    _rejects(lambda: ctx.load(-1), RangeError, cstate)
    _rejects(lambda: ctx.accum(True), AtomikTypeError, cstate)
    other_ref = compat.AtomikContext(width=8, initial_state=1)
    _rejects(lambda: ctx.merge(other_ref), ReferenceMismatchError, cstate)
    _rejects(lambda: ctx.merge(compat.AtomikContext(width=16)), WidthError, cstate)

    t = compat.AtomikTable(4, width=8)
    t.load(1, 5)
    tstate = lambda: (t.snapshot(), t.context(1).delta_count)  # noqa: E731
    _rejects(lambda: t.read(4), AddressError, tstate)
    _rejects(lambda: t.accum(0, 256), RangeError, tstate)
    _rejects(lambda: t.load(addr=0, initial_state=1.5), AtomikTypeError, tstate)  # type: ignore
    _rejects(lambda: t.batch_accum({0: 1, 9: 2}), AddressError, tstate)  # nothing applied
    _rejects(lambda: t.batch_accum({0: 1, 1: 300}), RangeError, tstate)
    _rejects(lambda: t.batch_accum([(0, 1)]), AtomikTypeError, tstate)  # type: ignore[arg-type]
    _rejects(lambda: t.context(-1), AddressError, tstate)
    _rejects(lambda: t.context(1).accum(1 << 8), RangeError, tstate)
    other9 = compat.AtomikContext(width=8, initial_state=9)
    _rejects(lambda: t.context(1).merge(other9), ReferenceMismatchError, tstate)
    with pytest.raises(WidthError):
        compat.AtomikTable(2, width=128)  # core accepted any width

    fp = compat.Fingerprint()
    fp.load(b"abc")
    fstate = lambda: (fp.value, fp.delta)  # noqa: E731
    _rejects(lambda: fp.accumulate_delta(1 << 64, 0), RangeError, fstate)
    _rejects(lambda: fp.update("text"), AtomikTypeError, fstate)  # type: ignore[arg-type]
    for width in (32, 128, True):
        with pytest.raises(WidthError):
            compat.Fingerprint(width=width)

    s = compat.SyncTable(4, width=8)
    sent: list[Any] = []
    s.on_delta(sent.append)
    s.put(0, 1)
    sstate = lambda: (s.snapshot(), s.replica.next_seq, len(sent))  # noqa: E731
    _rejects(lambda: s.put(0, 256), RangeError, sstate)
    _rejects(lambda: s.put(4, 1), AddressError, sstate)
    _rejects(lambda: s.put(0, True), AtomikTypeError, sstate)
    other = compat.SyncTable(4, width=16)
    _rejects(lambda: s.receive(other.put(0, 1)), WidthError, sstate)
    _rejects(lambda: s.on_delta(42), AtomikTypeError, sstate)  # type: ignore[arg-type]
    for bad in ({-1: 3}, {"0": 1}, {0: 1 << 64}, [1, 2]):
        with pytest.raises((SnapshotError, RangeError)):
            compat.SyncTable.from_snapshot(bad)  # type: ignore[arg-type]

    d = compat.DeltaStream(width=8, num_contexts=4)
    d.load(0, 9)
    dstate = lambda: ([d.read(a) for a in range(4)], d.replica.next_seq)  # noqa: E731
    _rejects(lambda: d.read(10**6), AddressError, dstate)  # core returned 0 for any address
    _rejects(lambda: d.load(0, 256), RangeError, dstate)
    _rejects(lambda: d.accum(0, -1), RangeError, dstate)
    _rejects(lambda: d.apply(atomik.DeltaMessage(1, 0, 0, 9, 8, 1)), AddressError, dstate)
    with pytest.raises(WidthError):
        compat.DeltaStream(width=128)


def test_the_docstring_and_the_guide_name_what_is_covered() -> None:
    doc = compat.__doc__ or ""
    covered = doc.split("Covered:", 1)[1].split("Not covered", 1)[0]
    for name in compat.__all__:
        if name != "ContextView":
            assert f":class:`{name}`" in covered, name
    guide = (Path(__file__).parents[2] / "docs" / "migrating-from-atomik-core.md").read_text()
    section = guide.split("## The compatibility layer", 1)[1].split("\n## ", 1)[0]
    for name in compat.__all__:
        if name != "ContextView":
            assert f"`{name}`" in section, name
    for name in ("DeltaMessage", "PersistentSyncTable", "MemoryTransport", "CallbackTransport"):
        assert name in doc.split("Not covered", 1)[1] and name in section, name
