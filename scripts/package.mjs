// npm run package: a production build and a .vsix (offline; @vscode/vsce packs what .vscodeignore lets through).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

// Source maps of an earlier development build must not ship (the production build makes none).
for (const dir of ['dist', path.join('media', 'dist')].filter((d) => existsSync(path.join(root, d)))) {
  for (const f of readdirSync(path.join(root, dir), { withFileTypes: true }).filter((e) => e.name.endsWith('.map'))) {
    rmSync(path.join(root, dir, f.name));
  }
}
run(process.execPath, ['esbuild.mjs', '--production']);
run(process.execPath, [
  path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--no-rewrite-relative-links',
  '--out',
  out,
]);
console.log(`\n${path.basename(out)}  ${(statSync(out).size / 1024).toFixed(1)} KiB`);
console.log(`install it with:  code --install-extension ${path.relative(process.cwd(), out) || out}`);
