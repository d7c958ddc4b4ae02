import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicNoOverwrite, writeUnique } from '../../../../src/core/images/write';
import { NanoError } from '../../../../src/core/errors';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('images/write', () => {
  let root: string;

  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'nb-write-'));
  });
  afterEach(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  async function listing(dir: string): Promise<string[]> {
    return (await fsp.readdir(dir)).sort();
  }

  describe('writeFileAtomicNoOverwrite', () => {
    it('writes the bytes under the given name and creates the folder', async () => {
      const dir = path.join(root, 'a', 'b');
      const p = await writeFileAtomicNoOverwrite(dir, 'cat.png', bytes('one'));
      assert.equal(p, path.join(dir, 'cat.png'));
      assert.equal(await fsp.readFile(p, 'utf8'), 'one');
      assert.deepEqual(await listing(dir), ['cat.png']);
    });

    it('never overwrites: an existing name gets -2, -3, ... and keeps its content', async () => {
      await fsp.writeFile(path.join(root, 'cat.png'), 'original');
      const p2 = await writeFileAtomicNoOverwrite(root, 'cat.png', bytes('second'));
      const p3 = await writeFileAtomicNoOverwrite(root, 'cat.png', bytes('third'));
      assert.equal(path.basename(p2), 'cat-2.png');
      assert.equal(path.basename(p3), 'cat-3.png');
      assert.equal(await fsp.readFile(path.join(root, 'cat.png'), 'utf8'), 'original');
      assert.equal(await fsp.readFile(p2, 'utf8'), 'second');
      assert.equal(await fsp.readFile(p3, 'utf8'), 'third');
      assert.deepEqual(await listing(root), ['cat-2.png', 'cat-3.png', 'cat.png']);
    });

    it('does not replace a directory or a symlink that holds the name', async () => {
      await fsp.mkdir(path.join(root, 'x.png'));
      const outside = path.join(root, 'outside.txt');
      await fsp.writeFile(outside, 'keep');
      await fsp.symlink(outside, path.join(root, 'x-2.png'));
      const p = await writeFileAtomicNoOverwrite(root, 'x.png', bytes('new'));
      assert.equal(path.basename(p), 'x-3.png');
      assert.equal(await fsp.readFile(outside, 'utf8'), 'keep');
    });

    it('concurrent writes of the same name produce distinct complete files and no temp files', async () => {
      const n = 12;
      const paths = await Promise.all(
        Array.from({ length: n }, (_, i) => writeFileAtomicNoOverwrite(root, 'same.png', bytes(`content-${i}-${'z'.repeat(i * 1000)}`))),
      );
      assert.equal(new Set(paths).size, n);
      for (let i = 0; i < n; i++) {
        assert.equal(await fsp.readFile(paths[i], 'utf8'), `content-${i}-${'z'.repeat(i * 1000)}`);
      }
      const names = await listing(root);
      assert.equal(names.length, n);
      assert.ok(
        names.every((f) => /^same(-\d+)?\.png$/.test(f)),
        names.join(','),
      );
    });

    it('falls back to an exclusive copy when hard links are unsupported, still without overwriting', async () => {
      await fsp.writeFile(path.join(root, 'fat.png'), 'original');
      let linkCalls = 0;
      const noLinks = {
        link: () => {
          linkCalls++;
          return Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
        },
      };
      const p = await writeFileAtomicNoOverwrite(root, 'fat.png', bytes('copied'), noLinks);
      assert.equal(path.basename(p), 'fat-2.png');
      assert.equal(await fsp.readFile(p, 'utf8'), 'copied');
      assert.equal(await fsp.readFile(path.join(root, 'fat.png'), 'utf8'), 'original');
      assert.equal(linkCalls, 1, 'after one unsupported link, copy is used directly');
      assert.deepEqual(await listing(root), ['fat-2.png', 'fat.png']);
    });

    it('fails with kind io naming the folder when the folder is under a regular file, leaving nothing behind', async () => {
      const file = path.join(root, 'plain-file');
      await fsp.writeFile(file, 'x');
      const dir = path.join(file, 'sub');
      await assert.rejects(writeFileAtomicNoOverwrite(dir, 'a.png', bytes('x')), (e: unknown) => {
        assert.ok(e instanceof NanoError);
        assert.equal(e.kind, 'io');
        assert.ok(e.message.includes(dir), e.message);
        return true;
      });
      assert.deepEqual(await listing(root), ['plain-file']);
    });

    it('removes its temp file when publishing fails', async () => {
      const failing = {
        link: () => Promise.reject(Object.assign(new Error('i/o error'), { code: 'EIO' })),
      };
      await assert.rejects(writeFileAtomicNoOverwrite(root, 'a.png', bytes('x'), failing), (e: unknown) => e instanceof NanoError && e.kind === 'io');
      assert.deepEqual(await listing(root), []);
    });

    it('rejects names with path parts', async () => {
      for (const name of ['../evil.png', 'a/b.png', 'a\\b.png', '..', '']) {
        await assert.rejects(writeFileAtomicNoOverwrite(root, name, bytes('x')), (e: unknown) => e instanceof NanoError && e.kind === 'io', name);
      }
      assert.deepEqual(await listing(root), []);
      assert.deepEqual((await listing(path.dirname(root))).includes('evil.png'), false);
    });
  });

  describe('writeUnique', () => {
    it('creates the folder and picks base.ext, then base-2.ext', async () => {
      const dir = path.join(root, 'store', 'images');
      const p1 = await writeUnique(dir, '2025-01-31-cat', 'png', bytes('1'));
      const p2 = await writeUnique(dir, '2025-01-31-cat', 'png', bytes('2'));
      assert.equal(p1, path.join(dir, '2025-01-31-cat.png'));
      assert.equal(p2, path.join(dir, '2025-01-31-cat-2.png'));
      assert.equal(await fsp.readFile(p1, 'utf8'), '1');
      assert.equal(await fsp.readFile(p2, 'utf8'), '2');
    });

    it('sanitises a hostile base so the file stays in the folder', async () => {
      const p = await writeUnique(root, '../../escape', 'png', bytes('x'));
      assert.equal(path.dirname(p), root);
      assert.equal(path.basename(p), 'escape.png');
    });

    it('10 concurrent writers of one name get 10 distinct files, each with its own bytes, no temp files left', async () => {
      const contents = Array.from({ length: 10 }, (_, i) => `${i}:${'z'.repeat(i * 5000)}`);
      const paths = await Promise.all(contents.map((c) => writeUnique(root, 'img', 'webp', bytes(c))));
      assert.equal(new Set(paths).size, 10);
      for (let i = 0; i < 10; i++) assert.equal(await fsp.readFile(paths[i], 'utf8'), contents[i], paths[i]);
      const expected = ['img.webp', ...Array.from({ length: 9 }, (_, i) => `img-${i + 2}.webp`)].sort();
      assert.deepEqual(await listing(root), expected);
    });

    it('10 concurrent writers of a 390-byte CJK name get 10 distinct names that fit in 255 bytes', async () => {
      const base = '猫'.repeat(130);
      const paths = await Promise.all(Array.from({ length: 10 }, (_, i) => writeUnique(root, base, 'png', bytes(String(i)))));
      for (let i = 0; i < 10; i++) assert.equal(await fsp.readFile(paths[i], 'utf8'), String(i));
      // 猫 is 3 bytes: 83 of them with ".png" or "-2.png".."-9.png"; 82 with "-10.png".
      const expected = [
        '猫'.repeat(83) + '.png',
        ...Array.from({ length: 8 }, (_, i) => `${'猫'.repeat(83)}-${i + 2}.png`),
        '猫'.repeat(82) + '-10.png',
      ].sort();
      assert.deepEqual(await listing(root), expected);
    });

    it('fails with kind io on an unwritable folder', async () => {
      const file = path.join(root, 'f');
      await fsp.writeFile(file, 'x');
      await assert.rejects(writeUnique(path.join(file, 'deeper', 'x'), 'a', 'png', bytes('x')), (e: unknown) => {
        return e instanceof NanoError && e.kind === 'io' && e.message.includes(path.join(file, 'deeper', 'x'));
      });
    });
  });
});
