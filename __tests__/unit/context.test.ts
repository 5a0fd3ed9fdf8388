/** The step's context: the clock's sleeps, and the client honouring the cancellation signal. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { CancelledError, systemClock, type StepContext } from '../../src/context.js'
import { ApiClient } from '../../src/transport/http.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { runOperation } from '../../src/run.js'
import { scaledClock, startSimulator, type Simulator } from '../../sim/simulator.js'
import { atRequest, FAST_CLIENT, testStep, TOKEN } from '../helpers/support.js'

const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }

describe('systemClock', () => {
  it('sleeps on the real clock, and an abort ends the sleep at once', async () => {
    const clock = systemClock(10)
    expect(clock.scaled(1000)).toBe(100)
    const controller = new AbortController()
    const t0 = performance.now()
    setTimeout(() => controller.abort(), 20)
    await clock.sleep(10_000, controller.signal)
    expect(performance.now() - t0).toBeLessThan(2000)
    // Already aborted: no wait at all.
    await clock.sleep(10_000, controller.signal)
  })
})

describe('ApiClient and the cancellation signal', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator()
  })
  afterEach(async () => {
    await sim.close()
  })

  const client = (): ApiClient => new ApiClient({ baseUrl: new URL(sim.url), token: TOKEN, userAgent: 'test' })
  const step = (signal: AbortSignal): StepContext => testStep({ signal, log: quiet })

  it('starts no request once the signal is aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      client().request(step(controller.signal), 'GET', '/v2/reserved_ips', { retry: 'safe' })
    ).rejects.toThrow(CancelledError)
    expect(sim.requests).toHaveLength(0)
  })

  it('aborts a request in flight, and retries nothing after it', async () => {
    const controller = new AbortController()
    sim.inject({ kind: 'hang', method: 'GET', path: '/v2/reserved_ips', times: 5 })
    atRequest(sim, { method: 'GET' }, 1, () => setTimeout(() => controller.abort(), 50))
    const t0 = performance.now()
    await expect(
      client().request(step(controller.signal), 'GET', '/v2/reserved_ips', { retry: 'safe' })
    ).rejects.toThrow(CancelledError)
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(sim.requests).toHaveLength(1)
  })
})

describe('ApiClient on the step clock', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator()
  })
  afterEach(async () => {
    await sim.close()
  })

  it("counts a request's time limit on its clock, as it counts the deadline the limit is cut to", async () => {
    // 100 times faster than real time: a 20 s deadline is 200 ms, a 10 s request limit 100 ms.
    const clock = scaledClock(100)
    const c = new ApiClient({
      baseUrl: new URL(sim.url),
      token: TOKEN,
      userAgent: 'test',
      requestTimeoutMs: 10_000,
      maxAttempts: 1
    })
    sim.inject({ kind: 'hang', method: 'GET', path: '/v2/reserved_ips', times: 5 })
    const t0 = performance.now()
    const step = testStep({ clock, deadline: clock.now() + 20_000, log: quiet })
    await expect(c.request(step, 'GET', '/v2/reserved_ips', { retry: 'safe' })).rejects.toThrow(
      /no answer within 10.0 s/
    )
    // On real time the limit would be 10 s.
    expect(performance.now() - t0).toBeLessThan(3000)
  })
})

describe('runOperation with a signal', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator({ actionDurationMs: Infinity })
  })
  afterEach(async () => {
    expect(sim.violations).toEqual([])
    await sim.close()
  })

  it('ends a wait at once when the signal is aborted, and sends nothing more', async () => {
    const blue = sim.addDroplet({ name: 'blue', region: 'nyc3' }).id
    const green = sim.addDroplet({ name: 'green', region: 'nyc3' }).id
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const controller = new AbortController()
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, () => controller.abort())
    const inputs = parseInputs(
      (name) => ({ token: TOKEN, api_url: sim.url, ip, droplet_id: String(green) })[name] ?? '',
      {}
    )
    const t0 = performance.now()
    await runOperation(inputs, { log: quiet, userAgent: 'test', client: FAST_CLIENT, signal: controller.signal })
    expect(performance.now() - t0).toBeLessThan(5000)
    const polls = sim.countRequests({ method: 'GET', path: /^\/v2\/actions\// })
    expect(polls).toBe(2)
    expect(sim.mutatingRequests()).toHaveLength(1)
  })
})
