import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../src/summary.js'

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
