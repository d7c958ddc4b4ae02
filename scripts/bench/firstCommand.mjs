// Bench section "first command": how long the first `nanoBanana.generate` of a session takes, in
// the bundled extension (dist/, production build) with a stand-in for `vscode` (lib/fakeVscode.mjs).
//   promptBoxMs    command handler called → window.showInputBox called (extension work only);
//                  promptBoxCpuMs: the CPU time the process spent meanwhile (less swayed by a busy machine)
//   firstSubmitMs  options step accepted → the submit POST reaches a local server on 127.0.0.1,
//                  when the person took 1.5 s to type the prompt (the engine loads meanwhile)
//   firstSubmitAtOnceMs  the same when the prompt box is answered at once (the engine loads at submit)
// Each run is a fresh Node process (cold require cache); the figures are medians.
// CLI: node scripts/bench/firstCommand.mjs [--runs N] [--no-build]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..', '..');
const now = () => performance.timeOrigin + performance.now();
const round = (x) => Math.round(x * 10) / 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One first command in this process (a child of `run`): prints its marks as JSON lines. */
async function child(apiUrl, typingMs) {
  const { installFakeVscode } = await import('./lib/fakeVscode.mjs');
  const storage = mkdtempSync(path.join(os.tmpdir(), 'nb-bench-first-'));
  const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  let started = 0;
  let startedCpu;
  const { context, commands } = installFakeVscode({
    root,
    storage,
    secret: 'bench-key-0123456789',
    settings: { 'nanoBanana.apiBaseUrl': apiUrl },
    hooks: {
      log: process.env.NB_BENCH_DEBUG ? (line) => process.stderr.write(`${(now() - started).toFixed(1)} ${line}\n`) : undefined,
      showInputBox: async () => {
        const cpu = process.cpuUsage(startedCpu);
        say({ promptBoxMs: now() - started, promptBoxCpuMs: (cpu.user + cpu.system) / 1000 });
        await sleep(typingMs);
        return 'a ripe banana on a blue table';
      },
      // The options step: Enter on its first row (Generate) after a short look.
      showQuickPick: async (items) => {
        await sleep(typingMs ? 300 : 0);
        say({ acceptedAt: now() });
        if (process.env.NB_BENCH_DEBUG) process.stderr.write(`accepted ${now().toFixed(1)}\n`);
        return items[0];
      },
    },
  });
  const require = createRequire(import.meta.url);
  require(path.join(root, 'dist', 'extension.js')).activate(context);
  const generate = commands.get('nanoBanana.generate');
  started = now();
  startedCpu = process.cpuUsage();
  const jobId = await generate();
  say({ jobId: jobId ?? null });
  process.on('exit', () => rmSync(storage, { recursive: true, force: true }));
}

/** A local API that notes when each submit arrives (and answers it as the API does). */
function localApi() {
  const arrivals = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/api/image/gen')) arrivals.push(now());
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 0, status: 200, message: 'ok', data: { task_id: `bench-${arrivals.length}` } }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, arrivals, server })));
}

/** One fresh process: its prompt box time and how long after the accept the POST arrived. */
async function once(api, typingMs) {
  const seen = api.arrivals.length;
  const proc = spawn(process.execPath, [here, '--child', api.url, String(typingMs)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const marks = {};
  let buf = '';
  proc.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) Object.assign(marks, JSON.parse(buf.slice(0, i)));
  });
  const exited = new Promise((r) => proc.on('exit', r));
  const deadline = Date.now() + 20_000;
  while (api.arrivals.length === seen && Date.now() < deadline && proc.exitCode === null) await sleep(5);
  proc.kill();
  await exited;
  if (api.arrivals.length === seen || marks.acceptedAt === undefined) throw new Error(`first command: no submit arrived (${JSON.stringify(marks)})`);
  return { promptBoxMs: marks.promptBoxMs, promptBoxCpuMs: marks.promptBoxCpuMs, submitMs: api.arrivals[seen] - marks.acceptedAt };
}

export async function run(ctx = {}) {
  const runs = ctx.runs ?? 7;
  if (ctx.build !== false) execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'ignore' });
  const api = await localApi();
  try {
    const typed = [];
    const atOnce = [];
    for (let i = 0; i < runs; i++) {
      typed.push(await once(api, 1500));
      atOnce.push(await once(api, 0));
    }
    return {
      promptBoxMs: round(median(typed.map((r) => r.promptBoxMs))),
      promptBoxCpuMs: round(median(typed.map((r) => r.promptBoxCpuMs))),
      firstSubmitMs: round(median(typed.map((r) => r.submitMs))),
      firstSubmitAtOnceMs: round(median(atOnce.map((r) => r.submitMs))),
    };
  } finally {
    api.server.close();
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]));
} else if (process.argv[1] === here) {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || undefined;
  const r = await run({ runs, build: !process.argv.includes('--no-build') });
  console.log(`first command (median of ${runs ?? 7} fresh processes):`);
  console.log(`  command → prompt box           ${r.promptBoxMs} ms (${r.promptBoxCpuMs} ms of CPU)`);
  console.log(`  accept → submit POST arrives   ${r.firstSubmitMs} ms (prompt typed in 1.5 s; the engine loaded meanwhile)`);
  console.log(`  accept → submit POST arrives   ${r.firstSubmitAtOnceMs} ms (prompt box answered at once)`);
}
