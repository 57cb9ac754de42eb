// Replay the atomik conformance vectors against any port that speaks the oracle protocol.
// No Python needed: a port's own CI can run this with Node.js >= 18 (no npm packages).
//
//   node check_vectors.mjs VECTOR_DIR [--suites delta,context] [--timeout S] -- CMD ARGS...
//
// For each spec/vectors/<suite>/<case>.json it sends input.requests one line at a time (adding
// "id": i), and checks every answer: when "output" is a list, each answer must be {"ok": true}
// with exactly that result; when "output" is null, every answer but the last must succeed and the
// last must fail with error.code == the vector's "error". One port process serves every vector
// when the port lists "reset" in hello (restarted after a failing vector); otherwise each vector
// gets a fresh process. A vector is skipped, and listed with the reason, when it uses an op the
// port does not list, a valid width outside the port's "widths" (a list of widths and [lo, hi]
// ranges; without it, 1..max_width), or a table larger than its "max_table".
// --timeout S: seconds to wait for each answer (default 10; simulators may need more).
// Exit 0 when every replayed vector passes, 1 otherwise, 2 on usage errors.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const argv = process.argv.slice(2);
const cut = argv.indexOf("--");
if (cut < 1 || cut === argv.length - 1) {
  console.error("usage: node check_vectors.mjs VECTOR_DIR [--suites a,b] -- CMD ARGS...");
  process.exit(2);
}
const [dir, ...opts] = argv.slice(0, cut);
const cmd = argv.slice(cut + 1);
const si = opts.indexOf("--suites");
const suites = si >= 0 ? new Set(opts[si + 1].split(",")) : null;
const ti = opts.indexOf("--timeout");
const timeoutMs = 1000 * (ti >= 0 ? Number(opts[ti + 1]) : 10);
if (!(timeoutMs > 0)) { console.error("--timeout needs a positive number of seconds"); process.exit(2); }

// JSON with sorted keys: equal values give equal strings (and true is not 1).
const canon = (x) =>
  Array.isArray(x) ? `[${x.map(canon).join(",")}]`
  : x !== null && typeof x === "object"
    ? `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon(x[k])}`).join(",")}}`
    : JSON.stringify(x);

function startPort() {
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.on("error", () => {}); // a port that dies shows up as a missing answer
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  let closed = false;
  lines.on("line", (l) => (waiting.length ? waiting.shift().resolve(l) : queued.push(l)));
  lines.on("close", () => {
    closed = true;
    while (waiting.length) waiting.shift().reject(new Error("port closed its output"));
  });
  child.on("error", (e) => {
    closed = true;
    while (waiting.length) waiting.shift().reject(e);
  });
  const ask = (req) =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error("port closed its output"));
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      const done = { resolve: (l) => { clearTimeout(timer); resolve(l); },
                     reject: (e) => { clearTimeout(timer); reject(e); } };
      if (queued.length) done.resolve(queued.shift()); else waiting.push(done);
      child.stdin.write(JSON.stringify(req) + "\n");
    }).then((l) => JSON.parse(l));
  const close = () => { child.stdin.end(); child.kill(); };
  return { ask, close };
}

function* vectorFiles(root) {
  for (const name of readdirSync(root).sort()) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) yield* vectorFiles(p);
    else if (name.endsWith(".json")) yield p;
  }
}

const hello = startPort();
let info;
try {
  info = (await hello.ask({ id: 0, op: "hello" })).result;
  if (!Array.isArray(info?.ops)) throw new Error("hello must give ops");
  if (!Array.isArray(info?.widths) && !Number.isInteger(info?.max_width)) throw new Error("hello must give widths or max_width");
} catch (e) {
  console.error(`port did not answer hello: ${e.message}`);
  process.exit(2);
} finally {
  hello.close();
}
const ops = new Set(info.ops);
const ranges = (info.widths ?? [[1, info.max_width]]).map((x) => (Array.isArray(x) ? x : [x, x]));
const hasWidth = (w) => ranges.some(([lo, hi]) => lo <= w && w <= hi);
const maxTable = Number.isInteger(info.max_table) ? info.max_table : 65536;
const MAX_WIDTH = 4096;

// Why this port cannot replay the vector (null when it can); the same rule as the Python runner.
function needs(doc) {
  const missing = doc.manifest.requires.ops.filter((op) => !ops.has(op));
  if (missing.length) return `needs ops ${missing.sort().join(", ")}`;
  for (const r of doc.input.requests) {
    const table = r.op === "table.new";
    if (Number.isInteger(r.width) && r.width >= 1 && r.width <= (table ? 64 : MAX_WIDTH) && !hasWidth(r.width))
      return `needs width ${r.width}`;
    if (table && Number.isInteger(r.size) && r.size > maxTable && r.size <= 65536)
      return `needs a table of size ${r.size} (max_table ${maxTable})`;
  }
  for (const out of Array.isArray(doc.output) ? doc.output : [])
    for (const m of Array.isArray(out) ? out : [out])
      if (m && typeof m === "object" && Number.isInteger(m.width) && "delta" in m && !hasWidth(m.width))
        return `needs width ${m.width} (a decoded message)`;
  return null;
}

let passed = 0, failed = 0, skipped = 0;
let port = null;
for (const file of vectorFiles(dir)) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  if (suites && !suites.has(doc.manifest.suite)) continue;
  const reqs = doc.input.requests;
  const why = needs(doc);
  if (why) { skipped++; console.log(`skip ${file}: ${why}`); continue; }
  if (port) {
    try { const r = await port.ask({ op: "reset" }); if (r.ok !== true) throw new Error("reset failed"); }
    catch { port.close(); port = null; }
  }
  if (!port) port = startPort();
  let problem = null;
  for (let i = 0; i < reqs.length && !problem; i++) {
    let got;
    try { got = await port.ask({ ...reqs[i], id: i }); }
    catch (e) { problem = `request ${i + 1}: ${e.message}`; break; }
    if (doc.output === null && i === reqs.length - 1) {
      if (got.ok !== false || got.error?.code !== doc.error)
        problem = `request ${i + 1}: expected error ${doc.error}, got ${canon(got)}`;
    } else if (got.ok !== true) problem = `request ${i + 1}: expected success, got ${canon(got)}`;
    else if (doc.output !== null && canon(got.result) !== canon(doc.output[i]))
      problem = `request ${i + 1}: expected ${canon(doc.output[i])}, got ${canon(got.result)}`;
  }
  if (problem || !ops.has("reset")) { port.close(); port = null; }
  if (problem) { failed++; console.log(`FAIL ${file}: ${problem}`); } else passed++;
}
if (port) port.close();
console.log(`vectors: ${passed} passed, ${failed} failed, ${skipped} skipped (unsupported)`);
process.exit(failed ? 1 : 0);
