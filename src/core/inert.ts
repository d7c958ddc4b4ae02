/**
 * Text that no one here controls (the API's words, the prompt, file names, setting values), made
 * inert before it is shown in VS Code's own UI. Notifications turn `[label](command:…)`,
 * `[label](https://…)` and `[label](file:…)` into links, quick picks, notifications and the status
 * bar turn `$(name)` into icons, hovers render Markdown and HTML, and the output channel links
 * every `scheme://…` it sees. Such text must read the same to a person and do nothing.
 *
 * What changes, and what it looks like. The look-alikes are in DejaVu Sans (what a bare Linux has)
 * and in the symbol fonts Windows and macOS ship; fullwidth forms (［ ］ （ ） ：) were tried first
 * and showed as empty boxes in a workbench on a machine without CJK fonts.
 *
 * | In the text | Shown as | Why |
 * |---|---|---|
 * | `[` `]` | `⟦` `⟧` (U+27E6, U+27E7, white square brackets) | no Markdown link label |
 * | `(` `)` | `❨` `❩` (U+2768, U+2769, medium parentheses) | no link target, no `$(icon)` |
 * | `<` | `‹` (U+2039, single angle quotation mark) | no HTML tag, no `<https://…>` autolink |
 * | the `:` after a URI scheme | `∶` (U+2236, ratio) | `https∶//evil.example` and `command∶x` link nowhere |
 *
 * "The colon after a URI scheme" is any colon that follows at least two of `a-z 0-9 + . -` (so a
 * Windows drive `C:\` stays, and `xhttps://` or `1https://` cannot hide a scheme inside a longer
 * word) and is followed by something other than a space or a digit (so `Error: x`,
 * `localhost:8787` and `16:9` stay). Both functions are pure and idempotent.
 */

const LOOKALIKES: Readonly<Record<string, string>> = {
  '[': '\u27E6',
  ']': '\u27E7',
  '(': '\u2768',
  ')': '\u2769',
  '<': '\u2039',
};
const SCHEME_COLON_LOOKALIKE = '\u2236';

/** The colon of a URI scheme: `https:`, `command:`, `file:`, `vscode-insiders:`, `mailto:` … */
const SCHEME_COLON = /(?<=[a-z0-9+.-]{2}):(?=[^\s\d])/gi;

/** Only the URI schemes defanged (`https://x` → `https∶//x`); for surfaces that render no markup, like the log. */
export function defangSchemes(text: string): string {
  return text.replace(SCHEME_COLON, SCHEME_COLON_LOOKALIKE);
}

/** Outside text that reads the same but can never become a link, an icon or markup. */
export function inert(text: string): string {
  return defangSchemes(text.replace(/[[\]()<]/g, (c) => LOOKALIKES[c] ?? c));
}
