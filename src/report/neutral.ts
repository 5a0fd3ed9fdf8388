/**
 * Neutralises text the action did not write itself (droplet names, regions, DigitalOcean's error
 * ids, messages and request ids) before it reaches the workflow log or the step summary.
 *
 * The runner reads a workflow command (`::name::…`, or the older `##[name]…`) only at the start of
 * a log line, after leading white space. So text for the log is made one line (every line break and
 * other control character is shown as an escape such as `\n`) and a command at its start is broken
 * up. A `::` further along is harmless then, and is kept: IPv6 addresses are written with it.
 *
 * The summary is markdown that GitHub renders as HTML: outside code spans, `&`, `<`, `>`, `[`, `]`,
 * backslashes and unpaired backticks are escaped with a backslash, so that neither an HTML tag, an
 * entity, nor a markdown image or link can come from a string, and the text reads as it was
 * written once rendered (no entity such as `&#91;` shows up, in a code span or out of one).
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
 * at its start broken up with a space (`: :warning::…`). Also the step's failure message. Strings
 * from the API are kept as DigitalOcean sent them (outputs hold its own text) and neutralised only
 * here, where they are written, and in the summary (markdownText, tableCell).
 */
export function logText(text: string): string {
  return oneLine(text)
    .replace(/^(\s*)::/, '$1: :')
    .replace(/^(\s*)##\[/, '$1# #[')
}

/** A URL in running text: shown as code, so that neither GitHub's autolinks nor `[` `]` of IPv6 hosts bite. */
const URL_IN_TEXT = /https?:\/\/[^\s`<>]*[^\s`<>.,;:)'"]/g

/** The characters that could start HTML, an entity, a link or an image, or a code span, in running text. */
const MARKDOWN_ACTIVE = /[\\`&<>[\]]/g

interface Segment {
  readonly code: boolean
  readonly text: string
}

/** The end of the run of backticks that starts at i. */
function runEnd(text: string, i: number): number {
  let j = i
  while (text[j] === '`') j++
  return j
}

/** The end of the backtick run that closes one of `length` backticks opened before `from`, or -1. */
function closingRun(text: string, from: number, length: number): number {
  for (let k = text.indexOf('`', from); k !== -1; k = text.indexOf('`', runEnd(text, k))) {
    if (runEnd(text, k) - k === length) return runEnd(text, k)
  }
  return -1
}

/**
 * Running text and code spans, as CommonMark pairs backticks: a run of backticks opens a code span
 * only when a later run of the same length closes it; an unpaired one is plain text.
 */
function segments(text: string): Segment[] {
  const out: Segment[] = []
  let plainFrom = 0
  let i = text.indexOf('`')
  while (i !== -1) {
    const opened = runEnd(text, i)
    const end = closingRun(text, opened, opened - i)
    if (end === -1) {
      i = text.indexOf('`', opened)
      continue
    }
    if (i > plainFrom) out.push({ code: false, text: text.slice(plainFrom, i) })
    out.push({ code: true, text: text.slice(i, end) })
    plainFrom = end
    i = text.indexOf('`', end)
  }
  if (plainFrom < text.length) out.push({ code: false, text: text.slice(plainFrom) })
  return out
}

/** Running text, each character that markdown would act on escaped with a backslash; URLs as code. */
function plainMarkdown(text: string): string {
  let out = ''
  let from = 0
  for (const m of text.matchAll(URL_IN_TEXT)) {
    out += text.slice(from, m.index).replace(MARKDOWN_ACTIVE, '\\$&') + codeSpan(m[0])
    from = m.index + m[0].length
  }
  return out + text.slice(from).replace(MARKDOWN_ACTIVE, '\\$&')
}

/** Text as a code span: fenced by more backticks than it holds in a row, padded when it starts or ends with one. */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/**
 * Markdown text in which no HTML tag, entity, markdown image or link can start, and which shows as
 * written: the code spans it holds stay code (nothing inside one is read as markdown or HTML), and
 * in the text around them `\\`, `&`, `<`, `>`, `[`, `]` and unpaired backticks are escaped with a
 * backslash, which GitHub removes on rendering (an entity such as `&lt;` would show as written
 * inside a code span). URLs in the running text become code spans: an IPv6 host keeps its
 * brackets, and no string becomes a link. `**` still works.
 */
export function markdownText(text: string): string {
  return segments(text)
    .map((s) => (s.code ? s.text : plainMarkdown(s.text)))
    .join('')
}

/** A markdown table cell: one line, markdownText, pipes escaped (code spans included, as GFM wants), never empty. */
export function tableCell(text: string): string {
  return markdownText(oneLine(text.replace(/\r?\n/g, ' '))).replace(/\|/g, '\\|') || ' '
}
