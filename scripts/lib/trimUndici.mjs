// An esbuild plugin for the bundles that carry undici: it leaves out the parts the extension never
// runs, each replaced by a module that throws a clear error if it ever were reached, and ships the
// HTTP parser as a binary file instead of base64 in the bundle (a quarter smaller in the .vsix).
// - llhttp's SIMD build (72 KB of base64): undici tries it first and falls back to the portable
//   build; one HTTP parser is enough for a few API calls and image downloads.
// - fetch's body encoder, needed only to send a FormData body (the engine sends JSON); it would
//   bring the fetch, WebIDL and MIME code (~40 KB).
// - the HTTP/2 client: undici speaks HTTP/2 only when a dispatcher is made with `allowH2` (none is).
// - the portable llhttp build itself becomes `dist/llhttp.wasm.br` (brotli: 15 KB in the .vsix
//   where the zip's deflate made 18 KB), read and unpacked when the first connection opens (~1 ms).
import { mkdir, writeFile } from 'node:fs/promises';
import { brotli } from './brotli.mjs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const undiciFile = (...p) => new RegExp(`[\\\\/]undici[\\\\/]lib[\\\\/]${p.join('[\\\\/]').replace(/\./g, '\\.')}$`);
const LEFT_OUT = [
  { filter: undiciFile('llhttp', 'llhttp_simd-wasm.js'), what: 'the SIMD build of llhttp (the portable build is used)' },
  { filter: undiciFile('web', 'fetch', 'body.js'), what: "undici's FormData body encoder (the extension sends JSON bodies)" },
];
export const LLHTTP_WASM = 'llhttp.wasm.br';

export function trimUndici(outdir) {
  return {
    name: 'trim-undici',
    setup(build) {
      for (const { filter, what } of LEFT_OUT) {
        build.onLoad({ filter }, () => ({ contents: `throw new Error(${JSON.stringify(`not bundled: ${what}`)});`, loader: 'js' }));
      }
      build.onLoad({ filter: undiciFile('dispatcher', 'client-h2.js') }, () => ({
        contents: `module.exports = function connectH2() { throw new Error('not bundled: HTTP/2 (no dispatcher of the extension allows it)'); };`,
        loader: 'js',
      }));
      build.onLoad({ filter: undiciFile('llhttp', 'llhttp-wasm.js') }, () => ({
        contents: `module.exports = require('node:zlib').brotliDecompressSync(require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(LLHTTP_WASM)})));`,
        loader: 'js',
      }));
      build.onEnd(async (result) => {
        if (result.errors.length || !Object.keys(result.metafile?.inputs ?? {}).some((f) => undiciFile('llhttp', 'llhttp-wasm.js').test(f))) return;
        await mkdir(outdir, { recursive: true });
        await writeFile(path.join(outdir, LLHTTP_WASM), brotli(require('undici/lib/llhttp/llhttp-wasm.js')));
      });
    },
  };
}
