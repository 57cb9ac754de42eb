"""Mutation check: plant small bugs in a copy of ``python/atomik`` and show which theorem-linked
checks catch each one. Every mutant must be caught.

For each mutant the package is copied to a temporary folder, one source edit is applied (an edit
inside a numba kernel changes its pure twin too: the twin *is* the kernel's Python source), and
the harness runs twice in subprocesses with ``PYTHONPATH`` pointing at the copy: once against the
compiled code and once with ``NUMBA_DISABLE_JIT=1`` (the pure twins). A mutant is caught when at
least one theorem's check fails in a run; the report names those theorems.

``python -m atomik.conformance.mutants [--fast] [--examples N] [--out reports]`` writes
``reports/mutants.md`` and ``reports/mutants.json`` (read by the coverage report for
``mutation_score``) and exits 1 if any mutant survives.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atomik import __version__

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    """One planted bug: replace ``old`` by ``new`` (first occurrence) in ``file``."""

    name: str
    file: str  # relative to python/atomik
    old: str
    new: str
    what: str
    # fast mode: the checks of these modules' theorems run first (for a shared
    # kernel, the module whose operations call it; otherwise the file's module, FILE_MODULE)
    first: tuple[str, ...] = ()


# The replica's file, relative to python/atomik (most mutants plant their bug there).
REPLICA = "replication/replica.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant("compose-xor-to-or", "delta.py",
           "return check_value(a, w, names[0]) ^ check_value(b, w, names[1])",
           "return check_value(a, w, names[0]) | check_value(b, w, names[1])",
           "compose/compute_delta/apply_delta on ints use OR instead of XOR"),
    Mutant("kernel-xor-reduce-or", "kernels.py", "        acc ^= arr[i]\n",
           "        acc |= arr[i]\n", "numba xor_reduce (and its twin) uses OR"),
    Mutant("kernel-rows-overwrite", "kernels.py", "out[j] ^= mat[i, j]", "out[j] = mat[i, j]",
           "wide-delta kernel xor_reduce_rows keeps only the last row"),
    Mutant("words-off-by-one-width", "_check.py", "out |= int(w) << (64 * i)",
           "out |= int(w) << (63 * i)",
           "off-by-one word width when joining 64-bit words into a wide value"),
    Mutant("kernel-scatter-set", "kernels.py", "        table[addrs[i]] ^= deltas[i]\n",
           "        table[addrs[i]] = deltas[i]\n",
           "scatter-XOR kernel of accum_batch overwrites instead of XORing",
           first=("Atomik.Table",)),
    Mutant("skip-dedup", "replication/replica.py",
           "        if s <= w or (ahead is not None and s in ahead):\n            return self._dup",
           "        if False:\n            return self._dup",
           "Replica.receive applies every message, duplicates included"),
    Mutant("dedup-watermark-off-by-one", REPLICA, "if s <= w or (ahead is not None",
           "if s < w or (ahead is not None",
           "the message at the watermark is not recognised as seen"),
    Mutant("rollback-noop", "context.py",
           "Lean: ``Context.rollback``.\n        \"\"\"\n        if type(delta)",
           "Lean: ``Context.rollback``.\n        \"\"\"\n        return None\n"
           "        if type(delta)",
           "AtomikContext.rollback does nothing"),
    Mutant("swap-keeps-accumulator", "context.py",
           "self._reference = current if new is None else new\n        self._accumulator = 0",
           "self._reference = current if new is None else new",
           "AtomikContext.swap moves the state into the reference but keeps the accumulator"),
    Mutant("load-keeps-accumulator", "context.py",
           "        self._reference = value\n        self._accumulator = 0",
           "        self._reference = value",
           "AtomikContext.load does not clear the accumulator"),
    Mutant("merge-ignores-other", "context.py", "self._accumulator ^= other._accumulator",
           "self._accumulator ^= 0", "AtomikContext.merge drops the other accumulator"),
    Mutant("accum-many-drops-last", "context.py", "total = int(kernels().xor_reduce(deltas))",
           "total = int(kernels().xor_reduce(deltas[:-1]))",
           "accum_many (kernel path) ignores the last delta"),
    Mutant("replay-skips-first", "context.py", "for i, d in enumerate(deltas):\n        state",
           "for i, d in enumerate(list(deltas)[1:]):\n        state",
           "the O(n) replay baseline skips the first delta"),
    Mutant("table-accum-wrong-address", "table.py",
           "        self._accv[addr] ^= delta\n\n    def read",
           "        self._accv[(addr + 1) % self._n] ^= delta\n\n    def read",
           "AtomikTable.accum writes the next address"),
    Mutant("diff-compares-references", "table.py", "d = self.read_all() ^ other.read_all()",
           "d = self._ref ^ other._ref",
           "AtomikTable.diff compares references instead of states (ignores accumulators)"),
    Mutant("load-batch-keeps-accumulator", "table.py",
           "kernels().scatter_set(self._ref, a, v)\n        self._acc[a] = 0",
           "kernels().scatter_set(self._ref, a, v)",
           "AtomikTable.load_batch sets the references but keeps the accumulators"),
    Mutant("fingerprint-skips-tail", "fingerprint.py",
           "acc ^= int.from_bytes(mv[full:], \"little\")", "acc ^= 0",
           "fingerprint ignores the zero-padded tail chunk"),
    Mutant("update-chunk-ignores-old", "fingerprint.py",
           "return check_value(fp, w, \"fp\") ^ check_value(old, w, \"old\") ^ "
           "check_value(new, w, \"new\")",
           "return check_value(fp, w, \"fp\") ^ check_value(new, w, \"new\")",
           "update_chunk does not remove the old chunk"),
    Mutant("replica-window-off-by-one", "replication/replica.py",
           "if m.seq - water > self._max_pending and not self.seen(m.origin, m.seq):",
           "if m.seq - water >= self._max_pending and not self.seen(m.origin, m.seq):",
           "the window refuses the message max_pending past the watermark (so with max_pending=1 "
           "even the next seq)"),
    Mutant("replica-epoch-unchecked", REPLICA, "        if m.epoch != self._epoch:\n",
           "        if False:\n", "Replica.check accepts messages of another epoch"),
    Mutant("replica-watermark-no-advance", REPLICA, "            while w + 1 in ahead:\n",
           "            while False:\n",
           "_mark does not move the watermark over the out-of-order set when the gap fills"),
    Mutant("replica-own-seq-not-bumped", "replication/replica.py",
           "if msg.origin == self._id and msg.seq >= self._next_seq:",
           "if False and msg.origin == self._id and msg.seq >= self._next_seq:",
           "receiving its own message back does not move next_seq past it (ids get reused)"),
    Mutant("replica-prune-empty-allowed", REPLICA, "        if not ds:\n            raise",
           "        if False:\n            raise", "prune([]) forgets every stored message"),
    Mutant("replica-prune-other-epoch-covers", "replication/replica.py",
           "if any(d.epoch != self._epoch for d in ds):",
           "if False and any(d.epoch != self._epoch for d in ds):",
           "prune lets a digest of another epoch cover this epoch's messages"),
    Mutant("replica-batch-stops-at-bad", "replication/replica.py",
           "                bad.append((m, e))\n                continue\n",
           "                bad.append((m, e))\n                break\n",
           "receive_all stops at the first rejected message (the rest of the batch is lost)"),
    Mutant("replica-batch-unsorted", REPLICA, "        batch.sort(key=_msg_order)\n", "",
           "receive_all receives a batch in arrival order (a gapless batch can trip the window)"),
    Mutant("truncate-off-by-one", "eventlog.py",
           "dropped = s.offset - self._base.offset", "dropped = s.offset - self._base.offset + 1",
           "EventLog.truncate drops one event too many"),
    Mutant("eventlog-replay-ignores-base", "eventlog.py",
           "        if base:  # the truncated events, already folded, count as one delta\n"
           "            out.accum(base)",
           "        if False:\n            out.accum(base)",
           "EventLog.replay forgets the truncated events (replays the kept ones only)"),
    Mutant("eventlog-snapshot-context-without-base", "eventlog.py",
           "        prefix._base = self._base\n",
           "        prefix._base = LogSnapshot(self._base.offset, {})\n",
           "EventLog.snapshot_context starts from an empty base after a truncation"),
    Mutant("eventlog-truncate-keeps-old-base", "eventlog.py",
           "        self._base = LogSnapshot(s.offset, MappingProxyType(dict(s.accumulators)))",
           "        self._base = LogSnapshot(s.offset, self._base.accumulators)",
           "EventLog.truncate drops events without folding them into the base"),
    Mutant("eventlog-fold-at-ignores-base", "eventlog.py",
           '            return self._base.accumulators.get(check_count(addr, "addr"), 0)',
           "            return 0",
           "EventLog.fold(addr) and replay(ctx, addr) ignore the truncated events"),
    Mutant("hybrid-resume-skips-one", "replication/hybrid.py",
           "        start = self.position + 1\n", "        start = self.position + 2\n",
           "the hybrid's projection resumes one position past the one after its logged position "
           "(skips an event)"),
    Mutant("hybrid-record-id-not-position", "replication/hybrid.py",
           "DeltaMessage(self._rid, self._epoch, p - 1, addr, self._width, delta)",
           "DeltaMessage(self._rid, self._epoch, self._projected, addr, self._width, delta)",
           "the projection's record id is a per-process counter, not the event's position: after "
           "a restart new events reuse logged ids and are dropped as duplicates"),
    Mutant("hybrid-snapshot-off-by-one", "replication/hybrid.py",
           "            for _, a, d, _ in self.records(1, off):\n",
           "            for _, a, d, _ in self.records(1, off + 1):\n",
           "StoreLog.snapshot (time travel) folds one event too many"),
    Mutant("table-snapshot-folds-pairs", "table.py",
           "\"entries\": {int(i): (int(self._ref[i]), int(self._acc[i])) for i in nz}",
           "\"entries\": {int(i): (int(self._ref[i] ^ self._acc[i]), 0) for i in nz}",
           "AtomikTable.snapshot records (state, 0) instead of (reference, accumulator): reads "
           "survive a restore, the pairs do not"),
    Mutant("table-snapshot-skips-zero-reference", "table.py",
           "nz = np.flatnonzero(self._ref | self._acc)", "nz = np.flatnonzero(self._ref)",
           "AtomikTable.snapshot omits addresses whose reference is zero but accumulator is not"),
    Mutant("swap-ignores-argument", "context.py",
           "self._reference = current if new is None else new", "self._reference = current",
           "AtomikContext.swap(new_reference) ignores its argument"),
    Mutant("table-swap-ignores-argument", "table.py",
           "self._ref[a] = current if new is None else new", "self._ref[a] = current",
           "AtomikTable.swap(addr, new_reference) ignores its argument"),
    Mutant("accum-many-list-miscounts", "context.py", "                n += 1\n",
           "                n += 1 if d else 0\n",
           "accum_many of a list does not count zero deltas in delta_count"),
    Mutant("value-boundary-accepts-2-pow-w", "_check.py", "    if v < 0 or v >> width:",
           "    if v < 0 or v > (1 << width):",
           "check_value accepts 2**w (one past the largest value of the width)"),
    Mutant("array-check-skipped-at-63", "_check.py", "    if width >= 64 or arr.size == 0:",
           "    if width >= 63 or arr.size == 0:",
           "the 1-D uint64 array range check is skipped at width 63"),
    Mutant("words-for-off-by-one", "_check.py", "    return (width + 63) // 64",
           "    return (width + 64) // 64",
           "words_for counts one word too many at every multiple of 64"),
    Mutant("address-boundary-accepts-size", "_check.py", "    if not 0 <= a < size:",
           "    if not 0 <= a <= size:",
           "check_addr accepts the address equal to the table size"),
    Mutant("wire-crc-wrong-range", "wire.py", "    if crc32c(mv) != _RESIDUE:",
           "    if crc32c(mv[3:]) != _RESIDUE:",
           "the decoder's CRC32C skips the magic, version and kind bytes"),
    Mutant("wire-delta-range-check-dropped", "wire.py", "    if delta >> width:\n",
           "    if delta >> (8 * n):\n",
           "the decoder accepts delta bits above the width in the last byte (non-canonical)"),
    Mutant("wire-length-check-lax", "wire.py", "    if mv.nbytes != expected:\n",
           "    if mv.nbytes < expected:\n",
           "the single-message decoder accepts trailing bytes after the frame"),
    Mutant("wire-delta-big-endian", "wire.py",
           "_delta_bytes(m.width), \"little\"\n", "_delta_bytes(m.width), \"big\"\n",
           "records carry the delta bytes big-endian (the decoder reads little-endian)"),
    Mutant("wire-fast-path-skips-crc", "wire.py",
           "                and _CRC32C(data) == _RESIDUE  # else",
           "                and True  # else",
           "the width-64 fast path of decode accepts a frame without checking its CRC32C"),
    Mutant("rows-top-word-unmasked", "_check.py", "if top_bits < 64 and mat.shape[0]:",
           "if False and top_bits < 64 and mat.shape[0]:",
           "wide rows with bits above the width in the top word are accepted"),
    Mutant("replica-receive-window-off-by-one", "replication/replica.py",
           "        if s - w > self._max_pending:\n            raise self._window_error(msg, w)",
           "        if s - w >= self._max_pending:\n            raise self._window_error(msg, w)",
           "the receive fast path refuses the message max_pending past the watermark"),
    Mutant("replica-conflict-silent", REPLICA,
           "if first is not None and (first.addr != msg.addr or first.delta != msg.delta):\n",
           "if False:\n",
           "receive/receive_all drop a seen id with another content as a silent duplicate"),
    Mutant("ingest-conflict-silent", "replication/ingest.py",
           "    if dup.size:  # a duplicate must equal",
           "    if False:  # a duplicate must equal",
           "ingest drops a seen id with another content as a silent duplicate"),
    Mutant("ingest-no-watermark-dedup", "kernels.py",
           "if full or s < nxt or (ai < a1 and ahead[ai] == s):",
           "if full or (ai < a1 and ahead[ai] == s):",
           "the batch-ingest kernel does not skip messages under the watermark",
           first=("Atomik.ReplicaImpl",)),
    Mutant("ingest-no-copy-dedup", "kernels.py",
           "            elif i > run_start[r] and seq[i - 1] == s:\n",
           "            elif False:\n",
           "the batch-ingest kernel applies a second copy of an out-of-order message again",
           first=("Atomik.ReplicaImpl",)),
    Mutant("sparse-trailing-bytes-accepted", "delta.py", "        if mv.nbytes != expected:\n",
           "        if mv.nbytes < expected:\n",
           "the sparse-delta decoder accepts bytes after the last entry"),
    Mutant("sparse-zero-word-accepted", "delta.py", "        if w == 0:\n",
           "        if w == 0 and exc is not FrameFieldError:\n",
           "the sparse-delta decoder accepts a stored zero word (the constructor refuses it)"),
    Mutant("digest-ahead-at-mark-accepted", "replication/digest.py", "            low = w + 1\n",
           "            low = w\n",
           "Digest.decode accepts an ahead seq equal to watermark + 1 (not canonical)",
           first=("Atomik.Wire",)),
    Mutant("digest-unsorted-ahead-accepted", "replication/digest.py", "                low = s\n",
           "                low = min(low, s)\n",
           "Digest.decode accepts repeated or unsorted ahead seqs",
           first=("Atomik.Wire",)),
    Mutant("digest-trailing-bytes-accepted", "replication/digest.py", "        if off != end:\n",
           "        if off > end:\n",
           "Digest.decode accepts bytes after the last origin",
           first=("Atomik.Wire",)),
    Mutant("decode-any-wrong-kind-byte", "wire.py", "if mv.nbytes >= 3 and mv[2] == KIND_BATCH:",
           "if mv.nbytes >= 3 and mv[1] == KIND_BATCH:",
           "decode_any reads the version byte as the kind (every batch frame goes to decode)"),
    Mutant("batch-columns-length-unchecked", "table.py", "        if a.shape[0] != v.shape[0]:\n",
           "        if False:\n",
           "accum_batch does not compare the lengths of its two columns",
           first=("Atomik.Boundary",)),
    Mutant("sparse-to-dense-uncut", "delta.py", "        return arr.tobytes()[: self.length]\n",
           "        return arr.tobytes()\n",
           "SparseDelta.to_dense returns whole words (the last one not cut to the state)",
           first=("Atomik.Wire",)),
    Mutant("sparse-apply-last-word-uncut", "delta.py",
           '        chunk = w.to_bytes(8, "little")[: delta.length - start]\n',
           '        chunk = w.to_bytes(8, "little")\n',
           "apply_sparse writes the last word's 8 bytes past the end of a partial last word",
           first=("Atomik.Wire",)),
    Mutant("sparse-from-dense-drops-last-word", "delta.py",
           "        nz = np.flatnonzero(words)\n", "        nz = np.flatnonzero(words[:-1])\n",
           "SparseDelta.from_dense never stores the last word",
           first=("Atomik.Wire",)),
    Mutant("sparse-from-dense-array-drops-last-word", "delta.py",
           "        return delta, delta.size * 8\n", "        return delta[:-1], delta.size * 8\n",
           "SparseDelta.from_dense on a uint64 array drops its last word (the length kept)",
           first=("Atomik.Wire",)),
    Mutant("batch-count-off-by-one", "wire.py", "    for i in range(count):\n",
           "    for i in range(count - 1):\n",
           "decode_batch reads one record fewer than the count field says",
           first=("Atomik.Wire",)),
    Mutant("lww-keeps-equal-stamp", "replication/lww.py",
           "        if write.stamp <= self._stamps[a]:\n",
           "        if write.stamp < self._stamps[a]:\n",
           "LWWRegisters.receive keeps a write whose stamp equals the stored one (a duplicate "
           "reports kept)"),
    Mutant("lww-receive-clock-not-past", "replication/lww.py",
           "        self._clock = max(self._clock, write.clock + 1)\n",
           "        self._clock = max(self._clock, write.clock)\n",
           "LWWRegisters.receive moves the clock to the write's clock, not past it"),
    Mutant("lww-put-not-past-stored", "replication/lww.py",
           "        self._clock = max(self._clock, self._stamps[a][0] + 1)\n", "",
           "LWWRegisters.put stamps with the clock without raising it past the stored stamp"),
)


def apply(mutant: Mutant, pkg: Path) -> None:
    """Apply ``mutant`` to the package copy at ``pkg`` (raises if its source line is gone)."""
    path = pkg / mutant.file
    src = path.read_text(encoding="utf-8")
    if mutant.old not in src:
        raise LookupError(f"mutant {mutant.name}: {mutant.file} no longer contains {mutant.old!r}")
    path.write_text(src.replace(mutant.old, mutant.new, 1), encoding="utf-8")


def _prepare(mutant: Mutant, base: Path) -> Path:
    """A folder holding ``atomik/`` (mutated copy) with ``atomik/conformance`` linked in."""
    folder = base / mutant.name
    pkg = folder / "atomik"
    shutil.copytree(ROOT / "python" / "atomik", pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    (pkg / "conformance").symlink_to(ROOT / "conformance", target_is_directory=True)
    apply(mutant, pkg)
    return folder


# The Lean module whose theorems speak of each file's operations: in fast mode their checks run
# first. Files of shared helpers (kernels, validation) have none: every check may catch them.
FILE_MODULE: dict[str, tuple[str, ...]] = {
    "delta.py": ("Atomik.Delta", "Atomik.Wire"), "context.py": ("Atomik.Context",),
    "table.py": ("Atomik.Table",), REPLICA: ("Atomik.ReplicaImpl", "Atomik.Replica"),
    "replication/ingest.py": ("Atomik.ReplicaImpl",), "replication/lww.py": ("Atomik.LWW",),
    "replication/digest.py": ("Atomik.Wire", "Atomik.ReplicaImpl"),
    "eventlog.py": ("Atomik.EventLog",), "replication/hybrid.py": ("Atomik.EventLog",),
    "fingerprint.py": ("Atomik.Fingerprint",),
    "wire.py": ("Atomik.Wire",), "_check.py": ("Atomik.Boundary", "Atomik.Wire")}

# The files whose code numba compiles: only there do the compiled code and the pure twins differ,
# so in fast mode only their mutants run twice (the full run always runs both).
KERNEL_FILES = frozenset({"kernels.py"})


def _run(folder: Path, pure: bool, examples: int, fast: bool = False,
         first: tuple[str, ...] = ()) -> dict[str, Any]:
    t0 = time.monotonic()
    doc = _run_check(folder, pure, examples, fast, first)
    doc["seconds"] = round(time.monotonic() - t0, 1)
    return doc


def _run_check(folder: Path, pure: bool, examples: int, fast: bool,
               first: tuple[str, ...]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(folder), PYTHONDONTWRITEBYTECODE="1")
    env.pop("NUMBA_DISABLE_JIT", None)
    env.pop("ATOMIK_CONFORMANCE_PURE", None)
    if pure:  # every kernel is its pure twin, fed the same numpy arrays as the compiled one
        env["NUMBA_DISABLE_JIT"] = "1"
    out = folder / ("report-pure" if pure else "report-compiled")
    probe = subprocess.run(
        [sys.executable, "-c", "import atomik, atomik.conformance.adapters as a; "
         "print(atomik.__file__)"], env=env, cwd=ROOT, capture_output=True, text=True)
    if not probe.stdout.strip().startswith(str(folder)):
        raise RuntimeError(f"the mutant copy was not imported: {probe.stdout}{probe.stderr}")
    cmd = [sys.executable, "-m", "atomik.conformance", "check", "--no-crosshair", "--examples",
           str(examples), "--out", str(out)]
    if fast:
        cmd += ["--fail-fast", "--no-shrink"]
        for prefix in first:  # a module's name: its theorems, not a longer module's
            cmd += ["--first", prefix.rstrip(".") + "."]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    doc_path = out / "coverage.json"
    if not doc_path.exists():
        return {"exit": proc.returncode, "caught_by": [], "error": proc.stderr[-2000:]}
    doc = json.loads(doc_path.read_text())
    # caught: a check ran and failed (a counterexample) or raised; checks not run catch nothing
    caught = sorted({r["name"] for r in doc["theorems"]
                     if any(c["result"] in ("fail", "error") for c in r["checks"])})
    return {"exit": proc.returncode, "caught_by": caught, "error": ""}


def run(examples: int, only: list[str] | None = None, jobs: int = 2,
        fast: bool = False) -> dict[str, Any]:
    """Run every mutant (both engines); return the mutants document.

    ``fast``: each run stops at the first check that catches the mutant, trying the checks of the
    mutated file's Lean module first; ``caught_by`` then names that first catching theorem only.
    """
    base = Path(tempfile.mkdtemp(prefix="atomik-mutants-"))
    selected = [m for m in MUTANTS if not only or m.name in only]
    t0 = time.monotonic()
    rows: list[dict[str, Any]] = []
    try:
        folders = {m.name: _prepare(m, base) for m in selected}
        tasks = [(m, pure) for m in selected for pure in (False, True)
                 if not pure or not fast or m.file in KERNEL_FILES]
        with ThreadPoolExecutor(max_workers=jobs) as ex:
            futs = {(m.name, pure): ex.submit(_run, folders[m.name], pure, examples, fast,
                                              m.first or FILE_MODULE.get(m.file, ()))
                    for m, pure in tasks}
            for m in selected:
                comp = futs[(m.name, False)].result()
                twin = futs.get((m.name, True))
                pure = twin.result() if twin else None
                caught = bool(comp["caught_by"]) and (pure is None or bool(pure["caught_by"]))
                rows.append({"name": m.name, "file": f"python/atomik/{m.file}", "what": m.what,
                             "caught": caught, "caught_by_compiled": comp["caught_by"],
                             "caught_by_pure": pure["caught_by"] if pure else None,
                             "seconds": [comp["seconds"]] + ([pure["seconds"]] if pure else []),
                             "errors": (comp["error"] + (pure["error"] if pure else "")).strip()})
                mark = "caught" if caught else "SURVIVED"
                twins = (f"pure twins: {len(pure['caught_by'])} theorems" if pure
                         else "pure twins: not run (no kernel code)")
                print(f"  {m.name:28s} {mark:8s} compiled: {len(comp['caught_by'])} theorems, "
                      f"{twins}; {' + '.join(f'{x:g}' for x in rows[-1]['seconds'])} s",
                      flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    survivors = [r["name"] for r in rows if not r["caught"]]
    return {"score": (len(rows) - len(survivors)) / len(rows) if rows else None,
            "mutants": rows, "survivors": survivors, "examples": examples,
            "mode": "fast" if fast else "full",
            "seconds": round(time.monotonic() - t0, 1),
            "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def render_md(doc: dict[str, Any]) -> str:
    """``mutants.md``."""
    n = len(doc["mutants"])
    caught = n - len(doc["survivors"])
    lines = ["# atomik — mutation check", "",
             f"{caught}/{n} mutants caught (score {doc['score']:.0%}), "
             f"{doc['examples']} Hypothesis "
             f"examples per check, each mutant run against the compiled code and against the pure "
             f"twins (`NUMBA_DISABLE_JIT=1`); {doc['seconds']} s.", "",
             ("Fast mode: each run stops at the first check that catches the mutant (the mutated "
              "file's theorems first), so one catching theorem is named per run; only mutants of "
              "numba-compiled code run against the pure twins too (elsewhere both runs execute "
              "the same Python); `make mutants` runs both for every mutant and lists every "
              "catching theorem." if doc.get("mode") == "fast" else
              "Full mode: every check runs against every mutant."), "",
             "| mutant | file | planted bug | caught | theorems whose checks failed (compiled) | "
             "(pure twins) |", "|---|---|---|---|---|---|"]
    for r in doc["mutants"]:
        lines.append(f"| {r['name']} | {r['file']} | {r['what']} | "
                     f"{'yes' if r['caught'] else '**NO**'} | "
                     f"{', '.join(f'`{t}`' for t in r['caught_by_compiled']) or '—'} | "
                     f"{_names(r['caught_by_pure'])} |")
    lines.append("")
    return "\n".join(lines)


def _names(theorems: list[str] | None) -> str:
    if theorems is None:
        return "not run"
    return ", ".join(f"`{t}`" for t in theorems) or "—"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make mutants``)."""
    ap = argparse.ArgumentParser(prog="python -m atomik.conformance.mutants")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--examples", type=int, default=None,
                    help="Hypothesis examples per check (default 40; 20 with --fast)")
    ap.add_argument("--fast", action="store_true",
                    help="stop each run at the first catching check (make verify uses this)")
    ap.add_argument("--out", default="reports")
    ap.add_argument("--only", nargs="*", help="run only these mutants")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    runs = ("one run each (two for numba-compiled code)" if args.fast else "two runs each")
    print(f"mutants: {len(args.only or MUTANTS)} planted bugs, {runs}", flush=True)
    examples = args.examples or (20 if args.fast else 40)
    doc = run(examples, args.only, args.jobs, args.fast)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "mutants.json").write_text(json.dumps(doc, indent=1) + "\n")
    (out / "mutants.md").write_text(render_md(doc))
    print(f"mutants: score {doc['score']:.0%}; report in {out}/mutants.md")
    if doc["survivors"]:
        print(f"mutants not caught: {', '.join(doc['survivors'])}", file=sys.stderr)
        return 1
    if (out / "coverage.json").exists():  # refresh the coverage report's mutation_score
        from atomik.conformance.__main__ import main as conf_main

        conf_main(["report", "--out", str(out)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
