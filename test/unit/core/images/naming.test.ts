import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  DEFAULT_FILE_NAME_PATTERN,
  MAX_NAME_BYTES,
  candidateName,
  cutUtf8,
  formatBaseName,
  formatFileName,
  isSafeRelativeFolder,
  joinSafe,
  slugify,
  uniqueName,
} from '../../../../src/core/images/naming';
import { NanoError } from '../../../../src/core/errors';

/** At most 255 UTF-8 bytes, and valid UTF-8: no half character, no lone surrogate. */
function assertFitsOnDisk(name: string): void {
  assert.ok(Buffer.byteLength(name, 'utf8') <= 255, `${name} is ${Buffer.byteLength(name, 'utf8')} bytes, more than 255`);
  assert.equal(Buffer.from(name, 'utf8').toString('utf8'), name, `${name} survives a UTF-8 round trip`);
  assert.doesNotMatch(name, /\uFFFD/, 'no replacement character');
}

/** Every rule a single safe file name must satisfy, on every OS. */
function assertSafeFileName(name: string, ext = 'png'): void {
  assert.ok(name.endsWith(`.${ext}`), `${name} keeps its extension`);
  const base = name.slice(0, -(ext.length + 1));
  assert.ok(base.length > 0, 'not empty');
  assertFitsOnDisk(name);
  assert.doesNotMatch(name, /[/\\]/, `${name} has no path separator`);
  assert.ok(!name.includes('..'), `${name} has no ..`);
  assert.ok(![...name].some((c) => c.charCodeAt(0) <= 0x1f || c.charCodeAt(0) === 0x7f), `${name} has no control chars`);
  assert.doesNotMatch(name, /[<>:"|?*]/, `${name} has no Windows-illegal chars`);
  assert.doesNotMatch(base, /[. ]$/, `${name} has no trailing dot/space before the extension`);
  assert.doesNotMatch(name, /^\./, `${name} is not hidden`);
  assert.doesNotMatch(name.split('.')[0], /^(con|prn|aux|nul|com\d|lpt\d)$/i, `${name} is not a reserved device name`);
  assert.equal(path.basename(name), name);
  assert.equal(path.win32.basename(name), name);
}

describe('images/naming', () => {
  const date = new Date(2025, 0, 31, 9, 5, 7); // local time: 2025-01-31 09:05:07

  describe('slugify', () => {
    it('transliterates Turkish letters', () => {
      assert.equal(slugify('Kırmızı şapkalı küçük kedi, İstanbul’da ağaçta!'), 'kirmizi-sapkali-kucuk-kedi-istanbul-da-agacta');
      assert.equal(slugify('ÇĞIİÖŞÜ çğıiöşü'), 'cgiiosu-cgiiosu');
    });
    it('strips common Latin accents and maps ß, æ, ø, ł', () => {
      assert.equal(slugify('Crème brûlée à la façon Ångström'), 'creme-brulee-a-la-facon-angstrom');
      assert.equal(slugify('Straße Æble Øre Łódź'), 'strasse-aeble-ore-lodz');
    });
    it('collapses and trims dashes', () => {
      assert.equal(slugify('  --Hello,   World!!  -- '), 'hello-world');
      assert.equal(slugify('../../etc/passwd'), 'etc-passwd');
    });
    it('falls back to "image" when nothing is left', () => {
      assert.equal(slugify(''), 'image');
      assert.equal(slugify('!!! ???'), 'image');
      assert.equal(slugify('日本の猫'), 'image');
      assert.equal(slugify('🍌🍌'), 'image');
    });
    it('respects maxLen, preferring a word boundary and never ending on a dash', () => {
      const s = slugify('a very long prompt about a banana riding a bicycle through the mountains at dawn');
      assert.ok(s.length <= 48, s);
      assert.doesNotMatch(s, /-$/);
      assert.equal(s, 'a-very-long-prompt-about-a-banana-riding-a');
      assert.equal(slugify('abcdefghij', 4), 'abcd');
      assert.equal(slugify('ab cdefghij', 5), 'ab-cd');
      assert.ok(slugify('x'.repeat(500)).length === 48);
    });
  });

  describe('formatFileName', () => {
    const vars = { prompt: 'Kırmızı şapkalı kedi', date, taskId: 'ta12345678-abcd-ef01-2345-6789abcdef01', model: 'google/gempix2' };

    it('uses the default pattern {date}-{slug}-{id}', () => {
      assert.equal(DEFAULT_FILE_NAME_PATTERN, '{date}-{slug}-{id}');
      assert.equal(formatFileName(DEFAULT_FILE_NAME_PATTERN, vars, 'png'), '2025-01-31-kirmizi-sapkali-kedi-abcdef01.png');
      assert.equal(formatFileName('', vars, 'png'), '2025-01-31-kirmizi-sapkali-kedi-abcdef01.png');
    });
    it('fills {time} {model} {index} and ignores unknown tokens', () => {
      assert.equal(formatFileName('{time}_{model}_{index}{nope}', vars, 'jpg'), '090507_gempix2_1.jpg');
      assert.equal(formatFileName('{slug}-{index}', { ...vars, index: 3 }, 'png'), 'kirmizi-sapkali-kedi-3.png');
      assert.equal(formatFileName('{SLUG}', vars, 'png'), 'kirmizi-sapkali-kedi.png');
    });
    it('drops the separator left by an empty token', () => {
      assert.equal(formatFileName('{date}-{slug}-{id}', { prompt: 'cat', date }, 'png'), '2025-01-31-cat.png');
      assert.equal(formatFileName('{id}', { prompt: 'cat', date, taskId: '--' }, 'png'), 'image.png');
    });
    it('normalises the extension', () => {
      assert.equal(formatFileName('{slug}', vars, '.PNG'), 'kirmizi-sapkali-kedi.png');
      assert.equal(formatFileName('{slug}', vars, '../x'), 'kirmizi-sapkali-kedi.x');
    });
    it('neutralises path traversal in the pattern', () => {
      for (const pattern of [
        '../../etc/passwd',
        '..\\..\\windows\\system32',
        '/abs/{slug}',
        'a/b\\c',
        'C:\\{slug}',
        '{slug}/../..',
        '..',
        '.',
        './',
        '...{slug}',
      ]) {
        const name = formatFileName(pattern, vars, 'png');
        assertSafeFileName(name);
      }
      assert.equal(formatFileName('../../etc/passwd', vars, 'png'), 'etc-passwd.png');
      assert.equal(formatFileName('a/b\\c', vars, 'png'), 'a-b-c.png');
    });
    it('neutralises path traversal and junk in the prompt', () => {
      for (const prompt of ['../../etc/passwd', 'a/b\\c', 'CON', '<script>|?*"', 'line\nbreak\ttab\u0000nul', '\u202Egnp.exe']) {
        assertSafeFileName(formatFileName('{slug}', { prompt, date }, 'png'));
      }
    });
    it('avoids Windows reserved device names, with or without extension-like parts', () => {
      for (const pattern of ['CON', 'con', 'NUL', 'com1', 'LPT9', 'aux.{slug}', 'CON ', 'PRN...']) {
        const name = formatFileName(pattern, { prompt: 'x', date }, 'png');
        assertSafeFileName(name);
      }
      assert.equal(formatFileName('CON', { prompt: 'x', date }, 'png'), '_CON.png');
    });
    it('removes Windows-illegal and control characters and trailing dots/spaces from literals', () => {
      const name = formatFileName('my: "best" <img>?*|{slug}. . ', { prompt: 'cat', date }, 'png');
      assertSafeFileName(name);
      assert.equal(name, 'my- -best- -img-cat.png');
    });
    it('caps long names at 255 UTF-8 bytes, extension included', () => {
      const long = 'word '.repeat(200);
      const name = formatFileName('{slug}-{slug}-{slug}-{slug}-{date}-{time}-{id}-' + 'x'.repeat(300), { ...vars, prompt: long }, 'webp');
      assertSafeFileName(name, 'webp');
      assert.equal(formatFileName('x'.repeat(300), vars, 'webp'), 'x'.repeat(250) + '.webp');
      // ğ is 2 bytes: 125 of them (250 bytes) and ".png" (4) make 254; a 126th would make 256.
      assert.equal(formatFileName('ğ'.repeat(300), vars, 'png'), 'ğ'.repeat(125) + '.png');
    });
    it('never returns an empty name', () => {
      for (const pattern of ['{nope}', '---', '...', '{id}', '{id}-{nope}']) {
        assert.equal(formatFileName(pattern, { prompt: '', date }, 'png'), 'image.png', pattern);
      }
      assert.equal(formatBaseName('{nope}', { prompt: '', date }), 'image');
      assert.equal(formatBaseName('   ', { prompt: '', date }), '2025-01-31-image', 'a blank pattern means the default');
    });
  });

  describe('uniqueName', () => {
    it('returns base.ext when free, then base-2.ext, base-3.ext, ...', async () => {
      const taken = new Set<string>();
      const names: string[] = [];
      for (let i = 0; i < 4; i++) {
        const n = await uniqueName('cat', 'png', (name) => taken.has(name));
        taken.add(n);
        names.push(n);
      }
      assert.deepEqual(names, ['cat.png', 'cat-2.png', 'cat-3.png', 'cat-4.png']);
    });
    it('accepts an async exists check', async () => {
      const taken = new Set(['a.jpg', 'a-2.jpg']);
      assert.equal(await uniqueName('a', 'jpg', (n) => Promise.resolve(taken.has(n))), 'a-3.jpg');
    });
    it('throws an io NanoError when every try is taken', async () => {
      let calls = 0;
      await assert.rejects(
        uniqueName('a', 'png', () => (calls++, true), 5),
        (e: unknown) => e instanceof NanoError && e.kind === 'io' && /free file name/.test(e.message),
      );
      assert.equal(calls, 5);
    });
    it('keeps suffixed names within the length cap', async () => {
      const base = 'b'.repeat(MAX_NAME_BYTES);
      const n = await uniqueName(base, 'png', (name) => name === `${'b'.repeat(251)}.png`);
      assert.equal(n, `${'b'.repeat(249)}-2.png`);
      assertSafeFileName(n);
    });
  });

  describe('names that fit on disk: 255 UTF-8 bytes, whole characters', () => {
    it('a pattern of 130 CJK characters (390 bytes) is shortened to 83 of them, the -N suffix included', () => {
      const pattern = '猫'.repeat(130);
      // 猫 is 3 bytes. ".png" leaves 251 bytes: 83 characters (249 bytes).
      assert.equal(formatFileName(pattern, { prompt: 'cat', date }, 'png'), '猫'.repeat(83) + '.png');
      const base = formatBaseName(pattern, { prompt: 'cat', date });
      // "-2.png" leaves 249 bytes: still 83 characters, 255 bytes in all.
      assert.equal(candidateName(base, 'png', 2), '猫'.repeat(83) + '-2.png');
      assert.equal(Buffer.byteLength(candidateName(base, 'png', 2)), 255);
      // "-10.png" leaves 248 bytes: 82 characters (246 bytes).
      assert.equal(candidateName(base, 'png', 10), '猫'.repeat(82) + '-10.png');
    });

    it('never splits an emoji (surrogate pair) or an emoji with its skin-tone modifier', () => {
      // 🍌 is 4 bytes (2 UTF-16 units). "a" + 62 bananas = 249 bytes; a 63rd would need 253 > 251.
      assert.equal(formatFileName('a' + '🍌'.repeat(100), { prompt: '', date }, 'png'), 'a' + '🍌'.repeat(62) + '.png');
      // 👍🏽 is one character of 8 bytes. "abcd" + 30 of them = 244 bytes; the 31st does not fit in
      // the 7 bytes left, and neither may its first half (👍 alone, 4 bytes).
      assert.equal(formatFileName('abcd' + '👍🏽'.repeat(40), { prompt: '', date }, 'png'), 'abcd' + '👍🏽'.repeat(30) + '.png');
    });

    it('keeps a letter and its combining mark together', () => {
      // x + U+0301 has no precomposed form: 3 bytes per character, 83 of them fit in 251 bytes.
      // Cutting by code points would end on a bare "x" (250 bytes).
      assert.equal(formatFileName('x\u0301'.repeat(100), { prompt: '', date }, 'png'), 'x\u0301'.repeat(83) + '.png');
    });

    it('leaves room for the longest extension', () => {
      assert.equal(candidateName('猫'.repeat(130), 'abcdefghij', 1), '猫'.repeat(81) + '.abcdefghij');
    });

    it('cutUtf8 cuts at whole characters within the byte budget', () => {
      assert.equal(cutUtf8('aé', 2), 'a');
      assert.equal(cutUtf8('aé', 3), 'aé');
      assert.equal(cutUtf8('🍌🍌', 7), '🍌');
      assert.equal(cutUtf8('🍌', 3), '');
    });

    it('every candidate of long mixed-script names fits on disk and is valid UTF-8', () => {
      const patterns = [
        '猫'.repeat(130),
        '🍌'.repeat(90),
        'a' + '👨‍👩‍👧'.repeat(30),
        'e\u0301'.repeat(200),
        'İstanbul '.repeat(40),
        'ﷺ'.repeat(100),
        '{slug}-' + '日本'.repeat(70),
      ];
      for (const pattern of patterns) {
        const base = formatBaseName(pattern, { prompt: 'Kırmızı kedi', date });
        for (const n of [1, 2, 10, 999, 1000]) {
          for (const ext of ['png', 'webp', 'abcdefghij']) assertSafeFileName(candidateName(base, ext, n), ext);
        }
      }
    });
  });

  describe('isSafeRelativeFolder / joinSafe', () => {
    const root = path.resolve('/tmp/ws-root');

    it('accepts plain relative folders', () => {
      for (const rel of ['images/generated', 'images', './out/', 'a//b', '', '.', 'Görseller/çıktı', 'my images/2025']) {
        assert.equal(isSafeRelativeFolder(rel), true, rel);
      }
      assert.equal(joinSafe(root, 'images/generated'), path.join(root, 'images', 'generated'));
      assert.equal(joinSafe(root, './out/'), path.join(root, 'out'));
      assert.equal(joinSafe(root, ''), root);
    });
    it('rejects absolute paths, drive letters, UNC, backslashes, .. and ~', () => {
      const bad = [
        '/etc',
        '//server/share',
        'C:/Windows',
        'c:images',
        'C:\\Windows',
        '\\\\server\\share',
        'a\\..\\..\\b',
        '..',
        '../x',
        'a/../../b',
        'a/..',
        'images/../images',
        '~/pics',
        'a\u0000b',
        'a\nb',
        'con',
        'a/NUL/b',
        'a/b./c',
        'a/b /c',
        'a:b',
        'a|b',
      ];
      for (const rel of bad) {
        assert.equal(isSafeRelativeFolder(rel), false, JSON.stringify(rel));
        assert.equal(joinSafe(root, rel), undefined, JSON.stringify(rel));
      }
    });
    it('rejects non-strings', () => {
      assert.equal(isSafeRelativeFolder(undefined as unknown as string), false);
      assert.equal(isSafeRelativeFolder(42 as unknown as string), false);
    });
    it('joined paths always stay inside the root', () => {
      for (const rel of ['a', 'a/b/c', './a/./b', 'a//b//']) {
        const p = joinSafe(root, rel);
        assert.ok(p);
        const back = path.relative(root, p);
        assert.ok(!back.startsWith('..') && !path.isAbsolute(back), rel);
      }
    });
  });
});
