import * as vscode from 'vscode';
import { NanoError } from '../core/errors';
import { MAX_REFERENCES } from '../core/api/types';
import { sniffImage } from '../core/images/sniff';

/** Largest local reference sent as a data URI (the request body carries it base64-encoded). */
export const MAX_REFERENCE_BYTES = 7 * 1024 * 1024;

export interface ResolvedReference {
  /** What is sent: an https URL or a data URI. */
  value: string;
  /** What is shown and persisted. */
  name: string;
}

function toUri(ref: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !/^[a-z]:[\\/]/i.test(ref)) return vscode.Uri.parse(ref);
  return vscode.Uri.file(ref);
}

/** Reads a local image (any file system VS Code knows) into a data URI. */
export async function readReference(uri: vscode.Uri): Promise<ResolvedReference> {
  const name = uri.path.split('/').pop() || uri.toString();
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    throw new NanoError({ kind: 'invalid-input', message: vscode.l10n.t('The reference image {0} could not be read.', name), retryable: false, cause: e });
  }
  const type = sniffImage(bytes);
  if (!type) throw new NanoError({ kind: 'invalid-input', message: vscode.l10n.t('{0} is not a PNG, JPEG, WebP or GIF image.', name), retryable: false });
  if (bytes.byteLength > MAX_REFERENCE_BYTES) {
    throw new NanoError({
      kind: 'invalid-input',
      message: vscode.l10n.t('{0} is {1} MB; reference images can be at most {2} MB. Use a smaller copy.', name, (bytes.byteLength / 1048576).toFixed(1), MAX_REFERENCE_BYTES / 1048576),
      retryable: false,
    });
  }
  return { value: `data:${type.mime};base64,${Buffer.from(bytes).toString('base64')}`, name };
}

/** Resolves argument references (https URLs, data URIs, paths, file URIs), at most four. */
export async function resolveReferences(refs: ReadonlyArray<string | vscode.Uri>): Promise<ResolvedReference[]> {
  if (refs.length > MAX_REFERENCES) {
    throw new NanoError({
      kind: 'invalid-input',
      message: vscode.l10n.t('{0} reference images were chosen; at most {1} can be used. Pick fewer.', refs.length, MAX_REFERENCES),
      retryable: false,
    });
  }
  const out: ResolvedReference[] = [];
  for (const r of refs) {
    if (typeof r === 'string' && (r.startsWith('https://') || r.startsWith('data:'))) {
      out.push({ value: r, name: r.startsWith('data:') ? 'image' : r.split('/').pop() || r });
    } else {
      out.push(await readReference(typeof r === 'string' ? toUri(r) : r));
    }
  }
  return out;
}
