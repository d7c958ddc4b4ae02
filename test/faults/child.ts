/**
 * One "extension host" for the kill and reload scenarios: the real engine (engine.ts) in its own
 * Node process, with a fixed window owner, so a second process with the same owner is the same
 * window after a crash or a reload. Talks to its parent in JSON lines on stdout:
 *   {t:'ready'} {t:'started', id} {t:'state', id, state, taskId} {t:'log', line}
 *   {t:'settled', jobs} {t:'disposed'} {t:'crash', what}
 * Argument: a JSON config { apiBaseUrl, root, owner, session, prompts, exitWhenSettled, timeoutMs }.
 * On SIGTERM it runs the dispose path of src/vscode/jobEngine.ts and exits 0.
 */
import { createEngine, MODEL } from './engine';

interface ChildConfig {
  apiBaseUrl: string;
  root: string;
  owner: string;
  session: string;
  prompts: string[];
  exitWhenSettled: boolean;
  timeoutMs?: number;
}

const send = (msg: Record<string, unknown>) => process.stdout.write(JSON.stringify(msg) + '\n');

process.on('uncaughtException', (e) => {
  send({ t: 'crash', what: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  send({ t: 'crash', what: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(70);
});

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const engine = createEngine({
    apiBaseUrl: cfg.apiBaseUrl,
    root: cfg.root,
    identity: { owner: cfg.owner, session: cfg.session },
    log: (line) => send({ t: 'log', line }),
  });
  let disposing = false;
  const finish = async (code: number) => {
    if (disposing) return;
    disposing = true;
    await engine.dispose();
    send({ t: 'disposed' });
    process.exit(code);
  };
  process.on('SIGTERM', () => void finish(0));

  engine.scheduler.onDidChange((e) => {
    if (e.previous !== e.job.state) send({ t: 'state', id: e.job.id, state: e.job.state, taskId: e.job.taskId });
  });
  await engine.ready;
  send({ t: 'ready', adopted: engine.scheduler.list().map((j) => ({ id: j.id, state: j.state })) });
  for (const prompt of cfg.prompts) {
    const job = engine.scheduler.start({ model: MODEL, prompt });
    send({ t: 'started', id: job.id });
  }
  if (!cfg.exitWhenSettled) {
    // The engine's timers do not keep a process alive (an extension host lives on by itself):
    // this one stays until the test kills or ends it.
    setInterval(() => undefined, 60_000);
    return;
  }
  const ids = engine.scheduler.list().map((j) => j.id);
  const jobs = await engine.settled(ids, cfg.timeoutMs ?? 20_000);
  send({ t: 'settled', jobs });
  await finish(0);
}

main().catch((e) => {
  send({ t: 'crash', what: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(71);
});
