import * as assert from 'node:assert/strict';
import type { HistoryItem } from '../../../src/core/history';
import type { JobRecord } from '../../../src/core/jobs/types';
import {
  checkToolInput,
  finalFileName,
  jobEndText,
  lmMarkdownLink,
  medianCredits,
  parseTarget,
  recentCredits,
  successText,
  targetExistsText,
} from '../../../src/core/lmTool';

function job(over: Partial<JobRecord>): JobRecord {
  return { id: 'j', state: 'success', request: { model: 'google/gempix2', prompt: 'p' }, createdAt: 0, updatedAt: 0, pollCount: 0, ...over };
}

function item(over: Partial<HistoryItem>): HistoryItem {
  return { id: 'i', prompt: 'p', model: 'google/gempix2', createdAt: 0, fileName: 'i.png', mime: 'image/png', bytes: 1, ...over };
}

describe('the language model tool (pure parts)', () => {
  describe('checkToolInput', () => {
    it('accepts a full input and normalises it', () => {
      const r = checkToolInput({
        prompt: '  a hero image  ',
        path: './public/hero.PNG',
        aspectRatio: '16:9',
        imageSize: '2K',
        model: 'google/nano-banana-2',
        references: ['assets/a.png', './b.jpg'],
      });
      assert.ok(r.ok);
      assert.deepEqual(r.input, {
        prompt: 'a hero image',
        path: './public/hero.PNG',
        aspectRatio: '16:9',
        imageSize: '2k',
        model: 'google/nano-banana-2',
        references: ['assets/a.png', 'b.jpg'],
      });
      assert.deepEqual(r.target, { folder: 'public', base: 'hero', ext: 'png', rel: 'public/hero.png' });
      assert.deepEqual(r.references, ['assets/a.png', 'b.jpg']);
    });

    it('a prompt alone is enough; no path means no target', () => {
      const r = checkToolInput({ prompt: 'x' });
      assert.ok(r.ok);
      assert.equal(r.target, undefined);
      assert.deepEqual(r.references, []);
    });

    const refused: Array<[string, unknown, RegExp]> = [
      ['no object', 'a cat', /must be an object/],
      ['no prompt', { path: 'a.png' }, /"prompt" is required/],
      ['a blank prompt', { prompt: '   ' }, /"prompt" is required/],
      ['a prompt over the limit', { prompt: 'x'.repeat(8001) }, /at most 8000/],
      ['a number as path', { prompt: 'x', path: 3 }, /"path" must be a string/],
      ['an absolute path', { prompt: 'x', path: '/etc/hero.png' }, /not a usable path/],
      ['a path up and out', { prompt: 'x', path: 'public/../../hero.png' }, /not a usable path/],
      ['a Windows drive', { prompt: 'x', path: 'C:/hero.png' }, /not a usable path/],
      ['backslashes', { prompt: 'x', path: 'public\\hero.png' }, /not a usable path/],
      ['a home path', { prompt: 'x', path: '~/hero.png' }, /not a usable path/],
      ['a folder', { prompt: 'x', path: 'public/' }, /not a usable path/],
      ['no image extension', { prompt: 'x', path: 'public/hero.txt' }, /must end in \.png/],
      ['a name that is not portable', { prompt: 'x', path: 'public/he:ro.png' }, /not a usable path|not a file name/],
      ['an unknown aspect ratio', { prompt: 'x', aspectRatio: '7:5' }, /"aspectRatio" must be one of/],
      ['an unknown size', { prompt: 'x', imageSize: '8k' }, /"imageSize" must be one of/],
      ['a model with spaces', { prompt: 'x', model: 'nano banana' }, /without spaces/],
      ['five references', { prompt: 'x', references: ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'] }, /at most 4/],
      ['a reference outside', { prompt: 'x', references: ['../secret.png'] }, /not a path inside the workspace/],
      ['a reference URL', { prompt: 'x', references: ['https://evil.example/a.png'] }, /not a path inside the workspace/],
      ['references that are not strings', { prompt: 'x', references: [1] }, /list of workspace paths/],
    ];
    for (const [what, input, message] of refused) {
      it(`refuses ${what}, saying what to change`, () => {
        const r = checkToolInput(input);
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.message, message);
      });
    }
  });

  it('parseTarget keeps the folder and lower-cases the extension', () => {
    assert.deepEqual(parseTarget('hero.webp'), { folder: '', base: 'hero', ext: 'webp', rel: 'hero.webp' });
    assert.deepEqual(parseTarget('a/b/c.JPEG'), { folder: 'a/b', base: 'c', ext: 'jpeg', rel: 'a/b/c.jpeg' });
  });

  it('finalFileName follows the bytes when they are another type', () => {
    const t = { folder: 'public', base: 'hero', ext: 'png', rel: 'public/hero.png' };
    assert.equal(finalFileName(t, 'png'), 'hero.png');
    assert.equal(finalFileName(t, undefined), 'hero.png');
    assert.equal(finalFileName(t, 'jpg'), 'hero.jpg');
    assert.equal(finalFileName({ ...t, ext: 'jpeg' }, 'jpg'), 'hero.jpeg');
    assert.equal(finalFileName({ ...t, ext: 'jpg' }, 'webp'), 'hero.webp');
  });

  it('medianCredits: the median of what parses, written short', () => {
    assert.equal(medianCredits([]), undefined);
    assert.equal(medianCredits([undefined, 'n/a']), undefined);
    assert.equal(medianCredits(['0.500000']), '0.5');
    assert.equal(medianCredits(['0.5', '2', '0.1']), '0.5');
    assert.equal(medianCredits(['0.5', '1', '0.1', '3']), '0.75');
    assert.equal(medianCredits(['-1', '0.2']), '0.2');
  });

  it('recentCredits: finished jobs and history of that model, one per task, the newest ten', () => {
    const jobs = [
      job({ id: 'a', taskId: 't1', consumed: '1', finishedAt: 100 }),
      job({ id: 'b', taskId: 't2', consumed: '9', finishedAt: 200, request: { model: 'google/nano-banana-pro', prompt: 'p' } }),
      job({ id: 'c', taskId: 't3', consumed: '9', state: 'failed', finishedAt: 300 }),
      job({ id: 'd', taskId: 't4', finishedAt: 400 }),
    ];
    const items = [item({ id: 'x', taskId: 't1', consumed: '100', createdAt: 100 }), item({ id: 'y', taskId: 't5', consumed: '3', createdAt: 50 })];
    assert.equal(recentCredits('google/gempix2', jobs, items), '2'); // t1 (1, the job wins over its item) and t5 (3)
    assert.equal(recentCredits('google/nano-banana-pro', jobs, items), '9');
    assert.equal(recentCredits('google/other', jobs, items), undefined);
    const many = Array.from({ length: 15 }, (_, i) => item({ id: `m${i}`, taskId: `m${i}`, createdAt: i, consumed: i < 5 ? '100' : '1' }));
    assert.equal(recentCredits('google/gempix2', [], many), '1', 'only the 10 newest count');
  });

  it('successText names the path, size, credits and a link to insert', () => {
    const text = successText({
      path: 'public/hero.png',
      inWorkspace: true,
      prompt: 'A hero [image] for the landing page',
      model: 'google/gempix2',
      bytes: 204800,
      width: 1344,
      height: 768,
      consumed: '0.500000',
      jobId: 'job-1',
    });
    assert.match(text, /Saved to public\/hero\.png/);
    assert.match(text, /1344×768 px, 200 KB, 0\.5 credits/);
    assert.ok(text.includes('![A hero \\[image\\] for the landing page](public/hero.png)'), text);
    assert.match(text, /job job-1/);
    const other = successText({ path: 'a b/h.jpg', inWorkspace: true, prompt: 'x', model: 'm', bytes: 10, jobId: 'j', askedPath: 'a b/h.png' });
    assert.match(other, /credits unknown/);
    assert.match(other, /matching extension/);
    assert.ok(other.includes('](a%20b/h.jpg)'));
  });

  it('a Markdown link to a file outside the workspace is a file URI', () => {
    assert.equal(lmMarkdownLink({ path: '/home/u/store/a (1).png', prompt: 'x', inWorkspace: false }), '![x](file:///home/u/store/a%20%281%29.png)');
  });

  it('texts for jobs that ended without an image tell the model what to do', () => {
    assert.match(jobEndText(job({ id: 'j1', state: 'cancelled', resumable: true })), /cancelled.*Resume Job/);
    assert.match(jobEndText(job({ id: 'j1', state: 'timed-out', resumable: true })), /Resume Job/);
    assert.match(
      jobEndText(job({ state: 'failed', error: { kind: 'auth', message: 'Invalid API key', retryable: false } })),
      /failed: Invalid API key.*Set API Key/,
    );
    assert.match(jobEndText(job({ state: 'failed', error: { kind: 'generation-failed', message: 'blocked', retryable: false } })), /rephrase/);
    assert.match(targetExistsText('public/hero.png'), /already exists.*never overwritten.*no credits/);
  });
});
