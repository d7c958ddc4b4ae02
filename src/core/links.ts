/** Links to a saved image, for Markdown and HTML documents (pure). */

/** A POSIX relative path from the folder of `fromFile` to `toFile` (both POSIX absolute paths). */
export function relativePosix(fromFile: string, toFile: string): string {
  const from = fromFile.split('/').slice(0, -1).filter(Boolean);
  const to = toFile.split('/').filter(Boolean);
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const up = from.slice(i).map(() => '..');
  const rel = [...up, ...to.slice(i)].join('/');
  return rel;
}

/** Encodes a path for a link target: spaces and parentheses would break Markdown. */
export function encodeLinkPath(p: string): string {
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[()!'*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()))
    .join('/');
}

function altText(prompt: string): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  return oneLine.length > 100 ? oneLine.slice(0, 99) + '…' : oneLine;
}

/** `target`: a relative POSIX path (encoded here), or with `isUri` an already encoded absolute URI. */
export function markdownImageLink(target: string, prompt: string, isUri = false): string {
  const alt = altText(prompt).replace(/[[\]\\]/g, (c) => '\\' + c);
  return `![${alt}](${isUri ? target.replace(/[()\s]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')) : encodeLinkPath(target)})`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function htmlImageTag(target: string, prompt: string, width?: number, height?: number, isUri = false): string {
  const size = width && height ? ` width="${width}" height="${height}"` : '';
  return `<img src="${escapeHtml(isUri ? target : encodeLinkPath(target))}" alt="${escapeHtml(altText(prompt))}"${size}>`;
}

/** Which link a document wants: HTML for html-like languages, Markdown elsewhere. */
export function linkFormatFor(languageId: string): 'markdown' | 'html' {
  return ['html', 'vue', 'svelte', 'astro', 'php', 'javascriptreact', 'typescriptreact'].includes(languageId) ? 'html' : 'markdown';
}
