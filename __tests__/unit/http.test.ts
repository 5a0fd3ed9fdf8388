/** The HTTP client: proxies from the environment, redirects, and what reaches the server. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { ApiClient, ApiError, proxyFor } from '../../src/transport/http.js'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { atRequest, runInProcess, testStep } from '../helpers/support.js'

const step = testStep({ deadline: Date.now() + 120_000 })

describe('proxyFor', () => {
  const api = new URL('https://api.digitalocean.com')

  it('uses HTTPS_PROXY (or https_proxy, then HTTP_PROXY) for the API', () => {
    expect(proxyFor(api, { HTTPS_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128')
    expect(proxyFor(api, { https_proxy: 'http://lower:3128' })).toBe('http://lower:3128')
    expect(proxyFor(api, { HTTP_PROXY: 'http://plain:3128' })).toBe('http://plain:3128')
    expect(proxyFor(api, {})).toBeUndefined()
  })

  it('honours NO_PROXY: exact hosts, domain suffixes, ports and *', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' }
    expect(proxyFor(api, { ...env, NO_PROXY: 'api.digitalocean.com' })).toBeUndefined()
    expect(proxyFor(api, { ...env, NO_PROXY: 'example.com, .digitalocean.com' })).toBeUndefined()
    expect(proxyFor(api, { ...env, no_proxy: 'digitalocean.com' })).toBeUndefined()
    expect(proxyFor(api, { ...env, NO_PROXY: '*' })).toBeUndefined()
    expect(proxyFor(api, { ...env, NO_PROXY: 'api.digitalocean.com:8443' })).toBe('http://proxy:3128')
    expect(proxyFor(api, { ...env, NO_PROXY: 'ocean.com,notdigitalocean.com' })).toBe('http://proxy:3128')
  })

  it('never proxies loopback', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' }
    expect(proxyFor(new URL('http://127.0.0.1:8080'), env)).toBeUndefined()
    expect(proxyFor(new URL('http://localhost:8080'), env)).toBeUndefined()
    expect(proxyFor(new URL('http://[::1]:8080'), env)).toBeUndefined()
  })
})

describe('ApiClient against the simulator', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator()
  })
  afterEach(async () => {
    await sim.close()
  })

  const client = (token = 'sim-token'): ApiClient =>
    new ApiClient({
      baseUrl: new URL(sim.url),
      token,
      userAgent: 'test-agent/1',
      baseDelayMs: 10,
      maxDelayMs: 50
    })

  it('does not follow a redirect, and does not repeat the request', async () => {
    sim.inject({
      method: 'GET',
      path: '/v2/reserved_ips',
      kind: 'status',
      status: 302,
      headers: { location: 'https://elsewhere.example/' }
    })
    const error = await client()
      .request(step, 'GET', '/v2/reserved_ips', { retry: 'safe' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(302)
    expect(sim.requests).toHaveLength(1)
  })

  it('decodes DigitalOcean errors: status, id, message and request_id', async () => {
    const error = (await client()
      .request(step, 'GET', '/v2/reserved_ips/203.0.113.200', { retry: 'safe' })
      .catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(404)
    expect(error.errorId).toBe('not_found')
    expect(error.apiMessage.length).toBeGreaterThan(0)
    expect(error.requestId).toMatch(/\S+/)
    expect(error.message).toContain(`request_id ${error.requestId}`)
  })

  it('sends the token only as a bearer header', async () => {
    await client().request(step, 'GET', '/v2/reserved_ips', { retry: 'safe', query: { page: 1, per_page: 200 } })
    expect(sim.requests[0]).toMatchObject({ authorization: true, query: { page: '1', per_page: '200' } })
    expect(JSON.stringify(sim.requests)).not.toContain('sim-token')
  })

  it('gives up at the retry budget, not only at the attempt count', async () => {
    sim.inject({ method: 'GET', kind: 'status', status: 503, times: 100 })
    const c = new ApiClient({
      baseUrl: new URL(sim.url),
      token: 'sim-token',
      userAgent: 'x',
      baseDelayMs: 50,
      maxDelayMs: 50,
      retryBudgetMs: 175
    })
    const error = (await c
      .request(step, 'GET', '/v2/reserved_ips', { retry: 'safe' })
      .catch((e: unknown) => e)) as Error
    expect(error.message).toMatch(/Gave up after \d attempts/)
    expect(sim.requests.length).toBeLessThan(10)
  })
})

describe('rate limit headers', () => {
  it('slows down when ratelimit-remaining runs low, so the limit is not hit', async () => {
    // An hourly budget of 15 that lasts 2 s (DigitalOcean's headers announce the hour's budget).
    const limited = await startSimulator({ rateLimit: { perMinute: 1000, perHour: 15, timeScale: 1800 } })
    try {
      const c = new ApiClient({
        baseUrl: new URL(limited.url),
        token: 'sim-token',
        userAgent: 'x'
      })
      for (let i = 0; i < 30; i++) await c.request(step, 'GET', '/v2/reserved_ips', { retry: 'safe' })
      expect(limited.countRequests({ path: '/v2/reserved_ips' })).toBe(30)
      expect(limited.rateLimited).toBe(0)
    } finally {
      await limited.close()
    }
  })
})

describe('an IPv4 assign whose answer was lost, where the IP action list is unavailable', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator({ actionDurationMs: Infinity })
  })
  afterEach(async () => {
    await sim.close()
  })

  it('watches the IP instead and never applies the assign twice', async () => {
    const blue = sim.addDroplet({ name: 'blue', region: 'nyc3' }).id
    const green = sim.addDroplet({ name: 'green', region: 'nyc3' }).id
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({ method: 'POST', path: /\/actions$/, kind: 'drop-after' })
    sim.inject({ method: 'GET', path: /\/actions$/, kind: 'not-found', times: 10 })
    // The action ends when the step has read the IP three times since it sent the assign.
    atRequest(sim, { method: 'GET', path: `/v2/reserved_ips/${ip}` }, 4, () => sim.finishActions())
    const { result, error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(sim.actions()).toHaveLength(1)
    expect(sim.countRequests({ method: 'GET', path: `/v2/reserved_ips/${ip}` })).toBeGreaterThanOrEqual(4)
  })
})
