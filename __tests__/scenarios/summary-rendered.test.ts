/**
 * The summaries of typical outcomes, rendered as GitHub renders markdown (scripts/summary-page.js):
 * no entity or escape shows, no table is wider than six columns, and the links are there.
 * scripts/screenshot-summaries.js takes pictures of the same outcomes in a browser.
 */
import { describe, expect, it } from '@jest/globals'
import { createServer, type AddressInfo } from 'node:net'
import { renderMarkdown } from '../../scripts/summary-page.js'
import type { SimDroplet, Simulator } from '../../sim/simulator.js'
import { CONTROL_PANEL } from '../../src/report/links.js'
import { failureResult, type Summary } from '../../src/report/result.js'
import { MAX_COLUMNS, renderSummary } from '../../src/report/summary.js'
import { columnCounts, linkTargets, tableRows, visibleText } from '../helpers/markdown.js'
import { runInProcess, simMs } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

const RUN_URL = 'https://github.com/octo-org/deploy/actions/runs/8312345678'
const RESERVED_IPS = 'https://cloud.digitalocean.com/networking/reserved_ips'

/** The summary as a reader sees it, after the checks every rendered summary must pass. */
function rendered(summary: Summary): { html: string; text: string } {
  const html = renderMarkdown(renderSummary(summary, { runUrl: RUN_URL, controlPanel: CONTROL_PANEL }))
  const text = visibleText(html)
  expect(text).not.toMatch(/&(#[0-9]+|#x[0-9a-f]+|[a-z]+);/i)
  expect(text).not.toMatch(/\\[\\`&<>[\]|]/)
  expect(Math.max(0, ...columnCounts(html))).toBeLessThanOrEqual(MAX_COLUMNS)
  expect(linkTargets(html)).toEqual(expect.arrayContaining([RUN_URL, RESERVED_IPS]))
  return { html, text }
}

let sim: Simulator
let blue: SimDroplet
let green: SimDroplet
let stale: SimDroplet

simulatorForEachTest({ actionDurationMs: simMs(2000), routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'web-blue-production', region: 'nyc3', service: { build: 'v1.4.0' } })
  green = sim.addDroplet({ name: 'web-green-production', region: 'nyc3', service: { build: 'v1.5.0' } })
  stale = sim.addDroplet({ name: 'web-stale-production', region: 'nyc3', service: { build: 'v1.3.9' } })
})

/** A verified cutover of an IPv4 and an IPv6 address on blue to a droplet whose body must contain `contains`. */
function cutoverOfTwo(to: SimDroplet, contains: string, extra: Record<string, string> = {}) {
  const v4 = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue.id }).ip
  const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
  const values = { ip: `${v4}\n${v6}`, droplet_id: String(to.id), verify_url: sim.verifyUrl, verify_contains: contains }
  return { v6, run: runInProcess(sim.url, { ...values, ...extra }) }
}

describe('the rendered summary', () => {
  it('of a verified cutover of two addresses links each address and droplet', async () => {
    const { v6, run: running } = cutoverOfTwo(green, 'v1.5.0')
    const run = await running
    expect(run.error).toBeUndefined()
    const { html, text } = rendered(run.result!.summary)
    expect(linkTargets(html)).toEqual(
      expect.arrayContaining([`${CONTROL_PANEL}/droplets/${blue.id}`, `${CONTROL_PANEL}/droplets/${green.id}`])
    )
    expect(html).toContain(`<code>${v6}</code>`)
    expect(text).toContain(`to droplet ${green.id} (web-green-production)`)
    expect(text).toContain('verified')
  })

  it('of a failed verification shows the probe URL as written, and what was expected against what came', async () => {
    const { v6, run: running } = cutoverOfTwo(stale, 'v1.6.0', { verify_timeout: '1' })
    const run = await running
    expect(run.result!.outputs.rolled_back).toBe('true')
    const { html, text } = rendered(run.result!.summary)
    expect(html).toContain(`<code>${sim.verifyUrl.replace('{ip}', `[${v6}]`)}</code>`)
    expect(text).toContain('does not contain verify_contains "v1.6.0": the body began "ok build=v1.3.9')
    expect(text).toMatch(/rolled back \(actions \d+, \d+\)/)
    // One trouble per line.
    expect(html.match(/<li>/g)).toHaveLength(2)
  })

  it('of a prune says how to release or keep an IPv4 that was never assigned', async () => {
    const never = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const old = sim.addIp({
      version: 4,
      region: 'nyc3',
      history: [{ type: 'unassign_ip', completedAt: Date.now() - 9e8 }]
    })
    const kept = sim.addIp({ version: 6, region: 'nyc3', reservedAt: Date.now() - 9e8 }).ip
    const run = await runInProcess(sim.url, { operation: 'prune', unassigned_for: '1d', keep: kept })
    expect(run.error).toBeUndefined()
    expect(sim.getIp(old.ip)).toBeUndefined()
    const { html } = rendered(run.result!.summary)
    const row = tableRows(html).find((r) => r[0] === never)
    expect(row?.[3]).toContain('idle since an unknown time')
    expect(row?.[3]).toContain(`release it with operation: delete and ip: ${never}, or add it to keep to say it stays`)
  })

  it('of a step whose API cannot be reached shows its error as plain text', async () => {
    const server = createServer()
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const port = (server.address() as AddressInfo).port
    await new Promise((ok) => server.close(ok))
    const ip = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue.id }).ip
    const run = await runInProcess(`http://127.0.0.1:${port}`, { operation: 'get', ip, timeout: '5' })
    expect(run.error).toBeDefined()
    const { text } = rendered(failureResult('get', run.error!.message, [ip]).summary)
    expect(text).toContain('ECONNREFUSED')
  })
})
