"""docs/migrating-from-atomik-core.md, held to both libraries.

Every section of the guide names a difference between atomik-core 0.4.0 and atomik; each section
has tests here (registered with :func:`claims`) that run *both* libraries and fail if either side
stops behaving as the guide says. The guide's code blocks run too, and its table of names is
resolved against both packages, so the guide cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import random
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

atomik_core = pytest.importorskip(
    "atomik_core",
    reason="atomik-core (the SDK the migration guide starts from) is not installed; "
    "pip install atomik-core==0.4.0 (it is in the bench extra) to check the guide",
)
if atomik_core.__version__ != "0.4.0":  # pragma: no cover - depends on the environment
    pytest.skip(
        f"the migration guide describes atomik-core 0.4.0, found {atomik_core.__version__}",
        allow_module_level=True,
    )

import atomik  # noqa: E402  (after the skip: the module needs both libraries)
from atomik.fingerprint import fingerprint  # noqa: E402
from atomik.replication import transport  # noqa: E402
from atomik.replication.log import LogCorruptionError, LogLockedError, PersistentTable  # noqa: E402
from atomik.replication.replica import ConflictError  # noqa: E402
from atomik.replication.transport import InProcessHub, publish, pump  # noqa: E402

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "migrating-from-atomik-core.md"
SILENT = "Silent differences (no error, another result)"
RAISING = "Differences that raise"
SAME = "What stays the same"
NAMES = "Names (atomik-core → atomik)"
FAST = settings(database=None, max_examples=60, deadline=None)

#: guide section heading -> the tests that demonstrate it
CLAIMS: dict[str, list[str]] = {}
#: the headings whose difference is silent (a different result, no exception)
SILENT_CLAIMS: set[str] = set()


def claims(
    heading: str, *, silent: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a test as demonstrating the guide section ``heading`` (its exact title);
    ``silent`` when the test shows atomik giving another result without raising."""

    def register(test: Callable[..., None]) -> Callable[..., None]:
        CLAIMS.setdefault(heading, []).append(test.__name__)
        if silent:
            SILENT_CLAIMS.add(heading)
        return test

    return register


def raises(error: type[BaseException], call: Callable[[], object]) -> BaseException:
    with pytest.raises(error) as info:
        call()
    return info.value


# --------------------------------------------------------------------------- reading the guide
def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def sections(text: str) -> list[tuple[int, str, str]]:
    """``(level, title, body)`` of every ``##`` and ``###`` heading, in order."""
    parts = re.split(r"^(#{2,3}) (.+)$", text, flags=re.M)
    return [
        (len(parts[i]), parts[i + 1].strip(), parts[i + 2]) for i in range(1, len(parts) - 1, 3)
    ]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def difference_sections(text: str) -> dict[str, list[str]]:
    """``{top-level section: [its ### titles]}``."""
    out: dict[str, list[str]] = {}
    top = ""
    for level, title, _ in sections(text):
        if level == 2:
            top = title
            out[top] = []
        else:
            out[top].append(title)
    return out


def name_rows(text: str) -> list[tuple[str, str]]:
    """``(atomik-core cell, atomik cell)`` of the names table."""
    body = text.split(f"## {NAMES}", 1)[1]
    rows = []
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`atomik_core."):
            rows.append((cells[0], cells[1]))
    return rows


def dotted_names(cell: str) -> list[str]:
    return re.findall(r"`((?:atomik_core|atomik|dataclasses)(?:\.\w+)+)`", cell)


def resolve(name: str) -> Any:
    """The object a dotted name denotes (the longest importable module prefix, then attributes)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(name)


# --------------------------------------------------------------------------- the guide itself
def test_every_difference_in_the_guide_has_a_test_and_every_test_a_section() -> None:
    text = guide_text()
    groups = difference_sections(text)
    titles = [*groups[SILENT], *groups[RAISING], SAME]
    assert len(titles) == len(set(titles)), "two sections share a title"
    assert not set(titles) ^ set(CLAIMS), (
        "sections without a test: "
        f"{sorted(set(titles) - set(CLAIMS))}; tests naming no section: "
        f"{sorted(set(CLAIMS) - set(titles))}"
    )
    for names in CLAIMS.values():
        for name in names:
            assert callable(globals()[name])


def test_the_silent_differences_come_first_and_every_section_has_code() -> None:
    text = guide_text()
    order = [title for level, title, _ in sections(text) if level == 2]
    assert order.index(SILENT) < order.index(RAISING) < order.index(SAME) < order.index(NAMES)
    assert set(difference_sections(text)[SILENT]) == SILENT_CLAIMS
    for level, title, body in sections(text):
        if level == 3 or title == SAME:
            assert python_blocks(body), f"section {title!r} shows no code"


def test_every_python_block_of_the_guide_runs(tmp_path: Path, monkeypatch: Any) -> None:
    """Each block is self-contained (imports included) and asserts what its section claims."""
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(guide_text())
    assert blocks
    for i, block in enumerate(blocks, start=1):
        assert re.search(r"\bassert |raise AssertionError", block), f"block {i} asserts nothing"
        try:
            exec(compile(block, f"{GUIDE.name} python block {i}", "exec"), {})
        except Exception as e:  # pragma: no cover - the message says which block
            raise AssertionError(f"guide python block {i} fails: {e!r}\n{block}") from e


def test_a_failing_block_would_fail() -> None:
    (block,) = python_blocks("text\n```python\nassert 1 == 2\n```\n```sh\nls\n```\n")
    with pytest.raises(AssertionError):
        exec(compile(block, "b", "exec"), {})


def test_the_names_table_resolves_in_both_libraries() -> None:
    rows = name_rows(guide_text())
    assert rows
    for core_cell, atomik_cell in rows:
        (core_name,) = dotted_names(core_cell)
        resolve(core_name)  # raises if atomik-core has no such name
        targets = dotted_names(atomik_cell)
        assert targets or atomik_cell.startswith("(none"), (core_cell, atomik_cell)
        for name in targets:
            resolve(name)


def test_the_names_table_covers_every_public_name_of_atomik_core() -> None:
    rows = name_rows(guide_text())
    listed = {dotted_names(c)[0]: dotted_names(a) for c, a in rows}
    missing = [n for n in atomik_core.__all__ if f"atomik_core.{n}" not in listed]
    assert not missing, f"atomik-core names the guide does not map: {missing}"
    # a method not listed must keep its name on the class it moved to
    for core_name, targets in listed.items():
        core_obj = resolve(core_name)
        if not isinstance(core_obj, type) or not targets:
            continue
        target = resolve(targets[0])
        if not isinstance(target, type):
            continue
        for attr in (a for a in dir(core_obj) if not a.startswith("_")):
            if f"{core_name}.{attr}" not in listed:
                assert hasattr(target, attr), f"{core_name}.{attr}: not on {targets[0]}"


def test_the_guide_helpers_read_what_they_should() -> None:
    doc = "## A\n### x\n```python\nassert 1\n```\n## Names (atomik-core → atomik)\n" + (
        "| a | b |\n|---|---|\n| `atomik_core.X.y` | `atomik.Z` (note) |\n"
    )
    assert difference_sections(doc) == {"A": ["x"], NAMES: []}
    assert name_rows(doc) == [("`atomik_core.X.y`", "`atomik.Z` (note)")]
    assert dotted_names("`atomik.replication.log.PersistentTable.read` and `value`") == [
        "atomik.replication.log.PersistentTable.read"
    ]
    assert resolve("atomik.replication.log.PersistentTable.read") is PersistentTable.read
    with pytest.raises(AttributeError):
        resolve("atomik.AtomikTable.batch_accum")


# --------------------------------------------------------------------------- silent differences
@claims("`table.context(addr)` returns a copy", silent=True)
def test_table_context_is_live_in_core_and_a_copy_in_atomik(tmp_path: Path) -> None:
    core, t = atomik_core.AtomikTable(4, width=16), atomik.AtomikTable(4, width=16)
    for table in (core, t):
        table.load(1, 0x0F00)
        table.accum(1, 0x00F0)
    ops: list[Callable[[Any], object]] = [
        lambda c: c.accum(0x000F),
        lambda c: c.load(0x1234),
        lambda c: c.swap(),
        lambda c: c.rollback(0x00F0),
    ]
    for op in ops:
        before_core, before = core.read(1), t.read(1)
        op(core.context(1))
        op(t.context(1))
        assert t.read(1) == before  # atomik: the table did not change
        assert core.read(1) != before_core or op is ops[2]  # core: it did (swap keeps the read)
        for table in (core, t):
            table.load(1, 0x0F00)
            table.accum(1, 0x00F0)
    copy = t.context(1)
    assert (copy.reference, copy.accumulator, copy.delta_count) == (0x0F00, 0x00F0, 0)
    assert core.context(1).delta_count == 1  # core's live context counts the table's deltas
    core.context(1).swap()
    assert core.context(1).reference == 0x0FF0  # swap through the live context reached the table
    r = atomik.Replica(1, 4)
    r.table.accum(0, 5)
    assert r.read(0) == 0
    with PersistentTable(tmp_path / "t.log", 4, replica_id=1) as p:
        p.table.accum(0, 5)
        assert p.read(0) == 0


@claims("`==` compares other things", silent=True)
@FAST
@given(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(0, 15))
def test_context_equality_differs(r1: int, a1: int, r2: int, a2: int) -> None:
    def pair(lib: Any, ref: int, acc: int) -> Any:
        c = lib.AtomikContext(width=4, initial_state=ref)
        c.accum(acc)
        return c

    assert (pair(atomik_core, r1, a1) == pair(atomik_core, r2, a2)) == (r1 ^ a1 == r2 ^ a2)
    assert (pair(atomik, r1, a1) == pair(atomik, r2, a2)) == ((r1, a1) == (r2, a2))


@claims("`==` compares other things", silent=True)
def test_table_equality_is_identity_in_core_and_contents_in_atomik() -> None:
    c1, c2 = atomik_core.AtomikTable(2), atomik_core.AtomikTable(2)
    assert c1 != c2 and c1 == c1
    assert len({c1, c2}) == 2  # hashable by identity
    t1, t2 = atomik.AtomikTable(2), atomik.AtomikTable(2)
    assert t1 == t2 and t1 is not t2
    t2.accum(0, 1)
    assert t1 != t2
    t1.load(0, 1)  # same read(0), different split
    assert t1.read(0) == t2.read(0) and t1 != t2 and not t1.diff(t2)
    raises(TypeError, lambda: hash(t1))
    for lib in (atomik_core, atomik):
        raises(TypeError, lambda lib=lib: hash(lib.AtomikContext()))
    # what to write instead of core's context equality
    a, b = atomik.AtomikContext(initial_state=1), atomik.AtomikContext()
    b.accum(1)
    assert a.read() == b.read() and a.width == b.width and a != b


@claims("`AtomikTable.snapshot()` has another shape", silent=True)
def test_table_snapshot_shapes() -> None:
    rng = random.Random(7)
    for _ in range(40):
        n, w = rng.randint(1, 9), rng.choice([1, 8, 16, 64])
        core, t = atomik_core.AtomikTable(n, width=w), atomik.AtomikTable(n, width=w)
        for _ in range(rng.randint(0, 12)):
            addr, v = rng.randrange(n), rng.randrange(1 << w)
            op = rng.choice(["load", "accum", "swap"])
            for table in (core, t):
                getattr(table, op)(addr, v)
        snap = t.snapshot()
        assert set(snap) == {"width", "num_contexts", "entries"}
        assert (snap["width"], snap["num_contexts"]) == (w, n)
        ctxs = [t.context(a) for a in range(n)]
        assert snap["entries"] == {
            a: (c.reference, c.accumulator)
            for a, c in enumerate(ctxs)
            if c.reference or c.accumulator
        }
        old_shape = {a: int(s) for a, s in enumerate(t.read_all()) if s}
        assert old_shape == core.snapshot()
        back = atomik.AtomikTable.restore({"width": w, "num_contexts": n, "entries": old_shape})
        assert back.read_all().tolist() == t.read_all().tolist()
        assert atomik.AtomikTable.restore(snap) == t
    # an address that reads 0 but is not clean: atomik lists it, core does not
    core, t = atomik_core.AtomikTable(2), atomik.AtomikTable(2)
    for table in (core, t):
        table.load(1, 5)
        table.accum(1, 5)
    assert core.snapshot() == {} and t.snapshot()["entries"] == {1: (5, 5)}
    assert t.snapshot().get(1) is None


@claims("`Fingerprint.reset()` makes the current data the new baseline", silent=True)
@FAST
@given(st.binary(max_size=40), st.binary(max_size=40))
def test_fingerprint_reset(original: bytes, new: bytes) -> None:
    core, fp = atomik_core.Fingerprint(), atomik.Fingerprint()
    for f in (core, fp):
        f.load(original)
        f.update(new)
        f.reset()
        assert not f.changed and f.delta == 0
    assert core.value == fingerprint(original)  # core: back to the loaded data
    assert fp.value == fp.reference == fingerprint(new)  # atomik: the new data is the baseline
    core.update(new)
    fp.update(new)
    assert core.changed == (fingerprint(original) != fingerprint(new))
    assert not fp.changed
    fp.load(original)  # write instead: compare against the original again
    fp.update(new)
    assert fp.changed == core.changed


@claims("`put` of an unchanged value uses a seq", silent=True)
def test_put_of_an_unchanged_value(tmp_path: Path) -> None:
    s, calls = atomik_core.SyncTable(4), []
    s.on_delta(calls.append)
    first, again = s.put(0, 5), s.put(0, 5)
    assert (again.delta, again.seq) == (0, first.seq) and calls == [first]
    assert s.put(0, 6).seq == first.seq + 1  # the next real write takes the next seq
    r = atomik.Replica(1, 4)
    first, again = r.put(0, 5), r.put(0, 5)
    assert (again.delta, again.seq, again.origin) == (0, first.seq + 1, 1)
    assert r.next_seq == 2 and r.messages() == [first, again]
    # logged by atomik, not by core
    wal = tmp_path / "core.wal"
    with atomik_core.PersistentSyncTable(4, path=wal) as old:
        old.put(0, 5)
        size = wal.stat().st_size
        old.put(0, 5)
        assert wal.stat().st_size == size
    with PersistentTable(tmp_path / "a.log", 4, replica_id=1) as p:
        p.put(0, 5)
        size = p.size
        p.put(0, 5)
        assert p.size == size + atomik.frame_size(64)
    # a peer applies the zero delta like any other message: state unchanged, id recorded
    peer = atomik.Replica(2, 4)
    assert peer.receive(first) and peer.receive(again) and peer.read(0) == 5
    assert peer.seen(1, again.seq)


@claims("A duplicate `receive` is ignored", silent=True)
def test_duplicate_receive(tmp_path: Path) -> None:
    a, b = atomik_core.SyncTable(4), atomik_core.SyncTable(4)
    m = a.put(0, 7)
    for k in range(1, 5):
        b.receive(m)
        assert b.get(0) == (7 if k % 2 else 0)  # core: each delivery toggles the update
    x, y = atomik.Replica(1, 4), atomik.Replica(2, 4)
    m2 = x.put(0, 7)
    assert [y.receive(m2) for _ in range(4)] == [True, False, False, False]
    assert y.read(0) == 7
    undo = x.accum(0, m2.delta)
    assert undo.id != m2.id and y.receive(undo) and x.read(0) == y.read(0) == 0
    # a duplicated record in the log: core's replay toggles, atomik's deduplicates
    wal = tmp_path / "core.wal"
    with atomik_core.PersistentSyncTable(4, path=wal) as old:
        old.receive(m)
        old.receive(m)
    with atomik_core.PersistentSyncTable(4, path=wal) as old:
        assert old.get(0) == 0
    path = tmp_path / "a.log"
    with PersistentTable(path, 4, replica_id=2) as p:
        assert p.receive(m2)
        size = p.size
        assert not p.receive(m2)
        assert p.size == size  # the duplicate is not logged
    with PersistentTable(path, 4, replica_id=2) as p:
        assert p.read(0) == 7 and not p.receive(m2)


@claims("`SyncTable(256, 64)` is not `Replica(256, 64)`", silent=True)
def test_positional_constructor_arguments() -> None:
    core = atomik_core.SyncTable(256, 64)
    assert (core.num_contexts, core.width) == (256, 64)
    core.put(100, 1)
    r = atomik.Replica(256, 64)
    assert (r.replica_id, r.table.num_contexts, r.table.width) == (256, 64, 64)
    raises(atomik.AddressError, lambda: r.put(100, 1))
    r = atomik.Replica(replica_id=1, num_contexts=256, width=64)
    assert (r.replica_id, r.table.num_contexts) == (1, 256)
    r.put(100, 1)


@claims("Sequence numbers start at 0 and identify a message with its origin", silent=True)
def test_sequence_numbers_and_ids() -> None:
    s = atomik_core.SyncTable(4)
    assert [s.put(0, v).seq for v in (1, 2, 3)] == [1, 2, 3]
    assert not hasattr(s.put(0, 4), "origin")
    core_peer = atomik_core.SyncTable(4)
    for delta in (1, 2):  # two messages with the same seq: both applied
        core_peer.receive(atomik_core.DeltaMessage(addr=0, delta=delta, seq=1))
    assert core_peer.get(0) == 3
    r = atomik.Replica(7, 4)
    msgs = [r.put(0, v) for v in (1, 2, 3)]
    assert [m.seq for m in msgs] == [0, 1, 2]
    assert [m.id for m in msgs] == [(7, 0), (7, 1), (7, 2)]
    # why ids must be unique: a second writer's message under the same id is refused
    a, b = atomik.Replica(1, 4), atomik.Replica(1, 4)
    m = a.put(0, 5)
    b.put(1, 3)  # b's own message (1, 0)
    with pytest.raises(ConflictError):
        b.receive(m)
    assert b.read_all() == [0, 3, 0, 0]


# --------------------------------------------------------------------------- differences that raise
@claims("Values are checked, not masked")
@FAST
@given(st.sampled_from([1, 7, 8, 16, 63, 64]), st.integers(-(2**70), 2**70))
def test_values_are_checked_not_masked(w: int, v: int) -> None:
    fits = 0 <= v < 1 << w
    mask = (1 << w) - 1
    core = atomik_core.AtomikContext(width=w)
    core.accum(v)
    assert core.read() == v & mask
    core_table = atomik_core.AtomikTable(2, width=w)
    core_table.load(0, v)
    assert core_table.read(0) == v & mask
    core_sync = atomik_core.SyncTable(2, width=w)
    core_sync.put(0, v)
    assert core_sync.get(0) == v & mask
    ctx, t = atomik.AtomikContext(width=w), atomik.AtomikTable(2, width=w)
    calls: list[Callable[[], object]] = [
        lambda: ctx.accum(v),
        lambda: ctx.load(v),
        lambda: ctx.swap(v),
        lambda: atomik.AtomikContext(width=w, initial_state=v),
        lambda: t.load(0, v),
        lambda: t.accum(0, v),
        lambda: atomik.Replica(1, 2, w).put(0, v),
    ]
    for call in calls:
        if fits:
            call()
        else:
            raises(atomik.RangeError, call)
            assert isinstance(atomik.RangeError(), ValueError)
    if not fits:
        assert ctx.snapshot() == atomik.AtomikContext(width=w).snapshot()
        assert t == atomik.AtomikTable(2, width=w)
    explicit = atomik.AtomikContext(width=w)
    explicit.accum(v & mask)
    assert explicit.read() == core.read()


@claims("Values are checked, not masked")
def test_bools_floats_and_strings_are_refused() -> None:
    core = atomik_core.AtomikContext(width=8)
    core.accum(True)
    assert core.read() == 1
    core_table = atomik_core.SyncTable(2)
    core_table.put(0, True)
    assert core_table.get(0) == 1
    ctx = atomik.AtomikContext(width=8)
    for bad in (True, 1.0, "1"):
        raises(atomik.AtomikTypeError, lambda bad=bad: ctx.accum(bad))
        raises(atomik.AtomikTypeError, lambda bad=bad: atomik.Replica(1, 2).put(0, bad))
    assert ctx.read() == 0 and ctx.delta_count == 0
    assert issubclass(atomik.AtomikTypeError, TypeError)


@claims("`merge` checks the reference and the width")
def test_merge_checks() -> None:
    rng = random.Random(3)
    for _ in range(50):
        r1, r2, acc1, acc2 = (rng.randrange(256) for _ in range(4))
        ca, cb = atomik_core.AtomikContext(8, r1), atomik_core.AtomikContext(8, r2)
        a, b = atomik.AtomikContext(8, r1), atomik.AtomikContext(8, r2)
        for x, y in ((ca, a), (cb, b)):
            x.accum(acc1 if x is ca else acc2)
            y.accum(acc1 if y is a else acc2)
        ca.merge(cb)
        assert ca.read() == r1 ^ acc1 ^ acc2  # core: other's reference ignored
        if r1 != r2:
            before = a.snapshot()
            raises(atomik.ReferenceMismatchError, lambda a=a, b=b: a.merge(b))
            assert a.snapshot() == before
            a.merge(b, allow_different_reference=True)
        else:
            a.merge(b)
        assert a.snapshot() == ca.snapshot()
    narrow_core, wide_core = atomik_core.AtomikContext(8), atomik_core.AtomikContext(16)
    wide_core.accum(0x1FF)
    narrow_core.merge(wide_core)
    assert narrow_core.read() == 0xFF
    narrow, wide = atomik.AtomikContext(8), atomik.AtomikContext(16)
    wide.accum(0x1FF)
    raises(atomik.WidthError, lambda: narrow.merge(wide))
    raises(atomik.WidthError, lambda: narrow.merge(wide, allow_different_reference=True))
    assert narrow.read() == 0
    narrow.accum(wide.accumulator & ((1 << narrow.width) - 1))
    assert narrow.read() == narrow_core.read()


@claims("Width limits")
def test_width_limits(tmp_path: Path) -> None:
    assert atomik_core.AtomikTable(2, width=128).width == 128
    core = atomik_core.SyncTable(2, width=128)
    m = core.put(0, 1 << 100)
    assert core.get(0) == 1 << 100
    raises(struct.error, m.to_bytes)  # core could not send it
    for w in (65, 128):
        raises(atomik.WidthError, lambda w=w: atomik.AtomikTable(2, width=w))
        raises(atomik.WidthError, lambda w=w: atomik.Replica(1, 2, width=w))
        raises(
            atomik.WidthError,
            lambda w=w: PersistentTable(tmp_path / f"{w}.log", 2, w, replica_id=1),
        )
        assert not (tmp_path / f"{w}.log").exists()
    assert atomik.AtomikTable(2, width=64).width == 64
    for lib in (atomik_core, atomik):
        c = lib.AtomikContext(width=200)
        c.accum(1 << 199)
        assert c.read() == 1 << 199
    msg = atomik.DeltaMessage(origin=1, epoch=0, seq=0, addr=1, width=128, delta=1 << 100)
    assert atomik.decode(msg.encode()) == msg
    big = atomik.DeltaMessage(origin=1, epoch=0, seq=0, addr=0, width=65535, delta=1)
    assert atomik.decode(big.encode()) == big
    raises(atomik.WidthError, lambda: atomik.DeltaMessage(1, 0, 0, 0, 65536, 1))


@claims("`AtomikTable`: constructor, `load`, `batch_accum`")
def test_table_api() -> None:
    core = atomik_core.AtomikTable()
    assert core.num_contexts == 256
    core.load(addr=0, initial_state=5)
    core.batch_accum({0: 1, 3: 2})
    raises(TypeError, lambda: atomik.AtomikTable())  # type: ignore[call-arg]
    t = atomik.AtomikTable(256)
    raises(TypeError, lambda: t.load(addr=0, initial_state=5))  # type: ignore[call-arg]
    raises(AttributeError, lambda: t.batch_accum)  # type: ignore[attr-defined]
    t.load(addr=0, value=5)
    t.accum_batch([0, 3], [1, 2])
    assert [t.read(a) for a in range(256)] == [core.read(a) for a in range(256)]
    t.accum_batch([3, 3], [4, 4])  # duplicates accumulate (a dict cannot hold them)
    assert t.read(3) == 2
    t.rollback(0, 1)
    assert t.read(0) == 5 and len(t) == 256
    assert not hasattr(core, "rollback") and not hasattr(core, "__len__")
    for name in ("rollback", "read_batch", "load_batch", "read_all", "diff", "copy"):
        assert hasattr(t, name) and not hasattr(core, name), name


@claims("`AtomikContext` is not a context manager")
def test_context_manager() -> None:
    core = atomik_core.AtomikContext(initial_state=9)
    with pytest.raises(RuntimeError), core as inside:
        assert inside is core
        core.accum(5)
        raise RuntimeError
    assert (core.read(), core.reference) == (0, 0)  # core: load(0) on exit, even on error
    ctx = atomik.AtomikContext(initial_state=9)
    with pytest.raises(TypeError):
        with ctx:  # type: ignore[attr-defined]
            pass
    assert ctx.read() == 9


@claims("`from_snapshot` validates")
@FAST
@given(st.sampled_from([1, 8, 16, 64, 100]), st.data())
def test_context_snapshots_cross_libraries(w: int, data: st.DataObject) -> None:
    ref, acc = (data.draw(st.integers(0, (1 << w) - 1)) for _ in range(2))
    core = atomik_core.AtomikContext(width=w, initial_state=ref)
    core.accum(acc)
    ctx = atomik.AtomikContext.from_snapshot(core.snapshot())
    assert ctx.snapshot() == core.snapshot()
    assert atomik_core.AtomikContext.from_snapshot(ctx.snapshot()).snapshot() == core.snapshot()
    target = atomik.AtomikContext()
    target.restore(core.snapshot())
    assert target == ctx


@claims("`from_snapshot` validates")
def test_from_snapshot_errors() -> None:
    good = atomik_core.AtomikContext(width=16, initial_state=0x1234).snapshot()
    bad_state = dict(good, state=good["state"] ^ 1)
    assert atomik_core.AtomikContext.from_snapshot(bad_state).read() == good["state"]
    too_wide = dict(good, reference=1 << 20, state=1 << 20)
    assert atomik_core.AtomikContext.from_snapshot(too_wide).reference == 0  # masked
    raises(KeyError, lambda: atomik_core.AtomikContext.from_snapshot({"width": 16}))
    raises(atomik.SnapshotError, lambda: atomik.AtomikContext.from_snapshot(bad_state))
    raises(atomik.RangeError, lambda: atomik.AtomikContext.from_snapshot(too_wide))
    e = raises(atomik.SnapshotError, lambda: atomik.AtomikContext.from_snapshot({"width": 16}))
    assert isinstance(e, ValueError) and not isinstance(e, KeyError)
    ctx = atomik.AtomikContext(width=16, initial_state=7)
    raises(atomik.SnapshotError, lambda: ctx.restore(bad_state))
    assert ctx.read() == 7


@claims("`Fingerprint`: no width, `update_chunk` for `accumulate_delta`")
@FAST
@given(st.binary(max_size=200))
def test_fingerprint_values_and_folding(data: bytes) -> None:
    assert atomik_core.Fingerprint().load(data) == atomik.Fingerprint().load(data)
    assert fingerprint(data) == atomik_core.Fingerprint(64).load(data)
    fp = fingerprint(data)
    for w in (8, 16, 32):
        folded = 0
        for i in range(0, 64, w):
            folded ^= (fp >> i) & ((1 << w) - 1)
        assert folded == atomik_core.Fingerprint(w).load(data)


@claims("`Fingerprint`: no width, `update_chunk` for `accumulate_delta`")
@FAST
@given(st.binary(min_size=1, max_size=64), st.data())
def test_update_chunk_for_accumulate_delta(data: bytes, draw: st.DataObject) -> None:
    index = draw.draw(st.integers(0, (len(data) - 1) // 8))
    new_chunk = draw.draw(st.binary(min_size=8, max_size=8))
    old_chunk = data[8 * index : 8 * index + 8]
    changed = data[: 8 * index] + new_chunk + data[8 * index + 8 :]
    core, fp = atomik_core.Fingerprint(), atomik.Fingerprint()
    core.load(data)
    fp.load(data)
    core.accumulate_delta(int.from_bytes(old_chunk, "little"), int.from_bytes(new_chunk, "little"))
    assert fp.update_chunk(index, old_chunk, new_chunk) == core.value == fingerprint(changed)
    assert fp.changed == core.changed
    nchunks = (len(data) + 7) // 8
    raises(atomik.AddressError, lambda: fp.update_chunk(nchunks, 0, 1))


@claims("`Fingerprint`: no width, `update_chunk` for `accumulate_delta`")
def test_fingerprint_constructor_and_unloaded_update() -> None:
    raises(TypeError, lambda: atomik.Fingerprint(64))  # type: ignore[call-arg]
    raises(TypeError, lambda: atomik.Fingerprint(width=64))  # type: ignore[call-arg]
    core = atomik_core.Fingerprint()
    core.accumulate_delta(1, 3)  # core: no buffer needed
    assert core.changed and core.value == 2
    fp = atomik.Fingerprint()
    raises(atomik.AddressError, lambda: fp.update_chunk(0, 1, 3))
    assert not fp.changed and fp.value == 0
    assert not hasattr(fp, "accumulate_delta")


@claims("`DeltaMessage`: other fields, another wire format")
def test_delta_message_fields_and_bytes() -> None:
    old = atomik_core.DeltaMessage(3, 0xFF)  # positional: addr, delta
    assert (old.addr, old.delta, old.epoch, old.seq) == (3, 0xFF, 0, 0)
    raises(TypeError, lambda: atomik.DeltaMessage(3, 0xFF))  # type: ignore[call-arg]
    raises(TypeError, lambda: atomik.DeltaMessage(addr=3, delta=0xFF, seq=1))  # type: ignore[call-arg]
    old = atomik_core.DeltaMessage(addr=3, delta=0xFF, epoch=5, seq=1)
    assert old.to_bytes() == struct.pack("!IQI", 3, 0xFF, 1)
    assert atomik_core.DeltaMessage.from_bytes(old.to_bytes()).epoch == 0
    assert old.to_dict() == {"addr": 3, "delta": 0xFF, "seq": 1}
    m = atomik.DeltaMessage(origin=1, epoch=5, seq=1, addr=3, width=64, delta=0xFF)
    frame = m.encode()
    assert len(frame) == atomik.frame_size(64) == 37
    assert atomik.decode(frame) == m and atomik.encode(m) == frame
    d = dataclasses.asdict(m)
    assert d == {"origin": 1, "epoch": 5, "seq": 1, "addr": 3, "width": 64, "delta": 0xFF}
    assert atomik.DeltaMessage(**d) == m
    assert not hasattr(m, "to_dict") and not hasattr(m, "to_bytes")
    raises(atomik.FrameError, lambda: atomik.decode(old.to_bytes()))
    for i in range(len(frame)):  # every byte is covered by the CRC32C (or checked itself)
        damaged = bytearray(frame)
        damaged[i] ^= 0x01
        raises(atomik.FrameError, lambda damaged=damaged: atomik.decode(bytes(damaged)))
    raises(ValueError, lambda: atomik_core.DeltaMessage.from_bytes(frame))
    raises(atomik.RangeError, lambda: atomik.DeltaMessage(1, 0, 0, 3, 8, 0x100))


@claims("`SyncTable` → `Replica`")
def test_synctable_to_replica() -> None:
    core, sent_core = atomik_core.SyncTable(4), []
    core.on_delta(sent_core.append)
    core_msg = core.put(1, 9)
    assert sent_core == [core_msg] and core.get(1) == 9
    core_snap = core.snapshot()
    assert core_snap == {0: 0, 1: 9, 2: 0, 3: 0}
    assert atomik_core.SyncTable.from_snapshot({1: 9}).num_contexts == 2  # sized by the keys
    r = atomik.Replica(1, 4)
    for name in ("get", "on_delta", "snapshot", "from_snapshot", "diff", "__len__"):
        assert not hasattr(r, name), name
    m = r.put(1, 9)
    assert r.read(1) == 9 and dict(enumerate(r.read_all())) == core_snap
    restored = atomik.Replica.from_table(
        2, atomik.AtomikTable.restore({"width": 64, "num_contexts": 4, "entries": core_snap})
    )
    assert restored.same_state(r) and restored.replica_id == 2
    empty_core, empty = atomik_core.SyncTable(4), atomik.Replica(3, 4)
    assert core.diff(empty_core) == [1]
    d = r.table.diff(empty.table)
    assert d == {1: 9} and list(d) == core.diff(empty_core) and d != []
    assert r.table.diff(r.table) == {} and r.table.diff(r.table) != []
    assert r.table.num_contexts == len(core) == core.num_contexts
    assert list(core) == list(range(r.table.num_contexts)) and 3 in core and 4 not in core
    for name in ("digest", "missing_for", "sync_with", "prune"):
        assert hasattr(r, name) and not hasattr(core, name), name
    assert r.table.width == core.width
    # receive: returns whether it applied; refuses another epoch, width or address
    other_epoch = atomik.Replica(4, 4, epoch=1)
    raises(atomik.EpochError, lambda: other_epoch.receive(m))
    raises(atomik.WidthError, lambda: atomik.Replica(5, 4, width=32).receive(m))
    raises(atomik.AddressError, lambda: atomik.Replica(6, 1).receive(m))
    assert other_epoch.read(1) == 0
    core_peer = atomik_core.SyncTable(4)
    assert core_peer.receive(atomik_core.DeltaMessage(addr=1, delta=9, epoch=7)) is None
    assert core_peer.get(1) == 9  # core ignored the epoch


@claims("`PersistentSyncTable` → `PersistentTable`")
def test_persistent_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_path, new_path = tmp_path / "state.wal", tmp_path / "state.atomik"
    with atomik_core.PersistentSyncTable(8, path=old_path) as old:
        for addr in range(8):
            old.put(addr, addr * 1000 + 1)
    content = old_path.read_bytes()
    raises(LogCorruptionError, lambda: PersistentTable(old_path, 8, replica_id=1))
    assert old_path.read_bytes() == content  # refused, not modified
    raises(TypeError, lambda: PersistentTable(new_path, 8))  # type: ignore[call-arg]
    # convert once
    old = atomik_core.PersistentSyncTable(8, path=old_path)
    with PersistentTable(new_path, 8, replica_id=1) as new:
        for addr in range(old.num_contexts):
            if old.get(addr):
                new.put(addr, old.get(addr))
    with PersistentTable(new_path, 8, replica_id=1) as table:
        assert table.read_all() == [old.get(a) for a in range(8)]
        raises(LogLockedError, lambda: PersistentTable(new_path, 8, replica_id=1))
        assert table.compact() >= 0
    # fsync: core never fsynced a record, atomik's default fsyncs every one
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd))[1])
    with atomik_core.PersistentSyncTable(8, path=tmp_path / "f.wal") as f:
        for v in range(1, 4):
            f.put(0, v)
        assert calls == []
        f.compact()
        assert len(calls) == 1  # only compaction fsyncs
    with PersistentTable(tmp_path / "f.log", 8, replica_id=1) as f:
        calls.clear()
        for v in range(1, 4):
            f.put(0, v)
            assert f.durable_size == f.size
        assert len(calls) >= 3
    with PersistentTable(tmp_path / "g.log", 8, fsync="close", replica_id=1) as f:
        calls.clear()
        for v in range(1, 4):
            f.put(0, v)
        assert calls == [] and f.durable_size < f.size
        f.flush()
        assert f.durable_size == f.size
    # core let a second object open the same log and write
    second = atomik_core.PersistentSyncTable(8, path=old_path)
    second.put(0, 5)
    second.close()
    old.close()


@claims("Transports")
def test_transports() -> None:
    hub, x, y = atomik_core.MemoryTransport(), atomik_core.SyncTable(4), atomik_core.SyncTable(4)
    hub.connect(x)
    hub.connect(y)
    x.put(0, 7)
    assert y.get(0) == 7  # relayed inside put
    frames: list[bytes] = []
    atomik_core.CallbackTransport(atomik_core.SyncTable(4), send_fn=frames.append)
    ihub = InProcessHub()
    a, b = atomik.Replica(1, 4), atomik.Replica(2, 4)
    ea, eb = ihub.endpoint("a"), ihub.endpoint("b")
    assert publish(ea, [a.put(0, 7), a.put(1, 2)]) == 2
    assert b.read(0) == 0
    result = pump(b, eb)
    assert (result.applied, b.read(0), b.read(1)) == (2, 7, 2)
    ea.send(b"\x00 not a frame")
    result = pump(b, eb)
    assert result.applied == 0 and len(result.dead_letters) == 1
    assert isinstance(result.dead_letters[0].error, atomik.FrameError)
    other_epoch = atomik.Replica(3, 4, epoch=9)
    publish(ea, [other_epoch.put(3, 1)])
    result = pump(b, eb)
    assert result.applied == 0 and b.read(3) == 0
    assert [type(d.error) for d in result.dead_letters] == [atomik.EpochError]
    ea.send(a.messages()[0].encode())  # a frame delivered again: applied once only
    result = pump(b, eb)
    assert (result.applied, result.duplicates, b.read(0)) == (0, 1, 7)
    for name in ("send", "peek", "advance"):
        assert callable(getattr(transport.RedisStreamsTransport, name))
    wire = [a.put(2, 3).encode()]
    for frame in wire:
        b.receive(atomik.decode(frame))
    assert b.read(2) == 3
    for name in (
        "MemoryTransport",
        "CallbackTransport",
        "AsyncSyncTable",
        "AsyncCallbackTransport",
    ):
        assert not hasattr(atomik, name) and not hasattr(transport, name)
    assert not [n for n in dir(transport) if n.lower().startswith("async")]


@claims("`DeltaStream`")
def test_delta_stream() -> None:
    sender, receiver = atomik_core.DeltaStream(), atomik_core.DeltaStream()
    sender.load(0, 0xCAFE)
    assert sender.pending() == []  # a load is not a message
    sender.accum(addr=0, delta=0x00FF)
    pending = sender.pending()
    assert len(pending) == 1 and sender.pending() == []
    assert pending[0].epoch == 1  # the load bumped the epoch later messages carry
    for msg in pending:
        receiver.apply(msg)
        receiver.apply(msg)
    assert receiver.read(0) == 0 and receiver.read(10**6) == 0
    s, r = atomik.Replica(1, 16), atomik.Replica(2, 16)
    queue = [s.put(0, 0xCAFE), s.accum(0, 0x00FF)]
    for msg in queue:
        r.receive(msg)
        r.receive(msg)
    assert r.read(0) == s.read(0) == 0xCAFE ^ 0x00FF
    raises(atomik.AddressError, lambda: r.read(16))
    assert not hasattr(atomik, "DeltaStream")


@claims("Errors raised")
def test_errors_raised() -> None:
    cases: list[tuple[Callable[[], object], type[BaseException], Callable[[], object], type]] = [
        (
            lambda: atomik_core.AtomikTable(4).read(4),
            IndexError,
            lambda: atomik.AtomikTable(4).read(4),
            atomik.AddressError,
        ),
        (
            lambda: atomik_core.AtomikTable(4).accum(-1, 1),
            IndexError,
            lambda: atomik.AtomikTable(4).accum(-1, 1),
            atomik.AddressError,
        ),
        (
            lambda: atomik_core.AtomikContext(0),
            ValueError,
            lambda: atomik.AtomikContext(0),
            atomik.WidthError,
        ),
        (
            lambda: atomik_core.AtomikTable(0),
            ValueError,
            lambda: atomik.AtomikTable(0),
            atomik.RangeError,
        ),
        (
            lambda: atomik_core.AtomikContext().accum(1.5),
            TypeError,
            lambda: atomik.AtomikContext().accum(1.5),
            atomik.AtomikTypeError,
        ),
        (
            lambda: atomik_core.AtomikContext.from_snapshot({}),
            KeyError,
            lambda: atomik.AtomikContext.from_snapshot({}),
            atomik.SnapshotError,
        ),
        (
            lambda: atomik_core.DeltaMessage.from_bytes(b"\x00" * 15),
            ValueError,
            lambda: atomik.decode(b"\x00" * 15),
            atomik.FrameError,
        ),
        (
            lambda: atomik_core.DeltaMessage(0, 1 << 64).to_bytes(),
            struct.error,
            lambda: atomik.DeltaMessage(0, 0, 0, 0, 64, 1 << 64),
            atomik.RangeError,
        ),
    ]
    for core_call, core_error, atomik_call, atomik_error in cases:
        core_e = raises(core_error, core_call)
        e = raises(atomik_error, atomik_call)
        assert isinstance(e, atomik.AtomikError)
        if core_error in (IndexError, ValueError, TypeError):
            assert isinstance(e, core_error), (atomik_error, core_error)  # `except` still works
        else:
            assert not isinstance(e, type(core_e)), (atomik_error, core_error)
    # masked by core, refused by atomik
    c = atomik_core.AtomikContext(8)
    c.accum(0x100)
    assert c.read() == 0
    assert isinstance(
        raises(atomik.RangeError, lambda: atomik.AtomikContext(8).accum(0x100)), ValueError
    )


# --------------------------------------------------------------------------- what stays the same
@claims(SAME)
def test_the_context_operations_agree() -> None:
    rng = random.Random(11)
    for _ in range(60):
        w = rng.choice([1, 8, 16, 64, 100])
        init = rng.randrange(1 << w)
        core, ctx = atomik_core.AtomikContext(w, init), atomik.AtomikContext(w, init)
        for _ in range(rng.randint(0, 15)):
            op, v = (
                rng.choice(["load", "accum", "rollback", "swap", "swap_to"]),
                rng.randrange(1 << w),
            )
            results = []
            for c in (core, ctx):
                if op == "swap":
                    results.append(c.swap())
                elif op == "swap_to":
                    results.append(c.swap(v))
                else:
                    results.append(getattr(c, op)(v))
            assert results[0] == results[1]
            assert core.snapshot() == ctx.snapshot()
            assert (core.is_clean, core.reference, core.accumulator) == (
                ctx.is_clean,
                ctx.reference,
                ctx.accumulator,
            )
    for lib in (atomik_core, atomik):  # rollback(1) is not "undo one step"
        c = lib.AtomikContext(width=16)
        c.accum(0x00F0)
        c.rollback(1)
        assert c.read() == 0x00F1


@claims(SAME)
def test_the_table_operations_agree() -> None:
    rng = random.Random(13)
    for _ in range(40):
        n, w = rng.randint(1, 6), rng.choice([1, 8, 32, 64])
        core, t = atomik_core.AtomikTable(n, w), atomik.AtomikTable(n, w)
        for _ in range(rng.randint(0, 20)):
            op, addr, v = (
                rng.choice(["load", "accum", "swap", "swap_to"]),
                rng.randrange(n),
                rng.randrange(1 << w),
            )
            if op == "swap":
                assert core.swap(addr) == t.swap(addr)
            elif op == "swap_to":
                assert core.swap(addr, v) == t.swap(addr, v)
            else:
                getattr(core, op)(addr, v)
                getattr(t, op)(addr, v)
            assert [core.read(a) for a in range(n)] == t.read_all().tolist()
            ctx = t.context(addr)
            assert (core.context(addr).reference, core.context(addr).accumulator) == (
                ctx.reference,
                ctx.accumulator,
            )


@claims(SAME)
@FAST
@given(st.lists(st.binary(max_size=30), min_size=1, max_size=6))
def test_fingerprint_load_and_update_agree(buffers: list[bytes]) -> None:
    core, fp = atomik_core.Fingerprint(), atomik.Fingerprint()
    assert core.load(buffers[0]) == fp.load(buffers[0])
    for b in buffers[1:]:
        assert core.update(b) == fp.update(b)
        assert (core.value, core.delta, core.changed) == (fp.value, fp.delta, fp.changed)


@claims(SAME)
def test_put_sends_the_same_delta() -> None:
    rng = random.Random(5)
    core, r = atomik_core.SyncTable(4), atomik.Replica(1, 4)
    for _ in range(50):
        addr, v = rng.randrange(4), rng.randrange(1 << 64)
        old = r.read(addr)
        cm, m = core.put(addr, v), r.put(addr, v)
        assert cm.delta == m.delta == atomik.compute_delta(old, v) == old ^ v
        assert core.get(addr) == r.read(addr) == v
    assert not hasattr(atomik_core, "compute_delta")


def test_no_test_is_left_unregistered() -> None:
    """A test of a difference that names no section would not keep the guide honest."""
    helpers = {
        "test_every_difference_in_the_guide_has_a_test_and_every_test_a_section",
        "test_the_silent_differences_come_first_and_every_section_has_code",
        "test_every_python_block_of_the_guide_runs",
        "test_a_failing_block_would_fail",
        "test_the_names_table_resolves_in_both_libraries",
        "test_the_names_table_covers_every_public_name_of_atomik_core",
        "test_the_guide_helpers_read_what_they_should",
        "test_no_test_is_left_unregistered",
    }
    registered = {n for names in CLAIMS.values() for n in names}
    tests = {n for n in globals() if n.startswith("test_")}
    assert tests - registered == helpers, sorted(tests - registered - helpers)
    assert os.path.exists(GUIDE)
