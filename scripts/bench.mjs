// npm run bench: measures the extension and prints a table a person can read, each figure beside
// its goal (✓ met, ✗ not). `npm run bench -- --json` prints one JSON object on stdout instead
// (progress goes to stderr); `--only polling,concurrency` runs some sections. Every figure comes
// from a measurement in this run; a section that is not there or not run is null in the JSON and
// "not measured" in the table.
//
// A section is a module in scripts/bench/ that exports
//   title: string                      the heading of its part of the table
//   run(ctx): Promise<{ json, lines }>  json: its value in the JSON object (under `key` below);
//                                       lines: its part of the table (strings, goals and ✓/✗ in them)
// with ctx = { root, log(line) (to stderr), args (the command line after --only/--json) }.
// Sections run one after another, in the order below.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** JSON key → section module (in scripts/bench/). The order is the order of the JSON and the table. */
const SECTIONS = [
  ['activation', 'activation.mjs'],
  ['polling', 'polling.mjs'],
  ['firstCommand', 'sections.mjs'], // { promptBoxMs, firstSubmitMs, … } (firstCommand.mjs)
  ['gallery', 'sections.mjs'], // { items, firstPaintMs, rendererMB, longestTaskMs, filterMs, … } (gallery.mjs)
  ['concurrency', 'concurrency.mjs'],
  ['bigImage', 'bigImage.mjs'],
  ['reference', 'sections.mjs'], // { megapixels, prepareMs, … } (reference.mjs)
  ['vsixKB', 'sections.mjs'], // a number (vsix.mjs)
];

function parseArgs(argv) {
  const args = { json: false, only: undefined, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--only') args.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else if (a.startsWith('--only=')) args.only = new Set(a.slice(7).split(',').filter(Boolean));
    else args.rest.push(a);
  }
  const unknown = args.only ? [...args.only].filter((k) => !SECTIONS.some(([key]) => key === k)) : [];
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map(([k]) => k).join(', ')}`);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const log = (line) => process.stderr.write(`${line}\n`);
  const ctx = { root, log, args: args.rest };
  const result = {};
  const text = [];
  for (const [key, file] of SECTIONS) {
    result[key] = null;
    const where = path.join(root, 'scripts', 'bench', file);
    if (args.only && !args.only.has(key)) continue;
    if (!existsSync(where)) {
      text.push('', `## ${key}: not measured (no scripts/bench/${file})`);
      continue;
    }
    const module = await import(pathToFileURL(where).href);
    // sections.mjs holds several sections, by key; the other modules are one section each.
    const section = module.sections?.[key] ?? module;
    log(`bench: ${key}…`);
    try {
      const { json, lines } = await section.run(ctx);
      result[key] = json;
      text.push('', `## ${section.title ?? key}`, ...lines);
    } catch (e) {
      process.exitCode = 1;
      log(`bench: ${key} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      text.push('', `## ${section.title ?? key}: not measured (failed: ${e instanceof Error ? e.message : String(e)})`);
    }
  }
  for (const [key] of SECTIONS) if (args.only && !args.only.has(key)) text.push(`## ${key}: not measured (not in --only)`);
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${text.join('\n').trimStart()}\n`);
}

main().then(
  // Sections close what they open; exit anyway, so a stray handle never hangs the bench.
  () => process.exit(),
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
