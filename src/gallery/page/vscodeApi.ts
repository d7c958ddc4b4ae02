/** The webview's handle on the host, acquired once. */
import type { PageMessage } from '../protocol';
import type { PageViewState } from './viewState';

interface WebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): WebviewApi;

export interface HostChannel {
  post(message: PageMessage): void;
  getState(): unknown;
  setState(state: PageViewState): void;
}

let api: WebviewApi | undefined;

export function hostChannel(): HostChannel {
  api ??= acquireVsCodeApi();
  const a = api;
  return {
    post: (message) => a.postMessage(message),
    getState: () => a.getState(),
    setState: (state) => void a.setState(state),
  };
}
