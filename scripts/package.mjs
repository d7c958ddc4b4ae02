// npm run package: a production build and a .vsix (offline; @vscode/vsce packs what .vscodeignore lets through).
// The README's pictures are not packed when package.json names a GitHub `repository`: the packed
// README links them there, and leaves out its parts for developers (scripts/lib/readmeImages.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { absoluteImages, forUsers, rawBaseUrl } from './lib/readmeImages.mjs';

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

const work = path.join(root, '.cache', 'package');
mkdirSync(work, { recursive: true });
const base = rawBaseUrl(pkg.repository);
let ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8');
const readmeArgs = [];
if (!base) throw new Error('package.json must name a GitHub repository: the packed README links its pictures there.');
// vsce takes the README from the files it packs (a path relative to the root), and packs it as readme.md.
const readme = path.relative(root, path.join(work, 'README.md')).split(path.sep).join('/');
// The Marketplace page is for people who use the extension: the developers' parts stay in the repository.
writeFileSync(path.join(root, readme), absoluteImages(forUsers(readFileSync(path.join(root, 'README.md'), 'utf8'), pkg.homepage), base));
ignore = ignore.replace(/^!README\.md$/m, `!${readme}`);
readmeArgs.push('--readme-path', readme);
const ignoreFile = path.join(work, '.vscodeignore');
writeFileSync(ignoreFile, ignore);
run(process.execPath, [
  path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--no-rewrite-relative-links',
  '--ignoreFile',
  ignoreFile,
  ...readmeArgs,
  '--out',
  out,
]);
console.log(`\n${path.basename(out)}  ${(statSync(out).size / 1024).toFixed(1)} KiB`);
console.log(`install it with:  code --install-extension ${path.relative(process.cwd(), out) || out}`);
