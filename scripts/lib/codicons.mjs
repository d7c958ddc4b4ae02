// The gallery's icons, built at build time: only the codicons the page uses, as SVG path data that
// src/gallery/page/dom.ts turns into elements (no icon font, no stylesheet, nothing to fetch).
// The names are found by scanning the page sources, so a new icon needs no list to be kept:
//   icon('name'), icon(X ?? 'name')      every string literal in the first argument of icon(…)
//   { icon: 'name' }                      every string literal in an `icon:` property's value
//   const STATE_ICON = { a: 'name' }      the values of an object or array bound to a NAME_ICON(S) constant
//   'codicon-name' (and in gallery.css)   class names, except the codicon-modifier-* ones
// An unknown name fails the build with a message that says where it is used.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The `@vscode/codicons` sources: one SVG per icon, and the aliases (names sharing a glyph). */
export function codiconSource() {
  const root = path.dirname(require.resolve('@vscode/codicons/package.json'));
  const iconsDir = path.join(root, 'src', 'icons');
  const mapping = JSON.parse(readFileSync(path.join(root, 'src', 'template', 'mapping.json'), 'utf8'));
  return { iconsDir, aliases: Object.values(mapping) };
}

/** The span of an expression starting at `from`: up to the first `,` `)` `}` `]` or `;` at depth 0. */
function expressionEnd(text, from) {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      i = stringEnd(text, i);
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      if (depth === 0) return i;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) {
      return i;
    }
  }
  return text.length;
}

function stringEnd(text, start) {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

const literals = (code) => [...code.matchAll(/(['"])([a-z0-9-]+)\1/g)].map((m) => m[2]);

/** The icon names one source file uses (see the header for the forms). */
export function iconNamesIn(text) {
  const names = new Set();
  for (const m of text.matchAll(/\bicon\(/g)) {
    const start = m.index + m[0].length;
    literals(text.slice(start, expressionEnd(text, start))).forEach((n) => names.add(n));
  }
  for (const m of text.matchAll(/\bicon\s*:\s*/g)) {
    const start = m.index + m[0].length;
    literals(text.slice(start, expressionEnd(text, start))).forEach((n) => names.add(n));
  }
  for (const m of text.matchAll(/\b[A-Z][A-Z0-9_]*_ICONS?\b[^=;]*=\s*/g)) {
    const start = m.index + m[0].length;
    const body = text.slice(start, expressionEnd(text, start));
    // An object's values (never its keys), or an array's items.
    const value = body.trimStart().startsWith('{') ? /:\s*(['"])([a-z0-9-]+)\1/g : /(?:\[|,)\s*(['"])([a-z0-9-]+)\1/g;
    for (const v of body.matchAll(value)) names.add(v[2]);
  }
  for (const m of text.matchAll(/\bcodicon-([a-z0-9]+(?:-[a-z0-9]+)*)/g)) {
    if (!m[1].startsWith('modifier-')) names.add(m[1]);
  }
  return names;
}

function filesUnder(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext) && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** Every icon the gallery page uses: name → the first file that uses it. */
export function pageIcons(root) {
  const files = [...filesUnder(path.join(root, 'src', 'gallery', 'page'), '.ts'), path.join(root, 'media', 'gallery.css')];
  const used = new Map();
  for (const file of files.filter((f) => existsSync(f)).sort()) {
    for (const name of iconNamesIn(readFileSync(file, 'utf8'))) if (!used.has(name)) used.set(name, path.relative(root, file));
  }
  return used;
}

/** The SVG file of `name`, following the aliases (`circle-outline` is drawn by `circle-large`). */
function svgFile(name, { iconsDir, aliases }) {
  const own = path.join(iconsDir, `${name}.svg`);
  if (existsSync(own)) return own;
  const group = aliases.find((names) => names.includes(name)) ?? [];
  return group.map((n) => path.join(iconsDir, `${n}.svg`)).find((f) => existsSync(f));
}

/** Path numbers to 2 decimals (1/800 of a 16-unit icon, far below a pixel even at 4× zoom): the
 * SVG sources carry up to 5, which would make the icons twice as large in the bundle. */
export function roundPath(d) {
  return d.replace(/-?\d*\.\d+/g, (n, at) => {
    const rounded = String(Math.round(Number(n) * 100) / 100);
    // `1.5.5` is two numbers: keep them apart once the first has become `2` or `1.5`.
    return !n.startsWith('-') && /[\d.]/.test(d[at - 1] ?? '') ? ` ${rounded}` : rounded;
  });
}

/** `<svg …><path d="…" fill-rule="…"/></svg>` → { viewBox, paths: [{ d, … }] }. */
export function parseSvg(svg, name) {
  const viewBox = /<svg[^>]*\sviewBox="([^"]+)"/.exec(svg)?.[1];
  const paths = [...svg.matchAll(/<path\b([^>]*?)\/?>/g)].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([a-zA-Z:-]+)="([^"]*)"/g)].map((a) => [a[1], a[1] === 'd' ? roundPath(a[2]) : a[2]])),
  );
  const others = [...svg.matchAll(/<([a-zA-Z]+)/g)].map((m) => m[1]).filter((t) => t !== 'svg' && t !== 'path');
  if (!viewBox || !paths.length || others.length)
    throw new Error(`codicon "${name}": only <svg viewBox> with <path> children is supported (found ${others.join(', ') || 'no path'})`);
  return { viewBox, paths };
}

/** The icons as data, or an error naming each unknown icon and where it is used. */
export function buildIcons(used, source = codiconSource()) {
  const icons = {};
  const unknown = [];
  for (const [name, file] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
    const svgPath = svgFile(name, source);
    if (!svgPath) unknown.push(`"${name}" (in ${file})`);
    else icons[name] = parseSvg(readFileSync(svgPath, 'utf8'), name);
  }
  if (unknown.length) {
    throw new Error(
      `The gallery uses icon names that are not codicons: ${unknown.join(', ')}. ` +
        `Use a name from @vscode/codicons (node_modules/@vscode/codicons/src/icons/<name>.svg, or an alias in src/template/mapping.json).`,
    );
  }
  return icons;
}

/** An esbuild plugin: `import ICONS from 'codicons:used'` is the data of every icon the page uses. */
export function codiconsPlugin(root) {
  return {
    name: 'codicons',
    setup(build) {
      build.onResolve({ filter: /^codicons:used$/ }, () => ({ path: 'codicons:used', namespace: 'codicons' }));
      build.onLoad({ filter: /.*/, namespace: 'codicons' }, () => {
        const icons = buildIcons(pageIcons(root));
        const watchFiles = filesUnder(path.join(root, 'src', 'gallery', 'page'), '.ts');
        return { contents: JSON.stringify(icons), loader: 'json', watchFiles, watchDirs: [path.join(root, 'src', 'gallery', 'page')] };
      });
    },
  };
}
