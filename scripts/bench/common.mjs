// Helpers shared by the bench sections: the compiled engine, a seeded RNG, quantiles, a text table.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The engine and the simulator as `npm run compile-tests` builds them into out/. */
export function engineModules(root) {
  const out = (p) => require(path.join(root, 'out', p));
  return {
    ...out('src/core/jobs/scheduler.js'),
    ...out('src/core/api/client.js'),
    ...out('test/simulator/server.js'),
  };
}

/** A seeded linear congruential generator in [0, 1): the same figures on every run. */
export function seededRandom(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 1) / 2 ** 31;
  };
}

/** The middle value of a list (the upper one of the two middles for an even length). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The q-quantile of a sorted list (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export const mark = (ok) => (ok === undefined ? ' ' : ok ? '✓' : '✗');

/** Lines of a text table: a header, a rule, then the rows; columns padded to their widest cell. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r) =>
    r
      .map((c, i) => c.padEnd(widths[i] + c.length - [...c].length))
      .join('  ')
      .trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)];
}
