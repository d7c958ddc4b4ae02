/**
 * The parts of undici the engine uses, each required from its own file. undici's package root also
 * loads fetch, WebSocket, EventSource, the HTTP cache, the mocks and SOCKS, which the bundle would
 * carry (~270 KB minified) and the first command would load for nothing. What the root adds to
 * these parts is done here too: the request and connect APIs on every dispatcher (ProxyAgent's
 * CONNECT uses the latter) and `request(url, options)` with undici's global dispatcher when none is
 * given.
 */
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports -- file-level requires are the point here */
const DispatcherClass = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
// The two dispatcher APIs used (lib/api/index.js would add stream, pipeline and upgrade, unused: 7 KB).
const api = {
  request: require('undici/lib/api/api-request.js') as (
    this: Undici.Dispatcher,
    opts: Undici.Dispatcher.RequestOptions,
  ) => Promise<Undici.Dispatcher.ResponseData>,
  connect: require('undici/lib/api/api-connect.js') as unknown,
};
const { getGlobalDispatcher } = require('undici/lib/global.js') as { getGlobalDispatcher: () => Undici.Dispatcher };
const { parseURL } = require('undici/lib/core/util.js') as { parseURL: (url: string | URL) => URL };
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const ProxyAgent = require('undici/lib/dispatcher/proxy-agent.js') as typeof Undici.ProxyAgent;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
/* eslint-enable @typescript-eslint/no-require-imports */

Object.assign(DispatcherClass.prototype, api);

export type { Dispatcher } from 'undici';
export type Agent = Undici.Agent;
export type ProxyAgent = Undici.ProxyAgent;
export type EnvHttpProxyAgent = Undici.EnvHttpProxyAgent;
type Dispatcher = Undici.Dispatcher;
type RequestOptions = { dispatcher?: Dispatcher } & Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> &
  Partial<Pick<Undici.Dispatcher.RequestOptions, 'method'>>;

/** undici's `request(url, options)`: no redirects followed, the given dispatcher or the global one. */
export function request(url: string | URL, options: RequestOptions = {}): Promise<Undici.Dispatcher.ResponseData> {
  const u = parseURL(url);
  const { dispatcher = getGlobalDispatcher(), ...rest } = options;
  // As undici does: its request API on the dispatcher, which then needs only `dispatch`.
  return api.request.call(dispatcher, {
    ...rest,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: options.method ?? (options.body ? 'PUT' : 'GET'),
  });
}
