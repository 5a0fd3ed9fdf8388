/**
 * The step never reports a guess as a fact: after a change request, the outputs and the summary
 * come from a read made after it. Each test checks what was reported against where the simulator
 * has the address at the end.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import { atRequest, passTime, runInProcess, simMs, stopDate } from '../helpers/support.js'
import { cellText } from '../../src/report/cells.js'

let sim: Simulator
let blue: number
let green: number
let purple: number

simulatorForEachTest({ actionDurationMs: simMs(200), routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', service: { build: 'build-blue' } }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', service: { build: 'build-green' } }).id
  purple = sim.addDroplet({ name: 'purple-1', region: 'nyc3', service: { build: 'build-purple' } }).id
})

const run = (values: Record<string, string>) => runInProcess(sim.url, values)
const holder = (ip: string): number | null | undefined => sim.getIp(ip)?.dropletId
const actionsPath = (ip: string): string => `/v2/${ip.includes(':') ? 'reserved_ipv6' : 'reserved_ips'}/${ip}/actions`
const postsTo = (ip: string): number => sim.countRequests({ method: 'POST', path: actionsPath(ip) })
const entries = (ips: string): Record<string, unknown>[] => JSON.parse(ips) as Record<string, unknown>[]

describe('a lost answer near the deadline', () => {
  it('reports the droplet the address reads on, not the one it was on before', async () => {
    sim.setActionDuration(0)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(ip) })
    // The step's timeout runs out while its assign is under way; DigitalOcean carries it out.
    stopDate()
    atRequest(sim, { method: 'POST' }, 1, () => passTime(3500))
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green), timeout: '3' })
    expect(holder(ip)).toBe(green)
    expect(result!.outputs).toMatchObject({
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      changed: 'true'
    })
    expect(error?.message).toMatch(new RegExp(`Now: ${ip} is on droplet ${green}`))
    expect(cellText(result!.summary.tables[0]!.rows[0]![2]!)).toBe(`${green} (green-1)`)
    expect(result!.summary.notes.join('\n')).toMatch(/Roll back with `operation: rollback` and `moves: /)
  })

  it('in a cutover of two: rolls both back, and says where each reads', async () => {
    sim.setActionDuration(0)
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    // The IPv4's first request meets a pending event; its second is carried out, its answer lost,
    // as the step's timeout runs out. The IPv6 moves.
    sim.inject({ kind: 'pending-event', method: 'POST', path: actionsPath(v4) })
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(v4) })
    stopDate()
    atRequest(sim, { method: 'POST', path: actionsPath(v4) }, 2, () => passTime(3500))
    const { result, error } = await run({
      operation: 'assign',
      ip: `${v4} ${v6}`,
      droplet_id: String(green),
      timeout: '3'
    })
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(result!.outputs).toMatchObject({ rolled_back: 'true', droplet_id: String(blue), changed: 'true' })
    expect(entries(result!.outputs.ips).map((e) => e.droplet_id)).toEqual([blue, blue])
    expect(error?.message).toMatch(
      new RegExp(`Rolled back: ${v4} is on droplet ${blue} \\(blue-1\\), ${v6} is on droplet ${blue}`)
    )
  })
})

describe('an IPv6 whose answer was lost, its action longer than the watch', () => {
  // The action takes 15 s, longer than the 10 s watch after a lost answer.
  const slow = (v6: string) => (a: { ip: string; dropletId: number }) =>
    a.ip === v6 && a.dropletId === green ? simMs(15_000) : simMs(200)

  it('is not sent again and again: a pending event on the repeat is waited out, and the move is reported', async () => {
    const ip = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setActionDuration(slow(ip))
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(ip) })
    const { result, error, logs } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(holder(ip)).toBe(green)
    expect(sim.actions()).toHaveLength(1)
    // The lost request, then one repeat answered 422 pending event.
    expect(postsTo(ip)).toBe(2)
    expect(sim.requests.filter((r) => r.method === 'POST').at(-1)!.status).toBe(422)
    expect(result!.outputs).toMatchObject({
      changed: 'true',
      droplet_id: String(green),
      previous_droplet_id: String(blue)
    })
    expect(result!.summary.notes.join('\n')).not.toMatch(/no request that changes anything was sent/)
    expect(logs.join('\n')).toMatch(/first one is probably under way/)
  })

  it('is rolled back beside an address that fails', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setActionDuration(slow(v6))
    sim.setActionOutcome((a) => (a.ip === v4 ? 'errored' : 'completed'))
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(v6) })
    const { result, error } = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(result!.outputs.rolled_back).toBe('true')
    expect(error?.message).toMatch(new RegExp(`Rolled back: .*${v6} is on droplet ${blue}`))
    expect(
      sim
        .actions()
        .filter((a) => a.ip === v6)
        .map((a) => a.dropletId)
    ).toEqual([green, blue])
  })
})

describe('each change is carried out at most once', () => {
  it('after a lost answer, the same change is sent at most twice more', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // Every request to assign is dropped before DigitalOcean sees it.
    sim.inject({ kind: 'drop-before', method: 'POST', path: actionsPath(ip), times: 10 })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(postsTo(ip)).toBe(3)
    expect(holder(ip)).toBe(blue)
    expect(error?.message).toMatch(new RegExp(`sent 3 times without a clear answer.*${ip} is on droplet ${blue}`))
    // Where it was, unlocked: the lost requests may still have been carried out and undone by
    // another change since; an address this step may have moved is never reported changed=false.
    expect(result!.outputs).toMatchObject({ changed: 'true', droplet_id: String(blue) })
  })

  it('an IPv6 that still reads where it was after its answers were lost may yet change: changed=true', async () => {
    const ip = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.inject({ kind: 'drop-before', method: 'POST', path: actionsPath(ip), times: 10 })
    const { result } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(postsTo(ip)).toBe(3)
    expect(result!.outputs).toMatchObject({ changed: 'true', droplet_id: String(blue) })
  })
})

describe('the target state is checked', () => {
  it('fails, naming the holder, when another change took the address as the action completed', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // Another workflow moves it to purple just as this step's action completes.
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => {
      sim.finishActions()
      sim.assignNow(ip, purple)
    })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(holder(ip)).toBe(purple)
    expect(error?.message).toMatch(
      new RegExp(`${ip} is now on droplet ${purple} \\(purple-1\\): another change took it`)
    )
    expect(result!.outputs).toMatchObject({ droplet_id: String(purple), changed: 'true', action_status: 'completed' })
  })

  it('reads each address once more after verification passes', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The first read of the address after a probe passed: another workflow has just moved it.
    sim.onRequest((r) => {
      if (
        r.method === 'GET' &&
        r.path === `/v2/reserved_ips/${ip}` &&
        sim.probeRequests({ ip }).some((p) => p.status === 200)
      ) {
        if (holder(ip) === green) sim.assignNow(ip, purple)
      }
    })
    const { result, error } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_contains: 'build-green',
      verify_timeout: '20'
    })
    expect(error?.message).toMatch(
      new RegExp(`${ip} is now on droplet ${purple}.*another change took it after verification passed`)
    )
    expect(result!.outputs).toMatchObject({ droplet_id: String(purple), verified: 'true', rolled_back: 'false' })
  })

  it('an address that cannot be read after its action is in an unknown state: changed, no droplet, how to look', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () =>
      sim.inject({ kind: 'status', status: 500, method: 'GET', path: `/v2/reserved_ips/${ip}`, times: 1000 })
    )
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({ changed: 'true', droplet_id: '', previous_droplet_id: String(blue) })
    expect(error?.message).toContain(`${ip} is in an unknown state`)
    expect(error?.message).toContain(`GET /v2/reserved_ips/${ip}`)
  })
})

describe('a roll-back never undoes someone else’s change', () => {
  it('leaves an address another workflow moved during verification where it is, naming its holder', async () => {
    sim.setService(green, { healthy: false })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // While this step probes green, another workflow moves the address to purple.
    const mover = setInterval(() => {
      if (holder(ip) === green && sim.probeRequests({ ip }).length > 0) sim.assignNow(ip, purple)
    }, 5)
    const { result, error } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_contains: 'build-green',
      verify_timeout: '1'
    }).finally(() => clearInterval(mover))
    expect(holder(ip)).toBe(purple)
    expect(sim.actions().map((a) => a.dropletId)).toEqual([green])
    expect(result!.outputs).toMatchObject({ rolled_back: 'false', verified: 'false', droplet_id: String(purple) })
    expect(error?.message).toMatch(new RegExp(`${ip} is on droplet ${purple} \\(purple-1\\): another change moved it`))
    expect(error?.message).toMatch(new RegExp(`Now: ${ip} is on droplet ${purple}`))
  })

  it('still rolls back an address that stayed where this step put it', async () => {
    sim.setService(green, { healthy: false })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_timeout: '1'
    })
    expect(holder(ip)).toBe(blue)
    expect(result!.outputs).toMatchObject({ rolled_back: 'true', droplet_id: String(blue) })
  })
})

describe('create', () => {
  it('waits out a pending event on the droplet and reserves once it clears', async () => {
    const d = sim.addDroplet({ name: 'new-1', region: 'nyc3' }).id
    sim.setDropletBusy(d, Infinity)
    atRequest(sim, { method: 'POST', path: '/v2/reserved_ips' }, 2, () => sim.setDropletIdle(d))
    const { result, error, logs } = await run({ operation: 'create', droplet_id: String(d) })
    expect(error).toBeUndefined()
    expect(sim.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([422, 202])
    expect(sim.ips()).toHaveLength(1)
    expect(result!.outputs).toMatchObject({ ip: sim.ips()[0]!.ip, droplet_id: String(d), changed: 'true' })
    expect(logs.join('\n')).toMatch(/pending event.*nothing was reserved/)
  })

  it('names the new address when the read after the create fails, and how to release it', async () => {
    const d = sim.addDroplet({ name: 'new-1', region: 'nyc3' }).id
    sim.inject({ kind: 'status', status: 500, method: 'GET', path: /^\/v2\/reserved_ips\/[^/]+$/, times: 1000 })
    const { result, error } = await run({ operation: 'create', droplet_id: String(d) })
    const ip = sim.ips()[0]!.ip
    expect(result!.outputs).toMatchObject({ ip, changed: 'true', droplet_id: '' })
    expect(error?.message).toContain(`${ip} is in an unknown state`)
    expect(error?.message).toMatch(
      new RegExp(`${ip} was reserved.*stays reserved \\(and billed\\).*operation: delete and ip: ${ip}`)
    )
  })
})

describe('the outputs come from the latest read', () => {
  it('after a pending event and a refusal: where the read after the pending event showed the address', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The first assign meets a pending event; while the step waits it out, another workflow moves the
    // address to purple; the assign sent again is refused.
    sim.inject({ kind: 'pending-event', method: 'POST', path: actionsPath(ip) })
    sim.inject({ kind: 'status', status: 422, method: 'POST', path: actionsPath(ip), skip: 1, message: 'Refused.' })
    atRequest(sim, { method: 'POST', path: actionsPath(ip) }, 1, () => sim.assignNow(ip, purple))
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(postsTo(ip)).toBe(2)
    expect(holder(ip)).toBe(purple)
    expect(error?.message).toMatch(/Refused/)
    expect(result!.outputs).toMatchObject({ droplet_id: String(purple), changed: 'false' })
    expect(error?.message).toMatch(new RegExp(`Now: ${ip} is on droplet ${purple}`))
  })

  it('after a pending event and a wait that runs out: as one more read shows it', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The assign meets a pending event; another workflow has detached the address and is moving it
    // to purple by an action that outlasts the step's timeout.
    sim.inject({ kind: 'pending-event', method: 'POST', path: actionsPath(ip) })
    atRequest(sim, { method: 'POST', path: actionsPath(ip) }, 1, () => {
      sim.assignNow(ip, null)
      sim.startOtherAction(ip, purple, { durationMs: Infinity })
    })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green), timeout: '2' })
    expect(postsTo(ip)).toBe(1)
    expect(holder(ip)).toBe(null)
    expect(error?.message).toMatch(/had not finished when the step's timeout ran out/)
    expect(result!.outputs).toMatchObject({ droplet_id: '', changed: 'false' })
    expect(error?.message).toMatch(new RegExp(`Now: ${ip} is assigned to no droplet`))
  })
})

describe('after a lost answer, an address on a third droplet was taken by another change', () => {
  it('is not sent again: the step fails naming the holder (no expected_droplet_id)', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The assign is carried out, its answer lost; as its action completes, another workflow moves
    // the address to purple.
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(ip) })
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => {
      sim.finishActions()
      sim.setActionDuration(simMs(200))
      sim.assignNow(ip, purple)
    })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(postsTo(ip)).toBe(1)
    expect(holder(ip)).toBe(purple)
    expect(error?.message).toMatch(new RegExp(`moved to droplet ${purple} by another change.*not sent again`))
    expect(error?.message).toMatch(new RegExp(`${ip} is on droplet ${purple} \\(purple-1\\)`))
    expect(result!.outputs).toMatchObject({ droplet_id: String(purple), changed: 'true' })
  })
})

describe('rolled_back=true only when nothing of this step may still move an address', () => {
  it('an IPv6 whose requests all got no clear answer reads home, but its assign may still land', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    // The IPv6's assign is carried out by an action that outlasts the step; every answer to it is
    // lost (the repeats meet a pending event, unanswered too).
    sim.setActionDuration((a) => (a.ip === v6 ? Infinity : simMs(200)))
    sim.inject({ kind: 'drop-after', method: 'POST', path: actionsPath(v6), times: 3 })
    const { result, error } = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    expect(postsTo(v6)).toBe(3)
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(result!.outputs.rolled_back).toBe('false')
    expect(error?.message).toMatch(new RegExp(`moving ${v6} back failed: .*may still be carried out`))
    expect(entries(result!.outputs.ips).map((e) => [e.droplet_id, e.changed])).toEqual([
      [blue, true],
      [blue, true]
    ])
    // And it does land.
    sim.finishActions()
    expect(holder(v6)).toBe(green)
  })
  it('an IPv6 whose action cannot be read and had not ended is not taken as ended because it shows no lock', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    // The IPv6's action outlasts the step's timeout and the roll-back's, and cannot be read (404).
    sim.setActionDuration((a) => (a.ip === v6 ? Infinity : simMs(200)))
    sim.setActionOutcome((a) => (a.ip === v6 ? 'missing' : 'completed'))
    const { result, error } = await run({
      operation: 'assign',
      ip: `${v4} ${v6}`,
      droplet_id: String(green),
      timeout: '1'
    })
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(result!.outputs.rolled_back).toBe('false')
    expect(error?.message).toMatch(
      new RegExp(`moving ${v6} back failed: action \\d+ of this step may still move it, so it was not moved back`)
    )
    // Nothing was sent to move it back: its row does not say the roll-back failed.
    expect(JSON.stringify(result!.summary.tables)).toMatch(/in-progress, not moved back/)
    sim.finishActions()
    expect(holder(v6)).toBe(green)
  })
})
