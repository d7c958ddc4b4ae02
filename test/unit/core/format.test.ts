import * as assert from 'node:assert/strict';
import { foldText, formatBytes, formatCredits, formatElapsed, formatNumber, megabytes, safeLocale } from '../../../src/core/format';

describe('core/format (shared by the extension and the gallery page)', () => {
  it('folds text the Turkish way and forgives case, dots and accents', () => {
    assert.equal(foldText('İSTANBUL'), 'istanbul');
    assert.equal(foldText('IŞIK'), 'isik');
    assert.equal(foldText('ışık'), 'isik');
    assert.equal(foldText('Café'), 'cafe');
    assert.equal(foldText('Crème Brûlée'), 'creme brulee');
    assert.equal(foldText('KIRMIZI şapkalı'), 'kirmizi sapkali');
  });

  it('formats elapsed time as m:ss and h:mm:ss', () => {
    assert.equal(formatElapsed(0), '0:00');
    assert.equal(formatElapsed(999), '0:00');
    assert.equal(formatElapsed(5_000), '0:05');
    assert.equal(formatElapsed(12_000), '0:12');
    assert.equal(formatElapsed(83_400), '1:23');
    assert.equal(formatElapsed(3_600_000 + 2 * 60_000 + 3_000), '1:02:03');
    assert.equal(formatElapsed(-4_000), '0:00', 'clock skew never shows a negative time');
    assert.equal(formatElapsed(Number.NaN), '0:00');
  });

  it('formats byte counts in binary units with locale digits', () => {
    assert.equal(formatBytes(0, 'en'), '0 B');
    assert.equal(formatBytes(512, 'en'), '512 B');
    assert.equal(formatBytes(1000, 'en'), '1,000 B');
    assert.equal(formatBytes(1536, 'en'), '1.5 KB');
    assert.equal(formatBytes(1536, 'tr'), '1,5 KB');
    assert.equal(formatBytes(64 * 1024, 'en'), '64 KB');
    assert.equal(formatBytes(12 * 1024 * 1024 + 300_000, 'en'), '12 MB');
    assert.equal(formatBytes(50 * 1024 * 1024, 'en'), '50 MB');
    assert.equal(formatBytes(1024 * 1024 - 10, 'en'), '1 MB', 'never "1024 KB"');
    assert.equal(formatBytes(-1, 'en'), '');
    assert.equal(formatBytes(Number.NaN, 'en'), '');
  });

  it('gives megabytes with one decimal for sentences that write the unit', () => {
    assert.equal(megabytes(4 * 1024 * 1024), '4.0');
    assert.equal(megabytes(5_500_000), '5.2');
    assert.equal(megabytes(0), '0.0');
  });

  it('tolerates a bad locale', () => {
    assert.equal(safeLocale('not a locale!'), undefined);
    assert.equal(safeLocale('tr'), 'tr');
    assert.equal(safeLocale(undefined), undefined);
    assert.doesNotThrow(() => formatBytes(2048, 'xx_bad!'));
  });

  it('formats plain numbers with up to two decimals', () => {
    assert.equal(formatNumber(12.3456, 'en'), '12.35');
    assert.equal(formatNumber(3, 'tr'), '3');
  });

  it('shows credits as a plain number, every charged place kept, not the API\'s "0.500000"', () => {
    assert.equal(formatCredits('0.500000', 'en'), '0.5');
    assert.equal(formatCredits('0.125000', 'en'), '0.125');
    assert.equal(formatCredits('0.000001', 'en'), '0.000001');
    assert.equal(formatCredits('12', 'en'), '12');
    assert.equal(formatCredits('1.250000', 'tr'), '1,25');
    assert.equal(formatCredits('n/a', 'en'), 'n/a');
    assert.equal(formatCredits('', 'en'), '');
  });
});
