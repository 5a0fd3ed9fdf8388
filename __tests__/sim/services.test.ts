/** The simulator's stand-in for the droplets' web service behind each reserved IP, through real HTTP. */
import { describe, expect, it } from '@jest/globals'
import { startSimulator, type SimDroplet, type Simulator } from '../../sim/simulator.js'
import { simulatorStartedByTest } from '../helpers/simulator.js'

const TOKEN = 'sim-token'
/** Long enough that a test never sees it elapse: routing switches only through routeNow. */
const NEVER_MS = 600_000

interface Reply {
  status: number
  text: string
  headers: Headers
}

let blue: SimDroplet
let green: SimDroplet

const start = simulatorStartedByTest({ actionDurationMs: 20, routingDelayMs: NEVER_MS }, (s) => {
  blue = s.addDroplet({ name: 'blue-1', service: { build: 'build-blue' } })
  green = s.addDroplet({ name: 'green-1', service: { build: 'build-green' } })
})

/** GET (or another method) of the verify URL for an address as written in a URL host. */
async function probe(s: Simulator, hostForm: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(s.verifyUrl.replace('{ip}', hostForm), { redirect: 'manual', ...init })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Sends an assign or unassign through the API and waits until the simulator shows the action ended. */
async function act(s: Simulator, ip: string, body: { type: 'assign'; droplet_id: number } | { type: 'unassign' }) {
  const family = ip.includes(':') ? 'reserved_ipv6' : 'reserved_ips'
  const res = await fetch(`${s.url}/v2/${family}/${ip}/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  expect(res.status).toBe(201)
  const { action } = (await res.json()) as { action: { id: number } }
  const ended = () => s.actions().find((a) => a.id === action.id)?.completedAt ?? null
  await until(() => ended() !== null)
  return { id: action.id, completedAt: ended() as number }
}

describe('URLs', () => {
  it('serves on its own loopback port with a verify_url template', async () => {
    const s = await start()
    expect(s.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(s.serviceUrl).not.toBe(s.url)
    expect(s.verifyUrl).toBe(`${s.serviceUrl}/{ip}/healthz`)
  })
})

describe('answers', () => {
  it('answers as the holding droplet: 200 text naming build and droplet', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    const reply = await probe(s, ip)
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(reply.text.trim()).toBe(`ok build=build-blue droplet=${blue.id} name=blue-1`)
    expect(s.probes).toEqual([expect.objectContaining({ ip, path: '/healthz', method: 'GET', status: 200 })])
    expect(s.probes[0].dropletId).toBe(blue.id)
  })

  it('accepts IPv6 bracketed, with percent-encoded brackets and in any textual form', async () => {
    const s = await start()
    const ip = s.addIp({ ip: '2001:db8::10', dropletId: green.id }).ip
    for (const form of ['[2001:db8::10]', '%5B2001:db8::10%5D', '%5b2001:DB8:0:0::10%5d', '2001:db8::10']) {
      const reply = await probe(s, form)
      expect([form, reply.status, reply.text]).toEqual([form, 200, expect.stringContaining('build=build-green')])
    }
    expect(s.probeRequests({ ip: '2001:DB8::0:10' }).map((p) => p.ip)).toEqual(new Array(4).fill(ip))
  })

  it('answers 502 for a reserved IP held by no droplet, 404 for an unreserved one, 400 for no address', async () => {
    const s = await start()
    const free = s.addIp({}).ip
    expect(await probe(s, free)).toMatchObject({ status: 502, text: `no droplet holds ${free}\n` })
    expect((await probe(s, '192.0.2.77')).status).toBe(404)
    expect((await probe(s, '[2001:db8::99]')).status).toBe(404)
    expect((await probe(s, 'web.example')).status).toBe(400)
    expect((await probe(s, '[203.0.113.10]')).status).toBe(400)
    expect(s.probes.map((p) => [p.status, p.dropletId])).toEqual([
      [502, null],
      [404, null],
      [404, null],
      [400, null],
      [400, null]
    ])
  })

  it('answers any path under the address, recording it with its query', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    const res = await fetch(`${s.serviceUrl}/${ip}/version?x=1`)
    expect(res.status).toBe(200)
    await res.text()
    expect(s.probes[0].path).toBe('/version?x=1')
  })

  it('answers 503 naming the build when unhealthy, and a set status instead of either', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    expect(s.setService(blue.id, { healthy: false })).toMatchObject({ healthy: false, build: 'build-blue' })
    expect(await probe(s, ip)).toMatchObject({ status: 503, text: expect.stringContaining('build=build-blue') })
    s.setService(blue.id, { status: 500 })
    expect(await probe(s, ip)).toMatchObject({
      status: 500,
      text: expect.stringMatching(/^status=500 build=build-blue /)
    })
    s.setService(blue.id, { status: null, healthy: true, build: 'abc123' })
    expect(await probe(s, ip)).toMatchObject({ status: 200, text: expect.stringContaining('build=abc123') })
    s.setService(blue.id, { build: null })
    expect(s.service(blue.id).build).toBe('build-blue-1')
  })

  it('answers 302 with the Location when redirecting, and requests nothing itself', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    const target = `${s.serviceUrl}/other/healthz`
    s.setService(blue.id, { redirect: target })
    const reply = await probe(s, ip)
    expect(reply.status).toBe(302)
    expect(reply.headers.get('location')).toBe(target)
    expect(reply.text).not.toContain('build-blue')
    expect(s.probes).toHaveLength(1)
  })

  it('answers HEAD without a body and other methods 405', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    expect(await probe(s, ip, { method: 'HEAD' })).toMatchObject({ status: 200, text: '' })
    const post = await probe(s, ip, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    expect(s.probeRequests({ method: 'post' })).toHaveLength(1)
  })
})

describe('hang', () => {
  it('never answers, records status 0, and the client time limit ends the wait', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    s.setService(blue.id, { hang: true })
    const outcome = await probe(s, ip, { signal: AbortSignal.timeout(150) }).then(
      () => 'answered',
      (error: Error) => error.name
    )
    expect(outcome).toBe('TimeoutError')
    expect(s.probes).toEqual([expect.objectContaining({ status: 0, dropletId: blue.id })])
  })

  it('close() destroys hung connections', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    s.setService(blue.id, { hang: true })
    const pending = probe(s, ip).then(
      () => 'answered',
      () => 'failed'
    )
    await until(() => s.probes.length === 1)
    await s.close()
    expect(await pending).toBe('failed')
  })
})

describe('routing lags the API', () => {
  it('routes to the old holder after an assign completes until the switch, then to the new one', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    const { completedAt } = await act(s, ip, { type: 'assign', droplet_id: green.id })
    expect(s.getIp(ip)?.dropletId).toBe(green.id)
    expect((await probe(s, ip)).text).toContain('build=build-blue')
    const routing = s.routing(ip)
    expect(routing).toMatchObject({ ip, dropletId: blue.id, holder: green.id })
    expect(routing?.pending).toHaveLength(1)
    expect(routing?.pending[0].dropletId).toBe(green.id)
    expect(routing?.pending[0].at).toBeCloseTo(completedAt + NEVER_MS, -2)
    s.routeNow(ip)
    expect(s.routing(ip)).toEqual({ ip, dropletId: green.id, holder: green.id, pending: [] })
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })

  it('keeps routing to the holder while an action is in progress, even through routeNow', async () => {
    const s = await start({ actionDurationMs: NEVER_MS })
    const ip = s.addIp({ dropletId: blue.id }).ip
    const res = await fetch(`${s.url}/v2/reserved_ips/${ip}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'assign', droplet_id: green.id })
    })
    expect(res.status).toBe(201)
    await res.text()
    s.routeNow()
    expect((await probe(s, ip)).text).toContain('build=build-blue')
  })

  it('routes an unassigned IPv6 to no droplet only after the switch', async () => {
    const s = await start()
    const ip = s.addIp({ version: 6, dropletId: green.id }).ip
    await act(s, ip, { type: 'unassign' })
    expect((await probe(s, `[${ip}]`)).status).toBe(200)
    s.routeNow(ip)
    expect((await probe(s, `[${ip}]`)).status).toBe(502)
  })

  it('lags assignNow as it lags API actions', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    s.assignNow(ip, green.id)
    expect((await probe(s, ip)).text).toContain('build=build-blue')
    s.routeNow()
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })

  it('switches as soon as the action completes with routingDelayMs 0', async () => {
    const s = await start({ routingDelayMs: 0 })
    const ip = s.addIp({ dropletId: blue.id }).ip
    await act(s, ip, { type: 'assign', droplet_id: green.id })
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })

  it('switches on its own once the delay has passed', async () => {
    const s = await start({ routingDelayMs: 30 })
    expect(s.routingDelayMs).toBe(30)
    const ip = s.addIp({ dropletId: blue.id }).ip
    await act(s, ip, { type: 'assign', droplet_id: green.id })
    await until(() => s.routing(ip)?.dropletId === green.id)
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })

  it('applies setRoutingDelay to changes from then on', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    s.setRoutingDelay(0)
    await act(s, ip, { type: 'assign', droplet_id: green.id })
    expect((await probe(s, ip)).text).toContain('build=build-green')
    s.setRoutingDelay(NEVER_MS)
    await act(s, ip, { type: 'assign', droplet_id: blue.id })
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })

  it('routes an address added or re-added directly to its droplet at once', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    s.assignNow(ip, null)
    expect(s.removeIp(ip)).toBe(true)
    s.addIp({ ip, dropletId: green.id })
    expect((await probe(s, ip)).text).toContain('build=build-green')
  })
})

describe('probe records', () => {
  it('records each request with lower-case header names', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue.id }).ip
    await probe(s, ip, { headers: { 'User-Agent': 'probe-test', 'X-Trace': 'abc' } })
    await probe(s, ip, { headers: { Authorization: 'Bearer leaked' } })
    expect(s.probes).toHaveLength(2)
    expect(s.probes[0].headers).toMatchObject({ 'user-agent': 'probe-test', 'x-trace': 'abc' })
    expect(s.probes[0].headers.authorization).toBeUndefined()
    expect(s.probes[1].headers.authorization).toBe('Bearer leaked')
    expect(s.probes[0].at).toBeLessThanOrEqual(s.probes[1].at)
  })

  it('are not API requests: not in requests or stats, not rate-limited, not validated', async () => {
    const s = await start({ rateLimit: { perMinute: 1 } })
    const ip = s.addIp({ dropletId: blue.id }).ip
    for (let i = 0; i < 3; i++) expect((await probe(s, ip)).status).toBe(200)
    await probe(s, '192.0.2.1', { method: 'DELETE' })
    expect(s.requests).toHaveLength(0)
    expect(s.stats()).toMatchObject({ requests: 0, rateLimited: 0 })
    const res = await fetch(`${s.url}/v2/reserved_ips/${ip}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    await res.text()
    expect(s.requests).toHaveLength(1)
    expect(s.probes).toHaveLength(4)
  })
})

describe('bad input', () => {
  it('names the option or field in its error', async () => {
    await expect(startSimulator({ routingDelayMs: -1 })).rejects.toThrow(/routingDelayMs/)
    const s = await start()
    expect(() => s.setRoutingDelay(Number.NaN)).toThrow(/setRoutingDelay: routingDelayMs/)
    expect(() => s.setService(blue.id, { status: 99 })).toThrow(/setService: status/)
    expect(() => s.setService(blue.id, { healthy: 'no' as unknown as boolean })).toThrow(/setService: healthy/)
    expect(() => s.setService(blue.id, { colour: 'red' } as never)).toThrow(/unknown service field 'colour'/)
    expect(() => s.setService(9999, {})).toThrow(/droplet 9999 does not exist/)
    expect(() => s.addDroplet({ name: 'x', service: { build: '' } })).toThrow(/addDroplet: build/)
    expect(s.droplets().map((d) => d.name)).toEqual(['blue-1', 'green-1'])
    expect(() => s.routeNow('192.0.2.1')).toThrow(/routeNow: 192.0.2.1 is not reserved/)
    expect(s.routing('192.0.2.1')).toBeUndefined()
  })
})
