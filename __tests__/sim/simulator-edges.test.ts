/** The simulator's edge cases: unreadable answers, endless paging, hostile strings and GPU droplets. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/simulator.js'

const TOKEN = 'sim-token'
const HOSTILE_NAME = 'web\n::warning::pwned <img src=x onerror=alert(1)> %0A::error::x\r\u2028| cell'

interface RawAnswer {
  status: number
  text: string
  headers: Headers
}

let sim: Simulator
let violationsExpected: boolean

async function raw(method: string, path: string, body?: unknown): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

async function json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const answer = await raw(method, path, body)
  return { status: answer.status, body: answer.text ? JSON.parse(answer.text) : undefined }
}

async function restart(options: SimulatorOptions): Promise<void> {
  await sim.close()
  sim = await startSimulator({ actionDurationMs: 0, ...options })
}

beforeEach(async () => {
  violationsExpected = false
  sim = await startSimulator({ actionDurationMs: 0 })
})

afterEach(async () => {
  if (!violationsExpected) expect(sim.violations).toEqual([])
  await sim.close()
})

describe('unreadable answers', () => {
  it("'cut-body' applies an assign and answers its JSON cut off half-way", async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ kind: 'cut-body', method: 'POST', path: /\/actions$/ })
    const answer = await raw('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })
    expect(answer.status).toBe(201)
    expect(answer.headers.get('content-type')).toMatch(/application\/json/)
    expect(Number(answer.headers.get('content-length'))).toBe(Buffer.byteLength(answer.text))
    expect(answer.text.startsWith('{"action":{')).toBe(true)
    expect(() => JSON.parse(answer.text)).toThrow()
    expect(sim.actions()).toHaveLength(1)
    expect(sim.getIp(ip)?.dropletId).toBe(d.id)
    expect(sim.requests[0]?.injected).toBe('cut-body')
  })

  it("'empty-body' answers 200 with nothing in it after applying the request", async () => {
    const d = sim.addDroplet({ name: 'd' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ kind: 'empty-body', method: 'POST' })
    const posted = await raw('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: d.id })
    expect(posted).toMatchObject({ status: 200, text: '' })
    expect(sim.getIp(ip)?.dropletId).toBe(d.id)
    const [action] = sim.actions()
    sim.inject({ kind: 'empty-body', path: /^\/v2\/actions\//, times: 2 })
    expect(await raw('GET', `/v2/actions/${action?.id}`)).toMatchObject({ status: 200, text: '' })
    expect(await raw('GET', `/v2/actions/${action?.id}`)).toMatchObject({ status: 200, text: '' })
    const third = await json('GET', `/v2/actions/${action?.id}`)
    expect(third.body.action.status).toBe('completed')
  })

  it("'not-json' answers HTML with the status asked for, after applying the request", async () => {
    sim.inject({ kind: 'not-json', method: 'POST', status: 502 })
    const answer = await raw('POST', '/v2/reserved_ips', { region: 'nyc3' })
    expect(answer.status).toBe(502)
    expect(answer.headers.get('content-type')).toMatch(/text\/html/)
    expect(answer.text).toContain('<html>')
    expect(sim.ips()).toHaveLength(1)
    sim.inject({ kind: 'not-json', text: 'plain words' })
    expect(await raw('GET', '/v2/reserved_ips')).toMatchObject({ status: 200, text: 'plain words' })
  })

  it('still checks the requests behind a broken answer', async () => {
    violationsExpected = true
    sim.inject({ kind: 'cut-body' })
    const answer = await raw('GET', '/v2/reserved_ips?per_page=500')
    expect(answer.status).toBe(400)
    expect(sim.violations.join('\n')).toMatch(/per_page/)
    expect(sim.violations.join('\n')).not.toMatch(/response/)
  })
})

describe('endless paging', () => {
  async function followNext(first: string, limit: number): Promise<{ pages: number; ips: string[] }> {
    let path: string | undefined = first
    let pages = 0
    const ips: string[] = []
    while (path && pages < limit) {
      const page = await json('GET', path)
      pages++
      for (const e of page.body.reserved_ips) ips.push(e.ip)
      expect(page.body.meta.total).toBe(2)
      const next: string | undefined = page.body.links.pages?.next
      path = next?.slice(sim.url.length)
    }
    return { pages, ips }
  }

  it("'repeat' keeps a next link and repeats the last page's items", async () => {
    await restart({ endlessPages: 'repeat' })
    const a = sim.addIp({ version: 4 }).ip
    const b = sim.addIp({ version: 4 }).ip
    const walk = await followNext('/v2/reserved_ips?per_page=200', 5)
    expect(walk.pages).toBe(5)
    expect(walk.ips).toEqual([a, b, a, b, a, b, a, b, a, b])
  })

  it("'empty' keeps a next link and brings nothing past the end", async () => {
    await restart({ endlessPages: 'empty', pageDefault: 1 })
    const a = sim.addIp({ version: 4 }).ip
    const b = sim.addIp({ version: 4 }).ip
    const walk = await followNext('/v2/reserved_ips', 6)
    expect(walk).toEqual({ pages: 6, ips: [a, b] })
  })

  it('omitTotal leaves meta.total out without counting it as a violation', async () => {
    await restart({ omitTotal: true })
    sim.addIp({ version: 6 })
    const page = await json('GET', '/v2/reserved_ipv6')
    expect(page.body.meta).toEqual({})
    expect(page.body.reserved_ipv6s).toHaveLength(1)
  })

  it('refuses an unknown paging mode', async () => {
    await expect(startSimulator({ endlessPages: 'forever' as never })).rejects.toThrow(/endlessPages/)
  })
})

describe('hostile strings', () => {
  it('keeps any droplet name as it is, and finds it by that name', async () => {
    const d = sim.addDroplet({ name: HOSTILE_NAME })
    const ip = sim.addIp({ version: 4, dropletId: d.id }).ip
    const found = await json('GET', `/v2/droplets?name=${encodeURIComponent(HOSTILE_NAME)}`)
    expect(found.body.droplets.map((x: { name: string }) => x.name)).toEqual([HOSTILE_NAME])
    const read = await json('GET', `/v2/reserved_ips/${ip}`)
    expect(read.body.reserved_ip.droplet.name).toBe(HOSTILE_NAME)
  })

  it('takes any region text with anyRegion, and still refuses a bad slug without it', async () => {
    const region = 'nyc3\n::warning::r <b>x</b>'
    const d = sim.addDroplet({ name: 'd', region, anyRegion: true })
    const v6 = sim.addIp({ version: 6, dropletId: d.id }).ip
    const v4 = sim.addIp({ version: 4, region, anyRegion: true }).ip
    expect((await json('GET', `/v2/reserved_ipv6/${v6}`)).body.reserved_ipv6.region_slug).toBe(region)
    expect((await json('GET', `/v2/reserved_ips/${v4}`)).body.reserved_ip.region.slug).toBe(region)
    expect(() => sim.addIp({ version: 4, region })).toThrow(/not a region slug/)
    expect(() => sim.addDroplet({ name: 'e', region })).toThrow(/not a region slug/)
  })

  it("'status' carries any error id, message and request id", async () => {
    const text = '::error::boom\n<script>x</script>'
    sim.inject({ kind: 'status', status: 422, id: `id${text}`, message: `msg${text}`, requestId: `rq${text}` })
    const answer = await json('POST', '/v2/reserved_ips', { region: 'nyc3' })
    expect(answer).toEqual({ status: 422, body: { id: `id${text}`, message: `msg${text}`, request_id: `rq${text}` } })
  })
})

describe('GPU droplets', () => {
  it('lists GPU droplets only with type=gpus, and the others without it', async () => {
    const cpu = sim.addDroplet({ name: 'web', tags: ['t'] })
    const gpu = sim.addDroplet({ name: 'web', gpu: true, tags: ['t'] })
    expect(gpu.gpu).toBe(true)
    const ids = async (query: string): Promise<number[]> =>
      (await json('GET', `/v2/droplets${query}`)).body.droplets.map((d: { id: number }) => d.id)
    expect(await ids('')).toEqual([cpu.id])
    expect(await ids('?type=droplets')).toEqual([cpu.id])
    expect(await ids('?type=gpus')).toEqual([gpu.id])
    expect(await ids('?name=WEB')).toEqual([cpu.id])
    expect(await ids('?name=web&type=gpus')).toEqual([gpu.id])
    expect(await ids('?tag_name=t')).toEqual([cpu.id])
    const one = await json('GET', `/v2/droplets/${gpu.id}`)
    expect(one.body.droplet).toMatchObject({ id: gpu.id, size_slug: expect.stringMatching(/^gpu-/) })
    expect(one.body.droplet.gpu_info.count).toBe(1)
  })

  it('answers 400 and records a problem when tag_name is combined with name or type', async () => {
    violationsExpected = true
    expect((await json('GET', '/v2/droplets?tag_name=t&type=gpus')).status).toBe(400)
    expect((await json('GET', '/v2/droplets?tag_name=t&name=web')).status).toBe(400)
    expect(sim.violations).toEqual([
      'GET /v2/droplets: tag_name cannot be combined with type',
      'GET /v2/droplets: tag_name cannot be combined with name'
    ])
  })

  it('records a problem for a type the description does not know', async () => {
    violationsExpected = true
    expect((await json('GET', '/v2/droplets?type=all')).status).toBe(400)
    expect(sim.violations.join('\n')).toMatch(/type/)
  })
})
