/**
 * The simulator's cases beside the move of one address: the droplet's own pending event told from
 * the address's, a release that hangs while another workflow assigns the address, another change
 * starting the moment an action completes, and creates whose answer is lost.
 */
import { describe, expect, it } from '@jest/globals'
import { type Simulator } from '../../sim/simulator.js'
import { callSim, simulatorPerTest, type SimAnswer } from '../helpers/sim-http.js'

const simulator = simulatorPerTest()
let sim: Simulator
let blue: number
let green: number

/** A simulator whose actions last until finishActions(), with droplets blue-1 and green-1. */
async function start(): Promise<Simulator> {
  sim = await simulator.start({ actionDurationMs: Infinity })
  ;[blue, green] = ['blue-1', 'green-1'].map((name) => sim.addDroplet({ name }).id)
  return sim
}

const call = (method: string, path: string, body?: unknown, timeoutMs?: number) =>
  callSim(sim, method, path, body, timeoutMs)

const assign = (ip: string, dropletId: number, timeoutMs?: number): Promise<SimAnswer | 'no answer'> =>
  call('POST', `/v2/reserved_ips/${ip}/actions`, { type: 'assign', droplet_id: dropletId }, timeoutMs)

describe("the droplet's own pending event and the address's", () => {
  it('names the droplet for a busy droplet and the address for a busy address (IPv4 and IPv6)', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    const v6 = s.addIp({ version: 6 }).ip
    s.setDropletBusy(green, 60_000)
    expect(await assign(ip, green)).toMatchObject({
      status: 422,
      body: { message: 'Droplet already has a pending event.' }
    })
    s.setDropletIdle(green)
    s.lock(ip, 60_000)
    expect(await assign(ip, green)).toMatchObject({
      status: 422,
      body: { message: 'The floating IP already has a pending event.' }
    })
    s.lock(v6, 60_000)
    const onV6 = await call('POST', `/v2/reserved_ipv6/${v6}/actions`, { type: 'assign', droplet_id: green })
    expect(onV6).toMatchObject({ status: 422, body: { message: 'The reserved IPv6 already has a pending event.' } })
    expect(s.actions()).toEqual([])
  })

  it("a 'pending-event' fault names the droplet, the address or neither", async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ kind: 'pending-event', method: 'POST', of: 'droplet' })
    s.inject({ kind: 'pending-event', method: 'POST', of: 'ip' })
    s.inject({ kind: 'pending-event', method: 'POST' })
    const messages = []
    for (let i = 0; i < 3; i++) messages.push(((await assign(ip, green)) as { body: any }).body.message)
    expect(messages).toEqual([
      'Droplet already has a pending event.',
      'The floating IP already has a pending event.',
      'The droplet/IP has a pending event. Please try again later.'
    ])
    expect(() => s.inject({ kind: 'pending-event', of: 'vpc' as never })).toThrow(/of must be/)
  })

  it("'droplet-busy' after an assign whose answer is lost: the re-sent assign names the droplet while the first is under way", async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ kind: 'drop-after', method: 'POST', path: /\/actions$/ })
    s.inject({
      kind: 'droplet-busy',
      method: 'POST',
      path: /\/actions$/,
      dropletId: green,
      ms: 60_000,
      when: 'applied'
    })
    expect(await assign(ip, green)).toBe('no answer')
    const again = await assign(ip, green)
    expect(again).toMatchObject({ status: 422, body: { message: 'Droplet already has a pending event.' } })
    expect(s.actions()).toEqual([expect.objectContaining({ type: 'assign_ip', dropletId: green, by: 'api' })])
    s.setDropletIdle(green)
    s.finishActions()
    expect(s.getIp(ip)!.dropletId).toBe(green)
  })

  it("'droplet-busy' on an assign dropped before it took effect: the same answer, and nothing is under way", async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({ kind: 'drop-before', method: 'POST', path: /\/actions$/ })
    s.inject({ kind: 'droplet-busy', method: 'POST', path: /\/actions$/, dropletId: green, ms: 60_000 })
    expect(await assign(ip, green)).toBe('no answer')
    expect(await assign(ip, green)).toMatchObject({ status: 422, body: { message: /^Droplet already/ } })
    expect(s.actions()).toEqual([])
    expect(() => s.inject({ kind: 'droplet-busy', dropletId: green, ms: -1 })).toThrow(/needs ms/)
  })
})

describe('a release that hangs while another workflow assigns the address', () => {
  it('logs every release with the droplet that held the address, so a test sees one in use', async () => {
    const s = await start()
    const ip = s.addIp().ip
    s.inject({ kind: 'hang', method: 'DELETE' })
    s.inject({ kind: 'other-move', method: 'DELETE', ip, dropletId: blue })
    expect(await call('DELETE', `/v2/reserved_ips/${ip}`, undefined, 2000)).toBe('no answer')
    expect(s.getIp(ip)).toMatchObject({ dropletId: blue })
    expect(s.releases()).toEqual([])
    // A client that sends the DELETE again without reading first releases an address in use.
    expect(await call('DELETE', `/v2/reserved_ips/${ip}`)).toMatchObject({ status: 204 })
    expect(s.releases()).toEqual([expect.objectContaining({ ip, holder: blue, by: 'api', request: 1 })])
    const other = s.addIp().ip
    s.removeIp(other)
    expect(s.releases().map((r) => [r.ip, r.holder, r.by])).toEqual([
      [ip, blue, 'api'],
      [other, null, 'other']
    ])
  })
})

describe("another workflow's change the moment an action completes", () => {
  it('the confirming read shows the address on the target, locked by the other action', async () => {
    const s = await start()
    const red = s.addDroplet({ name: 'red-1' }).id
    const ip = s.addIp({ dropletId: blue }).ip
    s.inject({
      kind: 'other-move',
      method: 'POST',
      path: /\/actions$/,
      ip,
      dropletId: red,
      durationMs: 60_000,
      when: 'action-end'
    })
    const answer = await assign(ip, green)
    expect(answer).toMatchObject({ status: 201 })
    expect(s.otherMoves()).toEqual([])
    s.finishActions((answer as { body: any }).body.action.id)
    const read = await call('GET', `/v2/reserved_ips/${ip}`)
    expect(read).toMatchObject({ status: 200, body: { reserved_ip: { droplet: { id: green }, locked: true } } })
    expect(s.otherMoves()).toEqual([expect.objectContaining({ ip, dropletId: red, instant: false })])
    s.finishActions()
    expect(s.holderChanges(ip).map((h) => [h.to, h.by])).toEqual([
      [green, 'api'],
      [red, 'other']
    ])
  })

  it('names the move refused when the request started no action', async () => {
    const s = await start()
    const ip = s.addIp({ dropletId: blue }).ip
    s.lock(ip, 60_000)
    s.inject({ kind: 'other-move', method: 'POST', ip, dropletId: null, when: 'action-end' })
    expect(await assign(ip, green)).toMatchObject({ status: 422 })
    expect(s.otherMoves()).toEqual([expect.objectContaining({ ip, refused: 'the request started no action' })])
    expect(() => s.inject({ kind: 'other-move', ip, dropletId: null, when: 'later' as never })).toThrow(/when must/)
  })
})

describe('a create whose answer is lost', () => {
  it('reserves and assigns the address all the same, and creates() counts it (hang-after, IPv4 onto a droplet)', async () => {
    const s = await start()
    s.inject({ kind: 'hang-after', method: 'POST', path: '/v2/reserved_ips' })
    expect(await call('POST', '/v2/reserved_ips', { droplet_id: green }, 2000)).toBe('no answer')
    const [created] = s.creates()
    expect(s.creates()).toHaveLength(1)
    expect(created).toMatchObject({ version: 4, region: 'nyc3', dropletId: green, request: 0 })
    expect(s.actions()).toEqual([
      expect.objectContaining({ id: created.actionId, type: 'assign_ip', dropletId: green })
    ])
    s.finishActions()
    expect(s.getIp(created.ip)).toMatchObject({ dropletId: green })
  })

  it('drop-after on a reserved IPv6 and on a region-only IPv4: each counted once', async () => {
    const s = await start()
    s.inject({ kind: 'drop-after', method: 'POST', path: /^\/v2\/reserved_ip/, times: 2 })
    expect(await call('POST', '/v2/reserved_ipv6', { region_slug: 'nyc3' })).toBe('no answer')
    expect(await call('POST', '/v2/reserved_ips', { region: 'sfo3' })).toBe('no answer')
    expect(s.creates().map((c) => [c.version, c.region, c.dropletId])).toEqual([
      [6, 'nyc3', null],
      [4, 'sfo3', null]
    ])
    expect(s.ips().map((i) => i.ip)).toEqual(s.creates().map((c) => c.ip))
  })

  it('logs no create that did not take effect', async () => {
    const s = await start()
    s.inject({ kind: 'drop-before', method: 'POST' })
    expect(await call('POST', '/v2/reserved_ips', { region: 'nyc3' })).toBe('no answer')
    s.setDropletBusy(green, 60_000)
    expect(await call('POST', '/v2/reserved_ips', { droplet_id: green })).toMatchObject({ status: 422 })
    expect(s.creates()).toEqual([])
  })
})
