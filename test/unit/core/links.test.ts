import * as assert from 'node:assert/strict';
import { encodeLinkPath, htmlImageTag, linkFormatFor, markdownImageLink, relativePosix } from '../../../src/core/links';

describe('links to saved images', () => {
  it('relative paths from a document to an image', () => {
    assert.equal(relativePosix('/ws/docs/readme.md', '/ws/images/generated/a.png'), '../images/generated/a.png');
    assert.equal(relativePosix('/ws/readme.md', '/ws/images/a.png'), 'images/a.png');
    assert.equal(relativePosix('/ws/a/b/c.md', '/ws/a/b/x.png'), 'x.png');
    assert.equal(relativePosix('/ws/a/b/c.md', '/other/x.png'), '../../../other/x.png');
  });
  it('Markdown links escape brackets in the alt text and encode the path', () => {
    assert.equal(markdownImageLink('images/my image (1).png', 'a [cat]\nin a hat'), '![a \\[cat\\] in a hat](images/my%20image%20%281%29.png)');
    assert.equal(encodeLinkPath('../a b/çiçek.png'), '../a%20b/%C3%A7i%C3%A7ek.png');
  });
  it('HTML tags escape the prompt (no markup injection) and carry the size', () => {
    assert.equal(
      htmlImageTag('a.png', '"><script>x</script>', 640, 480),
      '<img src="a.png" alt="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" width="640" height="480">',
    );
  });
  it('long prompts are shortened in alt text', () => {
    const link = markdownImageLink('a.png', 'x'.repeat(300));
    assert.ok(link.length < 120, link);
  });
  it('chooses HTML for HTML-like documents and Markdown elsewhere', () => {
    assert.equal(linkFormatFor('html'), 'html');
    assert.equal(linkFormatFor('markdown'), 'markdown');
    assert.equal(linkFormatFor('plaintext'), 'markdown');
  });
});

describe('links to images outside any relative reach', () => {
  it('keep an absolute URI as it is (not encoded again), escaping only what breaks Markdown', () => {
    assert.equal(markdownImageLink('file:///c%3A/My%20Images/a.png', 'a cat', true), '![a cat](file:///c%3A/My%20Images/a.png)');
    assert.equal(
      markdownImageLink('vscode-remote://ssh-remote+box/home/u/a (1).png', 'x', true),
      '![x](vscode-remote://ssh-remote+box/home/u/a%20%281%29.png)',
    );
    assert.equal(htmlImageTag('file:///c%3A/a.png', 'a "cat"', 4, 3, true), '<img src="file:///c%3A/a.png" alt="a &quot;cat&quot;" width="4" height="3">');
  });
});
