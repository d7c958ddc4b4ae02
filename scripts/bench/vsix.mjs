// Bench section "vsix": builds the package (npm run package: production build + vsce) and reports
// its size, and what each file costs in it (compressed), largest first.
// CLI: node scripts/bench/vsix.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..', '..');

/** The entries of a zip file (its central directory): name, size, compressed size. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size, compressed });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

export async function run(ctx = {}) {
  if (ctx.build !== false) execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'ignore' });
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const file = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
  return { vsixKB: Math.round((statSync(file).size / 1024) * 10) / 10, files: zipEntries(file).sort((a, b) => b.compressed - a.compressed) };
}

if (process.argv[1] === here) {
  const { vsixKB, files } = await run({ build: !process.argv.includes('--no-build') });
  console.log(`.vsix: ${vsixKB} KiB`);
  console.log(`${'compressed'.padStart(11)} ${'size'.padStart(10)}  file`);
  for (const f of files) console.log(`${(f.compressed / 1024).toFixed(1).padStart(8)} KiB ${(f.size / 1024).toFixed(1).padStart(6)} KiB  ${f.name}`);
}
