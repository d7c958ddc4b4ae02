/**
 * Entry of the gallery webview page (bundled by esbuild to media/dist/gallery.js).
 * Installs the message listener, renders the state embedded in the HTML (initialState.ts), then
 * says `ready`; the host's `init` brings the current state.
 */
import { INITIAL_STATE_ID, parseEmbeddedState } from '../initialState';
import { isHostMessage } from '../protocol';
import { App } from './app';
import { RequestChannel } from './rpc';
import { parseViewState, type PageViewState } from './viewState';
import { hostChannel } from './vscodeApi';

function start(): void {
  // Read by the gallery benchmark (scripts/bench/gallery.mjs): from here to the first painted cards.
  performance.mark('nb-gallery-start');
  const host = hostChannel();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  const rpc = new RequestChannel((message) => host.post(message));
  let saved = parseViewState(host.getState());
  const save = (change: Partial<PageViewState>) => {
    saved = { ...saved, ...change };
    host.setState(saved);
  };

  const app = new App({
    root,
    request: (action) => rpc.request(action),
    post: (message) => host.post(message),
    initialFilter: saved.filter,
    initialScroll: saved.scroll,
    // The webview keeps these across reloads and rebuilds (a hidden panel's page is rebuilt when shown); the host does not need them.
    saveFilter: (filter) => save({ filter }),
    saveScroll: (scroll) => save({ scroll }),
  });

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== window.origin) return;
    const message: unknown = event.data;
    if (!isHostMessage(message)) return;
    if (rpc.handle(message)) return;
    app.handle(message);
  });
  // Nothing can answer a request once the page goes: settle what still waits.
  window.addEventListener('pagehide', () => rpc.dispose());
  // Paint now from the state the host put in the HTML; its `init` (after `ready`) brings any change since.
  const embedded = parseEmbeddedState(document.getElementById(INITIAL_STATE_ID)?.textContent);
  if (embedded) app.handle({ type: 'init', state: embedded });
  host.post({ type: 'ready' });
}

start();
