/** Verified cutovers through real HTTP to the simulator and its droplets' web service: probes, routing lag, rollback. */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { runInProcess } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

const run = (values: Record<string, string>) => runInProcess(sim.url, values)

let sim: Simulator
let blue: number
let green: number

simulatorForEachTest({ actionDurationMs: 150, routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', service: { build: 'build-blue' } }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', service: { build: 'build-green' } }).id
})

const holders = (ips: string[]): (number | null | undefined)[] => ips.map((ip) => sim.getIp(ip)?.dropletId)

describe('verification', () => {
  const verify = (extra: Record<string, string> = {}): Record<string, string> => ({
    operation: 'assign',
    droplet_id: String(green),
    verify_url: sim.verifyUrl,
    verify_contains: 'build-green',
    verify_timeout: '20',
    ...extra
  })

  it('passes when the new droplet answers with the build, probing each address in URL-host form', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const { result, error } = await run(verify({ ip: `${v4}\n${v6}` }))
    expect(error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ verified: 'true', rolled_back: 'false', droplet_id: String(green) })
    const probes = sim.probeRequests()
    expect(new Set(probes.map((p) => p.ip))).toEqual(new Set([v4, v6]))
    for (const p of probes) {
      expect(Object.keys(p.headers).filter((h) => /authorization|cookie|digitalocean|^x-/i.test(h))).toEqual([])
    }
    expect(probes.filter((p) => p.status === 200 && p.dropletId === green).length).toBeGreaterThanOrEqual(2)
    expect(result!.summary.tables[0]!.rows.every((r) => r[4] === 'verified')).toBe(true)
  })

  it('waits for routing to follow the action: an answer from the old droplet does not count', async () => {
    // Routing follows only once the old droplet has answered a probe.
    sim.setRoutingDelay(600_000)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const switcher = setInterval(() => {
      if (sim.probeRequests({ ip }).some((p) => p.dropletId === blue)) sim.routeNow(ip)
    }, 10)
    const { result } = await run(verify({ ip })).finally(() => clearInterval(switcher))
    expect(result!.outputs.verified).toBe('true')
    const passing = sim.probeRequests({ ip }).filter((p) => p.status === 200)
    // The old droplet answered 200 too while routing lagged; only the new one's answer ended the probing.
    expect(passing.at(-1)!.dropletId).toBe(green)
    expect(passing.filter((p) => p.dropletId === blue).length).toBeGreaterThan(0)
  })

  it('rolls every address back when the new droplet is unhealthy, and fails naming the probe', async () => {
    sim.setService(green, { healthy: false })
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const { result, error } = await run(verify({ ip: `${v4},${v6}`, verify_timeout: '1' }))
    expect(holders([v4, v6])).toEqual([blue, blue])
    expect(result!.outputs).toMatchObject({ verified: 'false', rolled_back: 'true', droplet_id: String(blue) })
    expect(error?.message).toMatch(/verification of .* failed: HTTP 503/)
    expect(result!.summary.tables[0]!.rows.map((r) => r[3])).toEqual([
      expect.stringMatching(/^rolled back \(actions \d+, \d+\)$/),
      expect.stringMatching(/^rolled back \(actions \d+, \d+\)$/)
    ])
  })

  it('does not follow a redirect', async () => {
    sim.setService(green, { redirect: `${sim.serviceUrl}/elsewhere` })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { error } = await run(verify({ ip, verify_timeout: '1' }))
    expect(error?.message).toMatch(/HTTP 302 \(a redirect, which is not followed\)/)
    expect(sim.probeRequests().every((p) => p.path.startsWith('/healthz'))).toBe(true)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })

  it('leaves the addresses on the new droplet with rollback: false', async () => {
    sim.setService(green, { healthy: false })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result, error } = await run(verify({ ip, verify_timeout: '1', rollback: 'false' }))
    expect(error?.message).toMatch(/verification/)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(result!.outputs).toMatchObject({ verified: 'false', rolled_back: 'false', changed: 'true' })
  })

  it('gives each probe its own time limit, so a hung service fails verification in time', async () => {
    sim.setService(green, { hang: true })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const started = Date.now()
    const { error } = await run(verify({ ip, verify_timeout: '1' }))
    expect(error?.message).toMatch(/no answer within/)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })
})
