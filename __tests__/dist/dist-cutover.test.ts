/** The bundled action, run as a runner runs it: cutovers, verification, failures and cancellation. */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { OUTPUT_NAMES } from '../../src/report/result.js'
import { errorLines, runDist, TOKEN } from '../helpers/support.js'
import { renderMarkdown } from '../../scripts/summary-page.js'
import { tableRows, tagNames } from '../helpers/markdown.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

let sim: Simulator
let blue: number
let green: number

simulatorForEachTest({ actionDurationMs: 200, routingDelayMs: 100 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'web-blue', region: 'nyc3', tags: ['blue'], service: { build: 'build-blue' } }).id
  green = sim.addDroplet({ name: 'web-green', region: 'nyc3', tags: ['green'], service: { build: 'build-green' } }).id
})

const base = (): Record<string, string> => ({ token: TOKEN, api_url: sim.url })

describe('dist/index.js cutovers', () => {
  it('cuts a dual-stack pair over in one verified step', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const run = await runDist({
      ...base(),
      ip: `${v4}\n${v6}`,
      droplet_tag: 'green',
      verify_url: sim.verifyUrl,
      verify_contains: 'build-green',
      verify_timeout: '20'
    })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({
      ip: v4,
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      changed: 'true',
      count: '2',
      verified: 'true',
      rolled_back: 'false'
    })
    expect(JSON.parse(run.outputs.ips!)).toHaveLength(2)
    const row = tableRows(renderMarkdown(run.summary)).find((r) => r[0] === v6)
    expect(row).toEqual([v6, 'web-blue', 'web-green', expect.stringMatching(/^completed/), 'verified'])
    expect(sim.probeRequests({ ip: v6 }).length).toBeGreaterThan(0)
  })

  it('rolls back a cutover whose verification fails, and says so in the outputs and the summary', async () => {
    sim.setService(green, { healthy: false })
    // Routing follows at once: without verify_contains, the old droplet's answer would pass.
    sim.setRoutingDelay(0)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const run = await runDist({
      ...base(),
      ip,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_timeout: '2'
    })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toMatch(/verification of .* failed: HTTP 503.*Rolled back/)
    expect(run.outputs).toMatchObject({ verified: 'false', rolled_back: 'true', droplet_id: String(blue) })
    expect(run.summary).toMatch(/rolled back/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })
})

describe('dist/index.js writes every output and the summary on every outcome', () => {
  it('bad input: every output set, a summary naming the input, no request', async () => {
    const run = await runDist({ ...base(), operation: 'assign', ip: '203.0.113.7/24', droplet_id: '5' })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout)).toEqual([expect.stringMatching(/Input 'ip'/)])
    // Every output the action declares (action-metadata.test.ts holds the list against action.yml).
    expect(Object.keys(run.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    expect(run.outputs).toMatchObject({ changed: 'false', rolled_back: 'false', ip: '' })
    expect(run.summary).toMatch(/failed[\s\S]*Input 'ip'/)
    expect(sim.requests).toHaveLength(0)
  })

  it('bad input with a hostile operation name: the summary title names no unknown operation', async () => {
    const run = await runDist({ ...base(), operation: 'evil<img src=x>', ip: '203.0.113.7' })
    expect(run.code).toBe(1)
    expect(run.summary.split('\n')[0]).toBe('### Reserved IP step failed')
    expect(tagNames(renderMarkdown(run.summary))).not.toContain('img')
  })

  it('a refusal: the summary says why', async () => {
    const run = await runDist({ ...base(), ip: '198.51.100.77', droplet_id: String(green) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ ip: '198.51.100.77', changed: 'false' })
    expect(run.summary).toMatch(/not a reserved IPv4 address/)
  })

  it('cancelled during a cutover of two: names only the action still under way', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    // The IPv4's action completes; the IPv6's runs until the step is cancelled.
    sim.setActionDuration((a) => (a.ip === v4 ? 100 : Infinity))
    const run = await runDist({ ...base(), ip: `${v4} ${v6}`, droplet_id: String(green) }, {}, 60_000, {
      signal: 'SIGTERM',
      when: /Action \d+: completed after/
    })
    const [done, running] = [v4, v6].map((ip) => sim.actions().find((a) => a.ip === ip)!)
    expect(done!.status).toBe('completed')
    const error = errorLines(run.stdout)[0]!
    expect(error).toMatch(new RegExp(`action ${running!.id} on ${v6}`))
    expect(error).not.toContain(`action ${done!.id}`)
    expect(run.outputs).toMatchObject({ action_status: 'in-progress', changed: 'true' })
  })

  it('cancelled while waiting: exits within 2 s, names the action in progress, writes outputs and summary', async () => {
    sim.setActionDuration(30_000)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const run = await runDist({ ...base(), ip, droplet_id: String(green) }, {}, 60_000, {
      signal: 'SIGTERM',
      when: /started; waiting for DigitalOcean/
    })
    const action = sim.actions()[0]!
    expect(run.signalledMs).toBeLessThan(2000)
    expect(run.code).not.toBe(0)
    expect(errorLines(run.stdout)[0]).toMatch(new RegExp(`Cancelled \\(SIGTERM\\).*action ${action.id} on ${ip}`))
    expect(run.outputs).toMatchObject({
      ip,
      action_id: String(action.id),
      action_status: 'in-progress',
      changed: 'true',
      previous_droplet_id: String(blue)
    })
    expect(run.summary).toMatch(new RegExp(`cancelled[\\s\\S]*${action.id}`))
    // Nothing more was sent after the signal.
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })
})
