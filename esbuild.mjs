// Builds the extension: Node bundles (a tiny activation entry, the first command's questions, and
// the engine + adapters that load on first use) and the gallery page script with the codicons it uses built in.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotli } from './scripts/lib/brotli.mjs';
import { codiconsPlugin } from './scripts/lib/codicons.mjs';
import { trimUndici } from './scripts/lib/trimUndici.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/** Prints each output file's size after every (re)build. */
const reportSizes = {
  name: 'report-sizes',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (file.endsWith('.map')) continue;
        const { size } = await stat(file);
        console.log(`  ${file.padEnd(28)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
      }
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [reportSizes],
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // `./services.js` and `./front.js` stay runtime requires: activation must not load undici or the engine.
  external: ['vscode', './services.js', './front.js'],
  plugins: [...common.plugins, trimUndici('dist')],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { services: 'src/services.ts' }, outdir: 'dist' },
  // The first generate command's questions, without the engine (see src/front.ts).
  { ...node, entryPoints: { front: 'src/front.ts' }, outdir: 'dist' },
  // Decoding images (thumbnails, large references, PNG↔JPEG) runs in a worker thread, off the
  // extension host's thread; the decoders are only in this bundle.
  { ...node, entryPoints: { imageWorker: 'src/core/images/imageWorker.ts' }, outdir: 'dist' },
  {
    ...common,
    entryPoints: { gallery: 'src/gallery/page/main.ts' },
    outdir: 'media/dist',
    plugins: [...common.plugins, codiconsPlugin(import.meta.dirname)],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// The worker's WebAssembly decoders (src/core/images/codecs.ts reads them beside dist/imageWorker.js).
const WASM = ['@cwasm/jpeg-turbo/jpeg-turbo.wasm', '@jsquash/webp/codec/dec/webp_dec.wasm'];

/** Each decoder as `dist/<name>.wasm.br` (codecs.ts unpacks it); the plain .wasm files of older builds go. */
async function copyWasm() {
  await mkdir('dist', { recursive: true });
  for (const file of WASM) {
    await writeFile(path.join('dist', `${path.basename(file)}.br`), brotli(await readFile(require.resolve(file))));
    await rm(path.join('dist', path.basename(file)), { force: true });
  }
  await rm('dist/llhttp.wasm', { force: true });
  await rm('dist/mozjpeg_dec.wasm.br', { force: true }); // the JPEG decoder of earlier builds
}

await copyWasm();
// The icon font of earlier builds is not used any more (the page has its icons built in).
await Promise.all(['codicon.css', 'codicon.ttf'].map((f) => rm(`media/dist/${f}`, { force: true })));
// Nor are the two image workers of earlier builds (one dist/imageWorker.js does their work).
await Promise.all(['resizeWorker', 'thumbnailWorker'].flatMap((w) => [`dist/${w}.js`, `dist/${w}.js.map`]).map((f) => rm(f, { force: true })));
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${production ? 'production' : 'development'} bundles in ${Date.now() - started} ms`);
}
