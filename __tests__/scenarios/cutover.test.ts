/**
 * Cutovers through real HTTP to the simulator: several addresses at once, all or nothing, unclear
 * answers, and the lock-aware, idempotent edges (verification is in verify.test.ts).
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import { atRequest, runInProcess } from '../helpers/support.js'
import { cellText } from '../../src/report/cells.js'

const run = (values: Record<string, string>) => runInProcess(sim.url, values)

let sim: Simulator
let blue: number
let green: number
let far: number

simulatorForEachTest({ actionDurationMs: 150, routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', service: { build: 'build-blue' } }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', service: { build: 'build-green' } }).id
  far = sim.addDroplet({ name: 'far-1', region: 'sfo3' }).id
})

const posts = (): number => sim.requests.filter((r) => r.method === 'POST').length
const holders = (ips: string[]): (number | null | undefined)[] => ips.map((ip) => sim.getIp(ip)?.dropletId)

describe('several addresses, one cutover', () => {
  it('moves an IPv4 and an IPv6 together, their actions overlapping', async () => {
    // Both actions stay in progress until both have started: then they finish together.
    sim.setActionDuration(Infinity)
    sim.onRequest(() => {
      if (sim.actions().length === 2) sim.finishActions()
    })
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const { result, error } = await run({ operation: 'assign', ip: `${v4}\n${v6}`, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(holders([v4, v6])).toEqual([green, green])
    const [a, b] = sim.actions()
    expect(sim.actions()).toHaveLength(2)
    // In parallel: the second action started before the first one completed.
    expect(b!.startedAt).toBeLessThanOrEqual(a!.completedAt!)
    expect(sim.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([201, 201])
    const out = result!.outputs
    expect(out).toMatchObject({
      ip: v4,
      ip_version: '4',
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      action_status: 'completed',
      changed: 'true',
      count: '2',
      verified: '',
      rolled_back: 'false'
    })
    const entries = JSON.parse(out.ips) as Record<string, unknown>[]
    expect(entries.map((e) => [e.ip, e.ip_version, e.droplet_id, e.previous_droplet_id, e.changed])).toEqual([
      [v4, 4, green, blue, true],
      [v6, 6, green, blue, true]
    ])
    expect(result!.summary.tables[0]!.rows).toHaveLength(2)
  })

  it('reports a common droplet only where the addresses agree', async () => {
    const a = sim.addIp({ version: 4, dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'nyc3', dropletId: null }).ip
    const { result } = await run({ operation: 'assign', ip: `${a}, ${b}`, droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), previous_droplet_id: '' })
  })

  it('refuses the whole cutover, sending nothing, when one address is in another region', async () => {
    const a = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'sfo3', dropletId: far }).ip
    const { result, error } = await run({ operation: 'assign', ip: `${a} ${b}`, droplet_name: 'green-1' })
    expect(error?.message).toMatch(/region nyc3, but .* is reserved in sfo3.*Nothing was changed/)
    expect(posts()).toBe(0)
    expect(result!.outputs.changed).toBe('false')
  })

  it('reads the region of a droplet given by id, so that an address elsewhere stops the cutover before it starts', async () => {
    const a = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'sfo3', dropletId: far }).ip
    const { error } = await run({ operation: 'assign', ip: `${a} ${b}`, droplet_id: String(green) })
    expect(error?.message).toMatch(/is in region nyc3, but .* is reserved in sfo3.*Nothing was changed/)
    expect(posts()).toBe(0)
    const missing = await run({ operation: 'assign', ip: `${a} ${b}`, droplet_id: '99999' })
    expect(missing.error?.message).toMatch(/droplet 99999 was not found.*Nothing was changed/)
    expect(posts()).toBe(0)
  })

  it('moves back the addresses that moved when another errors, naming where each is', async () => {
    const a = sim.addIp({ version: 4, dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setActionOutcome((act) => (act.ip === b && act.dropletId === green ? 'errored' : 'completed'))
    const { result, error } = await run({ operation: 'assign', ip: `${a},${b}`, droplet_id: String(green) })
    expect(holders([a, b])).toEqual([blue, blue])
    expect(error?.message).toMatch(
      new RegExp(`errored.*Rolled back: ${a} is on droplet ${blue}.*${b} is on droplet ${blue}`)
    )
    expect(result!.outputs).toMatchObject({ rolled_back: 'true', action_status: 'errored', droplet_id: String(blue) })
    expect(sim.actions().map((x) => [x.ip, x.dropletId, x.status])).toEqual(
      expect.arrayContaining([
        [a, green, 'completed'],
        [b, green, 'errored'],
        [a, blue, 'completed']
      ])
    )
    expect(sim.actions()).toHaveLength(3)
  })

  it('leaves them with rollback: false, and fails', async () => {
    const a = sim.addIp({ version: 4, dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setActionOutcome((act) => (act.ip === b ? 'errored' : 'completed'))
    const { result, error } = await run({
      operation: 'assign',
      ip: `${a},${b}`,
      droplet_id: String(green),
      rollback: 'false'
    })
    expect(error?.message).toMatch(new RegExp(`Now: ${a} is on droplet ${green}.*${b} is on droplet ${blue}`))
    expect(holders([a, b])).toEqual([green, blue])
    expect(result!.outputs).toMatchObject({ rolled_back: 'false', droplet_id: '' })
    expect(result!.summary.notes.join('\n')).toMatch(/Roll back with `operation: rollback` and `moves: /)
  })

  it('unassigns several addresses at once', async () => {
    const a = sim.addIp({ version: 4, dropletId: blue }).ip
    const b = sim.addIp({ version: 6, region: 'nyc3', dropletId: green }).ip
    const { result } = await run({ operation: 'unassign', ip: `${a} ${b}` })
    expect(holders([a, b])).toEqual([null, null])
    expect(result!.outputs).toMatchObject({ droplet_id: '', previous_droplet_id: '', changed: 'true', count: '2' })
  })
})

describe('lock-aware and idempotent edges', () => {
  it('a rollback right after a cutover that timed out waits for its action, then moves the IP back', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const cut = await run({ operation: 'assign', ip, droplet_id: String(green), timeout: '1' })
    expect(cut.result!.outputs).toMatchObject({ action_status: 'in-progress', changed: 'true' })
    expect(sim.getIp(ip)?.locked).toBe(true)
    // The cutover's action completes while the rollback waits for it.
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, () => {
      sim.finishActions()
      sim.setActionDuration(100)
    })
    const back = await run({ operation: 'assign', ip, droplet_id: String(blue), timeout: '20' })
    expect(back.error).toBeUndefined()
    expect(back.logs.join('\n')).toMatch(/already in progress on .*waiting for it to finish before deciding/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(back.result!.outputs).toMatchObject({ changed: 'true', previous_droplet_id: String(green) })
    expect(sim.actions().map((a) => [a.dropletId, a.status])).toEqual([
      [green, 'completed'],
      [blue, 'completed']
    ])
  })

  it('running a rollback twice is harmless: already there is success, whatever expected_droplet_id says', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result, error } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(blue),
      expected_droplet_id: String(green)
    })
    expect(error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ changed: 'false', droplet_id: String(blue) })
    expect(posts()).toBe(0)
  })

  it('an errored action that moved nothing is changed=false and offers no roll-back', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setActionOutcome(() => 'errored')
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(error?.message).toMatch(/errored/)
    expect(result!.outputs).toMatchObject({ changed: 'false', action_status: 'errored', droplet_id: String(blue) })
    const row = result!.summary.tables[0]!.rows[0]!.map(cellText)
    // Attempted from blue to green; it is still on blue.
    expect(result!.summary.title).toMatch(new RegExp(`to droplet ${green}\\b`))
    expect([row[1], row[2]]).toEqual([`${blue} (blue-1)`, `${blue} (blue-1)`])
    expect(result!.summary.notes.join('\n')).not.toMatch(/Roll back/)
  })

  it('never sends again while the IP is locked and no action is listed yet', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The answer to the assign is lost after it took effect, and the action list lags the lock.
    sim.setActionDuration(Infinity)
    sim.inject({ kind: 'drop-after', method: 'POST', path: `/v2/reserved_ips/${ip}/actions` })
    sim.inject({ kind: 'status', status: 404, method: 'GET', path: `/v2/reserved_ips/${ip}/actions`, times: 2 })
    // The action is listed from the third look on; it completes while the step waits for it.
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => sim.finishActions())
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(posts()).toBe(1)
    expect(sim.actions()).toHaveLength(1)
    expect(result!.outputs.changed).toBe('true')
  })
})

describe('unclear answers', () => {
  it.each([4, 6] as const)(
    'an IPv%i assign that went through but was answered with cut-short JSON is re-read, not failed or re-sent',
    async (version) => {
      const ip = sim.addIp({ version, region: 'nyc3', dropletId: blue }).ip
      sim.inject({ kind: 'cut-body', method: 'POST', path: /\/actions$/ })
      const { result, error, logs } = await run({ operation: 'assign', ip, droplet_id: String(green) })
      expect(error).toBeUndefined()
      expect(logs.join('\n')).toMatch(/No clear answer .*unreadable answer/)
      expect(sim.getIp(ip)?.dropletId).toBe(green)
      expect(posts()).toBe(1)
      expect(result!.outputs).toMatchObject({ changed: 'true', droplet_id: String(green) })
    }
  )

  it('a poll answered 200 with an empty body is polled again', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ kind: 'empty-body', method: 'GET', path: /^\/v2\/actions\//, times: 3 })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ action_status: 'completed', changed: 'true' })
    expect(sim.requests.filter((r) => r.path.startsWith('/v2/actions/')).length).toBeGreaterThanOrEqual(4)
  })

  it('a read answered with JSON that is not complete is read again', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ kind: 'not-json', method: 'GET', path: `/v2/reserved_ips/${ip}` })
    const { result, error } = await run({ operation: 'get', ip })
    expect(error).toBeUndefined()
    expect(result!.outputs.droplet_id).toBe(String(blue))
  })
})

describe('cutover inputs', () => {
  it.each([
    [{ operation: 'get', ip: '203.0.113.1 203.0.113.2' }, /ip.*takes one address/],
    [{ operation: 'assign', ip: '203.0.113.1 203.0.113.1', droplet_id: '1' }, /ip.*given twice/],
    [{ operation: 'unassign', ip: '203.0.113.1', verify_url: 'http://{ip}/' }, /verify_url.*assign only/],
    [
      { operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_url: 'http://{ip}/', wait: 'false' },
      /verify_url.*wait/
    ],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_url: 'ftp://{ip}/' }, /verify_url.*http/],
    [
      { operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_url: 'http://u:p@{ip}/' },
      /verify_url.*credentials/
    ],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_contains: 'x' }, /verify_contains.*verify_url/],
    [
      { operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_url: 'http://{ip}/', verify_timeout: '0' },
      /verify_timeout/
    ],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1', rollback: 'maybe' }, /rollback/],
    [
      { operation: 'assign', ip: '203.0.113.1', droplet_id: '1', verify_url: 'http://{ip}/\n::warning::x' },
      /verify_url.*white space/
    ]
  ])('refuses %j before sending anything', async (values, message) => {
    const { error } = await run(values)
    expect(error?.message).toMatch(message)
    expect(sim.requests).toHaveLength(0)
  })
})
