// Saving inside a workspace folder on a real disk: real symbolic links, real read-only folders,
// a real full disk. Nothing here is simulated in-process.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { confineFolder } from '../../../../src/core/images/confine';
import { ioCodeOf, writeUniqueInside } from '../../../../src/core/images/write';
import { NanoError } from '../../../../src/core/errors';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const isRoot = process.getuid?.() === 0;

/** Every file below `dir` (relative paths), so a test can say "nothing was written here". */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...(await tree(path.join(dir, e.name))).map((r) => `${rel}/${r}`));
  }
  return out.sort();
}

/**
 * Makes `dir` really unwritable: chmod 0555 for an ordinary user; as root (whom chmod does not
 * stop) the immutable attribute, `chattr +i`. Undefined when neither is possible here.
 */
function makeReadOnly(dir: string): { how: string; undo: () => void } | undefined {
  if (!isRoot) {
    execFileSync('chmod', ['0555', dir]);
    return { how: 'chmod 0555', undo: () => execFileSync('chmod', ['0755', dir]) };
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'pipe' });
  } catch {
    return undefined; // no chattr, no CAP_LINUX_IMMUTABLE, or a file system without the attribute
  }
  return { how: 'chattr +i', undo: () => execFileSync('chattr', ['-i', dir]) };
}

describe('images/confine: saves stay inside the workspace folder', () => {
  let root: string;
  let ws: string;
  let outside: string;

  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'nb-confine-'));
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    await fsp.mkdir(ws);
    await fsp.mkdir(outside);
  });
  afterEach(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  it('refuses an output folder that is a symlink to a folder outside, writing nothing anywhere', async () => {
    await fsp.symlink(outside, path.join(ws, 'out'));
    const r = await writeUniqueInside(ws, 'out', 'cat', 'png', bytes('img'));
    assert.deepEqual(r, { ok: false, reason: 'outside', dir: path.join(ws, 'out'), link: path.join(ws, 'out'), target: outside });
    assert.deepEqual(await tree(outside), []);
    assert.deepEqual(await tree(ws), ['out']);
  });

  it('refuses when a parent of the output folder is such a symlink, and creates no folder through it', async () => {
    await fsp.symlink(outside, path.join(ws, 'art'));
    const r = await writeUniqueInside(ws, 'art/generated/2025', 'cat', 'png', bytes('img'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'outside');
    assert.equal(!r.ok && r.link, path.join(ws, 'art'));
    assert.deepEqual(await tree(outside), [], 'no "generated" folder made outside');
  });

  it('refuses a relative symlink deeper down that climbs out (a/b -> ../../outside)', async () => {
    await fsp.mkdir(path.join(ws, 'a'));
    await fsp.symlink('../../outside', path.join(ws, 'a', 'b'));
    const r = await writeUniqueInside(ws, 'a/b/c', 'cat', 'png', bytes('img'));
    assert.equal(!r.ok && r.reason, 'outside');
    assert.equal(!r.ok && r.link, path.join(ws, 'a', 'b'));
    assert.deepEqual(await tree(outside), []);
  });

  it('refuses a symlink that leads nowhere, and one that loops, without creating its target', async () => {
    await fsp.symlink(path.join(outside, 'missing'), path.join(ws, 'dangling'));
    await fsp.symlink(path.join(ws, 'loop2'), path.join(ws, 'loop1'));
    await fsp.symlink(path.join(ws, 'loop1'), path.join(ws, 'loop2'));
    const dangling = await writeUniqueInside(ws, 'dangling/sub', 'cat', 'png', bytes('img'));
    assert.equal(!dangling.ok && dangling.reason, 'broken-link');
    assert.equal(!dangling.ok && dangling.link, path.join(ws, 'dangling'));
    const loop = await writeUniqueInside(ws, 'loop1', 'cat', 'png', bytes('img'));
    assert.equal(!loop.ok && loop.reason, 'broken-link');
    assert.deepEqual(await tree(outside), []);
  });

  it('still refuses ../ and absolute folders', async () => {
    for (const rel of ['../outside', 'a/../../outside', outside]) {
      assert.deepEqual(await confineFolder(ws, rel), { ok: false, reason: 'not-relative' }, rel);
    }
    assert.deepEqual(await tree(outside), []);
  });

  it('accepts a symlink that stays inside the workspace: the file lands in the real folder, named by the link path', async () => {
    await fsp.mkdir(path.join(ws, 'real-out'));
    await fsp.symlink('real-out', path.join(ws, 'out'));
    const r = await writeUniqueInside(ws, 'out/sub', 'cat', 'png', bytes('img'));
    assert.deepEqual(r, { ok: true, path: path.join(ws, 'out', 'sub', 'cat.png') });
    assert.equal(await fsp.readFile(path.join(ws, 'real-out', 'sub', 'cat.png'), 'utf8'), 'img');
  });

  it('works when the workspace folder itself is reached through a symlink', async () => {
    const alias = path.join(root, 'alias');
    await fsp.symlink(ws, alias);
    const r = await writeUniqueInside(alias, 'images/generated', 'cat', 'png', bytes('img'));
    assert.deepEqual(r, { ok: true, path: path.join(alias, 'images', 'generated', 'cat.png') });
    assert.equal(await fsp.readFile(path.join(ws, 'images', 'generated', 'cat.png'), 'utf8'), 'img');
  });

  it('10 saves of the same name at once give 10 distinct files, each with its own bytes', async () => {
    const contents = Array.from({ length: 10 }, (_, i) => `image-${i}-${'#'.repeat(i * 3000)}`);
    const results = await Promise.all(contents.map((c) => writeUniqueInside(ws, 'images', 'same', 'png', bytes(c))));
    const paths = results.map((r) => (r.ok ? r.path : assert.fail(`refused: ${JSON.stringify(r)}`)));
    assert.equal(new Set(paths).size, 10);
    for (let i = 0; i < 10; i++) assert.equal(await fsp.readFile(paths[i], 'utf8'), contents[i], paths[i]);
    const expected = ['same.png', ...Array.from({ length: 9 }, (_, i) => `same-${i + 2}.png`)].sort();
    assert.deepEqual(await tree(path.join(ws, 'images')), expected, 'no temporary files left');
  });

  it('a file where the output folder should be: an io error naming the folder (a fault root cannot bypass)', async () => {
    await fsp.mkdir(path.join(ws, 'art'));
    await fsp.writeFile(path.join(ws, 'art', 'generated'), 'not a folder');
    await assert.rejects(writeUniqueInside(ws, 'art/generated', 'cat', 'png', bytes('img')), (e: unknown) => {
      assert.ok(e instanceof NanoError);
      assert.equal(e.kind, 'io');
      assert.ok(e.message.includes(path.join(ws, 'art', 'generated')), e.message);
      assert.equal(ioCodeOf(e), 'EEXIST');
      return true;
    });
    assert.equal(await fsp.readFile(path.join(ws, 'art', 'generated'), 'utf8'), 'not a folder');
  });

  it('a read-only output folder: an io error naming the folder, nothing written', async function () {
    if (process.platform === 'win32') this.skip();
    const out = path.join(ws, 'out');
    await fsp.mkdir(out);
    const ro = makeReadOnly(out);
    if (!ro) this.skip(); // root without chattr: the file-in-place test above covers a real fault
    try {
      await assert.rejects(fsp.writeFile(path.join(out, 'probe'), 'x'), `${ro.how} really stops writing`);
      await assert.rejects(writeUniqueInside(ws, 'out', 'cat', 'png', bytes('img')), (e: unknown) => {
        assert.ok(e instanceof NanoError);
        assert.equal(e.kind, 'io');
        assert.ok(e.message.includes(out), e.message);
        assert.match(ioCodeOf(e) ?? '', /^(EACCES|EPERM)$/);
        return true;
      });
      assert.deepEqual(await tree(out), []);
    } finally {
      ro.undo();
    }
  });

  it('a full disk: an io error naming the folder, no temporary file left (a 64 KiB tmpfs, when root may mount)', async function () {
    if (!isRoot || process.platform !== 'linux') this.skip();
    const out = path.join(ws, 'out');
    await fsp.mkdir(out);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'nb-full', out], { stdio: 'pipe' });
    } catch {
      this.skip();
    }
    try {
      await assert.rejects(fsp.writeFile(path.join(out, 'filler'), Buffer.alloc(256 * 1024)), /ENOSPC/);
      await assert.rejects(writeUniqueInside(ws, 'out', 'cat', 'png', bytes('x'.repeat(16 * 1024))), (e: unknown) => {
        assert.ok(e instanceof NanoError);
        assert.equal(e.kind, 'io');
        assert.ok(e.message.includes(out), e.message);
        assert.equal(ioCodeOf(e), 'ENOSPC');
        return true;
      });
      assert.deepEqual(await tree(out), ['filler']);
    } finally {
      execFileSync('umount', [out]);
    }
  });
});
