/** What dist/ holds besides working code: a source map that crash traces use, and every bundled licence. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { DIST } from '../../scripts/run-action.js'
import { TOKEN } from '../helpers/support.js'

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url))

/** Package names whose code the bundle's source maps name. */
function bundledPackages(): Set<string> {
  const names = new Set<string>()
  for (const file of readdirSync(distDir).filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(distDir, file), 'utf8')) as { sources: string[] }
    for (const source of map.sources) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)
      if (match) names.add(match[1] as string)
    }
  }
  return names
}

describe('dist/', () => {
  it('maps the bundle back to src/', () => {
    const map = JSON.parse(readFileSync(join(distDir, 'index.js.map'), 'utf8')) as { sources: string[] }
    const own = map.sources.filter((s) => /(^|\/)src\/.*\.ts$/.test(s))
    expect(own.map((s) => s.replace(/^.*?src\//, 'src/'))).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/transport/http.ts'])
    )
    expect(readFileSync(DIST, 'utf8')).toMatch(/\n\/\/# sourceMappingURL=index\.js\.map\s*$/)
  })

  it('lists the licence of every package in the bundle, with its text', () => {
    const text = readFileSync(join(distDir, 'licenses.txt'), 'utf8')
    const listed = new Map<string, string>()
    for (const block of text.split(/\n-{72}\n/)) {
      const match = /^(?:[^\n]*\n\n)?(\S+) (\d\S*)\n(\S+)\n\n([\s\S]+)$/.exec(block.trim() + '\n')
      if (match) listed.set(match[1] as string, match[4] as string)
    }
    const bundled = [...bundledPackages()]
    expect(bundled).toEqual(expect.arrayContaining(['@actions/core', '@actions/http-client', 'tunnel', 'node-fetch']))
    for (const name of bundled) {
      expect([name, listed.has(name)]).toEqual([name, true])
      expect(listed.get(name)).toMatch(/permission|copyright|licen[cs]e/i)
    }
  })
})

describe('a crash of the bundled action', () => {
  let sim: Simulator
  let dir: string
  beforeAll(async () => {
    sim = await startSimulator({ validate: false })
    dir = mkdtempSync(join(tmpdir(), 'do-ip-crash-'))
  })
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await sim.close()
  })

  it('prints a trace that names lines of src/', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    // GITHUB_OUTPUT names a directory: setting an output throws, in the try block and in its catch.
    const env = {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: dir,
      INPUT_TOKEN: TOKEN,
      INPUT_API_URL: sim.url,
      INPUT_OPERATION: 'get',
      INPUT_IP: ip
    }
    const child = spawn(process.execPath, [DIST], { env })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/EISDIR/)
    expect(stderr).toMatch(/\/src\/main\.ts:\d+:\d+/)
  })
})
