/**
 * Text that no one here controls (the API's words, the prompt, file names, setting values), made
 * inert before it is shown in VS Code's own UI. Notifications turn `[label](command:…)`,
 * `[label](https://…)` and `[label](file:…)` into links, quick picks, notifications and the status
 * bar turn `$(name)` into icons, hovers render Markdown and HTML, and the output channel links
 * every `scheme://…` it sees. Such text must read the same to a person and do nothing.
 *
 * What changes, and what it looks like:
 *
 * | In the text | Shown as | Why |
 * |---|---|---|
 * | `[` `]` | `［` `］` (U+FF3B, U+FF3D, fullwidth) | no Markdown link label |
 * | `(` `)` | `（` `）` (U+FF08, U+FF09, fullwidth) | no link target, no `$(icon)` |
 * | `<` | `‹` (U+2039) | no HTML tag, no `<https://…>` autolink |
 * | the `:` after a URI scheme | `：` (U+FF1A, fullwidth) | `https：//evil.example`, `command：x` link nowhere |
 *
 * "The colon after a URI scheme" is any colon that follows at least two of `a-z 0-9 + . -` (so a
 * Windows drive `C:\` stays, and `xhttps://` or `1https://` cannot hide a scheme inside a longer
 * word) and is followed by something other than a space or a digit (so `Error: x`,
 * `localhost:8787` and `16:9` stay). Both functions are pure and idempotent.
 */

const LOOKALIKES: Readonly<Record<string, string>> = {
  '[': '\uFF3B',
  ']': '\uFF3D',
  '(': '\uFF08',
  ')': '\uFF09',
  '<': '\u2039',
};

/** The colon of a URI scheme: `https:`, `command:`, `file:`, `vscode-insiders:`, `mailto:` … */
const SCHEME_COLON = /(?<=[a-z0-9+.-]{2}):(?=[^\s\d])/gi;

/** Only the URI schemes defanged (`https://x` → `https：//x`); for surfaces that render no markup, like the log. */
export function defangSchemes(text: string): string {
  return text.replace(SCHEME_COLON, '\uFF1A');
}

/** Outside text that reads the same but can never become a link, an icon or markup. */
export function inert(text: string): string {
  return defangSchemes(text.replace(/[[\]()<]/g, (c) => LOOKALIKES[c] ?? c));
}
