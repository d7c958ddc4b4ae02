// In-extension-host test runner: VS Code loads this module (extensionTestsPath) and awaits run().
// Runs every out/test/integration/**/*.test.js with mocha (bdd), writes {passed, failed, pending, failures}
// to the file named by NB_TEST_RESULT_FILE (when set), and rejects when a test failed or none ran.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

export interface RunResult {
  passed: number;
  failed: number;
  /** Tests skipped (it.skip, this.skip()): neither passed nor failed. */
  pending: number;
  failures: string[];
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.NB_TEST_TIMEOUT_MS) || 30_000,
    grep: process.env.NB_TEST_GREP || undefined,
  });
  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);
  const result: RunResult = { passed: 0, failed: 0, pending: 0, failures: [] };
  const resultFile = process.env.NB_TEST_RESULT_FILE;
  const write = () => {
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  };
  try {
    if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      if (runner.total === 0) {
        result.failed++;
        const grep = process.env.NB_TEST_GREP;
        result.failures.push(`no integration test ran: ${grep ? `NB_TEST_GREP=${grep} matches no test` : 'no test is defined'} in ${files.length} file(s)`);
      }
      runner.on('pass', () => result.passed++);
      runner.on('pending', () => result.pending++);
      runner.on('fail', (test, err: unknown) => {
        result.failed++;
        const e = err as { message?: string } | undefined;
        result.failures.push(`${test.fullTitle()}: ${e?.message ?? String(err)}`);
      });
    });
  } catch (err) {
    result.failed++;
    result.failures.push(`integration runner: ${(err as Error)?.stack ?? String(err)}`);
  }
  write();
  if (result.failed > 0) throw new Error(`${result.failed} integration test(s) failed`);
}
