import * as assert from 'node:assert/strict';
import { describeImage, formatTimestamp, imageDetails, shortModel, withLabel } from '../../../../src/gallery/page/format';

describe('gallery page: format', () => {
  it('fills "{0}" in a label, or appends the value', () => {
    assert.equal(withLabel('Credits', '12.5'), 'Credits: 12.5');
    assert.equal(withLabel('{0} kredi', '3'), '3 kredi');
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
