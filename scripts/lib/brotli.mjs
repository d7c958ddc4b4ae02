// Brotli at its strongest, for the binary files the .vsix carries (.wasm): the zip's own deflate
// leaves them about a fifth larger. The extension unpacks them with node:zlib when it loads them.
import { brotliCompressSync, constants } from 'node:zlib';

export function brotli(bytes) {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}
