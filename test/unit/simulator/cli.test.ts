import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../simulator/cli';

const CLI = path.resolve(__dirname, '../../simulator/cli.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('simulator: CLI', function () {
  this.timeout(8000);
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('prints the URL line, serves requests with its key, and exits cleanly on SIGTERM', async () => {
    const r = run(['--port', '0', '--key', 'dk-x', '--duration', '100']);
    children.push(r.child);
    const url = await waitFor(
      () => /Nano Banana simulator listening on (http:\/\/127\.0\.0\.1:\d+) {2}\(key: dk-x\)/.exec(r.stdout())?.[1],
      4000,
      'the URL line',
    );
    await waitFor(() => (r.stdout().includes('stop with Ctrl+C') ? true : undefined), 2000, 'the help');
    assert.ok(r.stdout().startsWith('Nano Banana simulator listening on'), 'the URL line comes first');
    assert.match(r.stdout(), /\[sim:fail\]/, 'prints the directives');
    const ok = await fetch(`${url}/api/user`, { headers: { authorization: 'Bearer dk-x' } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { data: { credit: string } }).data.credit, '100.000000');
    const no = await fetch(`${url}/api/user`, { headers: { authorization: 'Bearer dk-simulator' } });
    assert.equal(no.status, 401);
    await waitFor(() => (r.stdout().includes('GET /api/user → 401') ? true : undefined), 2000, 'the request log');
    assert.ok(!r.stdout().split('\n').slice(1).join('\n').includes('dk-x)'), 'the key is masked in the request log');
    r.child.kill('SIGTERM');
    const t0 = Date.now();
    const exit = await r.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 2000);
    await assert.rejects(fetch(`${url}/api/user`));
  });

  it('stops on SIGINT too, and says so in --any-key mode', async () => {
    const r = run(['--any-key', '--quiet']);
    children.push(r.child);
    await waitFor(() => (r.stdout().includes('(any key accepted)') ? true : undefined), 4000, 'the URL line');
    r.child.kill('SIGINT');
    assert.deepEqual(await r.exited, { code: 0, signal: null });
  });

  for (const args of [
    ['--bogus'],
    ['--port', 'abc'],
    ['--port', '70000'],
    ['--port'],
    ['--duration', '-5'],
    ['--key', ''],
    ['--credit', 'lots'],
    ['--any-key=yes'],
  ]) {
    it(`exits 2 with a clear message for ${JSON.stringify(args)}`, async () => {
      const r = run(args);
      children.push(r.child);
      const exit = await r.exited;
      assert.equal(exit.code, 2);
      assert.match(r.stderr(), /^simulator: .+\nusage:/);
      assert.equal(r.stdout(), '');
    });
  }

  it('parseArgs reads every flag, in both --flag value and --flag=value forms', () => {
    assert.deepEqual(parseArgs(['--port', '8080', '--host=0.0.0.0', '--key', 'dk-abc', '--any-key', '--duration=250', '--credit', '2.5', '--quiet']), {
      sim: { port: 8080, host: '0.0.0.0', apiKey: 'dk-abc', anyKey: true, durationMs: 250, credit: 2.5 },
      quiet: true,
      help: false,
    });
    assert.deepEqual(parseArgs([]), { sim: {}, quiet: false, help: false });
    assert.throws(() => parseArgs(['extra']), UsageError);
  });
});
