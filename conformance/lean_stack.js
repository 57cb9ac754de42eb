// Preloaded by leanbuild into the node that runs the wasm Lean (`node -r this lean.js ...`).
// The wasm Lean elaborates in Emscripten pthreads, which node runs as worker threads with a
// 4 MB JavaScript stack by default; the kernel's evaluation of long byte strings (the wire and
// fingerprint vectors in lean/Atomik/Vectors.lean) recurses through JavaScript trampolines
// deeper than that ("Maximum call stack size exceeded"). Give each worker a larger stack.
"use strict";
const wt = require("worker_threads");
const Worker = wt.Worker;
wt.Worker = class extends Worker {
  constructor(file, options = {}) {
    const limits = { ...(options.resourceLimits || {}), stackSizeMb: 512 };
    super(file, { ...options, resourceLimits: limits });
  }
};
