import { describe, expect, it } from '@jest/globals'
import { renderMarkdown } from '../../scripts/summary-page.js'
import { addressCell, dropletCell } from '../../src/report/cells.js'
import { CONTROL_PANEL, runUrl } from '../../src/report/links.js'
import { renderSummary } from '../../src/report/summary.js'
import { linkTargets, tagNames, visibleText } from '../helpers/markdown.js'

const links = { runUrl: 'https://github.com/octo/app/actions/runs/42', controlPanel: CONTROL_PANEL }

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

  it('links an address and a droplet to the control panel, and ends with the workflow run', () => {
    const md = renderSummary(
      {
        title: 't',
        tables: [
          { header: ['Address', 'Now on'], rows: [[addressCell('2001:db8::1'), dropletCell(1002, 'web-green')]] }
        ],
        notes: []
      },
      links
    )
    const html = renderMarkdown(md)
    expect(linkTargets(html)).toEqual([
      'https://cloud.digitalocean.com/networking/reserved_ips',
      'https://cloud.digitalocean.com/droplets/1002',
      'https://github.com/octo/app/actions/runs/42',
      'https://cloud.digitalocean.com/networking/reserved_ips'
    ])
    expect(html).toContain('<code>2001:db8::1</code>')
    expect(visibleText(html)).toContain('web-green')
  })

  it('shows no droplet and an unknown one as words, without a link', () => {
    const md = renderSummary(
      { title: 't', tables: [{ header: ['a', 'b'], rows: [[dropletCell(null), dropletCell(undefined)]] }], notes: [] },
      links
    )
    expect(md).toContain('| none | unknown |')
  })
})

describe('renderSummary with strings from the API', () => {
  const hostile = 'web <img src=x onerror=alert(1)> ![p](https://example.invalid/p.png) &amp; [a](javascript:x)'

  it('puts no HTML, image or link into the title, a caption, a cell or a note, and shows the text as it came', () => {
    const md = renderSummary(
      {
        title: `Reserved IP: ${hostile}`,
        tables: [{ caption: hostile, header: ['Droplet'], rows: [[hostile], [dropletCell(7, hostile)]] }],
        notes: [`Droplet \`${hostile}\` **moved**`, hostile]
      },
      links
    )
    const html = renderMarkdown(md)
    expect(
      tagNames(html).filter(
        (t) => !['h3', 'p', 'strong', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a'].includes(t)
      )
    ).toEqual([])
    // The only links are the summary's own.
    expect(linkTargets(html).every((t) => t.startsWith('https://cloud.digitalocean.com/') || t === links.runUrl)).toBe(
      true
    )
    const text = visibleText(html)
    expect(text).toContain(
      'web <img src=x onerror=alert(1)> ![p](https://example.invalid/p.png) &amp; [a](javascript:x)'
    )
    expect(html).toContain('<strong>moved</strong>')
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4)
  })
})

describe('runUrl', () => {
  it('is the run of the repository on its server, with the attempt after the first', () => {
    expect(runUrl({ serverUrl: 'https://github.com', repository: 'octo/app', runId: 42 })).toBe(
      'https://github.com/octo/app/actions/runs/42'
    )
    expect(runUrl({ serverUrl: 'https://ghe.example/', repository: 'o/r', runId: 7, runAttempt: 2 })).toBe(
      'https://ghe.example/o/r/actions/runs/7/attempts/2'
    )
  })

  it('is undefined outside a workflow run', () => {
    expect(runUrl({ serverUrl: 'https://github.com', repository: '', runId: 42 })).toBeUndefined()
    expect(runUrl({ serverUrl: 'https://github.com', repository: 'octo/app', runId: NaN })).toBeUndefined()
  })
})
