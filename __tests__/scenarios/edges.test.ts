/**
 * Edges of the API, through real HTTP to the simulator: strings that try to start a workflow
 * command or bring HTML into the summary, lists whose next link never ends, and GPU droplets.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorStartedByTest } from '../helpers/simulator.js'
import { renderSummary } from '../../src/report/summary.js'
import { logText } from '../../src/report/neutral.js'
import { runInProcess } from '../helpers/support.js'
import { renderMarkdown } from '../../scripts/summary-page.js'
import { tagNames, visibleText } from '../helpers/markdown.js'

const HOSTILE_NAME = 'web\n::warning::pwned <img src=x onerror=alert(1)> %0A::error::x'
const HOSTILE_REGION = 'nyc3\n::warning::region <b>bold</b>'

const start = simulatorStartedByTest({ actionDurationMs: 30 })

/**
 * Every line of the log messages and of the error, as the runner would see them: main.ts writes
 * each through logText (its logger, and the message given to core.setFailed).
 */
function loggedLines(run: { logs: string[]; error?: Error; result?: { error?: string } }): string[] {
  const texts = [...run.logs, run.error?.message ?? '', run.result?.error ?? ''].map(logText)
  return texts.flatMap((t) => t.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/))
}

const startsCommand = (line: string): boolean => /^(::|##\[)/.test(line.replace(/^(warning|debug): /, '').trim())

describe('strings from the API', () => {
  it('a droplet name and a region cannot start a command, reach the summary as HTML, or add an output', async () => {
    const s = await start()
    const d = s.addDroplet({ name: HOSTILE_NAME, region: HOSTILE_REGION, anyRegion: true })
    const ip = s.addIp({ version: 4, dropletId: d.id }).ip
    const run = await runInProcess(s.url, { operation: 'get', ip })
    expect(run.error).toBeUndefined()
    expect(run.logs.join('\n')).toContain('pwned')
    expect(loggedLines(run).filter(startsCommand)).toEqual([])
    const html = renderMarkdown(renderSummary(run.result!.summary))
    expect(tagNames(html)).not.toContain('img')
    expect(tagNames(html)).not.toContain('b')
    expect(visibleText(html)).toContain('pwned <img src=x onerror=alert(1)>')
    // Outputs hold DigitalOcean's own text; GITHUB_OUTPUT's delimiters keep it in its output.
    const outputs = run.result!.outputs
    expect(outputs.region).toBe(HOSTILE_REGION)
    expect(JSON.parse(outputs.json).droplet.name).toBe(HOSTILE_NAME)
  })

  it('list: every name and region is one line in the log and the summary', async () => {
    const s = await start()
    for (let i = 0; i < 3; i++) {
      const d = s.addDroplet({ name: `${HOSTILE_NAME}-${i}`, region: HOSTILE_REGION, anyRegion: true })
      s.addIp({ version: i === 2 ? 6 : 4, dropletId: d.id })
    }
    const run = await runInProcess(s.url, { operation: 'list' })
    expect(run.error).toBeUndefined()
    expect(loggedLines(run).filter(startsCommand)).toEqual([])
    const md = renderSummary(run.result!.summary)
    expect(tagNames(renderMarkdown(md)).filter((t) => t === 'img' || t === 'b')).toEqual([])
    const rows = md.split('\n').filter((l) => l.startsWith('|'))
    expect(rows).toHaveLength(2 + 3)
    expect(JSON.parse(run.result!.outputs.ips).map((e: { region: string }) => e.region)).toEqual([
      HOSTILE_REGION,
      HOSTILE_REGION,
      HOSTILE_REGION
    ])
  })

  it("DigitalOcean's error id, message and request id reach the written error as one line", async () => {
    const s = await start()
    const ip = s.addIp({ version: 4 }).ip
    const text = '\n::warning::pwned <script>x</script>'
    s.inject({ kind: 'status', status: 403, id: `forbidden${text}`, message: `denied${text}`, requestId: `rq${text}` })
    const run = await runInProcess(s.url, { operation: 'get', ip })
    // As main.ts passes it to core.setFailed.
    const message = logText(run.error?.message ?? run.result?.error ?? '')
    expect(message).toContain('HTTP 403')
    expect(message).toContain('denied\\n::warning::pwned')
    expect(message).not.toMatch(/[\r\n]/)
    expect(startsCommand(message)).toBe(false)
  })
})

describe('lists whose next link never ends', () => {
  const listRequests = (s: Simulator): number =>
    s.countRequests({ method: 'GET', path: /^\/v2\/(reserved_ips|reserved_ipv6)$/ })

  it.each(['repeat', 'empty'] as const)(
    "'%s': 2 addresses are read with one request per family and one more",
    async (endlessPages) => {
      const s = await start({ endlessPages })
      const v4 = [s.addIp({ version: 4 }).ip, s.addIp({ version: 4 }).ip]
      const run = await runInProcess(s.url, { operation: 'list', ip_version: '4', timeout: '20' })
      expect(run.error).toBeUndefined()
      expect(JSON.parse(run.result!.outputs.ips).map((e: { ip: string }) => e.ip)).toEqual(v4)
      // ceil(2 / 200) + 1
      expect(listRequests(s)).toBe(2)
    }
  )

  it('450 addresses: ceil(450 / 200) + 1 = 4 requests, every address once', async () => {
    const s = await start({ endlessPages: 'repeat' })
    for (let i = 0; i < 450; i++) s.addIp({ version: 4 })
    const run = await runInProcess(s.url, { operation: 'list', ip_version: '4', timeout: '20' })
    expect(run.error).toBeUndefined()
    expect(run.result!.outputs.count).toBe('450')
    expect(listRequests(s)).toBe(4)
  })

  it('without meta.total, stops at the first page that brings nothing new', async () => {
    const s = await start({ endlessPages: 'repeat', omitTotal: true })
    s.addIp({ version: 6 })
    const run = await runInProcess(s.url, { operation: 'list', ip_version: '6', timeout: '20' })
    expect(run.result!.outputs.count).toBe('1')
    expect(listRequests(s)).toBe(2)
  })

  it("without meta.total, a list that grows with every page ends at the step's timeout", async () => {
    const s = await start({ endlessPages: 'repeat', omitTotal: true })
    s.onRequest((r) => {
      if (r.path === '/v2/reserved_ips') s.addIp({ version: 4 })
    })
    const run = await runInProcess(s.url, { operation: 'list', ip_version: '4', timeout: '2' })
    expect(run.error?.message ?? run.result?.error).toMatch(/timeout|no answer within/i)
    expect(listRequests(s)).toBeGreaterThan(2)
  })

  it('a droplet look-up by name reads each list with at most two requests', async () => {
    const s = await start({ endlessPages: 'repeat' })
    const d = s.addDroplet({ name: 'web-1' })
    const ip = s.addIp({ version: 4 }).ip
    const run = await runInProcess(s.url, { operation: 'assign', ip, droplet_name: 'web-1', timeout: '20' })
    expect(run.error).toBeUndefined()
    expect(s.getIp(ip)?.dropletId).toBe(d.id)
    // Two lists (GPU droplets and the others), each ceil(n / 200) + 1 requests at most.
    expect(s.countRequests({ method: 'GET', path: '/v2/droplets' })).toBeLessThanOrEqual(4)
  })
})

describe('GPU droplets', () => {
  it('droplet_name finds a GPU droplet', async () => {
    const s = await start()
    s.addDroplet({ name: 'web-1' })
    const gpu = s.addDroplet({ name: 'trainer-1', gpu: true })
    const ip = s.addIp({ version: 4 }).ip
    const run = await runInProcess(s.url, { operation: 'assign', ip, droplet_name: 'trainer-1' })
    expect(run.error).toBeUndefined()
    expect(run.result!.error).toBeUndefined()
    expect(s.getIp(ip)?.dropletId).toBe(gpu.id)
    const queries = s.requests.filter((r) => r.path === '/v2/droplets').map((r) => r.query.type ?? '')
    expect(queries.sort()).toEqual(['', 'gpus'])
  })

  it('a name held by a GPU droplet and another droplet is ambiguous, naming both', async () => {
    const s = await start()
    const cpu = s.addDroplet({ name: 'web-1' })
    const gpu = s.addDroplet({ name: 'web-1', gpu: true })
    const ip = s.addIp({ version: 4 }).ip
    const run = await runInProcess(s.url, { operation: 'assign', ip, droplet_name: 'web-1' })
    const message = run.error?.message ?? run.result?.error ?? ''
    expect(message).toMatch(/matches 2 droplets/)
    expect(message).toContain(String(cpu.id))
    expect(message).toContain(String(gpu.id))
    expect(s.mutatingRequests()).toEqual([])
  })

  it('droplet_tag finds a GPU droplet by its tags (tag_name cannot be combined with type)', async () => {
    const s = await start()
    s.addDroplet({ name: 'web-1', tags: ['web'] })
    const gpu = s.addDroplet({ name: 'trainer-1', gpu: true, tags: ['ml'] })
    s.addDroplet({ name: 'trainer-2', gpu: true, tags: ['other'] })
    const ip = s.addIp({ version: 4 }).ip
    const run = await runInProcess(s.url, { operation: 'assign', ip, droplet_tag: 'ml' })
    expect(run.error).toBeUndefined()
    expect(s.getIp(ip)?.dropletId).toBe(gpu.id)
  })
})
