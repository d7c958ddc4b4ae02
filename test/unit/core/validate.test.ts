import * as assert from 'node:assert/strict';
import { MAX_PROMPT_LENGTH, MAX_REFERENCES } from '../../../src/core/api/types';
import {
  isLoopbackHost,
  validateBaseUrl,
  validateModel,
  validatePrompt,
  validateReference,
  validateReferences,
  validateRequest,
} from '../../../src/core/validate';
import { throwsWith } from './api/helpers';

const PNG_URI = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('validate', () => {
  describe('isLoopbackHost', () => {
    it('accepts localhost, 127.x.y.z and ::1 only', () => {
      for (const h of ['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.equal(isLoopbackHost(h), true, h);
      for (const h of ['example.com', 'localhost.example.com', '127.0.0.1.example.com', '10.0.0.1', '0.0.0.0', '128.0.0.1', '::2', 'mylocalhost']) {
        assert.equal(isLoopbackHost(h), false, h);
      }
    });
  });

  describe('validateBaseUrl', () => {
    it('accepts https anywhere', () => {
      assert.equal(validateBaseUrl('https://api.defapi.org').href, 'https://api.defapi.org/');
      assert.equal(validateBaseUrl('  https://proxy.example.com:8443/prefix ').pathname, '/prefix');
    });

    it('accepts plain http only on loopback', () => {
      for (const u of ['http://127.0.0.1:8080', 'http://localhost:3000', 'http://[::1]:9000', 'http://127.0.0.2']) {
        assert.equal(validateBaseUrl(u).protocol, 'http:', u);
      }
    });

    it('refuses plain http to any other host with a config error naming the origin', () => {
      for (const u of ['http://example.com', 'http://api.defapi.org', 'http://127.0.0.1.nip.io', 'http://localhost.evil.com', 'http://10.0.0.5:80']) {
        const e = throwsWith(() => validateBaseUrl(u), 'config');
        assert.match(e.message, /https/);
        assert.ok(e.message.includes(new URL(u).origin), e.message);
        assert.equal(e.retryable, false);
      }
    });

    it('refuses other schemes and garbage', () => {
      throwsWith(() => validateBaseUrl('ftp://api.defapi.org'), 'config');
      throwsWith(() => validateBaseUrl('ws://localhost:1'), 'config');
      for (const u of ['not a url', 'api.defapi.org', '', '   ', 'https://', '://x']) {
        const e = throwsWith(() => validateBaseUrl(u), 'config');
        assert.match(e.message, /not a valid URL/, u);
      }
    });
  });

  describe('validatePrompt', () => {
    it('trims and returns the prompt', () => {
      assert.equal(validatePrompt('  a banana \n'), 'a banana');
    });
    it('refuses empty, whitespace-only and non-string prompts', () => {
      for (const p of ['', '   ', '\n\t', undefined, null, 42]) {
        const e = throwsWith(() => validatePrompt(p), 'invalid-input');
        assert.match(e.message, /empty/);
        assert.equal(e.retryable, false);
      }
    });
    it(`refuses prompts longer than ${MAX_PROMPT_LENGTH} characters (after trimming)`, () => {
      assert.equal(validatePrompt('x'.repeat(MAX_PROMPT_LENGTH)).length, MAX_PROMPT_LENGTH);
      assert.equal(validatePrompt(`  ${'x'.repeat(MAX_PROMPT_LENGTH)}  `).length, MAX_PROMPT_LENGTH);
      const e = throwsWith(() => validatePrompt('x'.repeat(MAX_PROMPT_LENGTH + 1)), 'invalid-input');
      assert.ok(e.message.includes(String(MAX_PROMPT_LENGTH + 1)) && e.message.includes(String(MAX_PROMPT_LENGTH)), e.message);
    });
  });

  describe('validateReference(s)', () => {
    it('accepts https URLs and base64 data:image URIs', () => {
      assert.equal(validateReference('https://example.com/a.png', 0), 'https://example.com/a.png');
      assert.equal(validateReference(` ${PNG_URI} `, 0), PNG_URI);
      assert.equal(validateReference('data:image/svg+xml;base64,PHN2Zy8+', 0), 'data:image/svg+xml;base64,PHN2Zy8+');
    });

    it('refuses http:, file:, javascript: and other schemes, naming the position', () => {
      for (const r of ['http://example.com/a.png', 'file:///etc/passwd', 'javascript:alert(1)', 'ftp://x/y.png', 'blob:https://x/1']) {
        const e = throwsWith(() => validateReference(r, 2), 'invalid-input');
        assert.match(e.message, /Reference image 3 must be an https URL/, r);
      }
    });

    it('refuses data URIs that are not base64 images', () => {
      for (const r of ['data:text/html;base64,PGI+', 'data:image/png,rawbytes', 'data:image/png;base64,@@@', 'data:,hello']) {
        const e = throwsWith(() => validateReference(r, 0), 'invalid-input');
        assert.match(e.message, /data URI but not a base64 image/, r);
      }
    });

    it('refuses relative paths, empty strings and non-strings', () => {
      assert.match(throwsWith(() => validateReference('images/a.png', 0), 'invalid-input').message, /neither an https URL nor a data:image URI/);
      assert.match(throwsWith(() => validateReference('  ', 1), 'invalid-input').message, /Reference image 2 is empty/);
      throwsWith(() => validateReference(7, 0), 'invalid-input');
    });

    it(`accepts up to ${MAX_REFERENCES} references and refuses more`, () => {
      assert.deepEqual(validateReferences(undefined), []);
      assert.deepEqual(validateReferences(null), []);
      const four = Array.from({ length: MAX_REFERENCES }, (_, i) => `https://x.test/${i}.png`);
      assert.deepEqual(validateReferences(four), four);
      const e = throwsWith(() => validateReferences([...four, 'https://x.test/4.png']), 'invalid-input');
      assert.match(e.message, /5 reference images.*at most 4/);
      throwsWith(() => validateReferences('https://x.test/a.png'), 'invalid-input');
    });

    it('checks every reference, not just the first', () => {
      const e = throwsWith(() => validateReferences(['https://ok.test/a.png', PNG_URI, 'http://bad.test/c.png']), 'invalid-input');
      assert.match(e.message, /Reference image 3/);
    });
  });

  describe('validateModel', () => {
    it('accepts vendor/model names and refuses empty or odd ones', () => {
      assert.equal(validateModel(' google/gempix2 '), 'google/gempix2');
      assert.equal(validateModel('google/gemini-2.5-flash-image'), 'google/gemini-2.5-flash-image');
      for (const m of ['', '  ', undefined, 'google/gem pix', 'a//b', 'google/x?y']) throwsWith(() => validateModel(m), 'invalid-input');
    });
  });

  describe('validateRequest', () => {
    it('normalises: trims, drops auto aspect ratio and size, lower-cases the size', () => {
      assert.deepEqual(validateRequest({ model: ' google/nano-banana-2 ', prompt: '  a cat  ', aspectRatio: 'auto', imageSize: 'auto', images: [] }), {
        model: 'google/nano-banana-2',
        prompt: 'a cat',
      });
      assert.deepEqual(validateRequest({ model: 'google/nano-banana-pro', prompt: 'a cat', aspectRatio: '16:9', imageSize: '4K' }), {
        model: 'google/nano-banana-pro',
        prompt: 'a cat',
        aspectRatio: '16:9',
        imageSize: '4k',
      });
    });

    it('keeps valid references (trimmed) and refuses bad ones', () => {
      assert.deepEqual(validateRequest({ model: 'm/x', prompt: 'p', images: [' https://a.test/1.png'] }).images, ['https://a.test/1.png']);
      throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', images: ['file:///tmp/a.png'] }), 'invalid-input');
      throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', images: ['a', 'b', 'c', 'd', 'e'].map((s) => `https://x.test/${s}`) }), 'invalid-input');
    });

    it('refuses malformed aspect ratios and image sizes', () => {
      for (const aspectRatio of ['wide', '16x9', '169:1', '16:9:1'])
        throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', aspectRatio }), 'invalid-input');
      for (const imageSize of ['3k', '8k', '1024', 'big']) throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', imageSize }), 'invalid-input');
    });

    it('validates and normalises the callback URL', () => {
      assert.equal(validateRequest({ model: 'm/x', prompt: 'p', callbackUrl: ' https://hook.test/cb ' }).callbackUrl, 'https://hook.test/cb');
      assert.equal(validateRequest({ model: 'm/x', prompt: 'p', callbackUrl: 'HTTP://Hook.Test:80/cb' }).callbackUrl, 'http://hook.test/cb');
      assert.equal('callbackUrl' in validateRequest({ model: 'm/x', prompt: 'p', callbackUrl: '   ' }), false);
      assert.match(throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', callbackUrl: 'not a url' }), 'invalid-input').message, /not a valid URL/);
      for (const callbackUrl of ['javascript:alert(1)', 'file:///tmp/x', 'ftp://hook.test/cb']) {
        assert.match(throwsWith(() => validateRequest({ model: 'm/x', prompt: 'p', callbackUrl }), 'invalid-input').message, /must be http\(s\)/);
      }
    });

    it('checks the prompt and the model', () => {
      throwsWith(() => validateRequest({ model: 'm/x', prompt: '   ' }), 'invalid-input');
      throwsWith(() => validateRequest({ model: '', prompt: 'p' }), 'invalid-input');
    });
  });
});
