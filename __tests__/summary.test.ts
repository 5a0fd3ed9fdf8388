import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../src/report/summary.js'

describe('renderSummary', () => {
  it('renders a title, tables and notes as markdown', () => {
    const md = renderSummary({
      title: 'Reserved IP cutover: 203.0.113.10',
      tables: [{ header: ['IP', 'To droplet'], rows: [['203.0.113.10', '1002 (web-green)']] }],
      notes: ['Roll back with `operation: assign`.']
    })
    expect(md).toBe(
      [
        '### Reserved IP cutover: 203.0.113.10',
        '',
        '| IP | To droplet |',
        '| --- | --- |',
        '| 203.0.113.10 | 1002 (web-green) |',
        '',
        'Roll back with `operation: assign`.',
        ''
      ].join('\n')
    )
  })

  it('keeps a cell with a pipe or a line break inside its column', () => {
    const md = renderSummary({
      title: 't',
      tables: [{ header: ['a', 'b'], rows: [['x|y', 'line\nbreak']] }],
      notes: []
    })
    expect(md).toContain('| x\\|y | line break |')
  })
})

describe('renderSummary with strings from the API', () => {
  const hostile = 'web <img src=x onerror=alert(1)> ![p](https://example.invalid/p.png) &amp;'

  it('puts no HTML, image or link into the title, a caption, a cell or a note', () => {
    const md = renderSummary({
      title: `Reserved IP: ${hostile}`,
      tables: [{ caption: hostile, header: ['Droplet'], rows: [[hostile]] }],
      notes: [`Droplet \`${hostile}\` **moved**`]
    })
    expect(md).not.toMatch(/<[a-z]/i)
    expect(md).not.toContain('![')
    expect(md).not.toContain('](')
    expect(md).not.toContain(' &amp; ')
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(md).toContain('&amp;amp;')
    expect(md).toContain('**moved**')
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(3)
  })
})
