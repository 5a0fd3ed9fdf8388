import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { mappedFrame } from '../../src/source-maps.js'

const dir = mkdtempSync(join(tmpdir(), 'do-ip-maps-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// bundle.js line 3, column 5 (1-based) comes from ../src/a.ts line 10, column 3: one VLQ segment
// [generated column 4, source 0, line 9, column 2] on the third line.
const distDir = join(dir, 'dist')
const bundle = pathToFileURL(join(distDir, 'bundle.js')).href
mkdirSync(distDir)
writeFileSync(
  join(distDir, 'bundle.js.map'),
  JSON.stringify({ version: 3, sources: ['../src/a.ts'], names: [], mappings: ';;IASE' })
)

function site(file: string | undefined, line: number, column: number, name = 'run'): NodeJS.CallSite {
  return {
    toString: () => `${name} (${file}:${line}:${column})`,
    getFileName: () => file,
    getLineNumber: () => line,
    getColumnNumber: () => column
  } as unknown as NodeJS.CallSite
}

describe('mappedFrame', () => {
  it('writes a bundle position as the source position', () => {
    const source = join(dir, 'src', 'a.ts')
    expect(mappedFrame(site(bundle, 3, 5))).toBe(`run (${source}:10:3)`)
    // A line the map does not cover is left as it is.
    expect(mappedFrame(site(bundle, 7, 1))).toBe(`run (${bundle}:7:1)`)
  })

  it('leaves frames without a map, or outside files, as Node writes them', () => {
    const other = pathToFileURL(join(dir, 'other.js')).href
    expect(mappedFrame(site(other, 3, 5))).toBe(`run (${other}:3:5)`)
    expect(mappedFrame(site('node:internal/process/task_queues', 95, 5))).toBe(
      'run (node:internal/process/task_queues:95:5)'
    )
    expect(mappedFrame(site(undefined, 1, 1))).toBe('run (undefined:1:1)')
  })
})
