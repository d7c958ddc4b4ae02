import * as assert from 'node:assert/strict';
import { defangSchemes, inert } from '../../../src/core/inert';

/** What VS Code's notifications parse as a link (src/vs/base/common/linkedText.ts). */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** What the status bar, quick picks and notifications render as an icon (src/vs/base/common/iconLabels.ts). */
const CODICON = /\$\(([a-z0-9-]+?(?:~[a-z0-9-]*?)?)\)/gi;
/** What the output channel and the editor's link detector, or a Markdown autolink, would follow. */
const URI = /\b[a-z][a-z0-9+.-]*:(\/\/|[^\s\d])/i;

const ISSUE_7 = 'Your key expired. [Renew it here](command:workbench.action.openSettings) or [log in](https://evil.example/login).';

describe('inert (outside text shown in VS Code)', () => {
  it('turns the links of issue 7 into readable text that links nowhere', () => {
    const out = inert(ISSUE_7);
    assert.equal(out, 'Your key expired. ⟦Renew it here⟧❨command∶workbench.action.openSettings❩ or ⟦log in⟧❨https∶//evil.example/login❩.');
    assert.doesNotMatch(out, NOTIFICATION_LINK);
    assert.doesNotMatch(out, URI);
    assert.ok(!out.includes(']('), out);
    assert.match(out, /Renew it here/);
    assert.match(out, /evil\.example\/login/, 'the address can still be read');
  });

  it('maps [ ] ( ) < to look-alikes and leaves every other character alone', () => {
    assert.equal(inert('[a] (b) <c>'), '⟦a⟧ ❨b❩ ‹c>');
    const plain = 'A watercolor banana, 16:9 — “quoted” {x} *y* _z_ `q` #1 ! ~ \\ > & é ü 🍌 ı';
    assert.equal(inert(plain), plain);
    assert.equal(inert(''), '');
  });

  it('never lets $(icon) render as a codicon', () => {
    for (const s of ['$(zap) go', '$(loading~spin)', 'a$(error)b', '$(sync) [x](y)']) {
      const out = inert(s);
      assert.doesNotMatch(out, CODICON, `${s} → ${out}`);
      assert.ok(out.includes('$'), 'the dollar sign stays readable');
    }
    assert.equal(inert('$(zap) go'), '$❨zap❩ go');
  });

  it('defangs every URI scheme, also without brackets, in any case and inside a longer word', () => {
    const cases: [string, string][] = [
      ['https://evil.example/x', 'https∶//evil.example/x'],
      ['HTTP://EVIL.example', 'HTTP∶//EVIL.example'],
      ['see file:///etc/passwd now', 'see file∶///etc/passwd now'],
      ['file:/etc/passwd', 'file∶/etc/passwd'],
      ['command:workbench.action.openSettings', 'command∶workbench.action.openSettings'],
      ['vscode://ms.ext/open', 'vscode∶//ms.ext/open'],
      ['vscode-insiders:x', 'vscode-insiders∶x'],
      ['mailto:a@evil.example', 'mailto∶a@evil.example'],
      ['javascript:alert', 'javascript∶alert'],
      ['data:text/html,x', 'data∶text/html,x'],
      ['x-custom+scheme.v2:y', 'x-custom+scheme.v2∶y'],
      ['xhttps://evil', 'xhttps∶//evil'],
      ['1https://evil', '1https∶//evil'],
      ['«https://evil»', '«https∶//evil»'],
      ['"https://evil"', '"https∶//evil"'],
    ];
    for (const [input, expected] of cases) {
      assert.equal(inert(input), expected, input);
      assert.equal(defangSchemes(input), expected, `defangSchemes(${input})`);
      assert.doesNotMatch(inert(input), URI, input);
    }
  });

  it('keeps colons that are not a scheme: sentences, ports, ratios, times, drives', () => {
    for (const s of [
      'Error: the key expired',
      'HTTP 401: Unauthorized',
      'localhost:8787',
      '127.0.0.1:8787',
      '16:9',
      '10:30',
      'C:\\Users\\me\\x.png',
      'c:/x',
      'a: b',
      'ends with:',
    ]) {
      assert.equal(inert(s), s, s);
    }
  });

  it('is idempotent, so a value neutralised twice reads the same', () => {
    for (const s of [ISSUE_7, '$(zap) <b>', 'https://a.example [x](file:///y)', 'plain']) {
      assert.equal(inert(inert(s)), inert(s));
      assert.equal(defangSchemes(defangSchemes(s)), defangSchemes(s));
    }
  });

  it('defangSchemes keeps brackets and parentheses (the log renders no Markdown)', () => {
    assert.equal(defangSchemes('job 1: query failed (server): [x](https://a.example)'), 'job 1: query failed (server): [x](https∶//a.example)');
  });

  it('stays inert when normalised (NFKC would turn fullwidth ［ ］ （ ） ： back into ASCII)', () => {
    const out = inert(`$(zap) ${ISSUE_7}`).normalize('NFKC');
    assert.doesNotMatch(out, NOTIFICATION_LINK);
    assert.doesNotMatch(out, CODICON);
    assert.doesNotMatch(out, URI);
  });

  it('keeps line breaks and the length of the text', () => {
    const s = 'line one\n[two](https://x.example)\r\nthree';
    assert.equal(inert(s).length, s.length);
    assert.equal(inert(s).split('\n').length, 3);
  });
});
