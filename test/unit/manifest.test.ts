// The Marketplace-facing manifest and the Getting Started walkthrough, checked against the files and
// the code they name: media that exist and follow the theme, completion events that can fire, an icon
// of the size the Marketplace wants, and links that are set.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (...p: string[]) => readFileSync(path.join(root, ...p), 'utf8');

interface Step {
  id: string;
  title: string;
  description: string;
  media: { svg?: string; image?: string; altText?: string };
  completionEvents: string[];
}
interface Manifest {
  publisher: string;
  name: string;
  icon?: string;
  repository?: { url?: string };
  bugs?: { url?: string };
  homepage?: string;
  categories: string[];
  galleryBanner?: { color?: string; theme?: string };
  contributes: { commands: { command: string }[]; walkthroughs?: { id: string; title: string; steps: Step[] }[] };
}

const pkg = JSON.parse(read('package.json')) as Manifest;
const nlsKey = (v: string) => /^%(.+)%$/.exec(v)?.[1];

describe('manifest: Marketplace fields', () => {
  it('names its repository, bug tracker and home page, without the packaging escape hatch', () => {
    for (const url of [pkg.repository?.url, pkg.bugs?.url, pkg.homepage]) assert.match(url ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+/);
    assert.doesNotMatch(read('scripts', 'package.mjs'), /allow-missing-repository/);
    assert.ok(pkg.categories.includes('AI') && !pkg.categories.includes('Other'), pkg.categories.join());
    assert.match(pkg.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(existsSync(path.join(root, 'CHANGELOG.md')));
  });

  it('the icon is a 128×128 PNG', () => {
    assert.equal(pkg.icon, 'media/icon.png');
    const png = readFileSync(path.join(root, 'media', 'icon.png'));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });
});

describe('manifest: the Getting Started walkthrough', () => {
  const wt = pkg.contributes.walkthroughs?.[0];
  const en = JSON.parse(read('package.nls.json')) as Record<string, string>;
  const tr = JSON.parse(read('package.nls.tr.json')) as Record<string, string>;
  const walkthroughCode = read('src', 'vscode', 'walkthrough.ts');

  it('is the one the code opens, with the five steps in order', () => {
    assert.ok(wt);
    assert.match(walkthroughCode, new RegExp(`'${pkg.publisher}\\.${pkg.name}#${wt.id.replace(/\./g, '\\.')}'`));
    assert.deepEqual(
      wt.steps.map((s) => s.id),
      ['nanoBanana.setApiKey', 'nanoBanana.firstImage', 'nanoBanana.gallery', 'nanoBanana.markdown', 'nanoBanana.chat'],
    );
  });

  it('every step has English and Turkish text, a button or an example, and an SVG made for it that follows the theme', () => {
    for (const s of wt!.steps) {
      for (const v of [s.title, s.description, s.media.altText ?? '']) {
        const key = nlsKey(v);
        assert.ok(key && en[key] && tr[key], `${s.id}: ${v} is not localized in both languages`);
        assert.notEqual(en[key], tr[key], `${s.id}: ${key} is not translated`);
      }
      assert.ok(s.media.svg, `${s.id} has an SVG`);
      const svg = read(s.media.svg);
      assert.ok(svg.length < 4096, `${s.media.svg} stays small (${svg.length} bytes)`);
      assert.match(svg, /var\(--vscode-foreground/, `${s.media.svg} takes its text colour from the theme`);
      assert.match(svg, /var\(--vscode-editor-background/, `${s.media.svg} takes its background from the theme`);
    }
  });

  it('every completion event can fire: a contributed command, or a context key the code sets', () => {
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    const setters = walkthroughCode;
    for (const s of wt!.steps) {
      assert.ok(s.completionEvents.length, `${s.id} completes on something`);
      for (const e of s.completionEvents) {
        const [kind, what] = e.split(/:(.*)/s);
        if (kind === 'onCommand') assert.ok(commands.has(what), `${s.id}: ${what} is not a contributed command`);
        else if (kind === 'onContext') assert.ok(setters.includes(`'${what}'`), `${s.id}: nothing sets the context key ${what}`);
        else assert.fail(`${s.id}: unexpected completion event ${e}`);
      }
    }
  });

  it('the buttons run commands that exist (or the chat view), with the key step pointing at Set API Key', () => {
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const s of wt!.steps) {
      for (const lang of [en, tr]) {
        const text = lang[nlsKey(s.description)!];
        const links = [...text.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
        assert.ok(links.length, `${s.id} has a button`);
        // The walkthrough shows plain text and links: inline code and bold came out as raw marks.
        assert.doesNotMatch(text.replace(/\[[^\]]*\]\([^)]*\)/g, ''), /`|\*\*|\]\(/, `${s.id}: markup the walkthrough would show raw`);
        for (const id of links) assert.ok(commands.has(id) || id === 'workbench.action.chat.open', `${s.id}: ${id}`);
      }
    }
    assert.match(en['walkthrough.setApiKey.description'], /\(command:nanoBanana\.setApiKey\)/);
  });
});

describe('manifest: the README inside the .vsix', () => {
  /** scripts/lib/readmeImages.mjs's forUsers on `markdown`, run in a child Node (it is an ES module); its output or error. */
  function forUsers(markdown: string): string {
    const lib = pathToFileURL(path.join(root, 'scripts', 'lib', 'readmeImages.mjs')).href;
    const code = `import { forUsers } from ${JSON.stringify(lib)};\ntry { process.stdout.write(forUsers(${JSON.stringify(markdown)}, 'https://example.org/repo')); } catch (e) { process.stdout.write('ERROR ' + e.message); }`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  }

  it("keeps what people read, leaves out the developers' parts and points to them", () => {
    const out = forUsers(read('README.md'));
    for (const kept of ['## First run', '## Commands', '## Settings', '## Credits']) assert.ok(out.includes(kept), kept);
    for (const left of ['## Run all tests', '## Performance', '## Where things live', 'npm ci']) assert.ok(!out.includes(left), left);
    assert.match(out, /see the \[repository\]\(https:\/\/example\.org\/repo\)\.\n$/);
    assert.ok(out.length < read('README.md').length / 2, `${out.length} characters`);
  });

  it('refuses a part that is not closed or not opened, rather than cut the wrong text', () => {
    assert.match(forUsers('a\n<!-- developers -->\nb\n'), /^ERROR .*line 2 is not closed/);
    assert.match(forUsers('a\n<!-- /developers -->\n'), /^ERROR .*closes at line 2 without opening/);
    assert.equal(
      forUsers('a\n<!-- developers: x -->\nb\n<!-- /developers -->\nc'),
      'a\nc\n\n---\n\nBuilding, testing, the API simulator, benchmarks and the design: see the [repository](https://example.org/repo).\n',
    );
  });
});
