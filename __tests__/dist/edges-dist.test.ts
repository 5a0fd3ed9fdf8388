/**
 * Strings from the API through the bundled action, run as a runner runs it: they start no workflow
 * command on stdout, bring no HTML into the summary file and add no output. The bundle is built
 * from the sources into a temporary directory (the same ncc build as `npm run build`, unminified),
 * so the test checks the code as it stands rather than the last committed dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { OUTPUT_NAMES } from '../../src/report/result.js'
import { runDist, TOKEN } from '../helpers/support.js'
import { renderMarkdown } from '../../scripts/summary-page.js'
import { tagNames, visibleText } from '../helpers/markdown.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NCC = join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js')
const HOSTILE_NAME = 'web\n::warning::pwned <img src=x onerror=alert(1)>\nextra=1\r%0A::error::x\u2028::notice::y'
const HOSTILE_REGION = 'nyc3\n::warning::region\nregion_extra<<EOF\nx\nEOF\n<b>bold</b>'

let sim: Simulator
let buildDir: string
let bundle: string

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'do-ip-bundle-'))
  const built = spawnSync(process.execPath, [NCC, 'build', 'src/index.ts', '-o', buildDir, '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  if (built.status !== 0) throw new Error(`ncc build failed: ${built.stderr}`)
  bundle = join(buildDir, 'index.js')
  sim = await startSimulator({ actionDurationMs: 50 })
}, 120_000)

afterAll(async () => {
  expect(sim.violations).toEqual([])
  await sim.close()
  rmSync(buildDir, { recursive: true, force: true })
})

const run = (inputs: Record<string, string>): ReturnType<typeof runDist> =>
  runDist({ token: TOKEN, api_url: sim.url, ...inputs }, { RUNNER_DEBUG: '1' }, 60_000, undefined, bundle)

/** The workflow commands the runner would read from stdout: lines that open with `::` or `##[` after white space. */
function commands(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((line) => /^(::|##\[)/.test(line.trim()))
}

/** Commands the action itself issues through @actions/core (their data is escaped by it). */
const OWN_COMMAND = /^::(debug|warning|error|notice|group|endgroup|add-mask)::/

function expectNoInjectedCommand(stdout: string): void {
  const found = commands(stdout)
  expect(found.filter((line) => !OWN_COMMAND.test(line))).toEqual([])
  // A command of the action's own kind, but opened by the API's text.
  expect(found.filter((line) => /^::(warning|error|notice)::(pwned|region|x|y)/.test(line))).toEqual([])
}

describe('strings from the API, through the bundled action', () => {
  it('a hostile droplet name and region: no command, no HTML, no extra output', async () => {
    const d = sim.addDroplet({ name: HOSTILE_NAME, region: HOSTILE_REGION, anyRegion: true })
    const ip = sim.addIp({ version: 4, dropletId: d.id }).ip
    const result = await run({ operation: 'get', ip })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('pwned')
    expectNoInjectedCommand(result.stdout)
    expect(Object.keys(result.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    // The output holds DigitalOcean's own text, and adds no output (the keys above).
    expect(result.outputs.region).toBe(HOSTILE_REGION)
    expect(JSON.parse(result.outputs.json!).droplet.name).toBe(HOSTILE_NAME)
    expect(result.summary).toContain('pwned')
    const html = renderMarkdown(result.summary)
    expect(tagNames(html).filter((t) => t === 'img' || t === 'b')).toEqual([])
    expect(visibleText(html)).toContain('pwned <img src=x onerror=alert(1)>')
  })

  it('a cutover away from a droplet with a hostile name: the summary names it safely', async () => {
    const from = sim.addDroplet({ name: `${HOSTILE_NAME}-from`, region: 'nyc3' })
    const to = sim.addDroplet({ name: 'green-9', region: 'nyc3' })
    const ip = sim.addIp({ version: 4, dropletId: from.id }).ip
    const result = await run({ operation: 'assign', ip, droplet_name: 'green-9' })
    expect(result.code).toBe(0)
    expect(sim.getIp(ip)?.dropletId).toBe(to.id)
    expect(result.summary).toContain('pwned')
    expectNoInjectedCommand(result.stdout)
    expect(tagNames(renderMarkdown(result.summary)).filter((t) => t === 'img' || t === 'b')).toEqual([])
  })

  it("DigitalOcean's error id, message and request id: one ::error:: line, nothing injected", async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const text = '\n::warning::pwned <script>x</script>\nextra=1'
    sim.inject({
      kind: 'status',
      status: 403,
      path: `/v2/reserved_ips/${ip}`,
      id: `forbidden${text}`,
      message: `denied${text}`,
      requestId: `rq${text}`
    })
    const result = await run({ operation: 'get', ip })
    expect(result.code).not.toBe(0)
    expectNoInjectedCommand(result.stdout)
    expect(commands(result.stdout).filter((l) => l.startsWith('::error::'))).toHaveLength(1)
    expect(Object.keys(result.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    const html = renderMarkdown(result.summary)
    expect(visibleText(html)).toContain('denied\\n::warning::pwned <script>')
    expect(tagNames(html)).not.toContain('script')
  })
})
