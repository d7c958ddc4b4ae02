// The README inside the .vsix: its pictures (docs/*.png) are not packed; their relative links point
// to the repository instead (`https://github.com/<owner>/<repo>/raw/HEAD/docs/…`). Only image links
// outside code blocks are changed: vsce's own rewriting would also change the examples in the
// fenced blocks (`![…](images/lighthouse.png)` is an example of a link to write, not a picture).

/** `https://github.com/<owner>/<repo>/raw/HEAD/` for package.json's `repository`, else undefined. */
export function rawBaseUrl(repository) {
  const url = typeof repository === 'string' ? repository : repository?.url;
  const m = /github\.com[/:]([^/]+)\/([^/#?]+?)(?:\.git)?\/?$/.exec(url ?? '') ?? /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(url ?? '');
  return m ? `https://github.com/${m[1]}/${m[2]}/raw/HEAD/` : undefined;
}

const isRelative = (target) => !/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target);

/** The README with every relative image link outside fenced code blocks made absolute on `base`. */
export function absoluteImages(markdown, base) {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced || /^\s*(```|~~~)/.test(line)) return line;
      return line
        .replace(/(!\[[^\]]*\]\()(<[^>]+>|[^)\s]+)/g, (all, open, target) => {
          const bare = target.replace(/^<(.*)>$/, '$1');
          return isRelative(bare) ? `${open}${base}${encodeURI(bare)}` : all;
        })
        .replace(/(<img\b[^>]*\bsrc=")([^"]+)"/g, (all, open, target) => (isRelative(target) ? `${open}${base}${encodeURI(target)}"` : all));
    })
    .join('\n');
}

const DEV_START = /^<!-- developers\b.*-->\s*$/;
const DEV_END = /^<!-- \/developers -->\s*$/;

/**
 * The README for the Marketplace page: the parts between `<!-- developers … -->` and
 * `<!-- /developers -->` (building, testing, the simulator, figures, the design) are left out, and
 * a last line points to them at `homepage`. Throws on an unclosed part, so nothing is cut by accident.
 */
export function forUsers(markdown, homepage) {
  const kept = [];
  let open = -1;
  markdown.split('\n').forEach((line, i) => {
    if (DEV_START.test(line)) {
      if (open >= 0) throw new Error(`README.md: a developers part opens at line ${i + 1} inside the one of line ${open + 1}`);
      open = i;
    } else if (DEV_END.test(line)) {
      if (open < 0) throw new Error(`README.md: a developers part closes at line ${i + 1} without opening`);
      open = -1;
    } else if (open < 0) kept.push(line);
  });
  if (open >= 0) throw new Error(`README.md: the developers part of line ${open + 1} is not closed`);
  const text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  return `${text}\n\n---\n\nBuilding, testing, the API simulator, benchmarks and the design: see the [repository](${homepage}).\n`;
}
