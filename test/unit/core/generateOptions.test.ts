import * as assert from 'node:assert/strict';
import { DEFAULT_CONFIG, readConfig, type NanoConfig } from '../../../src/core/config';
import { buildRequest, defaultOptions, isGenerateArgs, isRefineArgs, resolvePromptSource } from '../../../src/core/generateOptions';

describe('prompt resolution', () => {
  it('an argument prompt wins over the selection', () => {
    assert.deepEqual(resolvePromptSource({ prompt: 'from args' }, 'selected', 'last'), { kind: 'given', prompt: 'from args' });
  });
  it('a non-blank selection is the prompt, trimmed', () => {
    assert.deepEqual(resolvePromptSource(undefined, '  a red fox \n', 'last'), { kind: 'given', prompt: 'a red fox' });
  });
  it('a blank selection asks, prefilled with the last prompt', () => {
    assert.deepEqual(resolvePromptSource(undefined, '   \n\t', 'last one'), { kind: 'ask', initial: 'last one' });
    assert.deepEqual(resolvePromptSource(undefined, undefined, undefined), { kind: 'ask', initial: '' });
  });
  it('an empty argument prompt is passed on (validation rejects it later, without UI)', () => {
    assert.deepEqual(resolvePromptSource({ prompt: '' }, 'sel', undefined), { kind: 'given', prompt: '' });
  });
});

describe('command argument guard', () => {
  it('accepts argument objects', () => {
    assert.ok(isGenerateArgs({ prompt: 'x' }));
    assert.ok(isGenerateArgs({ prompt: 'x', model: 'm', aspectRatio: '1:1', imageSize: '2k', references: ['https://a/b.png'] }));
    assert.ok(isGenerateArgs({ references: ['/tmp/a.png'] }));
    assert.ok(isGenerateArgs({ prompt: 'x', variations: 4 }));
    assert.ok(isGenerateArgs({ prompt: 'x', models: ['a', 'b'] }));
  });
  it('rejects what menus pass and malformed objects', () => {
    assert.ok(!isGenerateArgs(undefined));
    assert.ok(!isGenerateArgs('prompt'));
    assert.ok(!isGenerateArgs({ scheme: 'file', path: '/a' }));
    assert.ok(!isGenerateArgs({ prompt: 3 }));
    assert.ok(!isGenerateArgs({ prompt: 'x', references: [1] }));
    assert.ok(!isGenerateArgs({ prompt: 'x', references: 'a.png' }));
    assert.ok(!isGenerateArgs({ prompt: 'x', variations: '4' }));
    assert.ok(!isGenerateArgs({ prompt: 'x', models: 'google/gempix2' }));
    assert.ok(!isGenerateArgs({ prompt: 'x', models: [1, 2] }));
    assert.ok(!isGenerateArgs([{ prompt: 'x' }]));
  });
});

describe('refine argument guard', () => {
  it('takes an item id with optional prompt and options, nothing else', () => {
    assert.ok(isRefineArgs({ itemId: 'a-1' }));
    assert.ok(isRefineArgs({ itemId: 'a-1', prompt: 'at night', model: 'm', aspectRatio: '1:1', imageSize: '2k' }));
    for (const bad of [undefined, 'a-1', [], { itemId: '' }, { itemId: 3 }, { prompt: 'x' }, { itemId: 'a', prompt: 1 }, { itemId: 'a', model: null }]) {
      assert.ok(!isRefineArgs(bad), JSON.stringify(bad));
    }
  });
});

describe('option defaults', () => {
  const config: NanoConfig = { ...DEFAULT_CONFIG, model: 'google/nano-banana-2', aspectRatio: '16:9', imageSize: '2k' };
  it('settings fill what the arguments leave out', () => {
    assert.deepEqual(defaultOptions({ prompt: 'x', aspectRatio: '1:1' }, config), { model: 'google/nano-banana-2', aspectRatio: '1:1', imageSize: '2k' });
    assert.deepEqual(defaultOptions(undefined, config), { model: 'google/nano-banana-2', aspectRatio: '16:9', imageSize: '2k' });
  });
  it("the request leaves out 'auto' values, and image size for models without it", () => {
    assert.deepEqual(buildRequest('p', { model: 'google/gempix2', aspectRatio: 'auto', imageSize: '4k' }, [], ''), { model: 'google/gempix2', prompt: 'p' });
    assert.deepEqual(buildRequest('p', { model: 'google/nano-banana-pro', aspectRatio: '9:16', imageSize: '4k' }, ['https://x/y.png'], 'https://hook'), {
      model: 'google/nano-banana-pro',
      prompt: 'p',
      aspectRatio: '9:16',
      imageSize: '4k',
      images: ['https://x/y.png'],
      callbackUrl: 'https://hook',
    });
  });
});

describe('settings', () => {
  it('defaults when nothing is set', () => {
    assert.deepEqual(
      readConfig(() => undefined),
      DEFAULT_CONFIG,
    );
  });
  it('trims, clamps and drops nonsense', () => {
    const values: Record<string, unknown> = {
      apiBaseUrl: ' http://127.0.0.1:8787/ ',
      model: '  ',
      requestTimeoutSeconds: 1,
      maxWaitMinutes: 'x',
      historyLimit: 12.6,
      autoSave: 'yes',
      callbackUrl: ' https://hook ',
    };
    const c = readConfig((k) => values[k]);
    assert.equal(c.apiBaseUrl, 'http://127.0.0.1:8787');
    assert.equal(c.model, DEFAULT_CONFIG.model);
    assert.equal(c.requestTimeoutSeconds, 5);
    assert.equal(c.maxWaitMinutes, DEFAULT_CONFIG.maxWaitMinutes);
    assert.equal(c.historyLimit, 13);
    assert.equal(c.autoSave, false);
    assert.equal(c.callbackUrl, 'https://hook');
  });
});
