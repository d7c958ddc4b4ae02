/** Shared bits of the image download tests. */
import * as assert from 'node:assert/strict';
import { NanoError } from '../../../../src/core/errors';
import { makePng } from '../../../simulator/png';

/** A valid grey 4×3 RGB PNG (the simulator's encoder). */
export const PNG = makePng(4, 3, [0x7f, 0x7f, 0x7f]);

/** An API on this computer (the simulator): images on loopback may be downloaded. */
export const LOOPBACK_API = { apiBaseUrl: 'http://127.0.0.1:8787' } as const;
/** The real API: images on this computer or a private network are refused. */
export const REMOTE_API = { apiBaseUrl: 'https://api.defapi.org' } as const;

/** An assert.rejects validator: a NanoError of `kind` (and retryability, message). */
export function isKind(kind: string, retryable?: boolean, message?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof NanoError, `expected a NanoError, got ${String(e)}`);
    assert.equal(e.kind, kind, `kind (message: ${e.message})`);
    if (retryable !== undefined) assert.equal(e.retryable, retryable, `retryable (message: ${e.message})`);
    if (message) assert.match(e.message, message);
    return true;
  };
}
