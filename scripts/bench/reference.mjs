// Bench section "reference": how long a large photo takes to become a reference image, end to end
// through the extension's image workers (ImageWorkers with the real bundled dist/imageWorker.js and
// its .wasm decoders), and how long the calling thread is blocked meanwhile (it should not be).
// The extension starts a worker (and its helper thread) and compiles its decoders when the person
// opens the reference picker, so `prepareMs` is with that worker ready; `coldMs` is the first
// request of a new set of workers (start + compile + work), as for a reference given without the
// picker; `helperParts` is how many parts of the 12 MP photo's resample and encode the worker's
// helper thread made (0: the worker did all). The main thread's stall (event-loop delay) also
// counts its waits for a core while the worker and its helper use both.
// Needs `npm run build` and `npm run compile-tests`. Inputs are made here: photo-like pixels
// (gradients, a soft pattern, noise) encoded as progressive JPEG (mozjpeg) and baseline (jpeg-js).
// CLI: node scripts/bench/reference.mjs [--runs N] [--worker path/to/imageWorker.js]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { median } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

const round = (x) => Math.round(x);

/**
 * Times `runs` preparations of `bytes`; the median, the longest stall of this thread (event-loop
 * delay), and the fewest parts the worker's helper thread made in a run (0: one thread did all).
 */
async function time(workers, bytes, runs) {
  const times = [];
  let helperParts = Infinity;
  const stall = monitorEventLoopDelay({ resolution: 5 });
  stall.enable();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = await workers.reference(bytes, {});
    times.push(performance.now() - t0);
    helperParts = Math.min(helperParts, out.helperParts ?? 0);
    if (!out.resized || Math.max(out.width, out.height) !== 2048) throw new Error(`unexpected result ${out.width}×${out.height}`);
  }
  stall.disable();
  // The histogram counts its own 5 ms resolution; what is beyond it is time this thread was busy.
  return { ms: median(times), blockMs: Math.max(0, stall.max / 1e6 - 5), helperParts };
}

/** The section: `ctx.runs` (default 5) runs per input; `ctx.workerFile` to bench another worker build. */
export async function run(ctx = {}) {
  const runs = ctx.runs ?? 5;
  const workerFile = ctx.workerFile ?? path.join(root, 'dist', 'imageWorker.js');
  const { ImageWorkers } = require(path.join(root, 'out', 'src', 'core', 'images', 'imageWorkers.js'));
  const { photoPixels, progressiveJpegOf } = require(path.join(root, 'out', 'test', 'unit', 'core', 'images', 'encoders.js'));
  const { encode } = require('jpeg-js');
  const inputs = {
    progressive12: await progressiveJpegOf(photoPixels(4000, 3000)),
    baseline12: encode(photoPixels(4000, 3000), 90).data,
    progressive45: await progressiveJpegOf(photoPixels(2592, 1728)),
  };
  const cold = new ImageWorkers({ workerFile });
  const t0 = performance.now();
  await cold.reference(inputs.progressive12, {});
  const coldMs = performance.now() - t0;
  cold.dispose();
  const workers = new ImageWorkers({ workerFile });
  workers.warm(); // what opening the picker does
  await workers.reference(inputs.progressive45, {});
  const p12 = await time(workers, inputs.progressive12, runs);
  const b12 = await time(workers, inputs.baseline12, runs);
  const p45 = await time(workers, inputs.progressive45, runs);
  workers.dispose();
  return {
    megapixels: 12,
    prepareMs: round(p12.ms),
    coldMs: round(coldMs),
    prepareMsBaseline: round(b12.ms),
    prepareMs4_5Progressive: round(p45.ms),
    mainThreadBlockMs: round(Math.max(p12.blockMs, b12.blockMs, p45.blockMs)),
    helperParts: p12.helperParts,
    runs,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const r = await run({ runs: Number(arg('--runs') ?? 5), workerFile: arg('--worker') && path.resolve(arg('--worker')) });
  console.log(`reference images (median of ${r.runs}, through the worker, off the main thread)`);
  console.log(`  12 MP progressive JPEG → 2048 px   ${r.prepareMs} ms (worker ready)`);
  console.log(`  the same, first request, new worker ${r.coldMs} ms`);
  console.log(`  12 MP baseline JPEG    → 2048 px   ${r.prepareMsBaseline} ms`);
  console.log(`  4.5 MP progressive JPEG → 2048 px  ${r.prepareMs4_5Progressive} ms`);
  console.log(`  main thread blocked at most         ${r.mainThreadBlockMs} ms`);
  console.log(`  parts made by the helper thread     ${r.helperParts} (of the 12 MP progressive, fewest in a run)`);
}
