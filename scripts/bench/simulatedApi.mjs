// The simulator's API in this process, for runs with many thousand requests: its own task model
// (test/simulator/tasks.ts: how a task's status follows its age, what a query answers) and the real
// client's reading of the answer (src/core/api/envelope.ts), without the sockets. `--http` runs the
// same jobs against the real simulator over HTTP instead; the figures are the same to the ms.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export function simulatedApi(root, clock) {
  const out = (p) => require(path.join(root, 'out', p));
  const { statusOf, taskData, DEFAULT_DURATION_MS, TEXT_ANSWER, FAIL_REASON } = out('test/simulator/tasks.js');
  const { parseDirectives } = out('test/simulator/directives.js');
  const { readEnvelope, parseSubmitData, parseTaskData } = out('src/core/api/envelope.js');
  const tasks = new Map();
  let n = 0;
  const answer = (data) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 0, message: 'ok', data }) });
  const imageOf = (t) => [{ image: `https://cdn.example.com/files/${t.taskId}/1.png` }];
  return {
    tasks,
    async submit(req) {
      const directives = parseDirectives(req.prompt);
      const taskId = `ta-bench-${++n}`;
      tasks.set(taskId, {
        taskId,
        createdAt: clock.now(),
        durationMs: directives.durationMs ?? DEFAULT_DURATION_MS,
        directives,
        forcedFinal: false,
        queries: 0,
        words: { textAnswer: TEXT_ANSWER, failReason: FAIL_REASON },
      });
      const res = answer({ task_id: taskId });
      return parseSubmitData(readEnvelope(res, 'submit', clock.now(), false), res);
    },
    async query(taskId) {
      const t = tasks.get(taskId);
      t.queries++;
      const res = answer(taskData(t, statusOf(t, clock.now()), imageOf));
      return parseTaskData(readEnvelope(res, 'task query', clock.now(), true), res, taskId);
    },
    async close() {},
  };
}
