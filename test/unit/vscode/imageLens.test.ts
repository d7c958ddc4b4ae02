import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..', '..');

/** The modules a file imports (static `import … from`, not `import type`). */
function imports(rel: string): string[] {
  const text = readFileSync(path.join(root, rel), 'utf8');
  return [...text.matchAll(/^import (?!type )[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('the image lens stays light (registered at activation)', () => {
  it('imageLens.ts and the parser import only vscode, node built-ins and small core modules: never the engine', () => {
    const allowed = new Set([
      'vscode',
      'node:fs/promises',
      'node:path',
      '../core/format',
      '../core/inert',
      '../core/markdownImages',
      './api/types',
      './fileExists',
    ]);
    for (const file of ['src/vscode/imageLens.ts', 'src/core/markdownImages.ts']) {
      const extra = imports(file).filter((m) => !allowed.has(m));
      assert.deepEqual(extra, [], `${file} imports more than the light set`);
    }
    assert.deepEqual(imports('src/vscode/fileExists.ts'), ['vscode'], 'fileExists.ts is vscode alone');
    for (const file of ['src/core/format.ts', 'src/core/inert.ts', 'src/core/api/types.ts']) {
      assert.deepEqual(
        imports(file).filter((m) => !m.startsWith('./') && !m.startsWith('node:')),
        [],
        `${file} pulls in a package`,
      );
    }
  });

  it('the activation bundle holds the lens but none of the engine (undici, the scheduler)', () => {
    const bundle = readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    assert.match(bundle, /nanoBanana\.generateImageAt/);
    assert.doesNotMatch(bundle, /undici/);
    assert.doesNotMatch(bundle, /JobScheduler/);
  });
});
