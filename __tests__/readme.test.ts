/** The README documents exactly what action.yml declares: same inputs (with defaults) and outputs. */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml
const readme = readFileSync('README.md', 'utf8')

/** Rows of the first markdown table under a `## heading`: each row's cells, without the header. */
export function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start === -1) return []
  const rest = markdown.slice(start + heading.length + 5)
  const end = rest.search(/\n## /)
  const section = end === -1 ? rest : rest.slice(0, end)
  const lines = section.split('\n')
  const first = lines.findIndex((l) => l.startsWith('|'))
  if (first === -1) return []
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
    )
  }
  return rows
}

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

  it('notices an input that is declared but not documented', () => {
    const missing = readme.replace(/\n\| `keep` +\|[^\n]*/, '')
    expect(tableUnder(missing, 'Inputs').map((r) => unquote(r[0]!))).not.toEqual(Object.keys(action.inputs))
  })

  it('gives the two set-up commands', () => {
    expect(readme).toMatch(/```sh\nnpm ci\nnpm test\n```/)
  })
})
