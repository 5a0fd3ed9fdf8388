/**
 * Behaviour under faults: each test checks the end state in the simulator (who holds the IP, how
 * many IPs and actions exist, how many changing requests were sent), not only the result.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import {
  atRequest,
  FAST_CLIENT,
  passTime,
  runInProcess,
  simMs,
  stopDate,
  type InProcessRun
} from '../helpers/support.js'

let sim: Simulator
let blue: number
let green: number

simulatorForEachTest({ actionDurationMs: simMs(200) }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', tags: ['blue'] }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', tags: ['green'] }).id
})

const actionPosts = (): number => sim.countRequests({ method: 'POST', path: /\/actions$/ })

/** When (epoch ms) a request arrived at the simulator. */
const arrivedAt = (index: number): number => performance.timeOrigin + sim.timeOrigin + sim.requests[index]!.at

describe('rate limits', () => {
  it('waits for ratelimit-reset on a 429, then carries on', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const resetInMs = 300
    sim.inject({ method: 'GET', path: `/v2/reserved_ips/${ip}`, kind: 'rate-limit', resetInMs })
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.error).toBeUndefined()
    // The retry went out no sooner than the reset the 429 announced (whole epoch seconds, rounded up).
    const reads = sim.requests.flatMap((r, i) => (r.path === `/v2/reserved_ips/${ip}` ? [i] : []))
    expect(sim.requests[reads[0]!]!.status).toBe(429)
    const announcedReset = Math.ceil((arrivedAt(reads[0]!) + resetInMs) / 1000) * 1000
    expect(arrivedAt(reads[1]!)).toBeGreaterThanOrEqual(announcedReset - 1)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(sim.actions()).toHaveLength(1)
    expect(logs.join('\n')).toMatch(/Rate limited/)
  })

  it('honours Retry-After on an action request, and sends the action once', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'rate-limit', resetInMs: 1000, retryAfter: 1 })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.action_status).toBe('completed')
    expect(sim.actions()).toHaveLength(1)
    const posts = sim.requests.flatMap((r, i) => (r.method === 'POST' ? [i] : []))
    expect(posts.map((i) => sim.requests[i]!.status)).toEqual([429, 201])
    expect(arrivedAt(posts[1]!) - arrivedAt(posts[0]!)).toBeGreaterThanOrEqual(1000 - 1)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
  })
})

describe('server errors', () => {
  it('retries 500 and 503 on reads and while polling', async () => {
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    sim.inject({ method: 'GET', path: /^\/v2\/reserved_ipv6\//, kind: 'status', status: 503, times: 2 })
    sim.inject({ method: 'GET', path: /^\/v2\/actions\//, kind: 'status', status: 500, times: 2 })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ action_status: 'completed', droplet_id: String(green) })
    expect(sim.actions()).toHaveLength(1)
  })

  it('gives up on a server that keeps failing, saying what was tried, and changes nothing', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'GET', kind: 'status', status: 503, times: 1000 })
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(error?.message).toMatch(/Gave up after 10 attempts/)
    expect(error?.message).toMatch(/HTTP 503/)
    expect(sim.countRequests({ method: 'GET' })).toBe(10)
    expect(actionPosts()).toBe(0)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })

  it('does not retry a 401 and says the token was rejected', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const { error } = await runInProcess(sim.url, { operation: 'get', ip, token: 'wrong-token' })
    expect(error?.message).toMatch(/HTTP 401/)
    expect(error?.message).toMatch(/token was rejected/)
    expect(error?.message).not.toContain('wrong-token')
    expect(sim.requests).toHaveLength(1)
  })

  it('re-reads the IP after a 503 on an assign instead of blindly re-sending', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'status', status: 503 })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(sim.actions()).toHaveLength(1)
    expect(actionPosts()).toBe(2)
  })
})

describe('dropped connections', () => {
  it('re-sends an assign whose connection dropped before the server applied it', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-before' })
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), action_status: 'completed', changed: 'true' })
    expect(sim.actions()).toHaveLength(1)
    expect(actionPosts()).toBe(2)
    expect(logs.join('\n')).toMatch(/re-reading the IP/)
  })

  it('adopts the action of an IPv4 assign that was applied before the connection dropped', async () => {
    // The action stays in progress until the step polls it.
    sim.setActionDuration(Infinity)
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => sim.finishActions())
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-after' })
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(logs.join('\n')).toMatch(/Action \d+ \(assign_ip\) is already in progress/)
    expect(sim.actions()).toHaveLength(1)
    expect(actionPosts()).toBe(1)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(result!.outputs).toMatchObject({
      droplet_id: String(green),
      action_id: String(sim.actions()[0]!.id),
      action_status: 'completed'
    })
  })

  it('never applies an IPv6 assign twice when the answer was lost', async () => {
    sim.setActionDuration(simMs(800))
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-after' })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(sim.actions()).toHaveLength(1)
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), changed: 'true' })
  })

  it('watches an IPv6 after a lost answer instead of sending the assign again', async () => {
    // The action ends while the step watches the IP: at its second read of the watch (the fourth in all).
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    const reads = atRequest(sim, { method: 'GET', path: `/v2/reserved_ipv6/${ip}` }, 4, () => sim.finishActions())
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-after' })
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(logs.join('\n')).toMatch(/Watching .* in case the unanswered request went through/)
    expect(reads()).toBeGreaterThanOrEqual(4)
    expect(actionPosts()).toBe(1)
    expect(sim.actions()).toHaveLength(1)
  })

  it('unassign: continues from what happened when the answer was lost', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-after' })
    const { result } = await runInProcess(sim.url, { operation: 'unassign', ip })
    expect(sim.getIp(ip)?.dropletId).toBeNull()
    expect(sim.actions()).toHaveLength(1)
    expect(result!.outputs.droplet_id).toBe('')
  })

  it('abandons a hung read and retries it', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'GET', path: `/v2/reserved_ips/${ip}`, kind: 'hang' })
    const { result, logs } = await runInProcess(
      sim.url,
      { operation: 'get', ip },
      { ...FAST_CLIENT, requestTimeoutMs: 500 }
    )
    expect(result!.outputs.droplet_id).toBe(String(blue))
    expect(logs.join('\n')).toMatch(/no answer within/)
    expect(sim.countRequests({ method: 'GET', path: `/v2/reserved_ips/${ip}` })).toBe(2)
  })

  it('never sends a create twice: a lost answer fails with how to find the address', async () => {
    sim.inject({ method: 'POST', path: '/v2/reserved_ips', kind: 'drop-after' })
    const { error } = await runInProcess(sim.url, { operation: 'create', region: 'nyc3' })
    expect(error?.message).toMatch(/may have been reserved/)
    expect(error?.message).toMatch(/operation: list/)
    expect(sim.countRequests({ method: 'POST', path: '/v2/reserved_ips' })).toBe(1)
    expect(sim.ips()).toHaveLength(1)
  })

  it('never sends a create twice after a 5xx either', async () => {
    sim.inject({ method: 'POST', path: '/v2/reserved_ipv6', kind: 'status', status: 502 })
    const { error } = await runInProcess(sim.url, { operation: 'create', region: 'nyc3', ip_version: '6' })
    expect(error?.message).toMatch(/may have been reserved/)
    expect(sim.countRequests({ method: 'POST' })).toBe(1)
  })

  it('retries a delete whose answer was lost, and counts it as released', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ method: 'DELETE', kind: 'drop-after' })
    const { result } = await runInProcess(sim.url, { operation: 'delete', ip })
    expect(sim.getIp(ip)).toBeUndefined()
    expect(result!.outputs.changed).toBe('true')
  })
})

describe('pending events', () => {
  it('waits for a 422 pending event to clear, and says so', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'pending-event', times: 2 })
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), action_status: 'completed' })
    expect(logs.join('\n')).toMatch(/pending event/)
    expect(sim.actions()).toHaveLength(1)
  })

  it("waits out someone else's action on the IP, then makes the change", async () => {
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    // Someone else's action holds the IP until this step has been refused twice.
    sim.lock(ip, Infinity)
    atRequest(sim, { method: 'POST', path: /\/actions$/ }, 3, () => sim.unlock(ip))
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(sim.mutatingRequests().map((r) => r.status)).toEqual([422, 422, 201])
  })

  it("waits for someone else's action on an IPv4 (even one that errors), then sends its own", async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The other action runs until this step first polls it.
    sim.setActionDuration(Infinity)
    sim.setActionOutcome((a) => (a.type === 'unassign_ip' ? 'errored' : 'completed'))
    // Another workflow starts an unassign on the IP just before this step.
    const other = await fetch(`${sim.url}/v2/reserved_ips/${ip}/actions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'unassign' })
    })
    expect(other.status).toBe(201)
    sim.setActionDuration(simMs(200))
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => sim.finishActions())
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(logs.join('\n')).toMatch(/already in progress on/)
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), action_status: 'completed' })
    expect(sim.actions().map((a) => [a.type, a.status])).toEqual([
      ['unassign_ip', 'errored'],
      ['assign_ip', 'completed']
    ])
  })

  it('waits for a droplet that is still being set up', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The droplet is set up by the time of the step's second request to assign.
    sim.setDropletBusy(green, Infinity)
    atRequest(sim, { method: 'POST', path: /\/actions$/ }, 2, () => sim.setDropletIdle(green))
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(sim.actions()).toHaveLength(1)
    expect(sim.mutatingRequests().map((r) => r.status)).toEqual([422, 201])
  })

  it('gives up at the timeout when the IP stays locked, sending nothing while it is', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.lock(ip, Infinity)
    // The step's 3 s pass while it reads the locked IP for the third time.
    stopDate()
    atRequest(sim, { method: 'GET', path: `/v2/reserved_ips/${ip}` }, 3, () => passTime(3500))
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green), timeout: '3' })
    expect(error?.message).toMatch(/stayed locked until the step's timeout ran out \(timeout: 3 s\); nothing was sent/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(actionPosts()).toBe(0)
    expect(sim.actions()).toHaveLength(0)
  })

  it('gives up at the timeout when the pending event never clears, changing nothing', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setDropletBusy(green, Infinity)
    // The step's 3 s pass while its third request to assign is refused.
    stopDate()
    atRequest(sim, { method: 'POST', path: /\/actions$/ }, 3, () => passTime(3500))
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green), timeout: '3' })
    expect(error?.message).toMatch(/timeout ran out/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(actionPosts()).toBe(3)
    expect(sim.actions()).toHaveLength(0)
  })

  it('reads a just-created IP again when the first read lags', async () => {
    // The first two reads of the new address answer 404, as reads lagging the create do.
    const readOfIp = /^\/v2\/reserved_ips\/[^/]+$/
    sim.inject({ method: 'GET', path: readOfIp, kind: 'not-found', times: 2 })
    const d = sim.addDroplet({ name: 'new-1', region: 'nyc3' }).id
    const { result, error } = await runInProcess(sim.url, { operation: 'create', droplet_id: String(d) })
    expect(error).toBeUndefined()
    expect(result!.outputs.droplet_id).toBe(String(d))
    expect(sim.requests.filter((r) => readOfIp.test(r.path)).map((r) => r.status)).toEqual([404, 404, 200])
  })
})

describe('two cutovers at once', () => {
  /** Two steps move the same IP from blue at once: one to green, one to purple. */
  async function twoCutovers(ip: string, purple: number): Promise<InProcessRun[]> {
    return Promise.all([
      runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green), expected_droplet_id: String(blue) }),
      runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(purple), expected_droplet_id: String(blue) })
    ])
  }

  function expectOneWinner(ip: string, runs: InProcessRun[]): InProcessRun {
    const winners = runs.filter((r) => r.result && !r.result.error)
    const losers = runs.filter((r) => r.error)
    expect(winners).toHaveLength(1)
    expect(losers).toHaveLength(1)
    expect(losers[0]!.error!.message).toMatch(/expected_droplet_id/)
    const holder = Number(winners[0]!.result!.outputs.droplet_id)
    expect(sim.getIp(ip)?.dropletId).toBe(holder)
    expect(sim.actions()).toHaveLength(1)
    return losers[0]!
  }

  it('lets one win and stops the other, which names who moved the IP', async () => {
    const purple = sim.addDroplet({ name: 'purple-1', region: 'nyc3' }).id
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The winner's action runs until the loser has found it in progress; it ends at the next poll.
    sim.setActionDuration(Infinity)
    let listed = false
    sim.onRequest((req) => {
      if (req.method === 'GET' && req.path === `/v2/reserved_ips/${ip}/actions`) listed = true
      else if (listed && req.method === 'GET' && req.path.startsWith('/v2/actions/')) sim.finishActions()
    })
    const loser = expectOneWinner(ip, await twoCutovers(ip, purple))
    expect(loser.logs.join('\n')).toMatch(/is already in progress on/)
  })

  // When the winner's action ends between the loser's re-read of the IP and its look at the IP's
  // actions, the loser finds no action in progress: it must judge the IP afresh before sending.
  it('stops the other also when the first action ends just as the other looks for it', async () => {
    const purple = sim.addDroplet({ name: 'purple-1', region: 'nyc3' }).id
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setActionDuration(Infinity)
    atRequest(sim, { method: 'GET', path: `/v2/reserved_ips/${ip}/actions` }, 1, () => {
      sim.finishActions()
      sim.setActionDuration(simMs(200))
    })
    expectOneWinner(ip, await twoCutovers(ip, purple))
  })
})
