// npm run bench: prints figures (no pass/fail): activation cost of the bundled extension, the cost
// of loading the engine on first use, and how many status requests the adaptive polling makes.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Module from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// A stand-in for the `vscode` module: just enough surface for activate() to run.
const disposable = { dispose() {} };
const fakeVscode = {
  commands: { registerCommand: () => disposable },
  window: { registerWebviewPanelSerializer: () => disposable },
  Uri: { joinPath: () => ({}) },
};
const origResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return 'vscode';
  return origResolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fakeVscode };

const context = { subscriptions: [], globalState: { get: () => undefined } };
const t0 = performance.now();
const ext = require(path.join(root, 'dist', 'extension.js'));
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
console.log(`activation: require ${(t1 - t0).toFixed(2)} ms + activate() ${(t2 - t1).toFixed(2)} ms = ${(t2 - t0).toFixed(2)} ms (${context.subscriptions.length} registrations)`);

const t3 = performance.now();
try {
  require(path.join(root, 'dist', 'services.js'));
} catch {
  // services.js needs more of the vscode API than the stand-in has; loading is what is timed.
}
const t4 = performance.now();
console.log(`engine bundle load on first use: ${(t4 - t3).toFixed(2)} ms`);

// Adaptive polling vs. a fixed 2 s interval, for jobs that take 8–60 s, once the duration is learned.
const { pollDelay } = require(path.join(root, 'out', 'src', 'core', 'jobs', 'schedule.js'));
function polls(durationMs, expectedMs) {
  let t = 0;
  let n = 0;
  while (t < durationMs) {
    t += pollDelay(t, expectedMs);
    n++;
  }
  return { n, lateMs: t - durationMs };
}
console.log('\njob length | fixed 2 s: polls, late | adaptive (unknown): polls, late | adaptive (learned): polls, late');
for (const d of [8000, 20000, 45000, 60000]) {
  const fixed = { n: Math.ceil(d / 2000), lateMs: Math.ceil(d / 2000) * 2000 - d };
  const cold = polls(d, undefined);
  const warm = polls(d, d);
  console.log(`${String(d / 1000).padStart(7)} s  | ${String(fixed.n).padStart(4)}, ${String(fixed.lateMs).padStart(5)} ms        | ${String(cold.n).padStart(4)}, ${String(cold.lateMs).padStart(5)} ms                 | ${String(warm.n).padStart(4)}, ${String(warm.lateMs).padStart(5)} ms`);
}
