/**
 * Before anything moves, through real HTTP to the simulator and its droplets' web service: the
 * precheck of the target droplet on its own addresses, and DigitalOcean's limits on what a droplet
 * can hold, refused by name before any change is sent.
 */
import { describe, expect, it } from '@jest/globals'
import type { SimDroplet, Simulator } from '../../sim/simulator.js'
import { precheckUrls } from '../../src/engine/precheck.js'
import { atRequest, passTime, runInProcess, stopDate } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

const run = (values: Record<string, string>) => runInProcess(sim.url, values)

let sim: Simulator
let blue: SimDroplet
let green: SimDroplet

simulatorForEachTest({ actionDurationMs: 150, routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', tags: ['blue'], service: { build: 'build-blue' } })
  green = sim.addDroplet({ name: 'green-1', tags: ['green'], service: { build: 'build-green' } })
})

const posts = () => sim.requests.filter((r) => r.method === 'POST')
const holders = (ips: string[]) => ips.map((ip) => sim.getIp(ip)?.dropletId)

const checked = (extra: Record<string, string>): Record<string, string> => ({
  operation: 'assign',
  droplet_id: String(green.id),
  precheck_url: sim.verifyUrl,
  verify_url: sim.verifyUrl,
  verify_contains: 'build-green',
  verify_timeout: '10',
  ...extra
})

describe('precheck_url', () => {
  it('refuses a broken green before anything moves: no change is sent, verified=false, changed=false', async () => {
    sim.setService(green.id, { status: 500 })
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const { result, error } = await run(checked({ ip, verify_timeout: '1' }))
    expect(posts()).toEqual([])
    expect(holders([ip])).toEqual([blue.id])
    expect(result!.outputs).toMatchObject({ verified: 'false', changed: 'false', rolled_back: 'false' })
    expect(error?.message).toMatch(
      new RegExp(
        `Precheck of droplet ${green.id} \\(green-1\\) failed, so no address was moved to it: HTTP 500 \\(.*/${green.publicIpv4}/healthz`
      )
    )
    // Every probe went to green's own address; production (the reserved address) saw none.
    const probes = sim.probeRequests()
    expect(probes.length).toBeGreaterThan(0)
    expect(probes.every((p) => p.target === 'droplet' && p.dropletId === green.id && p.ip === green.publicIpv4)).toBe(
      true
    )
    expect(result!.summary.title).toMatch(/refused/)
    expect(result!.summary.tables[0]!.header).toContain('Checks')
    expect(result!.summary.tables[0]!.rows[0]).toEqual(expect.arrayContaining(['not moved', 'precheck failed']))
    expect(result!.error).toMatch(/HTTP 500/)
  })

  it('moves a healthy green once it passes, probing its own addresses of each family first', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const { result, error } = await run(checked({ ip: `${v4}\n${v6}`, droplet_id: '', droplet_tag: 'green' }))
    expect(error).toBeUndefined()
    expect(holders([v4, v6])).toEqual([green.id, green.id])
    expect(result!.outputs).toMatchObject({ verified: 'true', changed: 'true' })
    const own = sim.probeRequests({ target: 'droplet' })
    expect(new Set(own.map((p) => p.ip))).toEqual(new Set([green.publicIpv4, green.publicIpv6]))
    // The precheck came first: every probe of green's own addresses before the first change.
    expect(Math.max(...own.map((p) => p.at))).toBeLessThan(posts()[0]!.at)
    const rows = result!.summary.tables[0]!.rows
    expect(rows.map((r) => r[4])).toEqual(['prechecked, verified', 'prechecked, verified'])
  })

  it('probes the VPC address for {private_ip}, and may run without verify_url', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const url = `${sim.serviceUrl}/{private_ip}/healthz`
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green.id), precheck_url: url })
    expect(error).toBeUndefined()
    expect(sim.probeRequests().map((p) => p.ip)).toEqual([green.privateIpv4])
    // Verified stays '' without verify_url: the precheck proves the droplet, not the address.
    expect(result!.outputs).toMatchObject({ verified: '', changed: 'true', droplet_id: String(green.id) })
  })

  it('is skipped for an address already on the target, and probes only the family of the one that moves', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: green.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const { result, error } = await run(checked({ ip: `${v4} ${v6}` }))
    expect(error).toBeUndefined()
    expect(sim.probeRequests({ target: 'droplet' }).map((p) => p.ip)).toEqual([green.publicIpv6])
    expect(result!.summary.tables[0]!.rows.map((r) => r[4])).toEqual([
      expect.not.stringContaining('precheck'),
      expect.stringMatching(/^prechecked/)
    ])
    // Everything already there: no probe of the droplet at all.
    const before = sim.probes.length
    const again = await run(checked({ ip: `${v4} ${v6}` }))
    expect(again.result!.outputs.changed).toBe('false')
    expect(sim.probes.slice(before).filter((p) => p.target === 'droplet')).toEqual([])
  })

  it('gives the moves their whole timeout after the precheck, which is on top of it', async () => {
    sim.setService(green.id, { healthy: false })
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    stopDate()
    // The precheck takes 5 s of a 2 s timeout: the second probe of green passes, 5 s later.
    let seen = 0
    sim.onProbe((p) => {
      if (p.ip !== green.publicIpv4 || ++seen !== 2) return
      passTime(5000)
      sim.setService(green.id, { healthy: true })
    })
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => sim.finishActions())
    const { result, error } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green.id),
      precheck_url: sim.verifyUrl,
      timeout: '2'
    })
    expect(error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ changed: 'true', droplet_id: String(green.id), action_status: 'completed' })
  })

  it('names what the droplet lacks when the URL needs an address it does not have', () => {
    const v4 = { text: '198.18.0.9', version: 4 } as const
    const v6 = { text: '2001:db8:d0::9', version: 6 } as const
    expect(precheckUrls('http://{ip}/h', { publicV4: v4, publicV6: v6 }, [4, 6])).toEqual({
      urls: new Map([
        [4, 'http://198.18.0.9/h'],
        [6, 'http://[2001:db8:d0::9]/h']
      ])
    })
    expect(precheckUrls('http://{ip}/h', { publicV4: v4 }, [6])).toEqual({
      problem: 'it has no public IPv6 address in its networks'
    })
    expect(precheckUrls('http://{private_ip}/h', { publicV4: v4 }, [4])).toMatchObject({
      problem: expect.stringMatching(/no private \(VPC\) IPv4/)
    })
  })
})

describe('what the target droplet can hold, refused before any change is sent', () => {
  it('refuses a droplet that already holds another reserved IPv4, naming it', async () => {
    const held = sim.addIp({ version: 4, dropletId: green.id }).ip
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const { result, error } = await run({ operation: 'assign', ip: `${v6}\n${ip}`, droplet_id: String(green.id) })
    expect(error?.message).toMatch(
      new RegExp(
        `droplet ${green.id} .*already holds reserved IPv4 ${held}.*so ${ip} cannot be assigned.*unassign ${held}`
      )
    )
    expect(error?.message).toMatch(/Nothing was changed\.$/)
    expect(posts()).toEqual([])
    expect(holders([ip, v6, held])).toEqual([blue.id, blue.id, green.id])
    expect(result!.outputs).toMatchObject({ changed: 'false', verified: '' })
  })

  it('a single IPv4 to a droplet that holds another: DigitalOcean refuses it, nothing moves, no list is read', async () => {
    const held = sim.addIp({ version: 4, dropletId: green.id }).ip
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green.id) })
    expect(error?.message).toMatch(new RegExp(`Droplet ${green.id} refused ${ip}: a droplet holds one reserved IPv4`))
    expect(error?.message).toContain(held)
    expect(holders([ip, held])).toEqual([blue.id, green.id])
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ips' })).toBe(0)
    expect(result!.outputs).toMatchObject({ changed: 'false', droplet_id: String(blue.id) })
  })

  it('refuses a reserved IPv6 for a droplet without IPv6, given by id or by tag, before its IPv4 partner moves', async () => {
    const v4only = sim.addDroplet({ name: 'v4only-1', tags: ['v4only'], ipv6: false })
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const targets: Record<string, string>[] = [{ droplet_id: String(v4only.id) }, { droplet_tag: 'v4only' }]
    for (const target of targets) {
      const { error } = await run({ operation: 'assign', ip: `${ip} ${v6}`, ...target })
      expect(error?.message).toMatch(
        new RegExp(`droplet ${v4only.id}.* does not have IPv6 enabled, so reserved IPv6 ${v6}`)
      )
      expect(error?.message).toMatch(/enable-ipv6/)
    }
    expect(posts()).toEqual([])
    expect(holders([ip, v6])).toEqual([blue.id, blue.id])
  })

  it('reads the list and the droplet only where a refusal would come part-way: several addresses', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    await run({ operation: 'assign', ip: v4, droplet_id: String(green.id) })
    await run({ operation: 'assign', ip: v6, droplet_id: String(green.id) })
    // One address: DigitalOcean's own refusal would move nothing, so nothing more is read.
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ips' })).toBe(0)
    expect(sim.countRequests({ method: 'GET', path: `/v2/droplets/${green.id}` })).toBe(0)
    await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(blue.id) })
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ips' })).toBe(1)
    expect(sim.countRequests({ method: 'GET', path: `/v2/droplets/${blue.id}` })).toBe(1)
    expect(holders([v4, v6])).toEqual([blue.id, blue.id])
  })

  it('a single IPv6 to a droplet without IPv6: DigitalOcean refuses it and the error says why', async () => {
    const v4only = sim.addDroplet({ name: 'v4only-2', ipv6: false })
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const { error } = await run({ operation: 'assign', ip: v6, droplet_id: String(v4only.id) })
    expect(error?.message).toMatch(/a reserved IPv6 needs a droplet with IPv6 enabled/)
    expect(holders([v6])).toEqual([blue.id])
  })

  it('leaves the IPv6 check to DigitalOcean when the token may not read droplets, unless a precheck needs them', async () => {
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const forbid = (d: SimDroplet) => sim.inject({ path: `/v2/droplets/${d.id}`, kind: 'status', status: 403 })
    forbid(green)
    const moved = await run({ operation: 'assign', ip: v6, droplet_id: String(green.id) })
    expect(moved.error).toBeUndefined()
    forbid(blue)
    const refused = await run(checked({ ip: v6, droplet_id: String(blue.id) }))
    expect(refused.error?.message).toMatch(new RegExp(`Droplet ${blue.id} could not be checked before the move`))
    expect(holders([v6])).toEqual([green.id])
  })
})
