/**
 * The DNS step of an image download, checked: hosts.ts judges a hostname as written, so a public
 * name whose DNS answer is a private address (DNS rebinding, a name pointed at 127.0.0.1 or a cloud
 * metadata service) would pass it. This `lookup` for net/tls.connect resolves the name and refuses
 * the connection when any address of the answer is not public, before a socket is opened. Through a
 * proxy the proxy resolves names, so there the check is the proxy's. No `vscode`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { classifyHost, describeHostClass } from './hosts';
import { imageError } from './result';

/** Resolves a hostname to all its addresses (dns.lookup with `all: true`; tests pass their own). */
export type Resolve = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect / tls.connect that only ever yields public addresses. */
export function publicOnlyLookup(resolve: Resolve = systemResolve) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const cls = classifyHost(address);
        if (cls === 'public') continue;
        const refused = imageError(
          `The image host ${hostname} resolves to ${describeHostClass(cls)} (${address}); refused, because only an API on this computer may send the extension to local or private addresses.`,
          false,
        );
        return callback(refused, []);
      }
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family) || 0;
      const usable = addresses.filter((a) => !family || a.family === family);
      if (!usable.length) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, usable);
      else callback(null, usable[0].address, usable[0].family);
    });
  };
}
