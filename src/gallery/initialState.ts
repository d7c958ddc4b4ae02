/**
 * The gallery's first state, embedded in the page's HTML so the page paints without waiting for
 * the host's `init` message (the handshake still runs: `init` then brings the state as it is when
 * the page is listening, and the page reconciles). Pure (no DOM, no `vscode`): both sides use it.
 *
 * The state travels inside a `<script type="application/json">` data block (never executed, so
 * the CSP's script nonce does not apply): everything that could end the element or start markup
 * is escaped as a JSON `\u` sequence, so prompts and file names stay text whatever they hold.
 */
import { isHostMessage, type GalleryState } from './protocol';

/** The id of the data block in the page. */
export const INITIAL_STATE_ID = 'nb-initial-state';

const UNSAFE = /[<>&\u2028\u2029]/g;

/** `state` as JSON that is safe inside a `<script>` element's text. */
export function embedState(state: GalleryState): string {
  return JSON.stringify(state).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The state read back from the data block's text, checked like an `init` message; undefined when absent or malformed. */
export function parseEmbeddedState(text: string | null | undefined): GalleryState | undefined {
  if (!text) return undefined;
  try {
    const state: unknown = JSON.parse(text);
    const message = { type: 'init', state };
    return isHostMessage(message) && message.type === 'init' ? message.state : undefined;
  } catch {
    return undefined;
  }
}
