/**
 * Which hosts an image URL may name. Result images come from third-party CDNs chosen by the API;
 * neither the API nor a redirect may point the extension at this computer or the local network
 * (a router page, a cloud metadata service, a local dev server). Hosts are judged as written,
 * after WHATWG URL normalisation (`2130706433`, `0x7f.1`, `0177.0.0.1` are all `127.0.0.1`, and
 * `[::ffff:127.0.0.1]` is `[::ffff:7f00:1]`); names are not resolved here: a public name whose DNS
 * answer is a private address is caught when the download connects (publicLookup.ts).
 */

/** `public` is the only class an API on another computer may send the extension to. */
export type HostClass = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved' | 'public';

/** Words for messages: "points to this computer (127.0.0.1)". */
export function describeHostClass(c: HostClass): string {
  switch (c) {
    case 'loopback':
      return 'this computer';
    case 'private':
      return 'a private network address';
    case 'link-local':
      return 'a link-local address (such as a cloud metadata service)';
    case 'unspecified':
      return 'the unspecified address';
    case 'reserved':
      return 'a reserved or multicast address';
    case 'public':
      return 'a public address';
  }
}

/** A hostname as WHATWG URL writes it; raw forms (`2130706433`, `::1`) are normalised first. */
function normalise(hostname: string): string {
  const raw = hostname.trim();
  const bare = raw.replace(/^\[|\]$/g, '');
  try {
    return new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return bare.toLowerCase();
  }
}

function classifyIpv4(octets: number[]): HostClass {
  const [a, b] = octets;
  if (a === 0) return 'unspecified'; // 0.0.0.0/8, "this network"
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT, 100.64/10
  if (a === 169 && b === 254) return 'link-local';
  if (a >= 224) return 'reserved'; // multicast, 240/4, broadcast
  if ((a === 192 && b === 0 && octets[2] === 0) || (a === 198 && (b === 18 || b === 19))) return 'reserved';
  return 'public';
}

function parseIpv4(h: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** Eight 16-bit groups of an IPv6 literal (with or without an embedded dotted IPv4 tail). */
function parseIpv6(h: string): number[] | undefined {
  let text = h;
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail) {
    const v4 = parseIpv4(tail[1]);
    if (!v4) return undefined;
    text = `${text.slice(0, -tail[1].length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]);
  const rest = halves.length === 2 ? part(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

function embeddedIpv4(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function classifyIpv6(g: number[]): HostClass {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d)
  // and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address: judge that one.
  if ((zeros(0, 5) && g[5] === 0xffff) || zeros(0, 6) || (zeros(0, 4) && g[4] === 0xffff && g[5] === 0)) {
    return classifyIpv4(embeddedIpv4(g[6], g[7]));
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyIpv4(embeddedIpv4(g[6], g[7]));
  if (g[0] === 0x2002) return classifyIpv4(embeddedIpv4(g[1], g[2])); // 6to4
  if (g[0] < 0x100) return 'reserved'; // the rest of ::/8, never a public host
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xffc0) === 0xfec0) return 'private'; // ULA, old site-local
  if ((g[0] & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

/** The class of a URL's hostname (`url.hostname`, brackets optional). */
export function classifyHost(hostname: string): HostClass {
  const h = normalise(hostname);
  const name = h.replace(/\.+$/, ''); // `localhost.` is `localhost`
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (h.includes(':')) {
    const groups = parseIpv6(h);
    return groups ? classifyIpv6(groups) : 'reserved'; // an IPv6 literal we cannot read: refuse
  }
  const v4 = parseIpv4(name);
  return v4 ? classifyIpv4(v4) : 'public';
}

/** Whether an API at `apiBaseUrl` runs on this computer (the simulator): only then may images be local. */
export function isLoopbackApi(apiBaseUrl: string | URL | undefined): boolean {
  if (apiBaseUrl === undefined) return false;
  try {
    return classifyHost(new URL(String(apiBaseUrl)).hostname) === 'loopback';
  } catch {
    return false;
  }
}
