/**
 * The bundled action, run as a runner runs it: a cutover step, then `operation: rollback` with that
 * step's `moves` output, in each roll-back scenario of the contract (one address, a dual-stack pair,
 * another workflow's change in between, run twice, a cancelled cutover).
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { errorLines, runDist, TOKEN } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

let sim: Simulator
let blue: number
let green: number
let red: number

simulatorForEachTest({ actionDurationMs: 200, routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'web-blue', region: 'nyc3', tags: ['blue'] }).id
  green = sim.addDroplet({ name: 'web-green', region: 'nyc3', tags: ['green'] }).id
  red = sim.addDroplet({ name: 'web-red', region: 'nyc3', tags: ['red'] }).id
})

const base = (): Record<string, string> => ({ token: TOKEN, api_url: sim.url })
const holder = (ip: string): number | null => sim.getIp(ip)?.dropletId ?? null
const posts = (): number => sim.requests.filter((r) => r.method === 'POST').length

/** A dual-stack pair on blue. */
function pair(): [string, string] {
  return [sim.addIp({ version: 4, dropletId: blue }).ip, sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip]
}

/** The cutover step of the README's recipe: every address to the droplet tagged green. */
async function cutover(ips: string[], cancel?: Parameters<typeof runDist>[3]) {
  return runDist({ ...base(), operation: 'assign', ip: ips.join('\n'), droplet_tag: 'green' }, {}, 60_000, cancel)
}

/** The roll-back step of the README's recipe, given the cutover's moves output. */
async function rollback(moves: string | undefined) {
  expect(moves).toBeDefined()
  return runDist({ ...base(), operation: 'rollback', moves: moves! })
}

describe('dist/index.js operation: rollback, from the moves output of a cutover step', () => {
  it('one address: goes back to blue, rolled_back=true, its own moves say what it moved', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const cut = await cutover([ip])
    expect(cut.code).toBe(0)
    expect(JSON.parse(cut.outputs.moves!)).toEqual([{ ip, from: blue, to: green }])
    const back = await rollback(cut.outputs.moves)
    expect(back.code).toBe(0)
    expect(back.outputs).toMatchObject({ changed: 'true', rolled_back: 'true', droplet_id: String(blue) })
    expect(JSON.parse(back.outputs.moves!)).toEqual([{ ip, from: green, to: blue }])
    expect(holder(ip)).toBe(blue)
  })

  it('a dual-stack pair: both go back; run twice, the second sends nothing and changes nothing', async () => {
    const ips = pair()
    const cut = await cutover(ips)
    expect(ips.map(holder)).toEqual([green, green])
    const first = await rollback(cut.outputs.moves)
    expect(first.code).toBe(0)
    expect(first.outputs).toMatchObject({ changed: 'true', rolled_back: 'true', count: '2' })
    expect(ips.map(holder)).toEqual([blue, blue])
    const sent = posts()
    const second = await rollback(cut.outputs.moves)
    expect(second.code).toBe(0)
    expect(second.outputs).toMatchObject({ changed: 'false', rolled_back: 'true', moves: '[]' })
    expect(posts()).toBe(sent)
    expect(ips.map(holder)).toEqual([blue, blue])
  })

  it("another workflow's change in between: that address stays, the other goes back, one error names the holder", async () => {
    const [v4, v6] = pair()
    const cut = await cutover([v4, v6])
    sim.assignNow(v4, red)
    const back = await rollback(cut.outputs.moves)
    expect(back.code).not.toBe(0)
    expect(back.outputs).toMatchObject({ changed: 'true', rolled_back: 'false' })
    expect(JSON.parse(back.outputs.moves!)).toEqual([{ ip: v6, from: green, to: blue }])
    const errors = errorLines(back.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`${v4.replace(/\./g, '\\.')} is on droplet ${red}`))
    expect([holder(v4), holder(v6)]).toEqual([red, blue])
  })

  it('a cancelled cutover: its moves name both addresses; the roll-back brings both home', async () => {
    const ips = pair()
    sim.setActionDuration(400)
    const cut = await cutover(ips, { signal: 'SIGTERM', when: /started; waiting for DigitalOcean/ })
    expect(cut.code).not.toBe(0)
    expect(cut.outputs.changed).toBe('true')
    const moves = JSON.parse(cut.outputs.moves!) as { ip: string; from: number | null; to: number | null }[]
    expect(moves.map((m) => m.ip).sort()).toEqual([...ips].sort())
    expect(moves.every((m) => m.from === blue && m.to === green)).toBe(true)
    const back = await rollback(cut.outputs.moves)
    expect(back.code).toBe(0)
    expect(back.outputs).toMatchObject({ rolled_back: 'true' })
    expect(sim.actions().filter((a) => a.status === 'in-progress')).toEqual([])
    expect(ips.map(holder)).toEqual([blue, blue])
  })

  // The cutover's actions outlast the roll-back's watch of the reserved IPv6 (10 s, scaled down here
  // like every schedule of the action): the roll-back must not call the IPv6 "already home" while the
  // cutover's action may still move it, nor report rolled_back=true with the IPv6 then on green.
  it("a cancelled cutover whose actions outlast the IPv6's watch: rolled_back=true only with both home", async () => {
    const ips = pair()
    sim.setActionDuration(3000)
    const cut = await cutover(ips, { signal: 'SIGTERM', when: /started; waiting for DigitalOcean/ })
    expect(cut.outputs.changed).toBe('true')
    sim.setActionDuration(200)
    const back = await rollback(cut.outputs.moves)
    // Whatever the cancelled cutover started has ended; the outputs say where the addresses are.
    expect(sim.actions().filter((a) => a.status === 'in-progress')).toEqual([])
    const home = ips.map(holder).every((id) => id === blue)
    expect(back.outputs.rolled_back).toBe(String(home))
    expect(ips.map(holder)).toEqual([blue, blue])
  })
})
