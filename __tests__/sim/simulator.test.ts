/** The DigitalOcean API simulator itself: state, actions, faults, rate limiting and OpenAPI checks. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { createValidator } from '../../sim/openapi.js'

const TOKEN = 'sim-token'
const DURATION = 50

interface Answer {
  status: number
  body: any
  headers: Headers
}

let sim: Simulator
/** Set by tests that send invalid requests on purpose; otherwise every test must leave no OpenAPI problem. */
let violationsExpected: boolean

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function call(
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; signal?: AbortSignal } = {}
): Promise<Answer> {
  const headers: Record<string, string> = {}
  const token = options.token === undefined ? TOKEN : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {})
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(10)
  }
}

beforeEach(async () => {
  violationsExpected = false
  sim = await startSimulator({ actionDurationMs: DURATION })
})

afterEach(async () => {
  if (!violationsExpected) expect(sim.violations).toEqual([])
  await sim.close()
})

async function restart(options: Parameters<typeof startSimulator>[0]): Promise<void> {
  await sim.close()
  sim = await startSimulator({ actionDurationMs: DURATION, ...options })
}

describe('authentication', () => {
  it('answers 401 without the right bearer token and never records the token', async () => {
    const missing = await call('GET', '/v2/reserved_ips', undefined, { token: null })
    expect(missing.status).toBe(401)
    expect(missing.body).toMatchObject({ id: 'unauthorized', message: 'Unable to authenticate you' })
    const wrong = await call('GET', '/v2/reserved_ips', undefined, { token: 'not-it' })
    expect(wrong.status).toBe(401)
    const right = await call('GET', '/v2/reserved_ips')
    expect(right.status).toBe(200)
    expect(sim.requests.map((r) => r.authorization)).toEqual([false, false, true])
    expect(JSON.stringify(sim.requests)).not.toContain(TOKEN)
  })

  it('accepts a custom token', async () => {
    await restart({ token: 'other' })
    expect((await call('GET', '/v2/reserved_ips')).status).toBe(401)
    expect((await call('GET', '/v2/reserved_ips', undefined, { token: 'other' })).status).toBe(200)
  })

  it('puts the request id in the body and the x-request-id header, and the rate headers on every answer', async () => {
    const res = await call('GET', '/v2/reserved_ips/203.0.113.250')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ id: 'not_found', message: expect.any(String), request_id: expect.any(String) })
    expect(res.headers.get('x-request-id')).toBe(res.body.request_id)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    for (const h of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
      expect(Number(res.headers.get(h))).toBeGreaterThan(0)
  })
})

describe('reserved IPv4', () => {
  it('reserves an address in a region, with a project, and reads it back', async () => {
    const projectId = '746c6152-2fa2-11ed-92d3-27aaa54e4988'
    const created = await call('POST', '/v2/reserved_ips', { region: 'sfo3', project_id: projectId })
    expect(created.status).toBe(202)
    const ip = created.body.reserved_ip.ip as string
    expect(created.body).toMatchObject({
      reserved_ip: { droplet: null, locked: false, project_id: projectId, region: { slug: 'sfo3' } },
      links: {}
    })
    expect(sim.getIp(ip)).toEqual({ ip, version: 4, region: 'sfo3', dropletId: null, locked: false, projectId })

    const read = await call('GET', `/v2/reserved_ips/${ip}`)
    expect(read.status).toBe(200)
    expect(read.body.reserved_ip).toMatchObject({
      ip,
      droplet: null,
      locked: false,
      region: { slug: 'sfo3', available: true }
    })
  })

  it('reserves straight onto a droplet: locked, with an assign_ip action that assigns it', async () => {
    sim.setActionDuration(Infinity)
    const d = sim.addDroplet({ name: 'web-1', region: 'ams3' })
    const created = await call('POST', '/v2/reserved_ips', { droplet_id: d.id })
    expect(created.status).toBe(202)
    const ip = created.body.reserved_ip.ip as string
    expect(created.body.reserved_ip).toMatchObject({ droplet: null, locked: true, region: { slug: 'ams3' } })
    const link = created.body.links.actions[0]
    expect(link).toEqual({ id: expect.any(Number), rel: 'assign_ip', href: `${sim.url}/v2/actions/${link.id}` })
    expect(created.body.links.droplets[0]).toMatchObject({ id: d.id, rel: 'droplet' })
    expect(sim.getIp(ip)).toMatchObject({ dropletId: null, locked: true })
    expect(sim.finishActions(link.id)).toBe(1)
    expect(sim.getIp(ip)).toMatchObject({ dropletId: d.id, locked: false })
    const read = await call('GET', `/v2/reserved_ips/${ip}`)
    expect(read.body.reserved_ip.droplet).toMatchObject({
      id: d.id,
      name: 'web-1',
      status: 'active',
      region: { slug: 'ams3' }
    })
  })

  it('refuses to reserve onto an unknown droplet', async () => {
    const res = await call('POST', '/v2/reserved_ips', { droplet_id: 4242 })
    expect(res.status).toBe(422)
    expect(sim.ips()).toHaveLength(0)
  })

  it('lists 450 addresses in three pages of 200 with next links', async () => {
    for (let i = 0; i < 450; i++) sim.addIp({ version: 4 })
    sim.addIp({ version: 6 })
    const seen = new Set<string>()
    let path: string | undefined = '/v2/reserved_ips?per_page=200'
    const pageSizes: number[] = []
    while (path) {
      const res = await call('GET', path)
      expect(res.status).toBe(200)
      expect(res.body.meta.total).toBe(450)
      pageSizes.push(res.body.reserved_ips.length)
      for (const e of res.body.reserved_ips) seen.add(e.ip)
      const next: string | undefined = res.body.links.pages?.next
      if (next) expect(next.startsWith(`${sim.url}/v2/reserved_ips?`)).toBe(true)
      path = next ? next.slice(sim.url.length) : undefined
    }
    expect(pageSizes).toEqual([200, 200, 50])
    expect(seen.size).toBe(450)
    const last = await call('GET', '/v2/reserved_ips?page=3&per_page=200')
    expect(last.body.links.pages).toEqual({
      first: `${sim.url}/v2/reserved_ips?page=1&per_page=200`,
      prev: `${sim.url}/v2/reserved_ips?page=2&per_page=200`
    })
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ips' })).toBe(4)
  })

  it('pages by 20 by default and gives no page links for a single page', async () => {
    for (let i = 0; i < 25; i++) sim.addIp({ version: 4 })
    const first = await call('GET', '/v2/reserved_ips')
    expect(first.body.reserved_ips).toHaveLength(20)
    expect(first.body.links.pages.next).toContain('page=2')
    const all = await call('GET', '/v2/reserved_ips?per_page=50')
    expect(all.body.reserved_ips).toHaveLength(25)
    expect(all.body.links).toEqual({})
  })

  it('allocates 20,000 distinct valid addresses', () => {
    const v4 = new Set<string>()
    for (let i = 0; i < 20_000; i++) v4.add(sim.addIp({ version: 4 }).ip)
    expect(v4.size).toBe(20_000)
    const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
    const valid = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`)
    expect([...v4].filter((ip) => !valid.test(ip))).toEqual([])
  })

  it('serves the same addresses under the older floating_ips name', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const list = await call('GET', '/v2/floating_ips')
    expect(list.body.floating_ips.map((e: { ip: string }) => e.ip)).toEqual([ip])
    expect((await call('GET', `/v2/floating_ips/${ip}`)).body.floating_ip.ip).toBe(ip)
    const created = await call('POST', '/v2/floating_ips', { region: 'nyc3' })
    expect(created.status).toBe(202)
    expect(sim.getIp(created.body.floating_ip.ip)).toBeDefined()
    expect((await call('DELETE', `/v2/floating_ips/${ip}`)).status).toBe(204)
    expect(sim.getIp(ip)).toBeUndefined()
  })

  it('deletes a free address, and also an assigned one as DigitalOcean does', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const free = sim.addIp({ version: 4 }).ip
    const held = sim.addIp({ version: 4, dropletId: d.id }).ip
    const res = await call('DELETE', `/v2/reserved_ips/${free}`)
    expect(res.status).toBe(204)
    expect(res.body).toBeUndefined()
    expect((await call('DELETE', `/v2/reserved_ips/${held}`)).status).toBe(204)
    expect(sim.ips()).toEqual([])
    expect((await call('DELETE', `/v2/reserved_ips/${free}`)).status).toBe(404)
  })

  it('enforces the quota per family', async () => {
    await restart({ maxIps: 1 })
    sim.addIp({ version: 4 })
    const res = await call('POST', '/v2/reserved_ips', { region: 'nyc3' })
    expect(res.status).toBe(422)
    expect(res.body.message).toMatch(/^You have reached the limit of reserved IPs/)
    expect(sim.ips()).toHaveLength(1)
    expect((await call('POST', '/v2/reserved_ipv6', { region_slug: 'nyc3' })).status).toBe(201)
  })
})

describe('actions', () => {
  it('assigns when the action ends; the IP is locked meanwhile', async () => {
    sim.setActionDuration(Infinity)
    const blue = sim.addDroplet({ name: 'blue-1', tags: ['blue'] })
    const green = sim.addDroplet({ name: 'green-1', tags: ['green'] })
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const started = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green.id })
    expect(started.status).toBe(201)
    const action = started.body.action
    expect(action).toMatchObject({
      status: 'in-progress',
      type: 'assign_ip',
      completed_at: null,
      resource_type: 'reserved_ip',
      region_slug: 'nyc3'
    })
    expect(sim.getIp(ip)).toMatchObject({ dropletId: blue.id, locked: true })
    expect((await call('GET', `/v2/reserved_ips/${ip}`)).body.reserved_ip.locked).toBe(true)
    expect((await call('GET', `/v2/actions/${action.id}`)).body.action.status).toBe('in-progress')

    expect(sim.finishActions()).toBe(1)
    const done = await call('GET', `/v2/actions/${action.id}`)
    expect(done.body.action).toMatchObject({ id: action.id, status: 'completed', completed_at: expect.any(String) })
    expect(sim.getIp(ip)).toMatchObject({ dropletId: green.id, locked: false })
    const read = await call('GET', `/v2/reserved_ips/${ip}`)
    expect(read.body.reserved_ip).toMatchObject({ locked: false, droplet: { id: green.id } })
    expect(sim.actions()).toEqual([
      expect.objectContaining({
        id: action.id,
        type: 'assign_ip',
        status: 'completed',
        ip,
        dropletId: green.id,
        resourceType: 'reserved_ip'
      })
    ])

    const perIp = await call('GET', `/v2/reserved_ips/${ip}/actions`)
    expect(perIp.body.actions.map((a: { id: number }) => a.id)).toEqual([action.id])
    expect((await call('GET', `/v2/reserved_ips/${ip}/actions/${action.id}`)).body.action.status).toBe('completed')
    expect(sim.stats().polls).toBe(2)
  })

  it('applies a finished action even when nobody asks', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4, dropletId: d.id }).ip
    const started = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'unassign' })
    expect(started.body.action.type).toBe('unassign_ip')
    await sleep(DURATION + 30)
    const [action] = sim.actions()
    expect(action).toMatchObject({ status: 'completed', completedAt: expect.any(Number) })
    expect(action!.completedAt! - action!.startedAt).toBeGreaterThanOrEqual(DURATION - 1)
    expect(action!.startedAt).toBeGreaterThanOrEqual(sim.requests[0]!.at)
    expect(sim.getIp(ip)?.dropletId).toBeNull()
  })

  it('answers 422 pending event on a locked IP, a busy droplet, and a delete of a locked IP', async () => {
    const a = sim.addDroplet({ name: 'a' })
    const b = sim.addDroplet({ name: 'b' })
    const ip = sim.addIp({ version: 4, dropletId: a.id }).ip
    sim.lock(ip, Infinity)
    expect(sim.getIp(ip)?.locked).toBe(true)
    const refused = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: b.id })
    expect(refused.status).toBe(422)
    expect(refused.body).toMatchObject({ id: 'unprocessable_entity', message: expect.stringMatching(/pending event/) })
    expect((await call('DELETE', `/v2/reserved_ips/${ip}`)).status).toBe(422)
    sim.unlock(ip)
    expect(sim.getIp(ip)?.locked).toBe(false)

    sim.setDropletBusy(b.id, Infinity)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: b.id })).status).toBe(
      422
    )
    sim.setDropletIdle(b.id)
    sim.setActionDuration(Infinity)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: b.id })).status).toBe(
      201
    )
    // While that action runs, the IP is busy; the droplet can take another address (a dual-stack pair).
    const other = sim.addIp({ version: 6, region: 'nyc3' }).ip
    expect(
      (await call('POST', `/v2/reserved_ipv6/${other}/actions`, { type: 'assign', droplet_id: b.id })).status
    ).toBe(201)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'unassign' })).status).toBe(422)
    expect(sim.getIp(ip)?.dropletId).toBe(a.id)
  })

  it('ends a lock and a busy droplet by themselves when their time has passed', async () => {
    const a = sim.addDroplet({ name: 'a' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.lock(ip, DURATION)
    sim.setDropletBusy(a.id, DURATION)
    await sleep(DURATION + 30)
    expect(sim.getIp(ip)?.locked).toBe(false)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: a.id })).status).toBe(
      201
    )
    expect(() => sim.unlock('198.51.100.250')).toThrow(/not reserved/)
    expect(() => sim.setDropletIdle(424242)).toThrow(/does not exist/)
  })

  it('refuses a droplet in another region, an unknown droplet or IP, and unassigning a free IP', async () => {
    const far = sim.addDroplet({ name: 'far', region: 'sfo3' })
    const ip = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const region = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: far.id })
    expect(region.status).toBe(422)
    expect(region.body.message).toMatch(/region/)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: 999_999 })).status).toBe(
      422
    )
    expect((await call('POST', '/v2/reserved_ips/198.51.100.200/actions', { type: 'unassign' })).status).toBe(404)
    const free = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'unassign' })
    expect(free.status).toBe(422)
    expect(free.body.message).toMatch(/not assigned/)
    expect(sim.actions()).toEqual([])
    expect(sim.getIp(ip)).toMatchObject({ dropletId: null, locked: false })
  })

  it('ends actions as setActionOutcome says: errored changes nothing', async () => {
    const a = sim.addDroplet({ name: 'a' })
    const b = sim.addDroplet({ name: 'b' })
    const ip = sim.addIp({ version: 4, dropletId: a.id }).ip
    sim.setActionOutcome(() => 'errored')
    const { body } = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: b.id })
    await sleep(DURATION + 30)
    const read = await call('GET', `/v2/actions/${body.action.id}`)
    expect(read.body.action).toMatchObject({ status: 'errored', completed_at: expect.any(String) })
    expect(sim.getIp(ip)).toMatchObject({ dropletId: a.id, locked: false })
  })

  it("'done' reports an undocumented status and applies the change", async () => {
    const a = sim.addDroplet({ name: 'a' })
    const ip = sim.addIp({ version: 6 }).ip
    sim.setActionOutcome(() => 'done')
    const { body } = await call('POST', `/v2/reserved_ipv6/${ip}/actions`, { type: 'assign', droplet_id: a.id })
    await sleep(DURATION + 30)
    expect((await call('GET', `/v2/actions/${body.action.id}`)).body.action.status).toBe('done')
    expect(sim.getIp(ip)?.dropletId).toBe(a.id)
  })

  it("'missing' makes the action unreadable but still applies the change", async () => {
    const a = sim.addDroplet({ name: 'a' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.setActionOutcome((action) => (action.type === 'assign_ip' ? 'missing' : 'completed'))
    const { body } = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: a.id })
    expect((await call('GET', `/v2/actions/${body.action.id}`)).status).toBe(404)
    await sleep(DURATION + 30)
    expect((await call('GET', `/v2/actions/${body.action.id}`)).status).toBe(404)
    expect(sim.getIp(ip)?.dropletId).toBe(a.id)
    sim.setActionOutcome(undefined)
    const { body: next } = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'unassign' })
    expect((await call('GET', `/v2/actions/${next.action.id}`)).status).toBe(200)
  })

  it('takes its duration from a function', async () => {
    sim.setActionDuration((action) => (action.type === 'unassign_ip' ? 0 : 10_000))
    const a = sim.addDroplet({ name: 'a' })
    const ip = sim.addIp({ version: 4, dropletId: a.id }).ip
    await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'unassign' })
    await sleep(20)
    expect(sim.getIp(ip)?.dropletId).toBeNull()
  })

  it('holds actions with duration Infinity until finishActions ends them, each with its outcome', async () => {
    sim.setActionDuration(Infinity)
    sim.setActionOutcome((action) => (action.type === 'unassign_ip' ? 'errored' : 'completed'))
    const a = sim.addDroplet({ name: 'a' })
    const b = sim.addDroplet({ name: 'b' })
    const first = sim.addIp({ version: 4, dropletId: a.id }).ip
    const second = sim.addIp({ version: 6 }).ip
    const unassign = (await call('POST', `/v2/reserved_ips/${first}/actions`, { type: 'unassign' })).body.action
    const assign = (await call('POST', `/v2/reserved_ipv6/${second}/actions`, { type: 'assign', droplet_id: b.id }))
      .body.action
    expect(sim.finishActions(assign.id)).toBe(1)
    expect(sim.getIp(second)).toMatchObject({ dropletId: b.id, locked: false })
    expect(sim.getIp(first)).toMatchObject({ dropletId: a.id, locked: true })
    expect((await call('GET', `/v2/actions/${unassign.id}`)).body.action.status).toBe('in-progress')
    expect(sim.finishActions()).toBe(1)
    expect(sim.finishActions()).toBe(0)
    const read = await call('GET', `/v2/actions/${unassign.id}`)
    expect(read.body.action).toMatchObject({ status: 'errored', completed_at: expect.any(String) })
    expect(sim.getIp(first)).toMatchObject({ dropletId: a.id, locked: false })
    for (const action of sim.actions()) expect(action.completedAt).toBeGreaterThanOrEqual(action.startedAt)
  })
})

describe('reserved IPv6', () => {
  it('reserves, reads in any textual form, assigns and lists', async () => {
    sim.setActionDuration(Infinity)
    const d = sim.addDroplet({ name: 'v6', region: 'fra1' })
    const created = await call('POST', '/v2/reserved_ipv6', { region_slug: 'fra1' })
    expect(created.status).toBe(201)
    const ip = created.body.reserved_ipv6.ip as string
    expect(created.body.reserved_ipv6).toEqual({
      ip,
      region_slug: 'fra1',
      reserved_at: expect.any(String),
      droplet: null
    })
    expect(ip).toBe(ip.toLowerCase())

    const loud = await call('GET', `/v2/reserved_ipv6/${ip.toUpperCase()}`)
    expect(loud.status).toBe(200)
    expect(loud.body.reserved_ipv6.ip).toBe(ip)
    expect(loud.body.reserved_ipv6).not.toHaveProperty('locked')
    expect((await call('GET', `/v2/reserved_ipv6/${encodeURIComponent(ip)}`)).status).toBe(200)

    const started = await call('POST', `/v2/reserved_ipv6/${ip}/actions`, { type: 'assign', droplet_id: d.id })
    expect(started.body.action).toMatchObject({
      type: 'assign_ip',
      resource_type: 'reserved_ipv6',
      status: 'in-progress'
    })
    expect(sim.getIp(ip.toUpperCase())?.locked).toBe(true)
    expect(sim.finishActions()).toBe(1)
    const read = await call('GET', `/v2/reserved_ipv6/${ip}`)
    expect(read.body.reserved_ipv6.droplet).toMatchObject({ id: d.id })

    const list = await call('GET', '/v2/reserved_ipv6')
    expect(list.body).toMatchObject({ reserved_ipv6s: [{ ip, droplet: { id: d.id } }], meta: { total: 1 }, links: {} })
    expect((await call('DELETE', `/v2/reserved_ipv6/${ip}`)).status).toBe(204)
    expect(sim.ips()).toEqual([])
  })

  it('answers the bare object with ipv6WithoutWrapper', async () => {
    await restart({ ipv6WithoutWrapper: true })
    const ip = sim.addIp({ version: 6 }).ip
    const res = await call('GET', `/v2/reserved_ipv6/${ip}`)
    expect(res.body).toEqual({ ip, region_slug: 'nyc3', reserved_at: expect.any(String), droplet: null })
  })

  it('answers 404 for a fresh address during readLagMs', async () => {
    await restart({ readLagMs: 60_000 })
    const created = await call('POST', '/v2/reserved_ipv6', { region_slug: 'nyc3' })
    const ip = created.body.reserved_ipv6.ip as string
    expect((await call('GET', `/v2/reserved_ipv6/${ip}`)).status).toBe(404)
    const v4 = (await call('POST', '/v2/reserved_ips', { region: 'nyc3' })).body.reserved_ip.ip as string
    expect((await call('GET', `/v2/reserved_ips/${v4}`)).status).toBe(404)
    expect(sim.addIp({ version: 4 }).ip).toBeDefined()
    expect((await call('GET', `/v2/reserved_ips/${sim.ips().at(-1)!.ip}`)).status).toBe(200) // not made through the API
  })

  it('answers 200 once readLagMs has passed', async () => {
    await restart({ readLagMs: DURATION })
    const ip = (await call('POST', '/v2/reserved_ipv6', { region_slug: 'nyc3' })).body.reserved_ipv6.ip as string
    const v4 = (await call('POST', '/v2/reserved_ips', { region: 'nyc3' })).body.reserved_ip.ip as string
    await sleep(DURATION + 30)
    expect((await call('GET', `/v2/reserved_ipv6/${ip}`)).status).toBe(200)
    expect((await call('GET', `/v2/reserved_ips/${v4}`)).status).toBe(200)
  })
})

describe('state changes from outside', () => {
  it('runs onRequest hooks before answering, so assignNow and removeIp show in the answer', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const racing = sim.addIp({ version: 4 }).ip
    const vanishing = sim.addIp({ version: 6 }).ip
    const seen: string[] = []
    const off = sim.onRequest((req) => {
      seen.push(`${req.method} ${req.path}`)
      if (req.path === `/v2/reserved_ips/${racing}`) sim.assignNow(racing, d.id)
      if (req.path === `/v2/reserved_ipv6/${vanishing}`) expect(sim.removeIp(vanishing)).toBe(true)
    })
    expect((await call('GET', `/v2/reserved_ips/${racing}`)).body.reserved_ip.droplet.id).toBe(d.id)
    expect((await call('GET', `/v2/reserved_ipv6/${vanishing}`)).status).toBe(404)
    off()
    await call('GET', '/v2/reserved_ips')
    expect(seen).toEqual([`GET /v2/reserved_ips/${racing}`, `GET /v2/reserved_ipv6/${vanishing}`])
    expect(sim.assignNow(racing, null).dropletId).toBeNull()
    expect(sim.removeIp(vanishing)).toBe(false)
    expect(() => sim.assignNow(racing, 424242)).toThrow(/does not exist/)
  })
})

describe('droplets', () => {
  it('looks droplets up by name (any case), tag and id', async () => {
    const blue = sim.addDroplet({ name: 'blue-1', tags: ['blue', 'web'] })
    sim.addDroplet({ name: 'green-1', tags: ['green', 'web'] })
    expect(blue.id).toBe(1000)
    const byName = await call('GET', '/v2/droplets?name=BLUE-1')
    expect(byName.body.droplets.map((d: { id: number }) => d.id)).toEqual([blue.id])
    const byTag = await call('GET', '/v2/droplets?tag_name=web&per_page=1')
    expect(byTag.body.meta.total).toBe(2)
    expect(byTag.body.links.pages.next).toContain('tag_name=web')
    const one = await call('GET', `/v2/droplets/${blue.id}`)
    expect(one.body.droplet).toMatchObject({
      id: blue.id,
      name: 'blue-1',
      tags: ['blue', 'web'],
      region: { slug: 'nyc3' }
    })
    expect((await call('GET', '/v2/droplets/77777')).status).toBe(404)
  })
})

describe('faults', () => {
  it("'status' answers the error without applying the request, for the given number of times", async () => {
    sim.inject({ kind: 'status', status: 503, method: 'POST', path: '/v2/reserved_ips', times: 2 })
    const first = await call('POST', '/v2/reserved_ips', { region: 'nyc3' })
    expect(first.status).toBe(503)
    expect(first.body).toMatchObject({
      id: expect.any(String),
      message: expect.any(String),
      request_id: expect.any(String)
    })
    expect((await call('GET', '/v2/reserved_ips')).status).toBe(200) // another method: not matched
    expect((await call('POST', '/v2/reserved_ips', { region: 'nyc3' })).status).toBe(503)
    expect(sim.ips()).toHaveLength(0)
    expect((await call('POST', '/v2/reserved_ips', { region: 'nyc3' })).status).toBe(202)
    expect(sim.ips()).toHaveLength(1)
  })

  it("'status' takes extra headers, and clearFaults empties the queue", async () => {
    sim.inject({ kind: 'status', status: 500, headers: { 'x-extra': 'yes' } })
    const res = await call('GET', '/v2/reserved_ips')
    expect(res.status).toBe(500)
    expect(res.headers.get('x-extra')).toBe('yes')
    sim.inject({ kind: 'status', status: 502, path: /^\/v2\/droplets/ })
    sim.clearFaults()
    expect((await call('GET', '/v2/droplets')).status).toBe(200)
  })

  it("'rate-limit' answers 429 with the rate headers", async () => {
    sim.inject({ kind: 'rate-limit', resetInMs: 3000, retryAfter: 2 })
    const before = Date.now()
    const res = await call('GET', '/v2/reserved_ips')
    expect(res.status).toBe(429)
    expect(res.body).toMatchObject({ id: 'too_many_requests', message: 'API rate limit exceeded.' })
    expect(res.headers.get('ratelimit-remaining')).toBe('0')
    expect(res.headers.get('ratelimit-limit')).toBe('5000')
    expect(res.headers.get('retry-after')).toBe('2')
    const reset = Number(res.headers.get('ratelimit-reset'))
    expect(reset * 1000).toBeGreaterThanOrEqual(before + 3000)
    expect(reset * 1000).toBeLessThan(before + 5000)
    expect(sim.rateLimited).toBe(1)
    sim.inject({ kind: 'rate-limit' })
    expect((await call('GET', '/v2/reserved_ips')).headers.get('retry-after')).toBeNull()
  })

  it("'drop-before' closes the connection and leaves the state unchanged", async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ kind: 'drop-before', method: 'POST', path: /\/actions$/ })
    await expect(call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })).rejects.toThrow()
    expect(sim.actions()).toEqual([])
    expect(sim.getIp(ip)).toMatchObject({ dropletId: null, locked: false })
    expect(sim.requests[0]?.status).toBe(0)
  })

  it("'drop-after' applies the request and then closes the connection", async () => {
    sim.setActionDuration(Infinity)
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ kind: 'drop-after', method: 'POST' })
    await expect(call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })).rejects.toThrow()
    expect(sim.actions()).toHaveLength(1)
    expect(sim.getIp(ip)?.locked).toBe(true)
    expect(sim.finishActions()).toBe(1)
    expect(sim.getIp(ip)?.dropletId).toBe(d.id)

    sim.inject({ kind: 'drop-after', method: 'DELETE' })
    await expect(call('DELETE', `/v2/reserved_ips/${sim.addIp({ version: 4 }).ip}`)).rejects.toThrow()
    expect(sim.ips()).toHaveLength(1)
  })

  it("'hang' never answers, and close() still ends promptly", async () => {
    sim.inject({ kind: 'hang', path: '/v2/reserved_ips' })
    const t0 = Date.now()
    await expect(call('GET', '/v2/reserved_ips', undefined, { signal: AbortSignal.timeout(200) })).rejects.toThrow()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180)
    sim.inject({ kind: 'hang', method: 'POST' })
    const hung = call('POST', '/v2/reserved_ips', { region: 'nyc3' }).catch((e: Error) => e)
    await until(() => sim.requests.length === 2)
    await sim.close()
    // Node's fetch rejects with an error from another realm: check its shape, not its class.
    expect(await hung).toHaveProperty('message')
    expect(sim.ips()).toHaveLength(0)
  })

  it("'pending-event' and 'not-found' answer 422 and 404 without applying", async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ kind: 'pending-event', method: 'POST' })
    sim.inject({ kind: 'not-found', method: 'POST' })
    const first = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })
    expect(first.status).toBe(422)
    expect(first.body.message).toMatch(/pending event/)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })).status).toBe(
      404
    )
    expect(sim.actions()).toHaveLength(0)
    expect((await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })).status).toBe(
      201
    )
  })

  it('refuses an unknown fault kind', () => {
    expect(() => sim.inject({ kind: 'explode' } as never)).toThrow(/unknown fault kind/)
  })
})

describe('rate limiting', () => {
  it('answers 429 once the sliding window is full', async () => {
    await restart({ rateLimit: { perMinute: 3 } }) // a 60 s window: no request leaves it during the test
    const remaining: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await call('GET', '/v2/reserved_ips')
      expect(res.status).toBe(200)
      // DigitalOcean announces the hourly budget only, counted down over the account.
      expect(res.headers.get('ratelimit-limit')).toBe('5000')
      remaining.push(res.headers.get('ratelimit-remaining')!)
    }
    expect(remaining).toEqual(['4999', '4998', '4997'])
    const now = Date.now()
    const limited = await call('GET', '/v2/reserved_ips')
    expect(limited.status).toBe(429)
    expect(limited.body.id).toBe('too_many_requests')
    expect(limited.headers.get('ratelimit-remaining')).toBe('4997')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const reset = Number(limited.headers.get('ratelimit-reset'))
    // The hour's budget resets when its oldest request leaves it; retry-after says when the minute has room.
    expect(reset * 1000).toBeGreaterThan(now)
    expect(reset * 1000).toBeLessThanOrEqual(now + 3_601_000)
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(sim.rateLimited).toBe(1)
    expect(sim.stats().rateLimited).toBe(1)
  })

  it('lets requests through again once the first has left the window', async () => {
    await restart({ rateLimit: { perMinute: 1, timeScale: 600 } }) // a 100 ms window
    expect((await call('GET', '/v2/reserved_ips')).status).toBe(200)
    await sleep(130)
    const again = await call('GET', '/v2/reserved_ips')
    expect(again.status).toBe(200)
    expect(again.headers.get('ratelimit-remaining')).toBe('4998')
    expect(sim.rateLimited).toBe(0)
  })

  it('counts the hourly budget over every client, and answers 429 once it is spent', async () => {
    await restart({ rateLimit: { perMinute: 100, perHour: 4, timeScale: 3600 } }) // a 1 s hour
    const seen: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await call('GET', i % 2 ? '/v2/reserved_ips' : '/v2/reserved_ipv6')
      expect(res.status).toBe(200)
      expect(res.headers.get('ratelimit-limit')).toBe('4')
      seen.push(res.headers.get('ratelimit-remaining')!)
    }
    expect(seen).toEqual(['3', '2', '1', '0'])
    const limited = await call('GET', '/v2/reserved_ips')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    await sleep(1050)
    const after = await call('GET', '/v2/reserved_ips')
    expect(after.status).toBe(200)
    expect(after.headers.get('ratelimit-remaining')).toBe('3')
  })

  it('refuses a perHour that is not a positive number', async () => {
    await expect(startSimulator({ rateLimit: { perMinute: 1, perHour: 0 } })).rejects.toThrow(/perHour/)
  })

  it('reports a decreasing remaining count without a limit', async () => {
    const a = await call('GET', '/v2/reserved_ips')
    const b = await call('GET', '/v2/reserved_ips')
    expect(a.headers.get('ratelimit-limit')).toBe('5000')
    expect(Number(b.headers.get('ratelimit-remaining'))).toBe(Number(a.headers.get('ratelimit-remaining')) - 1)
    const reset = Number(b.headers.get('ratelimit-reset'))
    expect(Math.abs(reset - (Date.now() / 1000 + 60))).toBeLessThan(3)
  })
})

describe('OpenAPI checks', () => {
  it('records nothing for valid traffic, and counts it by route', async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    await call('GET', '/v2/reserved_ips?page=1&per_page=200')
    await call('GET', `/v2/reserved_ips/${ip}`)
    const { body } = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })
    await call('GET', `/v2/actions/${body.action.id}`)
    await call('GET', '/v2/droplets?tag_name=x')
    expect(sim.violations).toEqual([])
    const stats = sim.stats()
    expect(stats.requests).toBe(5)
    expect(stats.byRoute).toMatchObject({
      'GET /v2/reserved_ips': 1,
      'GET /v2/reserved_ips/{reserved_ip}': 1,
      'GET /v2/actions/{action_id}': 1
    })
    expect(sim.mutatingRequests().map((r) => r.method)).toEqual(['POST'])
    expect(sim.countRequests({ path: /^\/v2\/reserved_ips/ })).toBe(3)
  })

  it('answers 400 and records a problem for a body that fits no schema', async () => {
    violationsExpected = true
    const res = await call('POST', '/v2/reserved_ips', { foo: 1 })
    expect(res.status).toBe(400)
    expect(res.body.id).toBe('bad_request')
    expect(sim.ips()).toHaveLength(0)
    expect(sim.violations.length).toBeGreaterThan(0)
    expect(sim.violations.join('\n')).toMatch(/POST \/v2\/reserved_ips: request body/)
  })

  it('records per_page over 200, undeclared query parameters, bodies where none belong and unknown paths', async () => {
    violationsExpected = true
    expect((await call('GET', '/v2/reserved_ips?per_page=500')).status).toBe(400)
    expect(sim.violations).toEqual([expect.stringMatching(/per_page must be <= 200/)])
    expect((await call('GET', '/v2/reserved_ips?region=nyc3')).status).toBe(400)
    expect(sim.violations[1]).toMatch(/query parameter region is not defined/)
    const ip = sim.addIp({ version: 4 }).ip
    expect((await call('DELETE', `/v2/reserved_ips/${ip}`, {})).status).toBe(400)
    expect(sim.getIp(ip)).toBeDefined()
    expect((await call('GET', '/v2/reserved_ips/2001:db8::1')).status).toBe(400)
    expect((await call('GET', '/v2/nowhere')).status).toBe(404)
    expect(sim.violations).toHaveLength(5)
  })

  it('can be switched off', async () => {
    await restart({ validate: false })
    expect((await call('GET', '/v2/reserved_ips?per_page=500&whatever=1')).status).toBe(200)
    expect(sim.violations).toEqual([])
  })

  it('validates requests and responses directly', () => {
    const v = createValidator()
    expect(
      v.validateRequest({ method: 'GET', path: '/v2/reserved_ipv6/2001%3ADB8%3A%3A1', query: new URLSearchParams() })
    ).toEqual([])
    expect(v.validateRequest({ method: 'GET', path: '/v2/reserved_ips', query: { page: '0' } })).toEqual([
      'query parameter page must be >= 1'
    ])
    expect(v.validateRequest({ method: 'POST', path: '/v2/reserved_ipv6' })).toEqual(['request body is required'])
    expect(v.validateRequest({ method: 'PATCH', path: '/v2/reserved_ips' })[0]).toMatch(/not defined/)
    expect(v.validateResponse({ method: 'DELETE', path: '/v2/reserved_ips/203.0.113.1', status: 204 })).toEqual([])
    expect(
      v.validateResponse({
        method: 'GET',
        path: '/v2/actions/1',
        status: 200,
        body: { action: { id: 1, status: 'done' } }
      })[0]
    ).toMatch(/status must be one of/)
    expect(v.validateResponse({ method: 'GET', path: '/v2/actions/1', status: 503, body: { id: 'x' } })).toEqual([
      "response body must have required property 'message'"
    ])
  })
})
