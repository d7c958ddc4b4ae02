// An esbuild plugin that leaves out two parts of undici the extension never runs, each replaced by a
// module that throws a clear error if it ever were reached (undici catches the first one itself):
// - llhttp's SIMD build (72 KB of base64): undici tries it first and falls back to the portable
//   build it also carries; one HTTP parser is enough for a few API calls and image downloads.
// - fetch's body encoder, needed only to send a FormData body (the engine sends JSON); it would
//   bring the fetch, WebIDL and MIME code (~40 KB).
const LEFT_OUT = [
  { filter: /[\\/]undici[\\/]lib[\\/]llhttp[\\/]llhttp_simd-wasm\.js$/, what: 'the SIMD build of llhttp (the portable build is used)' },
  { filter: /[\\/]undici[\\/]lib[\\/]web[\\/]fetch[\\/]body\.js$/, what: "undici's FormData body encoder (the extension sends JSON bodies)" },
];

export const trimUndici = {
  name: 'trim-undici',
  setup(build) {
    for (const { filter, what } of LEFT_OUT) {
      build.onLoad({ filter }, () => ({
        contents: `throw new Error(${JSON.stringify(`not bundled: ${what}`)});`,
        loader: 'js',
      }));
    }
  },
};
