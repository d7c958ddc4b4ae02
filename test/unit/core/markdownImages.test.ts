import * as assert from 'node:assert/strict';
import {
  aspectFromHints,
  findImageRefs,
  formatForTarget,
  localTarget,
  promptFromAlt,
  resolveInRoot,
  withExtension,
  type ImageRef,
} from '../../../src/core/markdownImages';

const targets = (refs: ImageRef[]) => refs.map((r) => r.target);

describe('image references in Markdown and HTML', () => {
  it('finds inline images, with angle brackets, titles and escapes, at their exact offsets', () => {
    const text = 'Intro ![A cat](img/cat.png) and ![Two words](<my images/dog one.jpg> "title") and ![esc \\] x](a\\(1\\).png)\n';
    const refs = findImageRefs(text, 'markdown');
    assert.deepEqual(targets(refs), ['img/cat.png', 'my images/dog one.jpg', 'a(1).png']);
    assert.deepEqual(
      refs.map((r) => r.alt),
      ['A cat', 'Two words', 'esc ] x'],
    );
    assert.equal(text.slice(refs[0].start, refs[0].end), '![A cat](img/cat.png)');
    assert.ok(refs.every((r) => r.kind === 'inline'));
  });

  it('resolves reference-style images (full, collapsed, shortcut) through their definitions, case-insensitively', () => {
    const text = [
      '![Hero][hero-img] ![Logo][] ![Banner]',
      '',
      '[Hero-IMG]: art/hero.png "t"',
      '[logo]: <art/the logo.png>',
      '[banner]: art/banner.jpg',
      '![No def][missing]',
    ].join('\n');
    const refs = findImageRefs(text, 'markdown');
    assert.deepEqual(targets(refs), ['art/hero.png', 'art/the logo.png', 'art/banner.jpg']);
    assert.ok(refs.every((r) => r.kind === 'reference'));
    assert.equal(text.slice(refs[0].start, refs[0].end), '![Hero][hero-img]');
  });

  it('reads <img> tags in Markdown and HTML: src, alt (entities decoded), width and height', () => {
    const md = 'Text <img src="a/b.png" alt="Tom &amp; Jerry" width="1600" height="900"> and <IMG alt=\'x\' src=c.jpg>';
    const refs = findImageRefs(md, 'markdown');
    assert.deepEqual(targets(refs), ['a/b.png', 'c.jpg']);
    assert.equal(refs[0].alt, 'Tom & Jerry');
    assert.equal(refs[0].width, 1600);
    assert.equal(refs[0].height, 900);
    assert.equal(refs[1].kind, 'html');
    const html = '<p><img src="x.png" alt="one"></p>\n<!-- <img src="hidden.png"> -->\n![not markdown](y.png)';
    assert.deepEqual(targets(findImageRefs(html, 'html')), ['x.png']);
  });

  it('ignores images inside fenced code blocks, inline code and HTML comments', () => {
    const text = [
      '```md',
      '![in fence](fence.png)',
      '```',
      '~~~~',
      '<img src="tilde.png">',
      '~~~~',
      'Use `![code](code.png)` or ``![two](two.png)`` here. ![real](real.png)',
      '<!-- ![comment](comment.png) -->',
      '    ```not a fence because of indent? it is indented code: still text here',
      '![after](after.png)',
    ].join('\n');
    assert.deepEqual(targets(findImageRefs(text, 'markdown')), ['real.png', 'after.png']);
  });

  it('an unclosed fence hides everything after it; an unmatched backtick hides nothing', () => {
    assert.deepEqual(targets(findImageRefs('![a](a.png)\n```\n![b](b.png)', 'markdown')), ['a.png']);
    assert.deepEqual(targets(findImageRefs('a ` b ![c](c.png)', 'markdown')), ['c.png']);
  });

  it('plain links are not images', () => {
    assert.deepEqual(findImageRefs('[link](a.png) [ref][r]\n\n[r]: b.png', 'markdown'), []);
  });
});

describe('image targets', () => {
  it('keeps relative paths (decoded, query and fragment dropped) and refuses URLs, schemes and absolute paths', () => {
    assert.equal(localTarget('img/a%20b.png'), 'img/a b.png');
    assert.equal(localTarget('./x.png?raw=1#top'), './x.png');
    assert.equal(localTarget('..\\up\\x.png'), '../up/x.png');
    for (const t of [
      'https://x.org/a.png',
      'http://a/b.png',
      'data:image/png;base64,AA',
      'C:\\x.png',
      '/abs/x.png',
      '\\\\server\\x.png',
      '~/x.png',
      '//cdn/x.png',
      '',
      'dir/',
      '#frag',
    ]) {
      assert.equal(localTarget(t), undefined, t);
    }
  });

  it('resolves from the document to a path inside the root, refusing what leaves it', () => {
    assert.equal(resolveInRoot('/ws/docs/readme.md', 'img/a.png', '/ws'), 'docs/img/a.png');
    assert.equal(resolveInRoot('/ws/docs/readme.md', '../art/a.png', '/ws'), 'art/a.png');
    assert.equal(resolveInRoot('/ws/readme.md', '../other/a.png', '/ws'), undefined);
    assert.equal(resolveInRoot('/ws/docs/readme.md', '../../ws2/a.png', '/ws'), undefined);
    assert.equal(resolveInRoot('/ws/readme.md', '.', '/ws'), undefined);
  });

  it('the prompt is the alt text, or words from the file name', () => {
    assert.equal(promptFromAlt('  A  red\nbicycle ', 'x.png'), 'A red bicycle');
    assert.equal(promptFromAlt('', 'art/hero-banner_sunsetBeach.v2.png'), 'hero banner sunset Beach v2');
    assert.equal(promptFromAlt('', 'noext'), 'noext');
  });

  it('guesses the aspect ratio from the alt text or the width and height', () => {
    assert.equal(aspectFromHints('A wide 16:9 beach'), '16:9');
    assert.equal(aspectFromHints('poster 9x16'), '9:16');
    assert.equal(aspectFromHints('a square logo'), '1:1');
    assert.equal(aspectFromHints('Portrait of a cat'), '3:4');
    assert.equal(aspectFromHints('a landscape'), '4:3');
    assert.equal(aspectFromHints('ratio 7:3 is not one'), undefined);
    assert.equal(aspectFromHints('a cat', 1600, 900), '16:9');
    assert.equal(aspectFromHints('a cat', 500, 500), '1:1');
    assert.equal(aspectFromHints('a cat', 400, 600), '2:3');
    assert.equal(aspectFromHints('a cat'), undefined);
  });

  it('the format a target asks for', () => {
    assert.equal(formatForTarget('a/b.PNG'), 'png');
    assert.equal(formatForTarget('a.jpeg'), 'jpeg');
    assert.equal(formatForTarget('a.jpg'), 'jpeg');
    assert.equal(formatForTarget('a.webp'), 'other');
    assert.equal(withExtension('a/b.webp', 'png'), 'a/b.png');
    assert.equal(withExtension('a/b', 'jpg'), 'a/b.jpg');
  });
});

describe('image references: cost on a large file', () => {
  it('a 2,000-line Markdown file is parsed quickly (the figure is printed) and every image found', () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 50 === 0) lines.push('```', '![code](code.png)', '```');
      else if (i % 10 === 0) lines.push(`![Image ${i}](images/img-${i}.png) and some \`inline ![x](x.png)\` code`);
      else lines.push(`Line ${i}: some prose with a [link](https://example.org/${i}) and **bold** text, nothing more to see here.`);
    }
    const text = lines.join('\n');
    findImageRefs(text, 'markdown'); // warm up the regular expressions
    const runs = 20;
    const t0 = process.hrtime.bigint();
    let refs: ImageRef[] = [];
    for (let i = 0; i < runs; i++) refs = findImageRefs(text, 'markdown');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
    console.log(`      findImageRefs on ${lines.length} lines: ${ms.toFixed(2)} ms per run`);
    assert.equal(refs.length, 160);
    assert.ok(refs.every((r) => /^images\/img-\d+\.png$/.test(r.target)));
  });
});
