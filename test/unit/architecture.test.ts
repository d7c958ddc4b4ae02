import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_IDS } from '../../src/vscode/ids';
import { ITEM_BUTTONS } from '../../src/gallery/page/itemButtons';

const root = path.resolve(__dirname, '..', '..', '..');

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

/** A JSON file of the repository, parsed into `unknown` for the caller to narrow. */
function readJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(path.join(root, ...parts), 'utf8'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object of strings (an nls or l10n bundle), failing the test for anything else. */
function readStrings(...parts: string[]): Record<string, string> {
  const v = readJson(...parts);
  assert.ok(isRecord(v), `${parts.join('/')} is not an object`);
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    assert.equal(typeof s, 'string', `${parts.join('/')}: "${k}" is not a string`);
    out[k] = String(s);
  }
  return out;
}

/** The command ids `contributes.commands` of package.json declares. */
function declaredCommands(): string[] {
  const pkg = readJson('package.json');
  assert.ok(isRecord(pkg) && isRecord(pkg.contributes) && Array.isArray(pkg.contributes.commands), 'package.json has no contributes.commands');
  return pkg.contributes.commands.map((c: unknown, i) => {
    assert.ok(isRecord(c) && typeof c.command === 'string', `contributes.commands[${i}] has no command id`);
    return c.command;
  });
}

/** Every string literal passed to vscode.l10n.t (or an alias `t`) in the extension's code. */
export function l10nKeys(): Set<string> {
  const keys = new Set<string>();
  // Single-quoted, or double-quoted where the text has an apostrophe (Prettier's choice).
  const re = /(?:l10n\.t|\bt)\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (const file of walk(path.join(root, 'src'), '.ts')) {
    if (file.includes(`${path.sep}core${path.sep}`) || file.includes(`${path.sep}page${path.sep}`)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) keys.add((m[1] ?? m[2]).replace(/\\(['"])/g, '$1').replace(/\\\\/g, '\\'));
  }
  return keys;
}

/** Every module `entry` loads (value imports, followed through src): repository-relative paths and package names. */
function loadedModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export) (?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (!spec.startsWith('.')) {
        seen.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      visit([`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f)) ?? `${base}.ts`);
    }
  };
  visit(path.join(root, entry));
  return seen;
}

describe('architecture', () => {
  it('no file of the engine (src/core) imports vscode', () => {
    const offenders = walk(path.join(root, 'src', 'core'), '.ts').filter((f) =>
      /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });

  it('the gallery protocol imports neither vscode nor the DOM-only page', () => {
    const text = readFileSync(path.join(root, 'src', 'gallery', 'protocol.ts'), 'utf8');
    assert.doesNotMatch(text, /from\s+['"](vscode|\.\/page)/);
  });

  it('the activation entry loads the engine lazily (no static import of services, undici or core/api)', () => {
    const text = readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    assert.doesNotMatch(text, /^import (?!type)[^;]*from\s+['"](\.\/services|undici|\.\/core\/api)/m);
    assert.match(text, /require\('\.\/services\.js'\)/);
  });

  it('the first command asks with front.ts, which loads neither undici nor the engine nor a decoder', () => {
    const loaded = [...loadedModules('src/front.ts')];
    assert.ok(loaded.includes('src/vscode/commands/generateAsk.ts') && loaded.includes('src/vscode/optionsStep.ts'), loaded.join(', '));
    const heavy = loaded
      .filter((m) => !/^(vscode|node:.*)$/.test(m) && !m.startsWith('src/'))
      .concat(
        loaded.filter((m) =>
          /^src\/(services\.ts|core\/jobs\/(?!states\.ts)|core\/images\/(?!(imageWorkers|referenceCheck|sniff)\.ts)|core\/api\/(client|http|undici)\.ts)/.test(
            m,
          ),
        ),
      );
    // It may start the image worker while the person picks references (imageWorkers.ts holds no decoder).
    assert.deepEqual(heavy, []);
    const entry = readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    assert.match(entry, /require\('\.\/front\.js'\)/);
    assert.doesNotMatch(entry, /^import (?!type)[^;]*from\s+['"]\.\/front/m);
  });

  it('images are decoded only in the image worker: the engine loads no decoder, the worker loads no engine', () => {
    const decoders = /^(pngjs|jpeg-js|@jsquash\/.*|@cwasm\/.*)$|^src\/core\/images\/(bitmap|codecs|turboJpeg|png|convert|exif|resize|thumbnail|imageWork)\.ts$/;
    const engine = [...loadedModules('src/services.ts')];
    assert.ok(engine.includes('src/core/images/imageWorkers.ts'), 'the engine reaches the workers');
    assert.deepEqual(
      engine.filter((m) => decoders.test(m)),
      [],
    );
    const worker = [...loadedModules('src/core/images/imageWorker.ts')];
    assert.ok(worker.includes('src/core/images/codecs.ts') && worker.includes('src/core/images/resize.ts'), worker.join(', '));
    assert.deepEqual(
      worker.filter((m) => m === 'vscode' || /^src\/(vscode|gallery)\/|^src\/core\/(jobs|api)\//.test(m)),
      [],
    );
  });

  it('the manifest declares exactly the commands the code registers', () => {
    // The gallery card's context-menu commands are registered from the action list.
    assert.deepEqual(declaredCommands().sort(), [...COMMAND_IDS, ...ITEM_BUTTONS.map((d) => d.command)].sort());
  });

  it('every %key% of the manifest has an English and a Turkish string', () => {
    const pkgText = readFileSync(path.join(root, 'package.json'), 'utf8');
    const used = [...pkgText.matchAll(/"%([\w.]+)%"/g)].map((m) => m[1]);
    const en = readStrings('package.nls.json');
    const tr = readStrings('package.nls.tr.json');
    assert.ok(used.length > 10);
    for (const k of used) {
      assert.ok(en[k], `package.nls.json lacks ${k}`);
      assert.ok(tr[k], `package.nls.tr.json lacks ${k}`);
    }
    assert.deepEqual(Object.keys(tr).sort(), Object.keys(en).sort());
  });

  it('every vscode.l10n.t string has a Turkish translation, keeping its {n} placeholders', () => {
    const bundle = readStrings('l10n', 'bundle.l10n.tr.json');
    const keys = l10nKeys();
    assert.ok(keys.size > 50, `found only ${keys.size} strings`);
    const missing = [...keys].filter((k) => !bundle[k]);
    assert.deepEqual(missing, [], 'untranslated strings');
    for (const k of keys) {
      const holes = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
      assert.deepEqual(holes(bundle[k]), holes(k), `placeholders differ for "${k}"`);
    }
    const stale = Object.keys(bundle).filter((k) => !keys.has(k));
    assert.deepEqual(stale, [], 'translations of strings no longer used');
  });
});
