/**
 * The gallery's icons are built at build time from the page sources (scripts/lib/codicons.mjs): the
 * scan must find every form an icon name is written in, and the built set must hold every icon the
 * page uses. (test/faults/xss.test.ts checks in Chromium that every icon on the rendered page is drawn.)
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..', '..');
const lib = pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'codicons.mjs')).href;

/** Runs `body` (an ES module body with `m` = the codicons module) in a child Node; its printed JSON. */
function run<T>(body: string): T {
  const code = `import * as m from ${JSON.stringify(lib)};\nconst out = await (async () => { ${body} })();\nprocess.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' })) as T;
}

describe('gallery page: icons built from the page sources', () => {
  it('finds icon names in every form the page writes them, and nothing else', () => {
    const source = `
      const STATE_ICON: Record<JobState, string> = { queued: 'loading', 'timed-out': 'clock', failed: 'error' };
      const ROW_ICONS = ['pinned', 'star-full'];
      const a = icon('search', 'filter-icon');
      const b = icon(STATE_ICON[s] ?? 'circle-outline', \`job-icon\${x ? ' codicon-modifier-spin' : ''}\`);
      const BUTTONS = [{ id: 'save', icon: 'save', label: (s) => s.save }, { id: 'open', icon: wide ? 'go-to-file' : 'file' }];
      const c = h('span', { class: 'codicon codicon-credit-card' });
      const d = h('button', { attrs: { 'data-action': 'reveal', title: 'close' } });`;
    const names = run<string[]>(`return [...m.iconNamesIn(${JSON.stringify(source)})].sort();`);
    assert.deepEqual(names, ['circle-outline', 'clock', 'credit-card', 'error', 'file', 'go-to-file', 'loading', 'pinned', 'save', 'search', 'star-full']);
  });

  it('builds a drawing for every icon the real page uses, aliases included', () => {
    const { used, built } = run<{ used: string[]; built: Record<string, { viewBox: string; paths: { d: string }[] }> }>(
      `const used = m.pageIcons(process.cwd()); return { used: [...used.keys()], built: m.buildIcons(used) };`,
    );
    // One name for each form in the page: a state record, a fallback, a button property, a call.
    for (const name of ['loading', 'circle-outline', 'close', 'file-media']) assert.ok(used.includes(name), `the scan finds "${name}"`);
    assert.deepEqual(Object.keys(built).sort(), [...used].sort(), 'every used icon is built, and only those');
    for (const [name, icon] of Object.entries(built)) {
      assert.match(icon.viewBox, /^0 0 \d+ \d+$/, name);
      assert.ok(icon.paths.length > 0 && icon.paths.every((p) => p.d.length > 10), `${name} has its paths`);
    }
  });

  it('rounds path numbers to 2 decimals and keeps numbers written without a separator apart', () => {
    const d = run<string>(`return m.roundPath('M8 1.22386C7.77614 1 -.006 .5 1.999.5L12.3-4.25Z');`);
    assert.equal(d, 'M8 1.22C7.78 1 -0.01 0.5 2 0.5L12.3-4.25Z');
  });

  it('fails the build with the unknown name and where it is used', () => {
    const message = run<string>(
      `try { m.buildIcons(new Map([['add', 'a.ts'], ['no-such-icon', 'src/gallery/page/x.ts']])); return 'built'; } catch (e) { return e.message; }`,
    );
    assert.match(message, /"no-such-icon" \(in src\/gallery\/page\/x\.ts\)/);
    assert.doesNotMatch(message, /"add"/);
  });
});
