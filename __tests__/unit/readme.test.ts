/**
 * The README documents exactly what action.yml declares (same inputs with defaults, same outputs),
 * stays short, and keeps the order a workflow author reads it in.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { headings, tableUnder } from '../helpers/markdown.js'
import { IPV6_SECTION } from '../../src/report/cutover-report.js'
import { withTables } from '../../scripts/docs-tables.js'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml
const readme = readFileSync('README.md', 'utf8')

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '')

describe('README agrees with action.yml', () => {
  it('documents every input, in the same order, with the same default', () => {
    const rows = tableUnder(readme, 'Inputs')
    expect(rows.map((r) => unquote(r[0]!))).toEqual(Object.keys(action.inputs))
    for (const row of rows) {
      const name = unquote(row[0]!)
      const documented = unquote(row[1]!)
      const declared = action.inputs[name]?.default ?? ''
      expect({ name, default: documented === "''" ? '' : documented }).toEqual({ name, default: declared })
      expect(row[2]!.length).toBeGreaterThan(10)
    }
  })

  it('documents every output, in the same order', () => {
    const rows = tableUnder(readme, 'Outputs')
    expect(rows.map((r) => unquote(r[0]!))).toEqual(Object.keys(action.outputs))
    for (const row of rows) expect(row[1]!.length).toBeGreaterThan(2)
  })

  it('has the input and output tables that npm run docs makes from action.yml, word for word', () => {
    const actionYml = readFileSync('action.yml', 'utf8')
    expect(withTables(readme, actionYml)).toBe(readme)
    // A description edited in action.yml alone shows as a difference.
    const edited = actionYml.replace(/(\n {2}keep:\n {4}description: ')/, '$1Edited: ')
    expect(edited).not.toBe(actionYml)
    expect(withTables(readme, edited)).not.toBe(readme)
    expect(withTables(readme, edited)).toContain("| `keep` | '' | Edited: ")
  })

  it('documents how to use the roll-back the contract defines, with the operation in the table', () => {
    expect(action.inputs.operation!.description).toMatch(/`rollback`/)
    expect(tableUnder(readme, 'Quick start').map((r) => r[0])).toContain('`rollback`')
  })

  it('notices an input that is declared but not documented', () => {
    const missing = readme.replace(/\n\| `keep` +\|[^\n]*/, '')
    expect(tableUnder(missing, 'Inputs').map((r) => unquote(r[0]!))).not.toEqual(Object.keys(action.inputs))
  })

  it('gives the two set-up commands', () => {
    expect(readme).toMatch(/```sh\nnpm ci\nnpm test\n```/)
  })
})

describe('README is read in five minutes', () => {
  it('stays under 20,000 characters', () => {
    expect(readme.length).toBeLessThan(20_000)
  })

  it('has the sections in the order a workflow author needs them', () => {
    const order = ['Quick start', 'Inputs', 'Outputs', 'Recipes', 'Token scopes', 'Versions and pinning']
    const found = headings(readme)
    const at = order.map((h) => found.indexOf(h))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(at[0]).toBe(0)
  })

  it('has the three recipes under Recipes', () => {
    const start = readme.indexOf('\n## Recipes\n')
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
    const recipes = [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1]!)
    expect(recipes).toEqual([
      expect.stringMatching(/blue-green.*IPv4/i),
      expect.stringMatching(/dual-stack/i),
      expect.stringMatching(/cleanup.*keep/i)
    ])
  })

  it('leaves the reference material to its own pages, and links to them', () => {
    for (const gone of ['What happens when things go wrong', 'Choices this action makes', 'Performance']) {
      expect(headings(readme)).not.toContain(gone)
    }
    for (const page of [
      'docs/faults.md',
      'docs/design.md',
      'docs/performance.md',
      'docs/verification.md',
      'CONTRIBUTING.md'
    ]) {
      expect(readme).toContain(`](${page})`)
    }
    for (const page of [
      'docs/faults.md',
      'docs/design.md',
      'docs/verification.md',
      'CONTRIBUTING.md',
      'CHANGELOG.md',
      'SECURITY.md'
    ]) {
      expect([page, existsSync(page)]).toEqual([page, true])
    }
  })

  it('has the section that the error about an unconfigured reserved IPv6 points to', () => {
    expect(IPV6_SECTION).toMatch(/^README, '(.+)'$/)
    const title = /'(.+)'/.exec(IPV6_SECTION)![1]!
    expect(readme).toContain(`\n#### ${title}\n`)
    const section = readme.slice(readme.indexOf(`#### ${title}`)).split('\n#')[0]!
    expect(section).toMatch(/ip -6 addr add .*\/128/)
  })

  it('says what to put in uses: before the first example', () => {
    const firstBlock = readme.indexOf('```yaml')
    expect(readme.slice(0, firstBlock)).toMatch(/your-org\/do-reserved-ip-action/)
    expect(readme.slice(0, firstBlock)).toMatch(/commit SHA/)
  })
})
