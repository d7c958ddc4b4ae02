// `npm run test:desktop`: the integration tests in desktop VS Code (Electron) through @vscode/test-electron,
// for machines that can download VS Code (or have one: VSCODE_EXECUTABLE=/path/to/code).
// Offline, the download fails: this script then says so and points to `npm run test:integration`
// (code-server + Chromium, no download needed).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testsIndex = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
const version = process.env.VSCODE_VERSION || 'stable';
const log = (l) => process.stdout.write(l + '\n');

if (!existsSync(testsIndex)) {
  log('out/test/integration/index.js is missing: run `npm run compile-tests` first');
  process.exit(2);
}
if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) log('warning: dist/extension.js is missing (run `npm run build`)');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
if (!vscodeExecutablePath) {
  try {
    log(`downloading VS Code ${version} (cache .vscode-test/) …`);
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: path.join(repoRoot, '.vscode-test'), timeout: 30_000 });
  } catch (e) {
    log(`\nCannot get desktop VS Code ${version}: ${e?.message ?? e}`);
    log('This machine seems to be offline (update.code.visualstudio.com is not reachable).');
    log('Run the same tests in code-server instead: npm run test:integration');
    log('or point VSCODE_EXECUTABLE at an installed VS Code binary.');
    log('summary: 0 passed, 1 failed');
    process.exit(1);
  }
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'nb-desktop-'));
const workspace = path.join(tmp, 'workspace');
await mkdir(path.join(workspace, 'docs'), { recursive: true });
await writeFile(path.join(workspace, 'docs', 'prompts.md'), '# Prompts\n\nA watercolor banana on a blue table\n\nSecond line of text\n');
const resultFile = path.join(tmp, 'result.json');

let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: testsIndex,
    extensionTestsEnv: { NB_TEST_RESULT_FILE: resultFile },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      path.join(tmp, 'user-data'),
    ],
  });
} catch (e) {
  log(`VS Code test run failed: ${e?.message ?? e}`);
}
let result = { passed: 0, failed: 1, failures: ['no result file written'] };
try {
  result = JSON.parse(readFileSync(resultFile, 'utf8'));
} catch {
  /* keep the default */
}
for (const f of result.failures) log(`  ✗ ${f}`);
log(`summary: ${result.passed} passed, ${result.failed} failed`);
process.exit(code === 0 && result.failed === 0 && result.passed > 0 ? 0 : 1);
