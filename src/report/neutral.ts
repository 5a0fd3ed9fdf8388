/**
 * Neutralises text the action did not write itself (droplet names, regions, DigitalOcean's error
 * ids, messages and request ids) before it reaches the workflow log or the step summary.
 *
 * The runner reads a workflow command (`::name::…`, or the older `##[name]…`) only at the start of
 * a log line, after leading white space. So text for the log is made one line (every line break and
 * other control character is shown as an escape such as `\n`) and a command at its start is broken
 * up. A `::` further along is harmless then, and is kept: IPv6 addresses are written with it.
 *
 * The summary is markdown that GitHub renders as HTML: `&`, `<` and `>` become entities, and so do
 * `[` and `]`, so that neither an HTML tag nor a markdown image or link can come from a string.
 */

/** C0 and C1 controls, DEL, the Unicode line and paragraph separators, and bidirectional controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** One line: line breaks and other control characters shown as escapes (`\n`, `\u2028`). */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * Text for one log line that cannot be read as a workflow command: one line, and a `::` or `##[`
 * at its start broken up with a space (`: :warning::…`).
 */
export function logText(text: string): string {
  return oneLine(text)
    .replace(/^(\s*)::/, '$1: :')
    .replace(/^(\s*)##\[/, '$1# #[')
}

/**
 * Text that holds strings from the API, as it is written to the log or as the step's failure
 * message: logText. Strings are kept as DigitalOcean sent them (outputs hold its own text) and
 * neutralised only here, where they are written, and in the summary (markdownText, tableCell).
 */
export const apiText = logText

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '[': '&#91;', ']': '&#93;' }

/** Markdown text in which no HTML tag, markdown image or link can start; `**` and backticks still work. */
export function markdownText(text: string): string {
  return text.replace(/[&<>[\]]/g, (c) => HTML_ENTITIES[c] ?? c)
}

/** A markdown table cell: one line, markdownText, pipes and backslashes escaped, never empty. */
export function tableCell(text: string): string {
  const flat = oneLine(text.replace(/\\/g, '\\\\').replace(/\r?\n/g, ' '))
  return markdownText(flat).replace(/\|/g, '\\|') || ' '
}
