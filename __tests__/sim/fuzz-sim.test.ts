/**
 * The simulator features the randomized fault-schedule test stands on: answers lost after the
 * change took effect (hang-after), faults at the nth request (skip), another client's moves
 * ('other-move', startOtherAction) and who started each action, holder changes in one sequence
 * with requests, a test's clock, a create onto a busy droplet, and reserved IPv6 as DigitalOcean has it.
 */
import { describe, expect, it } from '@jest/globals'
import { scaledClock, startSimulator, type Simulator } from '../../sim/simulator.js'
import { simulatorStartedByTest } from '../helpers/simulator.js'
import { callSim, type SimAnswer } from '../helpers/sim-http.js'

let sim: Simulator | undefined
let blue: number
let green: number
let red: number

const start = simulatorStartedByTest({ actionDurationMs: 50 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1' }).id
  green = sim.addDroplet({ name: 'green-1' }).id
  red = sim.addDroplet({ name: 'red-1' }).id
})

type Answer = SimAnswer

const call = (method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Answer | 'no answer'> =>
  callSim(sim!, method, path, body, timeoutMs)

const answered = async (method: string, path: string, body?: unknown): Promise<Answer> => {
  const a = await call(method, path, body)
  if (a === 'no answer') throw new Error(`${method} ${path}: no answer`)
  return a
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('hang-after', () => {
  it('applies the request, then never answers it', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ method: 'POST', path: /\/actions$/, kind: 'hang-after' })
    const answer = await call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green }, 300)
    expect(answer).toBe('no answer')
    const [action] = s.actions()
    expect(action).toMatchObject({ type: 'assign_ip', dropletId: green, by: 'api' })
    expect(s.requests[0]).toMatchObject({ status: 0, injected: 'hang-after' })
    await sleep(80)
    expect(s.getIp(ip)!.dropletId).toBe(green)
  })
})

describe('skip: a fault at the nth matching request', () => {
  it('hits the request after the skipped ones, counting those another fault hit', async () => {
    const s = await start()
    const ip = s.addIp().ip
    const path = `/v2/reserved_ips/${ip}`
    s.inject({ method: 'GET', path, kind: 'status', status: 503 })
    s.inject({ method: 'GET', path, kind: 'status', status: 500, skip: 2 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await answered('GET', path)).status)
    expect(statuses).toEqual([503, 200, 500, 200])
  })

  it('refuses a skip that is no whole number', async () => {
    const s = await start()
    expect(() => s.inject({ kind: 'hang', skip: -1 })).toThrow(/skip/)
    expect(() => s.inject({ kind: 'hang', skip: 1.5 })).toThrow(/skip/)
  })
})

describe('another client', () => {
  it("moves an address at once at the nth matching request; that request's answer shows it", async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    const path = `/v2/reserved_ips/${ip}`
    s.inject({ method: 'GET', path, kind: 'other-move', ip, dropletId: red, skip: 1 })
    const first = await answered('GET', path)
    const second = await answered('GET', path)
    expect(first.body.reserved_ip.droplet.id).toBe(blue)
    expect(second.body.reserved_ip.droplet.id).toBe(red)
    expect(s.requests[1]!.injected).toBeUndefined()
    const [change] = s.holderChanges(ip)
    expect(change).toMatchObject({ ip, from: blue, to: red, by: 'other' })
    expect(change!.actionId).toBeUndefined()
    // The answer to the second read shows the change: it comes before that read in the one sequence.
    expect(change!.seq).toBeGreaterThan(s.requests[0]!.seq!)
    expect(change!.seq).toBeLessThan(s.requests[1]!.seq!)
    expect(s.otherMoves()).toEqual([expect.objectContaining({ ip, dropletId: red, instant: true })])
  })

  it('moves an address by an action of its own, which locks it and answers our assign 422 pending', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({
      method: 'GET',
      path: `/v2/reserved_ips/${ip}`,
      kind: 'other-move',
      ip,
      dropletId: red,
      durationMs: 60_000
    })
    const read = await answered('GET', `/v2/reserved_ips/${ip}`)
    expect(read.body.reserved_ip).toMatchObject({ locked: true, droplet: { id: blue } })
    const post = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(post.status).toBe(422)
    expect(post.body.message).toMatch(/pending event/)
    const [other] = s.actions()
    expect(other).toMatchObject({ by: 'other', type: 'assign_ip', dropletId: red, status: 'in-progress' })
    s.finishActions(other!.id)
    expect(s.getIp(ip)!.dropletId).toBe(red)
    expect(s.holderChanges(ip)).toEqual([
      expect.objectContaining({ from: blue, to: red, by: 'other', actionId: other!.id })
    ])
  })

  it("is refused as DigitalOcean would refuse it while the step's own action runs", async () => {
    const s = await start({ actionDurationMs: Infinity })
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ method: 'GET', path: /^\/v2\/actions\//, kind: 'other-move', ip, dropletId: red, durationMs: 10 })
    const post = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(post.status).toBe(201)
    await answered('GET', `/v2/actions/${post.body.action.id}`)
    expect(s.otherMoves()).toEqual([
      expect.objectContaining({ ip, dropletId: red, refused: expect.stringMatching(/pending/) })
    ])
    expect(s.actions().map((a) => a.by)).toEqual(['api'])
  })

  it("lands no move at once while the step's own action holds the address", async () => {
    const s = await start({ actionDurationMs: Infinity })
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ method: 'GET', path: /^\/v2\/actions\//, kind: 'other-move', ip, dropletId: red })
    const post = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    await answered('GET', `/v2/actions/${post.body.action.id}`)
    expect(s.otherMoves()).toEqual([
      expect.objectContaining({ ip, dropletId: red, instant: true, refused: expect.stringMatching(/pending/) })
    ])
    s.finishActions()
    expect(s.holderChanges(ip).map((h) => [h.to, h.by])).toEqual([[green, 'api']])
  })

  it('startOtherAction starts an action by another client, and throws when it would be refused', async () => {
    const s = await start()
    const ip = s.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const action = s.startOtherAction(ip, null, { durationMs: 60_000 })
    expect(action).toMatchObject({ by: 'other', type: 'unassign_ip', dropletId: blue, resourceType: 'reserved_ipv6' })
    expect(action.request).toBeUndefined()
    expect(() => s.startOtherAction(ip, green)).toThrow(/refuse/)
    expect(s.finishActions(action.id)).toBe(1)
    expect(s.getIp(ip)!.dropletId).toBeNull()
    expect(s.holderChanges()).toEqual([expect.objectContaining({ from: blue, to: null, by: 'other' })])
  })

  it('actions started through the API are by api, and their holder changes too', async () => {
    const s = await start({ actionDurationMs: 20 })
    const ip = s.addIp({ dropletId: blue }).ip
    await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    await sleep(60)
    s.assignNow(ip, red)
    const changes = s.holderChanges(ip)
    expect(changes.map((c) => [c.from, c.to, c.by])).toEqual([
      [blue, green, 'api'],
      [green, red, 'other']
    ])
    expect(changes[0]!.actionId).toBe(s.actions()[0]!.id)
    // The action names the request that started it.
    expect(s.actions()[0]!.request).toBe(0)
    expect(s.requests[0]!.method).toBe('POST')
  })
})

describe("a test's clock", () => {
  it('scaledClock: DigitalOcean durations run on it, scaled times faster', async () => {
    const clock = scaledClock(100)
    const s = await start({ clock, actionDurationMs: 3000 })
    const ip = s.addIp({ dropletId: blue }).ip
    const t0 = performance.now()
    const post = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(post.body.action.status).toBe('in-progress')
    let status = 'in-progress'
    while (status === 'in-progress' && performance.now() - t0 < 5000) {
      await sleep(5)
      status = (await answered('GET', `/v2/actions/${post.body.action.id}`)).body.action.status
    }
    const realMs = performance.now() - t0
    expect(status).toBe('completed')
    expect(realMs).toBeGreaterThanOrEqual(25)
    expect(realMs).toBeLessThan(2500)
    const [action] = s.actions()
    expect(action!.completedAt! - action!.startedAt).toBeCloseTo(3000, -1)
  })

  it('a clock the test moves: actions end and locks lift only when it says so', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const s = await start({ clock: { now: () => now }, actionDurationMs: 60_000 })
    const ip = s.addIp({ dropletId: blue }).ip
    s.setDropletBusy(red, 10_000)
    const post = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(post.body.action.started_at).toBe('2026-01-01T00:00:00Z')
    await sleep(50)
    expect(s.getIp(ip)).toMatchObject({ dropletId: blue, locked: true })
    now += 59_999
    expect(s.getIp(ip)!.locked).toBe(true)
    now += 1
    expect(s.getIp(ip)).toMatchObject({ dropletId: green, locked: false })
    expect(s.actions()[0]).toMatchObject({ status: 'completed', startedAt: 0, completedAt: 60_000 })
    expect(s.requests[0]!.at).toBe(0)
    // The droplet's busy spell runs on the same clock: over by now.
    const again = await answered('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: red })
    expect(again.status).toBe(201)
  })

  it('rate windows run on it', async () => {
    let now = 1_800_000_000_000
    const s = await start({ clock: { now: () => now }, rateLimit: { perMinute: 2 } })
    const ip = s.addIp().ip
    const statuses = async (): Promise<number> => (await answered('GET', `/v2/reserved_ips/${ip}`)).status
    expect([await statuses(), await statuses(), await statuses()]).toEqual([200, 200, 429])
    now += 60_001
    expect(await statuses()).toBe(200)
  })

  it('refuses a clock without now()', async () => {
    await expect(startSimulator({ clock: {} as never })).rejects.toThrow(/clock/)
    expect(() => scaledClock(0)).toThrow(/scale/)
  })
})

describe('as DigitalOcean has it', () => {
  it('a create onto a droplet with a pending event answers 422 pending event and reserves nothing', async () => {
    const s = await start()
    s.setDropletBusy(green, Infinity)
    const refused = await answered('POST', '/v2/reserved_ips', { droplet_id: green })
    expect(refused.status).toBe(422)
    expect(refused.body.message).toMatch(/pending event/)
    expect(s.ips()).toEqual([])
    s.setDropletIdle(green)
    const created = await answered('POST', '/v2/reserved_ips', { droplet_id: green })
    expect(created.status).toBe(202)
    expect(s.ips()).toHaveLength(1)
  })

  it('a reserved IPv6 shows no lock while its action runs, and answers another assign 422 pending event', async () => {
    const s = await start({ actionDurationMs: Infinity })
    const ip = s.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const first = await answered('POST', `/v2/reserved_ipv6/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(first.status).toBe(201)
    const read = await answered('GET', `/v2/reserved_ipv6/${ip}`)
    expect(read.body.reserved_ipv6).not.toHaveProperty('locked')
    expect(read.body.reserved_ipv6.droplet.id).toBe(blue)
    const second = await answered('POST', `/v2/reserved_ipv6/${ip}/actions`, { type: 'assign', droplet_id: green })
    expect(second.status).toBe(422)
    expect(second.body.message).toMatch(/pending event/)
  })
})
