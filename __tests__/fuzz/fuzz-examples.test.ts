/**
 * One deterministic example, seen from outside, of each way the step's report and DigitalOcean's
 * state came apart (issue 18). The randomized test (fuzz.test.ts) finds these among others; these
 * pin each one down. Each test states what the contract asks ("What the step reports is what
 * DigitalOcean shows", "Cutovers", "Behaviour under faults") and checks the simulator's state, not
 * only the outputs. Moments are chosen at requests (atRequest, faults at the nth request), not timers.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { runOperation, type RunOptions } from '../../src/run.js'
import { atRequest, errorLines, FAST_CLIENT, runDist, runInProcess, simMs, TOKEN } from '../helpers/support.js'

let sim: Simulator
let blue: number
let green: number
let red: number

simulatorForEachTest({ actionDurationMs: simMs(2000), routingDelayMs: simMs(1000) }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3' }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3' }).id
  red = sim.addDroplet({ name: 'red-1', region: 'nyc3' }).id
})

const holder = (ip: string): number | null | undefined => sim.getIp(ip)?.dropletId
const posts = (ip: string): string[] =>
  sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`${ip}/actions`)).map((r) => String(r.status))
const entries = (ips: string): { ip: string; droplet_id: number | null; changed: boolean }[] =>
  ips === '' ? [] : JSON.parse(ips)

describe('bug 1: an assign carried out whose answer never came before the timeout', () => {
  it('one address: the step reports where the IP is (one more read after the timeout), changed=true', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The assign takes effect; its answer never comes, and the request's own limit is past the deadline.
    sim.inject({ method: 'POST', path: `/v2/reserved_ips/${ip}/actions`, kind: 'hang-after' })
    const { result } = await runInProcess(
      sim.url,
      { operation: 'assign', ip, droplet_id: String(green), timeout: '1' },
      { ...FAST_CLIENT, requestTimeoutMs: 5000 }
    )
    expect(sim.actions()).toHaveLength(1)
    expect(holder(ip)).toBe(green)
    // The report comes from a read made after the request: not the droplet it was on before.
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), changed: 'true' })
  })

  it('a cutover of two: rolled_back=true only when every address this step moved is back', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.inject({ method: 'POST', path: `/v2/reserved_ips/${v4}/actions`, kind: 'hang-after' })
    const { result } = await runInProcess(
      sim.url,
      { operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green), timeout: '1' },
      { ...FAST_CLIENT, requestTimeoutMs: 5000 }
    )
    const out = result!.outputs
    const reported = Object.fromEntries(entries(out.ips).map((e) => [e.ip, e.droplet_id]))
    expect(reported).toEqual({ [v4]: holder(v4), [v6]: holder(v6) })
    if (out.rolled_back === 'true') expect([holder(v4), holder(v6)]).toEqual([blue, blue])
    // The IPv4 did move (the lost assign went through): the step must not leave it on green unsaid.
    expect(holder(v4) === blue || out.rolled_back === 'false').toBe(true)
  })
})

describe('bug 2: IPv6, a lost answer, an action longer than the watch', () => {
  it('the assign is not sent again and again; changed=true, the address on green', async () => {
    // 30 s of DigitalOcean's time: longer than the 10 s the step watches a reserved IPv6 after a lost answer.
    sim.setActionDuration(simMs(30_000))
    const ip = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    sim.inject({ method: 'POST', path: `/v2/reserved_ipv6/${ip}/actions`, kind: 'drop-after' })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(holder(ip)).toBe(green)
    expect(sim.actions().filter((a) => a.status === 'completed')).toHaveLength(1)
    // After a lost answer, the same change is sent at most twice more.
    expect(posts(ip).length).toBeLessThanOrEqual(3)
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), changed: 'true' })
  })
})

describe('bug 3: a roll-back undoes another deploy', () => {
  it('verification fails while another workflow moves the IP: the roll-back leaves it where that workflow put it', async () => {
    sim.setRoutingDelay(0)
    sim.setService(green, { healthy: false })
    sim.setService(red, { healthy: false })
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The step's action completes at its first poll; at once another workflow starts moving the IP
    // to red, which lands while the step is verifying (which takes the whole second of verify_timeout).
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => {
      sim.finishActions()
      sim.setActionDuration(simMs(2000))
      sim.startOtherAction(ip, red, { durationMs: simMs(4000) })
    })
    const { result } = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: String(green),
      verify_url: sim.verifyUrl,
      verify_timeout: '1',
      timeout: '10'
    })
    expect(result!.outputs.verified).toBe('false')
    expect(holder(ip)).toBe(red)
    expect(sim.holderChanges(ip).filter((c) => c.by === 'api' && c.from === red)).toEqual([])
    expect(result!.outputs.rolled_back).toBe('false')
    expect(result!.error).toMatch(new RegExp(`${red}`))
  })
})

describe('bug 4: success while the IP is elsewhere', () => {
  it('the action completed, then the IP reads on another droplet: the step fails naming it', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => {
      sim.finishActions()
      sim.assignNow(ip, red)
    })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(holder(ip)).toBe(red)
    expect(result!.outputs.droplet_id).toBe(String(red))
    expect(result!.error).toMatch(new RegExp(`${red}`))
  })
})

describe('bug 5: cancellation', () => {
  it('in-process: no request starts after the signal; the outputs name the action under way', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const controller = new AbortController()
    let cancelledAt = 0
    let requestsThen = 0
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 3, () => {
      controller.abort()
      cancelledAt = performance.now()
      requestsThen = sim.requests.length
    })
    const values: Record<string, string> = {
      token: TOKEN,
      api_url: sim.url,
      operation: 'assign',
      ip,
      droplet_id: String(green),
      timeout: '3'
    }
    const inputs = parseInputs((name) => values[name] ?? '', {})
    // `signal` is the option by which main.ts hands the runner's cancellation to the step.
    const options: RunOptions & { signal?: AbortSignal } = {
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      userAgent: 'test',
      client: FAST_CLIENT,
      signal: controller.signal
    }
    const result = await runOperation(inputs, options)
    const returnedAt = performance.now()
    expect(returnedAt - cancelledAt).toBeLessThan(2000)
    const after = sim.requests.slice(requestsThen)
    // At most the one last read of the address.
    expect(after.filter((r) => !(r.method === 'GET' && r.path === `/v2/reserved_ips/${ip}`))).toEqual([])
    expect(after.length).toBeLessThanOrEqual(1)
    const action = sim.actions()[0]!
    expect(result.outputs).toMatchObject({
      action_id: String(action.id),
      action_status: 'in-progress',
      changed: 'true',
      previous_droplet_id: String(blue)
    })
  })

  it('the bundled action, cancelled while verifying: the outputs report the address it moved', async () => {
    // Every probe reaches green at once, and green never answers: the signal comes while verifying.
    sim.setRoutingDelay(0)
    sim.setService(green, { hang: true })
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const run = await runDist(
      { token: TOKEN, api_url: sim.url, operation: 'assign', ip, droplet_id: String(green), verify_url: sim.verifyUrl },
      {},
      60_000,
      { signal: 'SIGTERM', when: /Verifying: probing/ }
    )
    const action = sim.actions()[0]!
    expect(action.status).toBe('completed')
    expect(holder(ip)).toBe(green)
    expect(run.code).not.toBe(0)
    expect(errorLines(run.stdout)[0]).toMatch(/Cancelled/)
    expect(run.outputs).toMatchObject({
      ip,
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      action_id: String(action.id),
      changed: 'true'
    })
  })
})

describe('bug 6: a create onto a droplet with a pending event', () => {
  it('waits the pending event out and retries, instead of failing at once', async () => {
    // Busy until the create is sent a second time.
    sim.setDropletBusy(green, Infinity)
    atRequest(sim, { method: 'POST', path: '/v2/reserved_ips' }, 2, () => sim.setDropletIdle(green))
    const { result, error } = await runInProcess(sim.url, { operation: 'create', droplet_id: String(green) })
    expect(error).toBeUndefined()
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path === '/v2/reserved_ips')
    expect(creates[0]!.status).toBe(422)
    expect(sim.ips()).toHaveLength(1)
    const [created] = sim.ips()
    expect(holder(created!.ip)).toBe(green)
    expect(result!.outputs).toMatchObject({ ip: created!.ip, droplet_id: String(green), changed: 'true' })
  })
})
