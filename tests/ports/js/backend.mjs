// The sample JavaScript backend: delta-state algebra on BigInt, valid input only (the shell
// shell.mjs checks everything). Run as a port: node tests/ports/js/port.mjs
//
// Interface (what your library provides to serve(backend)):
//   implementation, ops (names it supports, with hello and reset), widths ([w | [lo, hi]]),
//   maxTable; compose/compute/apply(w, a, b) -> BigInt; ctxNew(w, init) -> handle,
//   ctxLoad(h, v), ctxAccum(h, d), ctxRollback(h, d), ctxSwap(h), ctxMerge(h, other),
//   ctxGet(h) -> [reference, accumulator]; tableNew(w, n) -> handle, tableLoad/tableAccum/
//   tableRollback(t, addr, x), tableSwap(t, addr), tableGet(t, addr) -> [reference, accumulator],
//   tableAccumBatch/tableLoadBatch(t, addrs, xs); fingerprint(bytes) -> BigInt,
//   fingerprintUpdate(fp, old, new) -> BigInt.
// ATOMIK_JS_MUTANT=merge-moves plants a bug (merge clears the other's accumulator).
const mutant = process.env.ATOMIK_JS_MUTANT ?? "";

export const backend = {
  implementation: "atomik-js-sample",
  ops: ["hello", "reset", "delta.compose", "delta.compute", "delta.apply", "delta.compose_all",
    "ctx.new", "ctx.load", "ctx.accum", "ctx.rollback", "ctx.read", "ctx.swap", "ctx.merge",
    "ctx.accum_many", "ctx.is_clean", "ctx.state", "table.new", "table.load", "table.accum",
    "table.rollback", "table.read", "table.swap", "table.accum_batch", "table.load_batch",
    "table.read_batch", "fingerprint", "fingerprint.update_chunk"],
  widths: [[1, 4096]],
  maxTable: 65536,
  compose: (w, a, b) => a ^ b,
  compute: (w, o, n) => o ^ n,
  apply: (w, s, d) => s ^ d,
  ctxNew: (w, init) => ({ ref: init, acc: 0n }),
  ctxLoad: (c, v) => { c.ref = v; c.acc = 0n; },
  ctxAccum: (c, d) => { c.acc ^= d; },
  ctxRollback: (c, d) => { c.acc ^= d; },
  ctxSwap: (c) => { c.ref ^= c.acc; c.acc = 0n; },
  ctxMerge: (c, o) => { c.acc ^= o.acc; if (mutant === "merge-moves" && o !== c) o.acc = 0n; },
  ctxGet: (c) => [c.ref, c.acc],
  tableNew: (w, n) => ({ ref: new Array(n).fill(0n), acc: new Array(n).fill(0n) }),
  tableLoad: (t, a, v) => { t.ref[a] = v; t.acc[a] = 0n; },
  tableAccum: (t, a, d) => { t.acc[a] ^= d; },
  tableRollback: (t, a, d) => { t.acc[a] ^= d; },
  tableSwap: (t, a) => { t.ref[a] ^= t.acc[a]; t.acc[a] = 0n; },
  tableGet: (t, a) => [t.ref[a], t.acc[a]],
  tableAccumBatch: (t, as, ds) => as.forEach((a, i) => { t.acc[a] ^= ds[i]; }),
  tableLoadBatch: (t, as, vs) => as.forEach((a, i) => { t.ref[a] = vs[i]; t.acc[a] = 0n; }),
  fingerprint: (bytes) => {
    let fp = 0n;
    bytes.forEach((b, i) => { fp ^= BigInt(b) << BigInt(8 * (i % 8)); });
    return fp;
  },
  fingerprintUpdate: (fp, o, n) => fp ^ o ^ n,
};
