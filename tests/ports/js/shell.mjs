// The JavaScript protocol shell: serve(backend) speaks the atomik oracle protocol v1
// (spec/oracle.md) on stdin/stdout for a backend that only ever gets valid input.
//
// The shell owns the protocol: JSON lines, field types and word formats, widths, names, lookups,
// addresses, ranges, lengths, merge's width and reference checks, the error codes and their
// precedence (spec/oracle.md, "Validation order"). The backend owns the algebra; see
// backend.mjs for the interface (values are BigInt, wide values too).
import { createInterface } from "node:readline";

const MAX_WIDTH = 4096, MAX_TABLE = 65536, MAX_NAMES = 256, MAX_LINE = 1 << 20;
const WORD = /^0x[0-9a-f]{16}$/, HEX = /^(?:[0-9a-f]{2})*$/, NAME = /^[A-Za-z0-9_]{1,32}$/;
const M64 = (1n << 64n) - 1n;

class Fail extends Error {
  constructor(code, message) { super(message); this.code = code; }
}
const fail = (code, message) => { throw new Fail(code, message); };
const isInt = (v) => typeof v === "number" && Number.isInteger(v);

export function toWord(x, w) {
  const one = (v) => "0x" + v.toString(16).padStart(16, "0");
  if (w <= 64) return one(x);
  return Array.from({ length: Math.ceil(w / 64) }, (_, i) => one((x >> BigInt(64 * i)) & M64));
}

export function serve(backend) {
  const ops = new Set(backend.ops);
  const widthOk = (w) => backend.widths.some((x) => (Array.isArray(x) ? x[0] <= w && w <= x[1] : x === w));
  const maxTable = Math.min(backend.maxTable ?? MAX_TABLE, MAX_TABLE);
  let objects = new Map(); // name -> {kind: "ctx" | "table", w, h, n}

  const field = (req, k) => { if (!(k in req)) fail("bad_request", `missing field ${k}`); return req[k]; };
  const int = (req, k) => { const v = field(req, k); if (!isInt(v)) fail("bad_request", `${k} must be a JSON integer`); return v; };
  const width = (req) => {
    const w = int(req, "width");
    if (w < 1 || w > MAX_WIDTH) fail("width", `width must be in 1..${MAX_WIDTH}`);
    if (!widthOk(w)) fail("width", `width ${w} is not one this port supports`);
    return w;
  };
  const oneWord = (v, what) => {
    if (typeof v !== "string" || !WORD.test(v)) fail("bad_request", `${what} must be a word`);
    return BigInt(v);
  };
  const value = (v, w, what) => { // format only
    if (w <= 64) return oneWord(v, what);
    const n = Math.ceil(w / 64);
    if (!Array.isArray(v)) fail("bad_request", `${what} for width ${w} must be a list of ${n} words`);
    if (v.length !== n) fail("width_mismatch", `${what} for width ${w} must have ${n} words`);
    return v.reduce((acc, x, i) => acc | (oneWord(x, what) << BigInt(64 * i)), 0n);
  };
  const fits = (x, w, what) => { if (x >> BigInt(w)) fail("range", `${what} does not fit width ${w}`); return x; };
  const list = (req, k) => { const v = field(req, k); if (!Array.isArray(v)) fail("bad_request", `${k} must be a JSON array`); return v; };
  const values = (req, k, w) => { const xs = list(req, k).map((x) => value(x, w, k)); return xs.map((x) => fits(x, w, k)); };
  const newName = (req) => {
    const n = field(req, "name");
    if (typeof n !== "string" || !NAME.test(n)) fail("bad_request", "name must match [A-Za-z0-9_]{1,32}");
    if (objects.has(n)) fail("name_taken", `an object named ${n} exists`);
    if (objects.size >= MAX_NAMES) fail("range", `a session holds at most ${MAX_NAMES} objects`);
    return n;
  };
  const lookup = (req, kind, k = "name") => {
    const n = field(req, k), o = typeof n === "string" ? objects.get(n) : undefined;
    if (!o || o.kind !== kind) fail("unknown_object", `no ${kind} named ${JSON.stringify(n)}`);
    return o;
  };
  const address = (t, a) => { if (a < 0 || a >= t.n) fail("address", "address out of range"); return a; };
  const addrs = (req) => list(req, "addrs").map((a) => { if (!isInt(a)) fail("bad_request", "addrs must be integers"); return a; });
  const ctxState = (o) => {
    const [r, a] = backend.ctxGet(o.h);
    return { reference: toWord(r, o.w), accumulator: toWord(a, o.w), state: toWord(r ^ a, o.w) };
  };
  const addrState = (t, i) => {
    const [r, a] = backend.tableGet(t.h, i);
    return { addr: i, reference: toWord(r, t.w), accumulator: toWord(a, t.w), state: toWord(r ^ a, t.w) };
  };
  const binary = (req, k1, k2, fn) => {
    const w = width(req), a = value(field(req, k1), w, k1), b = value(field(req, k2), w, k2);
    fits(a, w, k1); fits(b, w, k2);
    return toWord(fn(w, a, b), w);
  };

  const handlers = {
    hello: () => ({ implementation: backend.implementation, protocol: 1, ops: [...ops].sort(),
      widths: backend.widths, max_width: Math.max(...backend.widths.flat()), max_table: maxTable }),
    reset: () => { objects = new Map(); return null; },
    "delta.compose": (r) => binary(r, "a", "b", backend.compose),
    "delta.compute": (r) => binary(r, "old", "new", backend.compute),
    "delta.apply": (r) => binary(r, "state", "delta", backend.apply),
    "delta.compose_all": (r) => { const w = width(r); return toWord(values(r, "deltas", w).reduce((a, d) => backend.compose(w, a, d), 0n), w); },
    "ctx.new": (r) => {
      const w = width(r), name = newName(r);
      const init = "initial" in r ? value(r.initial, w, "initial") : 0n;
      fits(init, w, "initial");
      const o = { kind: "ctx", w, h: backend.ctxNew(w, init) };
      objects.set(name, o);
      return ctxState(o);
    },
    "ctx.load": (r) => { const o = lookup(r, "ctx"); backend.ctxLoad(o.h, fits(value(field(r, "value"), o.w, "value"), o.w, "value")); return ctxState(o); },
    "ctx.accum": (r) => { const o = lookup(r, "ctx"); backend.ctxAccum(o.h, fits(value(field(r, "delta"), o.w, "delta"), o.w, "delta")); return ctxState(o); },
    "ctx.rollback": (r) => { const o = lookup(r, "ctx"); backend.ctxRollback(o.h, fits(value(field(r, "delta"), o.w, "delta"), o.w, "delta")); return ctxState(o); },
    "ctx.accum_many": (r) => { const o = lookup(r, "ctx"); for (const d of values(r, "deltas", o.w)) backend.ctxAccum(o.h, d); return ctxState(o); },
    "ctx.read": (r) => { const o = lookup(r, "ctx"); const [ref, a] = backend.ctxGet(o.h); return toWord(ref ^ a, o.w); },
    "ctx.swap": (r) => { const o = lookup(r, "ctx"); backend.ctxSwap(o.h); return ctxState(o); },
    "ctx.is_clean": (r) => backend.ctxGet(lookup(r, "ctx").h)[1] === 0n,
    "ctx.state": (r) => ctxState(lookup(r, "ctx")),
    "ctx.merge": (r) => {
      const o = lookup(r, "ctx"), other = lookup(r, "ctx", "other");
      if (o.w !== other.w) fail("width_mismatch", "cannot merge contexts of different widths");
      if (backend.ctxGet(o.h)[0] !== backend.ctxGet(other.h)[0]) fail("reference_mismatch", "merge expects a shared reference");
      backend.ctxMerge(o.h, other.h);
      return ctxState(o);
    },
    "table.new": (r) => {
      const w = width(r);
      if (w > 64) fail("width", "tables hold widths 1..64");
      const n = int(r, "size");
      if (n < 1 || n > maxTable) fail("range", `size must be in 1..${maxTable}`);
      const name = newName(r);
      objects.set(name, { kind: "table", w, n, h: backend.tableNew(w, n) });
      return { size: n, width: w };
    },
    "table.load": (r) => tableOne(r, "value", backend.tableLoad),
    "table.accum": (r) => tableOne(r, "delta", backend.tableAccum),
    "table.rollback": (r) => tableOne(r, "delta", backend.tableRollback),
    "table.swap": (r) => tableOne(r, null, (h, i) => backend.tableSwap(h, i)),
    "table.read": (r) => { const t = lookup(r, "table"), i = address(t, int(r, "addr")); const [ref, a] = backend.tableGet(t.h, i); return toWord(ref ^ a, t.w); },
    "table.accum_batch": (r) => tableBatch(r, "deltas", backend.tableAccumBatch),
    "table.load_batch": (r) => tableBatch(r, "values", backend.tableLoadBatch),
    "table.read_batch": (r) => {
      const t = lookup(r, "table"), as = addrs(r).map((a) => address(t, a));
      return as.map((a) => { const [ref, x] = backend.tableGet(t.h, a); return toWord(ref ^ x, t.w); });
    },
    fingerprint: (r) => {
      const d = field(r, "data");
      if (typeof d !== "string" || !HEX.test(d)) fail("bad_request", "data must be an even-length lowercase hex string");
      return toWord(backend.fingerprint(Uint8Array.from(Buffer.from(d, "hex"))), 64);
    },
    "fingerprint.update_chunk": (r) => {
      const [fp, o, n] = ["fp", "old", "new"].map((k) => oneWord(field(r, k), k));
      return toWord(backend.fingerprintUpdate(fp, o, n), 64);
    },
  };
  function tableOne(r, key, fn) {
    const t = lookup(r, "table"), a = int(r, "addr");
    const x = key ? value(field(r, key), t.w, key) : null;
    address(t, a);
    if (key) fits(x, t.w, key);
    fn(t.h, a, x);
    return addrState(t, a);
  }
  function tableBatch(r, key, fn) {
    const t = lookup(r, "table"), as = addrs(r), xs = list(r, key).map((x) => value(x, t.w, key));
    as.forEach((a) => address(t, a));
    xs.forEach((x) => fits(x, t.w, key));
    if (as.length !== xs.length) fail("shape", `addrs and ${key} must have the same length`);
    fn(t.h, as, xs);
    return null;
  }

  function answer(line) {
    if (line.length > MAX_LINE) return { id: null, ok: false, error: { code: "bad_json", message: "line too long" } };
    let req;
    try { req = JSON.parse(line); } catch { return { id: null, ok: false, error: { code: "bad_json", message: "not valid JSON" } }; }
    if (req === null || typeof req !== "object" || Array.isArray(req))
      return { id: null, ok: false, error: { code: "bad_json", message: "a request must be a JSON object" } };
    const id = isInt(req.id) || typeof req.id === "string" ? req.id : null;
    try {
      if ("v" in req && req.v !== 1) fail("unsupported_version", "protocol version not supported (this is 1)");
      if (typeof req.op !== "string") fail("bad_request", "op must be a string");
      if (!ops.has(req.op) || !(req.op in handlers)) fail("unknown_op", `unknown op ${req.op}`);
      return { id, ok: true, result: handlers[req.op](req) };
    } catch (e) {
      if (e instanceof Fail) return { id, ok: false, error: { code: e.code, message: e.message } };
      return { id, ok: false, error: { code: "internal", message: String(e) } };
    }
  }

  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => { if (line.trim()) process.stdout.write(JSON.stringify(answer(line)) + "\n"); });
}
