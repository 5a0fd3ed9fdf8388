/**
 * The simulator's droplets as DigitalOcean has them: their own addresses in `networks`, IPv6 as a
 * feature, the limits on the reserved addresses a droplet can hold, and the web service answering a
 * droplet's own addresses (what a precheck probes).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'

const TOKEN = 'sim-token'
let sim: Simulator

beforeEach(async () => {
  sim = await startSimulator({ actionDurationMs: 20, routingDelayMs: 0 })
})

afterEach(async () => {
  expect(sim.violations).toEqual([])
  await sim.close()
})

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

const assignBody = (dropletId: number) => ({ type: 'assign', droplet_id: dropletId })

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('droplet networks and features', () => {
  it('lists a public and a private IPv4, and a public IPv6 with the ipv6 feature when IPv6 is enabled', async () => {
    const dual = sim.addDroplet({ name: 'dual' })
    const v4only = sim.addDroplet({ name: 'v4only', ipv6: false })
    const { body } = await call('GET', `/v2/droplets/${dual.id}`)
    expect(body.droplet.networks.v4).toEqual([
      expect.objectContaining({ ip_address: dual.publicIpv4, type: 'public' }),
      expect.objectContaining({ ip_address: dual.privateIpv4, type: 'private' })
    ])
    expect(body.droplet.networks.v6).toEqual([expect.objectContaining({ ip_address: dual.publicIpv6, type: 'public' })])
    expect(body.droplet.features).toContain('ipv6')
    const other = (await call('GET', `/v2/droplets/${v4only.id}`)).body.droplet
    expect(other.networks.v6).toEqual([])
    expect(other.features).not.toContain('ipv6')
    expect(v4only.publicIpv6).toBeNull()
    // Listed the same way, and every address is the droplet's own.
    const listed = (await call('GET', '/v2/droplets')).body.droplets
    expect(listed.map((d: any) => d.networks.v4[0].ip_address)).toEqual([dual.publicIpv4, v4only.publicIpv4])
    expect(new Set([dual.publicIpv4, dual.privateIpv4, v4only.publicIpv4, v4only.privateIpv4]).size).toBe(4)
  })

  it('gives droplets whose ids collide in the address formula addresses of their own', () => {
    const a = sim.addDroplet({ id: 1000, name: 'a' })
    const b = sim.addDroplet({ id: 1000 + 2 * 65_536, name: 'b' })
    expect(b.publicIpv4).not.toBe(a.publicIpv4)
    expect(b.privateIpv4).not.toBe(a.privateIpv4)
    expect(() => sim.addDroplet({ name: 'c', ipv6: 'yes' as unknown as boolean })).toThrow(/ipv6 must be true or false/)
  })
})

describe('what a droplet can hold', () => {
  it('answers 422 to a second reserved IPv4 for one droplet, naming the one it holds', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const held = sim.addIp({ version: 4, dropletId: d.id }).ip
    const other = sim.addIp({ version: 4 }).ip
    const refused = await call('POST', `/v2/reserved_ips/${other}/actions`, assignBody(d.id))
    expect(refused.status).toBe(422)
    expect(refused.body.message).toContain(held)
    expect(refused.body.message).not.toMatch(/pending|in progress|locked|busy/i)
    // Through the older name too, and by a create onto the droplet.
    expect((await call('POST', `/v2/floating_ips/${other}/actions`, assignBody(d.id))).status).toBe(422)
    expect((await call('POST', '/v2/reserved_ips', { droplet_id: d.id })).status).toBe(422)
    expect(sim.getIp(other)?.dropletId).toBeNull()
    // A reserved IPv6 beside it is fine: a dual-stack pair.
    const v6 = sim.addIp({ version: 6, region: 'nyc3' }).ip
    expect((await call('POST', `/v2/reserved_ipv6/${v6}/actions`, assignBody(d.id))).status).toBe(201)
  })

  it('counts a reserved IPv4 on its way to the droplet, and lets one in once the other has left', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const elsewhere = sim.addDroplet({ name: 'e' })
    const [a, b] = [sim.addIp({ version: 4 }).ip, sim.addIp({ version: 4 }).ip]
    sim.setActionDuration(Infinity)
    expect((await call('POST', `/v2/reserved_ips/${a}/actions`, assignBody(d.id))).status).toBe(201)
    expect((await call('POST', `/v2/reserved_ips/${b}/actions`, assignBody(d.id))).status).toBe(422)
    sim.finishActions()
    sim.setActionDuration(20)
    expect((await call('POST', `/v2/reserved_ips/${a}/actions`, assignBody(elsewhere.id))).status).toBe(201)
    await until(() => sim.getIp(a)?.dropletId === elsewhere.id)
    expect((await call('POST', `/v2/reserved_ips/${b}/actions`, assignBody(d.id))).status).toBe(201)
  })

  it('answers 422 to a reserved IPv6 for a droplet without IPv6', async () => {
    const d = sim.addDroplet({ name: 'v4only', ipv6: false })
    const v6 = sim.addIp({ version: 6, region: 'nyc3' }).ip
    const refused = await call('POST', `/v2/reserved_ipv6/${v6}/actions`, assignBody(d.id))
    expect(refused.status).toBe(422)
    expect(refused.body.message).toMatch(/IPv6 is not enabled/)
    expect(sim.getIp(v6)?.dropletId).toBeNull()
  })

  it('refuses the same states when a test sets them up directly', () => {
    const d = sim.addDroplet({ name: 'd' })
    const v4only = sim.addDroplet({ name: 'v4only', ipv6: false })
    sim.addIp({ version: 4, dropletId: d.id })
    expect(() => sim.addIp({ version: 4, dropletId: d.id })).toThrow(/already has a reserved IP/)
    const free = sim.addIp({ version: 4 }).ip
    expect(() => sim.assignNow(free, d.id)).toThrow(/already has a reserved IP/)
    expect(() => sim.addIp({ version: 6, region: 'nyc3', dropletId: v4only.id })).toThrow(/IPv6 is not enabled/)
    const v6 = sim.addIp({ version: 6, region: 'nyc3' }).ip
    expect(() => sim.assignNow(v6, v4only.id)).toThrow(/IPv6 is not enabled/)
  })
})

describe("the web service on a droplet's own addresses", () => {
  const get = async (hostForm: string) => {
    const res = await fetch(`${sim.serviceUrl}/${hostForm}/healthz`, { redirect: 'manual' })
    return { status: res.status, text: await res.text() }
  }

  it('answers each own address as that droplet, whoever holds the reserved addresses', async () => {
    const blue = sim.addDroplet({ name: 'blue', service: { build: 'old' } })
    const green = sim.addDroplet({ name: 'green', service: { healthy: false, build: 'new' } })
    sim.addIp({ version: 4, dropletId: blue.id })
    for (const address of [green.publicIpv4, green.privateIpv4, `[${green.publicIpv6}]`]) {
      expect(await get(address)).toEqual({ status: 503, text: `unhealthy build=new droplet=${green.id} name=green\n` })
    }
    expect((await get(blue.publicIpv4)).status).toBe(200)
    const own = sim.probeRequests({ target: 'droplet' })
    expect(own.map((p) => p.dropletId)).toEqual([green.id, green.id, green.id, blue.id])
    expect(sim.probeRequests({ target: 'reserved' })).toEqual([])
    expect((await get('198.18.250.250')).status).toBe(404)
  })

  it('takes no connection on a reserved IPv6 that the droplet has not configured, but answers on its own', async () => {
    const green = sim.addDroplet({ name: 'green', service: { ipv6Configured: false } })
    const v4 = sim.addIp({ version: 4, dropletId: green.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: green.id }).ip
    await expect(get(`[${v6}]`)).rejects.toThrow()
    expect(sim.probeRequests({ ip: v6 })[0]).toMatchObject({ status: 0, dropletId: green.id })
    expect((await get(v4)).status).toBe(200)
    expect((await get(`[${green.publicIpv6}]`)).status).toBe(200)
    expect(sim.service(green.id).ipv6Configured).toBe(false)
    expect(sim.setService(green.id, { ipv6Configured: true }).ipv6Configured).toBe(true)
    expect((await get(`[${v6}]`)).status).toBe(200)
  })

  it('tells an onProbe hook of each probe before answering it, so that a change it makes shows in that answer', async () => {
    const green = sim.addDroplet({ name: 'green' })
    const seen: string[] = []
    const stop = sim.onProbe((p) => {
      seen.push(p.ip)
      if (seen.length === 2) sim.setService(green.id, { status: 500 })
    })
    expect((await get(green.publicIpv4)).status).toBe(200)
    expect((await get(green.publicIpv4)).status).toBe(500)
    stop()
    expect((await get(green.privateIpv4)).status).toBe(500)
    expect(seen).toEqual([green.publicIpv4, green.publicIpv4])
  })
})
