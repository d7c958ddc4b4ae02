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
