/** Neutralising strings from the API for the workflow log and the step summary. */
import { describe, expect, it } from '@jest/globals'
import { codeSpan, logText, markdownText, oneLine, tableCell } from '../../src/report/neutral.js'

/** Would the runner read this log line as a workflow command? (It trims the line first.) */
const startsCommand = (line: string): boolean => /^(::|##\[)/.test(line.trim())

describe('oneLine', () => {
  it('shows line breaks, other controls, line separators and bidi controls as escapes', () => {
    expect(oneLine('a\nb\r\nc\td')).toBe('a\\nb\\r\\nc\\td')
    expect(oneLine('x\u2028y\u2029z\u0085w\u000bv\u001b[31m\u007f')).toBe(
      'x\\u2028y\\u2029z\\u0085w\\u000bv\\u001b[31m\\u007f'
    )
    expect(oneLine('abc\u202edcba\u2066')).toBe('abc\\u202edcba\\u2066')
    expect(oneLine('plain web-1 2001:db8::10 ünïcødé')).toBe('plain web-1 2001:db8::10 ünïcødé')
  })
})

describe('logText', () => {
  it.each([
    'web\n::warning::pwned',
    '::warning::pwned',
    '  \t::set-output name=x::y',
    '##[error]pwned',
    ' ##[group]x',
    'a\r::error::b',
    'a\u2028::error::b',
    '\u00a0::notice::x'
  ])('leaves no line of %j that starts a command', (text) => {
    const out = logText(text)
    expect(out.split(/\r\n|\r|\n/)).toHaveLength(1)
    expect(startsCommand(out)).toBe(false)
  })

  it('keeps the text readable: only the opening is broken, and a :: further on stays', () => {
    expect(logText('::warning::x')).toBe(': :warning::x')
    expect(logText('##[error]x')).toBe('# #[error]x')
    expect(logText('Assigning 2001:db8::10 to web-1')).toBe('Assigning 2001:db8::10 to web-1')
    expect(logText('%0A::error::x')).toBe('%0A::error::x')
    expect(logText('web\n::warning::pwned')).toBe('web\\n::warning::pwned')
  })
})

describe('markdownText and tableCell', () => {
  it('lets no HTML tag, entity, image or link through, and keeps backticks and bold', () => {
    expect(markdownText('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>')
    expect(markdownText('&lt;b&gt;')).toBe('\\&lt;b\\&gt;')
    expect(markdownText('![x](https://example.invalid/p.png) [y](https://example.invalid)')).toBe(
      '!\\[x\\](`https://example.invalid/p.png`) \\[y\\](`https://example.invalid`)'
    )
    expect(markdownText('Roll back with `droplet_id: 7` **now**')).toBe('Roll back with `droplet_id: 7` **now**')
  })

  it('leaves a code span as written, and escapes a backtick that opens none', () => {
    expect(markdownText('`<b>` and `[x]`')).toBe('`<b>` and `[x]`')
    expect(markdownText('a ` b')).toBe('a \\` b')
    expect(markdownText('``a`b`` `c')).toBe('``a`b`` \\`c')
  })

  it('shows a URL as code, an IPv6 host with its brackets', () => {
    expect(markdownText('probe (http://127.0.0.1:8080/[2001:db8::1]/healthz).')).toBe(
      'probe (`http://127.0.0.1:8080/[2001:db8::1]/healthz`).'
    )
  })

  it('keeps a cell in its column: pipes, backslashes and line breaks', () => {
    expect(tableCell('a|b')).toBe('a\\|b')
    expect(tableCell('a\\|b')).toBe('a\\\\\\|b')
    expect(tableCell('`a|b`')).toBe('`a\\|b`')
    expect(tableCell('line\nbreak\r\nx')).toBe('line break x')
    expect(tableCell('a\u2028b')).toBe('a\\\\u2028b')
    expect(tableCell('')).toBe(' ')
    expect(tableCell('<script>')).toBe('\\<script\\>')
  })
})

describe('codeSpan', () => {
  it('fences text with more backticks than it holds in a row', () => {
    expect(codeSpan('a')).toBe('`a`')
    expect(codeSpan('a`b')).toBe('``a`b``')
    expect(codeSpan('`a')).toBe('`` `a ``')
  })
})
