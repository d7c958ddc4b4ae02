// Builds the extension: two Node bundles (a tiny activation entry, and the engine + adapters that
// load on first use), the gallery page script, and the codicon font for the webview.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

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
  // `./services.js` stays a runtime require: activation must not load undici or the engine.
  external: ['vscode', './services.js'],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { services: 'src/services.ts' }, outdir: 'dist' },
  // Downscaling large reference images runs in a worker thread, off the extension host's thread.
  { ...node, entryPoints: { resizeWorker: 'src/core/images/resizeWorker.ts' }, outdir: 'dist' },
  // Gallery thumbnails are made in a worker thread too (one PNG decode each).
  { ...node, entryPoints: { thumbnailWorker: 'src/core/images/thumbnailWorker.ts' }, outdir: 'dist' },
  {
    ...common,
    entryPoints: { gallery: 'src/gallery/page/main.ts' },
    outdir: 'media/dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

async function copyCodicons() {
  const dir = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  await mkdir('media/dist', { recursive: true });
  await copyFile(path.join(dir, 'codicon.css'), 'media/dist/codicon.css');
  await copyFile(path.join(dir, 'codicon.ttf'), 'media/dist/codicon.ttf');
}

await copyCodicons();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${production ? 'production' : 'development'} bundles in ${Date.now() - started} ms`);
}
