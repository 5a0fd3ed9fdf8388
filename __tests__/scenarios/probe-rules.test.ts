/**
 * The rules of probing through real HTTP to the simulator's droplets' web service: verify_for (the
 * service must keep passing), verify_host (the Host header of every probe), and a reserved IPv6 that
 * the droplet has not configured. verify_host over real TLS is in tls-probe.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import type { SimDroplet, Simulator } from '../../sim/simulator.js'
import { runInProcess } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

const run = (values: Record<string, string>) => runInProcess(sim.url, values)

let sim: Simulator
let blue: SimDroplet
let green: SimDroplet

simulatorForEachTest({ actionDurationMs: 150, routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', service: { build: 'build-blue' } })
  green = sim.addDroplet({ name: 'green-1', service: { build: 'build-green' } })
})

const verify = (extra: Record<string, string>): Record<string, string> => ({
  operation: 'assign',
  droplet_id: String(green.id),
  verify_url: sim.verifyUrl,
  verify_contains: 'build-green',
  verify_timeout: '10',
  ...extra
})

/** Green's service fails from its nth answer through the reserved address on (a deploy that falls over). */
function failsFrom(ip: string, n: number): void {
  let seen = 0
  sim.onProbe((p) => {
    if (p.ip === ip && ++seen === n) sim.setService(green.id, { status: 502 })
  })
}

describe('verify_for', () => {
  it('rolls back when a probe fails after the first pass, within verify_for', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    failsFrom(ip, 4)
    const { result, error } = await run(verify({ ip, verify_for: '5' }))
    expect(error?.message).toMatch(
      /verification of .* failed: HTTP 502, [0-9.]+ s after the first pass \(verify_for 5 s\)/
    )
    expect(result!.outputs).toMatchObject({ verified: 'false', rolled_back: 'true', droplet_id: String(blue.id) })
    expect(sim.getIp(ip)?.dropletId).toBe(blue.id)
  })

  it('passes without verify_for on the same service: the first pass was enough', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    failsFrom(ip, 4)
    const { result } = await run(verify({ ip }))
    expect(result!.outputs).toMatchObject({ verified: 'true', droplet_id: String(green.id) })
  })

  it('passes when every probe for verify_for passes, probing at least every 2 s of the schedule', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const started = Date.now()
    const { result, error } = await run(verify({ ip: `${v4},${v6}`, verify_for: '1' }))
    expect(error).toBeUndefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(result!.outputs.verified).toBe('true')
    for (const ip of [v4, v6]) {
      const passing = sim.probeRequests({ ip }).filter((p) => p.status === 200)
      // 1 s of holding at the tests' time scale (20x): a probe every 50 ms.
      expect(passing.length).toBeGreaterThanOrEqual(5)
      const gaps = passing.slice(1).map((p, i) => p.at - passing[i]!.at)
      expect(Math.max(...gaps)).toBeLessThan(2000)
    }
    expect(result!.summary.tables[0]!.rows[0]![4]).toBe('verified, held 1 s')
  })
})

describe('verify_host', () => {
  it('is the Host header of every probe, precheck and verify alike, with the URL port unless it names one', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const port = new URL(sim.serviceUrl).port
    const { error } = await run(verify({ ip, precheck_url: sim.verifyUrl, verify_host: 'www.shop.test' }))
    expect(error).toBeUndefined()
    const probes = sim.probeRequests()
    expect(new Set(probes.map((p) => p.target))).toEqual(new Set(['droplet', 'reserved']))
    expect(new Set(probes.map((p) => p.headers.host))).toEqual(new Set([`www.shop.test:${port}`]))
    const before = sim.probes.length
    await run(
      verify({ ip, droplet_id: String(blue.id), verify_contains: 'build-blue', verify_host: 'www.shop.test:8080' })
    )
    expect(new Set(sim.probes.slice(before).map((p) => p.headers.host))).toEqual(new Set(['www.shop.test:8080']))
  })
})

describe('a reserved IPv6 that the droplet has not configured', () => {
  it('says that DigitalOcean routes it but the droplet must configure it, and where the README shows how', async () => {
    sim.setService(green.id, { ipv6Configured: false })
    const v4 = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    // The precheck passes on green's own IPv6; only the reserved one is not configured.
    const { result, error } = await run(
      verify({ ip: `${v4}\n${v6}`, precheck_url: sim.verifyUrl, verify_timeout: '1' })
    )
    expect(error?.message).toMatch(
      new RegExp(
        `verification of ${v6} failed: connection failed: .*no probe of ${v6} got an answer: DigitalOcean routes a reserved IPv6 to the droplet, but the droplet must add it to its own network interface \\(see README, 'Reserved IPv6 on the droplet'\\)`
      )
    )
    expect(error?.message).not.toMatch(new RegExp(`no probe of ${v4}`))
    expect(result!.outputs).toMatchObject({ verified: 'false', rolled_back: 'true' })
  })

  it('says so also when the droplet it left answered while routing switched over', async () => {
    sim.setService(green.id, { ipv6Configured: false })
    // Routing follows only once the old droplet has answered a probe: the first answer is blue's.
    sim.setRoutingDelay(600_000)
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const switcher = setInterval(() => {
      if (sim.probeRequests({ ip: v6 }).some((p) => p.dropletId === blue.id)) sim.routeNow(v6)
    }, 10)
    const { result, error } = await run(verify({ ip: v6, verify_timeout: '2' })).finally(() => clearInterval(switcher))
    const probes = sim.probeRequests({ ip: v6 })
    expect(probes[0]!.dropletId).toBe(blue.id)
    expect(probes.some((p) => p.dropletId === green.id)).toBe(true)
    expect(error?.message).toMatch(new RegExp(`verification of ${v6} failed: connection failed: `))
    expect(error?.message).toMatch(/DigitalOcean routes a reserved IPv6 to the droplet, but the droplet must add it/)
    expect(error?.message).toMatch(
      /got an answer after the first(, | \d+, )which came while routing switched over \(likely from the droplet it left\): DigitalOcean routes/
    )
    expect(result!.outputs).toMatchObject({ verified: 'false', rolled_back: 'true' })
  })

  it('does not say so when the reserved IPv6 answered, even with an error', async () => {
    sim.setService(green.id, { healthy: false })
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const { error } = await run(verify({ ip: v6, verify_timeout: '1' }))
    expect(error?.message).toMatch(/HTTP 503/)
    expect(error?.message).not.toMatch(/network interface/)
  })
})
