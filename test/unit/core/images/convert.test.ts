import * as assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { convertImage } from '../../../../src/core/images/convert';
import { decodeJpegBitmap, decodePng } from '../../../../src/core/images/bitmap';
import { sniffImage } from '../../../../src/core/images/sniff';

function redPng(w: number, h: number, alpha = 255): Uint8Array {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([255, 0, 0, alpha], i * 4);
  return new Uint8Array(PNG.sync.write(png));
}

describe('PNG ↔ JPEG conversion', () => {
  it('a PNG becomes a JPEG of the same size and colour, and back', () => {
    const jpeg = convertImage(redPng(8, 6), 'jpeg');
    assert.ok(jpeg);
    assert.equal(sniffImage(jpeg)?.ext, 'jpg');
    const bmp = decodeJpegBitmap(jpeg);
    assert.deepEqual([bmp.width, bmp.height], [8, 6]);
    assert.ok(bmp.data[0] > 240 && bmp.data[1] < 20, `red stays red: ${bmp.data[0]},${bmp.data[1]}`);
    const png = convertImage(jpeg, 'png');
    assert.ok(png);
    assert.equal(sniffImage(png)?.ext, 'png');
    assert.deepEqual([decodePng(png).width, decodePng(png).height], [8, 6]);
  });
  it('transparency is flattened onto white in a JPEG', () => {
    const bmp = decodeJpegBitmap(convertImage(redPng(4, 4, 0), 'jpeg')!);
    assert.ok(bmp.data[1] > 240, 'a fully transparent pixel becomes white');
  });
  it('the same format is returned as is; other formats are not converted', () => {
    const png = redPng(2, 2);
    assert.equal(convertImage(png, 'png'), png);
    assert.equal(convertImage(new TextEncoder().encode('GIF89a....'), 'png'), undefined);
  });
});
