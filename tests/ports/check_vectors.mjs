// Replay the atomik conformance vectors against any port that speaks the oracle protocol.
// No Python needed: a port's own CI can run this with Node.js >= 18 (no npm packages).
//
//   node check_vectors.mjs VECTOR_DIR [--suites delta,context] -- CMD ARGS...
//
// For each spec/vectors/<suite>/<case>.json it starts CMD, sends input.requests one line at a
// time (adding "id": i), and checks every answer: when "output" is a list, each answer must be
// {"ok": true} with exactly that result; when "output" is null, every answer but the last must
// succeed and the last must fail with error.code == the vector's "error". Vectors using an op the
// port does not list in hello, or a width above its max_width (manifest.requires), are skipped.
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
      const timer = setTimeout(() => reject(new Error("no answer within 10 s")), 10000);
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
  if (!Array.isArray(info?.ops) || !Number.isInteger(info?.max_width)) throw new Error("hello must give ops and max_width");
} catch (e) {
  console.error(`port did not answer hello: ${e.message}`);
  process.exit(2);
} finally {
  hello.close();
}
const ops = new Set(info.ops);

let passed = 0, failed = 0, skipped = 0;
for (const file of vectorFiles(dir)) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  if (suites && !suites.has(doc.manifest.suite)) continue;
  const reqs = doc.input.requests;
  const need = doc.manifest.requires;
  if (need.ops.some((op) => !ops.has(op)) || need.max_width > info.max_width) { skipped++; continue; }
  const port = startPort();
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
  port.close();
  if (problem) { failed++; console.log(`FAIL ${file}: ${problem}`); } else passed++;
}
console.log(`vectors: ${passed} passed, ${failed} failed, ${skipped} skipped (unsupported)`);
process.exit(failed ? 1 : 0);
