import * as assert from 'node:assert/strict';
import {
  describeImage,
  formatBytes,
  formatCredits,
  imageDetails,
  formatElapsed,
  formatNumber,
  formatTimestamp,
  safeLocale,
  shortModel,
  withLabel,
} from '../../../src/gallery/page/format';

describe('gallery page: format', () => {
  it('formats elapsed time as m:ss and h:mm:ss', () => {
    assert.equal(formatElapsed(0), '0:00');
    assert.equal(formatElapsed(999), '0:00');
    assert.equal(formatElapsed(5_000), '0:05');
    assert.equal(formatElapsed(83_400), '1:23');
    assert.equal(formatElapsed(3_600_000 + 2 * 60_000 + 3_000), '1:02:03');
    assert.equal(formatElapsed(-4_000), '0:00', 'clock skew never shows a negative time');
    assert.equal(formatElapsed(Number.NaN), '0:00');
  });

  it('formats byte counts in binary units with locale digits', () => {
    assert.equal(formatBytes(0, 'en'), '0 B');
    assert.equal(formatBytes(512, 'en'), '512 B');
    assert.equal(formatBytes(1536, 'en'), '1.5 KB');
    assert.equal(formatBytes(1536, 'tr'), '1,5 KB');
    assert.equal(formatBytes(12 * 1024 * 1024 + 300_000, 'en'), '12 MB');
    assert.equal(formatBytes(1024 * 1024 - 10, 'en'), '1 MB', 'never "1024 KB"');
    assert.equal(formatBytes(-1, 'en'), '');
  });

  it('tolerates a bad locale', () => {
    assert.equal(safeLocale('not a locale!'), undefined);
    assert.equal(safeLocale('tr'), 'tr');
    assert.equal(safeLocale(undefined), undefined);
    assert.doesNotThrow(() => formatBytes(2048, 'xx_bad!'));
  });

  it('fills "{0}" in a label, or appends the value', () => {
    assert.equal(withLabel('Credits', '12.5'), 'Credits: 12.5');
    assert.equal(withLabel('{0} kredi', '3'), '3 kredi');
    assert.equal(formatNumber(12.3456, 'en'), '12.35');
  });

  it('shows credits as a plain number, not the API\'s "0.500000"', () => {
    assert.equal(formatCredits('0.500000', 'en'), '0.5');
    assert.equal(formatCredits('12', 'en'), '12');
    assert.equal(formatCredits('1.250000', 'tr'), '1,25');
    assert.equal(formatCredits('n/a', 'en'), 'n/a');
    assert.equal(formatCredits('', 'en'), '');
  });

  it('shows the time for today and the date for older images', () => {
    const now = Date.UTC(2025, 10, 25, 15, 0);
    const today = formatTimestamp(Date.UTC(2025, 10, 25, 9, 32), now, 'en-GB', 'UTC');
    assert.equal(today, '09:32');
    const thisYear = formatTimestamp(Date.UTC(2025, 2, 3, 9, 32), now, 'en-GB', 'UTC');
    assert.match(thisYear, /3 Mar/);
    assert.match(thisYear, /09:32/);
    const older = formatTimestamp(Date.UTC(2023, 2, 3, 9, 32), now, 'en-GB', 'UTC');
    assert.match(older, /2023/);
    assert.doesNotMatch(older, /09:32/);
  });

  it('describes the known parts of an image', () => {
    assert.equal(describeImage({ width: 1024, height: 768, aspectRatio: '4:3', imageSize: '2k', bytes: 1536 }, 'en'), '1024×768 · 4:3 · 2K · 1.5 KB');
    assert.equal(describeImage({ aspectRatio: 'auto', imageSize: 'auto', bytes: 0 }, 'en'), '');
    assert.equal(describeImage({ aspectRatio: '16:9', bytes: 2048 }, 'en'), '16:9 · 2 KB');
    assert.deepEqual(imageDetails({ width: 10, aspectRatio: ' ', imageSize: '4k', bytes: 1 }, 'en'), ['4K', '1 B'], 'width without height is not shown');
  });

  it('shortens model ids', () => {
    assert.equal(shortModel('google/nano-banana-pro'), 'nano-banana-pro');
    assert.equal(shortModel('gempix2'), 'gempix2');
    assert.equal(shortModel('odd/'), 'odd/');
  });
});
