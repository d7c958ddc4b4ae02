import * as assert from 'node:assert/strict';
import { HistoryIndex } from '../../../src/core/history';
import type { HistoryFiles, HistoryItem } from '../../../src/core/history';

/** In-memory files; every operation yields to the event loop, so unserialised writes would interleave. */
class MemFiles implements HistoryFiles {
  index: string | undefined;
  readonly ops: string[] = [];
  readonly backups: string[] = [];
  failWrites = 0;
  failReads = 0;

  constructor(index?: string) {
    this.index = index;
  }

  private tick(): Promise<void> {
    return new Promise((r) => setImmediate(r));
  }

  async readIndex(): Promise<string | undefined> {
    await this.tick();
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('EBUSY');
    }
    return this.index;
  }

  async writeIndex(text: string): Promise<void> {
    // Read-modify-write at the storage level would lose data if two writes overlapped.
    const before = this.index;
    await this.tick();
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('ENOSPC');
    }
    if (this.index !== before) throw new Error('overlapping writes');
    this.index = text;
    this.ops.push(`write:${(JSON.parse(text) as { items: HistoryItem[] }).items.map((i) => i.id).join(',')}`);
  }

  async deleteFile(fileName: string): Promise<void> {
    await this.tick();
    this.ops.push(`delete:${fileName}`);
  }

  writes(): number {
    return this.ops.filter((o) => o.startsWith('write:')).length;
  }

  deleted(): string[] {
    return this.ops.filter((o) => o.startsWith('delete:')).map((o) => o.slice(7));
  }
}

class BackupFiles extends MemFiles {
  backupIndex(text: string): Promise<void> {
    this.backups.push(text);
    this.ops.push('backup');
    return Promise.resolve();
  }
}

let seq = 0;
function item(over: Partial<HistoryItem> = {}): HistoryItem {
  seq++;
  return {
    id: `h${seq}`,
    prompt: `prompt ${seq}`,
    model: 'google/gempix2',
    createdAt: 1000 + seq,
    fileName: `f${seq}.png`,
    mime: 'image/png',
    bytes: 100,
    ...over,
  };
}

async function loaded(files: HistoryFiles, limit = 10, logs: string[] = []): Promise<HistoryIndex> {
  const h = new HistoryIndex(files, { limit, log: (l) => logs.push(l) });
  await h.load();
  return h;
}

describe('HistoryIndex', () => {
  beforeEach(() => (seq = 0));

  it('adds, lists newest first, and finds items; the index survives a reload', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const a = item({ taskId: 't1', createdAt: 1000 });
    const b = item({ taskId: 't1', createdAt: 3000 });
    const c = item({ taskId: 't2', createdAt: 2000, referenceNames: ['ref.png'] });
    for (const x of [a, b, c]) assert.deepEqual(await h.add(x), []);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [b.id, c.id, a.id],
    );
    assert.deepEqual(h.get(c.id), c);
    assert.equal(h.get('nope'), undefined);
    assert.deepEqual(
      h.findByTaskId('t1').map((i) => i.id),
      [a.id, b.id],
    );
    assert.deepEqual(h.findByTaskId('t9'), []);

    const again = await loaded(files);
    assert.deepEqual(again.list(), h.list());
    assert.equal((JSON.parse(files.index!) as { version: unknown }).version, 1);
  });

  it('hands out copies, never its own items', async () => {
    const h = await loaded(new MemFiles());
    const a = item();
    await h.add(a);
    a.prompt = 'changed by the caller';
    h.list()[0].prompt = 'changed too';
    assert.equal(h.get(a.id)!.prompt, 'prompt 1');
  });

  it('filters by prompt or model, ignoring case and accents, Turkish-aware', async () => {
    const h = await loaded(new MemFiles());
    const tr = item({ prompt: 'KIRMIZI şapkalı kedi, İstanbul' });
    const en = item({ prompt: 'A blue IGLOO at night' });
    const pro = item({ prompt: 'a cat', model: 'google/nano-banana-pro' });
    for (const x of [tr, en, pro]) await h.add(x);
    assert.deepEqual(
      h.list('kırmızı').map((i) => i.id),
      [tr.id],
    );
    assert.deepEqual(
      h.list('istanbul').map((i) => i.id),
      [tr.id],
    );
    assert.deepEqual(
      h.list('İSTANBUL').map((i) => i.id),
      [tr.id],
    );
    assert.deepEqual(
      h.list('ŞAPKALI').map((i) => i.id),
      [tr.id],
    );
    assert.deepEqual(
      h.list('igloo').map((i) => i.id),
      [en.id],
      'an English capital I still matches i',
    );
    assert.deepEqual(
      h.list('NANO-BANANA').map((i) => i.id),
      [pro.id],
    );
    assert.deepEqual(
      h.list('cat').map((i) => i.id),
      [pro.id],
    );
    assert.deepEqual(
      h.list('  ').map((i) => i.id),
      [pro.id, en.id, tr.id],
    );
    assert.deepEqual(
      h.list('sapkali kedi').map((i) => i.id),
      [tr.id],
      'accents and dots are forgiven, like the gallery filter',
    );
    assert.deepEqual(h.list('zebra'), []);
  });

  it('prunes the oldest beyond the limit, writing the index before deleting their files', async () => {
    const files = new MemFiles();
    const h = await loaded(files, 2);
    const [a, b, c] = [item(), item(), item()];
    await h.add(a);
    await h.add(b);
    const pruned = await h.add(c);
    assert.deepEqual(pruned, [a]);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [c.id, b.id],
    );
    assert.deepEqual(files.ops.slice(-2), [`write:${b.id},${c.id}`, `delete:${a.fileName}`]);
  });

  it('setLimit prunes (and deletes) only when the history is too long', async () => {
    const files = new MemFiles();
    const h = await loaded(files, 5);
    const all = [item(), item(), item(), item()];
    for (const x of all) await h.add(x);
    const writes = files.writes();
    assert.deepEqual(await h.setLimit(10), []);
    assert.equal(files.writes(), writes, 'growing the limit writes nothing');
    const pruned = await h.setLimit(2);
    assert.deepEqual(
      pruned.map((i) => i.id),
      [all[0].id, all[1].id],
    );
    assert.deepEqual(files.deleted(), [all[0].fileName, all[1].fileName]);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [all[3].id, all[2].id],
    );
    await h.add(item());
    assert.equal(h.size, 2, 'the new limit holds for later adds');
  });

  it('keeps lineage and reference sources across a reload; removing a parent leaves its child’s lineage alone', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const parent = item({ referenceSources: ['file:///w/ref.png', 'https://x.example/r.png'] });
    const child = item({ lineage: { parentId: parent.id, rootId: parent.id, version: 2, ancestors: [parent.id] } });
    await h.add(parent);
    await h.add(child);
    assert.equal(await h.remove(parent.id), true);
    const again = await loaded(files);
    assert.equal(again.get(parent.id), undefined);
    assert.deepEqual(again.get(child.id)?.lineage, child.lineage);
  });

  it('drops lineage or reference sources that do not parse, keeping the image listed', async () => {
    const good = item({ referenceSources: ['file:///w/a.png'] });
    const badLineage = { ...item(), lineage: { parentId: 'p', rootId: 'p', version: 0, ancestors: ['p'] } };
    const badSources = { ...item(), referenceSources: 'file:///w/a.png' };
    const logs: string[] = [];
    const h = await loaded(new MemFiles(JSON.stringify({ version: 1, items: [good, badLineage, badSources] })), 10, logs);
    assert.equal(h.size, 3);
    assert.deepEqual(h.get(good.id)?.referenceSources, ['file:///w/a.png']);
    assert.equal(h.get(badLineage.id)?.lineage, undefined);
    assert.ok(h.get(badLineage.id), 'the image with the broken lineage is still listed');
    assert.equal(h.get(badSources.id)?.referenceSources, undefined);
  });

  it('removes an item and its file', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const [a, b] = [item(), item()];
    await h.add(a);
    await h.add(b);
    assert.equal(await h.remove(a.id), true);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [b.id],
    );
    assert.deepEqual(files.ops.slice(-2), [`write:${b.id}`, `delete:${a.fileName}`]);
    const writes = files.writes();
    assert.equal(await h.remove(a.id), false);
    assert.equal(files.writes(), writes);
  });

  it('survives a corrupt index: starts empty, logs, writes nothing until a change, keeps a copy', async () => {
    const files = new BackupFiles('{"version": 1, "items": [ oops');
    const logs: string[] = [];
    const h = await loaded(files, 10, logs);
    assert.deepEqual(h.list(), []);
    assert.ok(
      logs.some((l) => /unreadable/.test(l)),
      logs.join('\n'),
    );
    assert.equal(files.writes(), 0);
    assert.deepEqual(files.backups, []);
    assert.equal(files.index, '{"version": 1, "items": [ oops', 'the file is left as it was');

    const a = item();
    await h.add(a);
    assert.deepEqual(files.backups, ['{"version": 1, "items": [ oops']);
    assert.deepEqual(files.ops, ['backup', `write:${a.id}`]);
    await h.add(item());
    assert.equal(files.backups.length, 1, 'backed up once');
  });

  it('keeps the group and the time taken of an item across a reload, and skips items where they are malformed', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const grouped = item({ groupId: 'g1', groupIndex: 2, durationMs: 4200 });
    await h.add(grouped);
    const again = await loaded(files);
    assert.deepEqual(again.get(grouped.id), grouped);

    const logs: string[] = [];
    const bad = new MemFiles(
      JSON.stringify({
        version: 1,
        items: [item({ groupId: 'g' }), { ...item(), groupId: 7 }, { ...item(), groupIndex: '1' }, { ...item(), durationMs: 'long' }],
      }),
    );
    const kept = await loaded(bad, 10, logs);
    assert.equal(kept.size, 1);
    assert.ok(logs.some((l) => /skipped 3 malformed/.test(l)));
  });

  it('treats an unknown version the same way, and skips malformed items of a known one', async () => {
    const logs: string[] = [];
    const future = await loaded(new MemFiles(JSON.stringify({ version: 2, items: [item()] })), 10, logs);
    assert.deepEqual(future.list(), []);
    assert.ok(logs.some((l) => /version/.test(l)));

    const good = item();
    const mixed = new MemFiles(JSON.stringify({ version: 1, items: [good, { id: 'x' }, { ...item(), createdAt: 'yesterday' }, null] }));
    const h = await loaded(mixed, 10, logs);
    assert.deepEqual(h.list(), [good]);
    assert.ok(logs.some((l) => /skipped 3 malformed/.test(l)));
  });

  it('an index that failed to load is read again before it is overwritten', async () => {
    const files = new MemFiles();
    const seed = await loaded(files);
    const old = item();
    await seed.add(old);

    files.failReads = 1;
    const logs: string[] = [];
    const h = await loaded(files, 10, logs);
    assert.deepEqual(h.list(), []);
    assert.ok(logs.some((l) => /could not be read/.test(l)));
    const fresh = item();
    await h.add(fresh);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [fresh.id, old.id],
      'the old items were not lost',
    );
  });

  it('a change before load() reads the index first instead of overwriting it', async () => {
    const files = new MemFiles();
    const old = item();
    await (await loaded(files)).add(old);
    const h = new HistoryIndex(files, { limit: 10 });
    const fresh = item();
    await h.add(fresh);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [fresh.id, old.id],
    );
  });

  it('serialises writes: concurrent adds never lose one', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const items = [item(), item(), item(), item(), item()];
    await Promise.all(items.map((x) => h.add(x)));
    const onDisk = (JSON.parse(files.index!) as { items: HistoryItem[] }).items.map((i) => i.id);
    assert.deepEqual(onDisk.sort(), items.map((i) => i.id).sort());
    assert.equal(h.size, 5);
  });

  it('concurrent adds beyond the limit prune exactly the oldest', async () => {
    const files = new MemFiles();
    const h = await loaded(files, 3);
    const items = [item(), item(), item(), item(), item()];
    const pruned = (await Promise.all(items.map((x) => h.add(x)))).flat();
    assert.deepEqual(
      pruned.map((i) => i.id),
      [items[0].id, items[1].id],
    );
    assert.deepEqual(files.deleted(), [items[0].fileName, items[1].fileName]);
  });

  it('add is idempotent for the same task and file (and the same id)', async () => {
    const files = new MemFiles();
    const h = await loaded(files);
    const a = item({ taskId: 't1', fileName: 'x.png' });
    await h.add(a);
    const writes = files.writes();
    assert.deepEqual(await h.add({ ...a, id: 'other' }), []);
    assert.deepEqual(await h.add({ ...a, prompt: 'same id' }), []);
    assert.equal(files.writes(), writes);
    assert.equal(h.size, 1);
    await h.add({ ...a, id: 'second-image', fileName: 'y.png' });
    assert.equal(h.size, 2, 'another file of the same task is a new item');
  });

  it('a failed write rejects and changes nothing; the next add works', async () => {
    const files = new MemFiles();
    const h = await loaded(files, 1);
    const a = item();
    await h.add(a);
    files.failWrites = 1;
    await assert.rejects(h.add(item()), /ENOSPC/);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [a.id],
    );
    assert.deepEqual(files.deleted(), [], 'nothing pruned when the write failed');
    const c = item();
    assert.deepEqual(await h.add(c), [a]);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [c.id],
    );
  });

  it('two windows sharing the store never write over each other', async () => {
    const files = new MemFiles();
    const a = await loaded(files);
    const b = await loaded(files); // loaded before a adds anything
    const x = item();
    const y = item();
    await a.add(x);
    await b.add(y);
    assert.deepEqual(
      (await loaded(files)).list().map((i) => i.id),
      [y.id, x.id],
      'both images are in the index',
    );
    assert.deepEqual(
      b.list().map((i) => i.id),
      [y.id, x.id],
      "b now lists a's image too",
    );
    // A removal in one window is not undone by the other's next change.
    await a.remove(y.id);
    const z = item();
    await b.add(z);
    assert.deepEqual(
      (await loaded(files)).list().map((i) => i.id),
      [z.id, x.id],
    );
    // And an item another window added is recognised as a duplicate.
    assert.deepEqual(await a.add({ ...z }), []);
    assert.equal((await loaded(files)).size, 2);
  });

  it('skips items whose file name is not a plain name in the store (an edited index)', async () => {
    const good = item();
    const bad = ['../secret.png', 'sub/x.png', 'a\\b.png', '..', ''].map((fileName) => item({ fileName }));
    const files = new MemFiles(JSON.stringify({ version: 1, items: [good, ...bad] }));
    const h = await loaded(files);
    assert.deepEqual(
      h.list().map((i) => i.id),
      [good.id],
    );
  });
});
