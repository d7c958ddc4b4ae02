import * as assert from 'node:assert/strict';
import { fetchImage } from '../../../../src/core/images/fetch';
import { PNG, isKind } from './helpers';

describe('images/result: data URIs', () => {
  const uri = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;

  it('decodes a base64 image locally and sniffs it', async () => {
    const img = await fetchImage(uri('image/png', PNG));
    assert.equal(img.source, 'data');
    assert.deepEqual(Buffer.from(img.bytes), PNG);
    assert.equal(img.mime, 'image/png');
    assert.equal(img.width, 4);
  });

  it('does not let the declared mime override the bytes', async () => {
    const img = await fetchImage(uri('image/jpeg', PNG));
    assert.equal(img.mime, 'image/png');
    assert.equal(img.ext, 'png');
  });

  it('tolerates whitespace/newlines in the payload', async () => {
    const b64 = PNG.toString('base64').replace(/(.{20})/g, '$1\n');
    const img = await fetchImage(`data:image/png;base64,${b64}`);
    assert.deepEqual(Buffer.from(img.bytes), PNG);
  });

  it('rejects an oversized data URI', async () => {
    await assert.rejects(
      fetchImage(uri('image/png', Buffer.concat([PNG, Buffer.alloc(4096)])), { maxBytes: 2048 }),
      isKind('image', false, /larger than 2 KB/),
    );
  });

  it('rejects a data URI that is not an image, or not base64', async () => {
    await assert.rejects(fetchImage(uri('image/png', Buffer.from('<html><body>hi</body></html>'))), isKind('image', false, /HTML/));
    await assert.rejects(fetchImage(uri('image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))), isKind('image', false, /SVG/));
    await assert.rejects(fetchImage('data:image/png,%89PNG'), isKind('image', false, /base64/));
    await assert.rejects(fetchImage('data:image/png;base64,@@@not-base64@@@'), isKind('image', false, /invalid base64/));
  });
});
