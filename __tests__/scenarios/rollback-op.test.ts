/**
 * operation: rollback and the moves output: a workflow's roll-back is one step that takes the
 * cutover's moves output and moves each address back only while it is still where the cutover put
 * it. Each test checks the outputs against where the simulator has every address at the end.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { threeDropletsForEachTest } from '../helpers/simulator.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { inputsOf } from '../helpers/inputs.js'
import { runInProcess, simMs, TOKEN } from '../helpers/support.js'
import { renderSummary } from '../../src/report/summary.js'
import { CONTROL_PANEL } from '../../src/report/links.js'

let sim: Simulator
let blue: number
let green: number
let purple: number

threeDropletsForEachTest((three) => {
  ;({ sim, blue, green, purple } = three)
})

const run = (values: Record<string, string>) => runInProcess(sim.url, values)
const holder = (ip: string): number | null | undefined => sim.getIp(ip)?.dropletId
const moves = (text: string): { ip: string; from: number | null; to: number | null }[] =>
  JSON.parse(text) as { ip: string; from: number | null; to: number | null }[]

describe('the moves output of assign and unassign', () => {
  it('names each address moved, from where it was to the target, and [] when nothing moved', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const first = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    expect(first.error).toBeUndefined()
    expect(moves(first.result!.outputs.moves)).toEqual([
      { ip: v4, from: blue, to: green },
      { ip: v6, from: blue, to: green }
    ])
    const again = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    expect(again.result!.outputs.moves).toBe('[]')
    const off = await run({ operation: 'unassign', ip: v4 })
    expect(moves(off.result!.outputs.moves)).toEqual([{ ip: v4, from: green, to: null }])
  })

  it('after a roll-back inside the step: [] once every address is home', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setService(green, { healthy: false })
    const { result } = await run({
      operation: 'assign',
      ip: `${v4} ${v6}`,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_timeout: '1'
    })
    expect(result!.outputs.rolled_back).toBe('true')
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(result!.outputs.moves).toBe('[]')
  })

  it('is [] on bad input and on a refusal, and empty for other operations', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const refused = await run({ operation: 'assign', ip, droplet_id: String(green), expected_droplet_id: '999' })
    expect(refused.error).toBeDefined()
    expect(refused.result!.outputs.moves).toBe('[]')
    const got = await run({ operation: 'get', ip })
    expect(got.result!.outputs.moves).toBe('')
  })
})

describe('the moves input', () => {
  const parse = (values: Record<string, string>) => () =>
    parseInputs((name) => ({ token: TOKEN, ...values })[name] ?? '', {})

  it.each([
    ['not json', 'not JSON'],
    ['{"ip":"192.0.2.1","from":1,"to":2}', 'JSON array'],
    ['[{"ip":"192.0.2.1/24","from":1,"to":2}]', '"ip"'],
    ['[{"ip":"192.0.2.1","from":0,"to":2}]', 'positive integer'],
    ['[{"ip":"192.0.2.1","from":"1","to":2}]', 'positive integer'],
    ['[{"ip":"192.0.2.1","from":1}]', 'positive integer'],
    ['[{"ip":"192.0.2.1","from":1,"to":2,"x":1}]', 'unknown keys'],
    ['[{"ip":"192.0.2.1","from":1,"to":2},{"ip":"192.0.2.1","from":1,"to":2}]', 'twice'],
    ['[1]', 'not an object']
  ])('refuses %s naming moves, before any request', (raw, why) => {
    expect(parse({ operation: 'rollback', moves: raw })).toThrow(/Input 'moves'/)
    expect(parse({ operation: 'rollback', moves: raw })).toThrow(why)
    expect(sim.requests).toHaveLength(0)
  })

  it('is refused with another operation', () => {
    expect(parse({ operation: 'assign', ip: '192.0.2.1', droplet_id: '1', moves: '[]' })).toThrow(/Input 'moves'/)
  })

  it('accepts null for no droplet and canonicalises the address', () => {
    const inputs = parse({ operation: 'rollback', moves: '[{"ip":"2001:DB8::0:10","from":null,"to":7}]' })()
    expect(inputsOf('rollback', inputs).moves).toEqual([
      { addr: { text: '2001:db8::10', version: 6 }, from: null, to: 7 }
    ])
  })
})

describe('operation: rollback', () => {
  it('with moves empty or []: nothing to undo, success, changed=false, rolled_back=false', async () => {
    for (const raw of ['', '[]']) {
      const { result, error } = await run({ operation: 'rollback', moves: raw })
      expect(error).toBeUndefined()
      expect(result!.outputs).toMatchObject({ changed: 'false', rolled_back: 'false', moves: '[]' })
    }
    expect(sim.requests).toHaveLength(0)
  })

  it('brings a dual-stack pair home from the cutover’s moves; run twice, it changes nothing', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const cutover = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    expect([holder(v4), holder(v6)]).toEqual([green, green])
    const back = await run({ operation: 'rollback', moves: cutover.result!.outputs.moves })
    expect(back.error).toBeUndefined()
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(back.result!.outputs).toMatchObject({ changed: 'true', rolled_back: 'true', droplet_id: String(blue) })
    expect(moves(back.result!.outputs.moves)).toEqual([
      { ip: v4, from: green, to: blue },
      { ip: v6, from: green, to: blue }
    ])
    // The summary reads like the cutover's: each address linked, droplets by name, the action beside its result.
    const summary = renderSummary(back.result!.summary, { controlPanel: CONTROL_PANEL })
    expect(summary).toContain('| Address | From | Back to | Now on | Result |')
    expect(summary).toContain(`[\`${v4}\`](https://cloud.digitalocean.com/networking/reserved_ips)`)
    expect(summary).toMatch(new RegExp(`\\[blue-1\\]\\(https://cloud\\.digitalocean\\.com/droplets/${blue}\\)`))
    expect(summary).toMatch(/\| rolled back \(action \d+\) \|/)
    const posts = sim.mutatingRequests().length
    const twice = await run({ operation: 'rollback', moves: cutover.result!.outputs.moves })
    expect(twice.error).toBeUndefined()
    expect(sim.mutatingRequests()).toHaveLength(posts)
    expect(twice.result!.outputs).toMatchObject({ changed: 'false', rolled_back: 'true', moves: '[]' })
  })

  it('leaves an address another change moved, names its holder, and moves the others back', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const cutover = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) })
    sim.assignNow(v4, purple)
    const back = await run({ operation: 'rollback', moves: cutover.result!.outputs.moves })
    expect(holder(v4)).toBe(purple)
    expect(holder(v6)).toBe(blue)
    expect(back.error?.message).toMatch(new RegExp(`${v4} is on droplet ${purple}.*another change moved it`))
    expect(back.result!.outputs.rolled_back).toBe('false')
    expect(moves(back.result!.outputs.moves)).toEqual([{ ip: v6, from: green, to: blue }])
  })

  it('undoes an unassign, and waits first for an action still under way on the address', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setActionDuration(simMs(1500))
    const cutover = await run({ operation: 'unassign', ip, wait: 'false' })
    expect(sim.getIp(ip)!.locked).toBe(true)
    sim.setActionDuration(simMs(200))
    const back = await run({ operation: 'rollback', moves: cutover.result!.outputs.moves })
    expect(back.error).toBeUndefined()
    expect(holder(ip)).toBe(blue)
    expect(back.result!.outputs.rolled_back).toBe('true')
    // The unassign ended before the roll-back's assign: no 422 answered, one change each.
    expect(sim.holderChanges(ip).map((c) => c.to)).toEqual([null, blue])
  })

  it('a cutover whose actions outlast the IPv6 watch: the IPv6 is watched while the IPv4 is locked, then moved back', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.setActionDuration(simMs(14_000))
    const cutover = await run({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green), wait: 'false' })
    expect(holder(v6)).toBe(blue)
    sim.setActionDuration(simMs(200))
    const back = await run({ operation: 'rollback', moves: cutover.result!.outputs.moves })
    expect(back.error).toBeUndefined()
    expect(back.result!.outputs.rolled_back).toBe('true')
    sim.finishActions()
    expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    expect(sim.holderChanges(v6).map((c) => c.to)).toEqual([green, blue])
  })

  it('an address already on from is a success with changed=false; rolled_back counts it', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result, error } = await run({
      operation: 'rollback',
      moves: JSON.stringify([{ ip, from: blue, to: green }])
    })
    expect(error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ changed: 'false', rolled_back: 'true', moves: '[]' })
    expect(sim.mutatingRequests()).toHaveLength(0)
  })
})
