/**
 * Entry of the gallery webview page (bundled by esbuild to media/dist/gallery.js).
 * Installs the message listener, then says `ready`; renders from `init`.
 */
import { isHostMessage } from '../protocol';
import { App } from './app';
import { RequestChannel } from './rpc';
import { parseViewState } from './viewState';
import { hostChannel } from './vscodeApi';

const FILTER_POST_DELAY_MS = 300;

function start(): void {
  const host = hostChannel();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  const rpc = new RequestChannel((message) => host.post(message));
  const restored = parseViewState(host.getState());

  let postTimer: number | undefined;
  const app = new App({
    root,
    request: (action) => rpc.request(action),
    initialFilter: restored.filter,
    saveFilter: (filter) => {
      host.setState({ filter });
      window.clearTimeout(postTimer);
      postTimer = window.setTimeout(() => host.post({ type: 'viewState', filter }), FILTER_POST_DELAY_MS);
    },
  });

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== window.origin) return;
    const message: unknown = event.data;
    if (!isHostMessage(message)) return;
    if (rpc.handle(message)) return;
    app.handle(message);
  });
  host.post({ type: 'ready' });
}

start();
