/**
 * Text that enters from the network, and failures said once: the token scrubbed from error answers
 * before they are cut or quoted, repeated failures collapsed with their counts, each retry line
 * once, the timeout named as the input it is, 401 and 403 said for what they are.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { renderSummary } from '../../src/report/summary.js'
import { scrubSecret, scrubSecrets, FRAGMENT_LENGTH } from '../../src/transport/scrub.js'
import { scopeOf } from '../../src/transport/scopes.js'
import { attemptsText } from '../../src/transport/failures.js'
import { FAST_CLIENT, runInProcess, type InProcessRun } from '../helpers/support.js'

/** A token of DigitalOcean's shape, 41 characters long. */
const SECRET = 'dop_v1_3f9a1c7e5b2d4f60a8c1e3b5d7f9a2c4e6'

/** Every run of FRAGMENT_LENGTH characters of the secret found in the text. */
function fragmentsIn(text: string, secret = SECRET): string[] {
  const found: string[] = []
  for (let i = 0; i + FRAGMENT_LENGTH <= secret.length; i++) {
    const run = secret.slice(i, i + FRAGMENT_LENGTH)
    if (text.includes(run)) found.push(run)
  }
  return found
}

/** Everything a step shows: its error, its log, its outputs and its rendered summary. */
function shown(run: InProcessRun): string {
  const result = run.result
  return [
    run.error?.message ?? '',
    run.logs.join('\n'),
    result ? JSON.stringify(result.outputs) : '',
    result ? renderSummary(result.summary) : ''
  ].join('\n')
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('scrubSecret', () => {
  it('hides the token and every run of 8 or more of its characters, and leaves other text alone', () => {
    expect(scrubSecret(`Bearer ${SECRET}!`, SECRET)).toBe('Bearer ***!')
    expect(scrubSecret(`x${SECRET.slice(3, 11)}y`, SECRET)).toBe('x***y')
    // 7 characters in a row are no fragment; text that is not the token stays as it was.
    expect(scrubSecret(`x${SECRET.slice(3, 10)}y`, SECRET)).toBe(`x${SECRET.slice(3, 10)}y`)
    expect(scrubSecret('502 Bad Gateway', SECRET)).toBe('502 Bad Gateway')
    // Two fragments apart are each hidden.
    const two = `${SECRET.slice(0, 12)} and ${SECRET.slice(20, 41)}`
    expect(fragmentsIn(scrubSecret(two, SECRET))).toEqual([])
  })

  it('scrubSecrets: each secret of several; one under 4 characters is left alone', () => {
    const other = 'another-token-value'
    expect(scrubSecrets(`${SECRET.slice(2, 20)} ${other.slice(0, 9)} abc`, [SECRET, other, 'abc'])).toBe('*** *** abc')
  })
})

describe('error answers that quote the token', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator({ token: SECRET })
  })
  afterEach(async () => {
    await sim.close()
  })

  const get = (ip: string): Promise<InProcessRun> =>
    runInProcess(sim.url, { operation: 'get', ip, token: SECRET }, { ...FAST_CLIENT, maxAttempts: 3 })

  it('a 502 page from a proxy that quotes the Authorization header: no fragment anywhere', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const page = `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><pre>GET /v2/reserved_ips/${ip} HTTP/1.1\nAuthorization: Bearer ${SECRET}\nAccept: application/json</pre></body></html>`
    sim.inject({ method: 'GET', kind: 'not-json', status: 502, text: page, times: 100 })
    const run = await get(ip)
    expect(run.error?.message).toMatch(/HTTP 502/)
    // The page's own words are quoted, the token is not.
    expect(run.error?.message).toContain('Bad Gateway')
    expect(run.error?.message).toContain('Authorization: Bearer ***')
    expect(fragmentsIn(shown(run))).toEqual([])
  })

  it('a page cut so that 40 of the token’s 41 characters remain: no fragment anywhere', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const cut = `<html><body>upstream said: Authorization: Bearer ${SECRET.slice(0, 40)}`
    // A scrub of the whole token would find nothing to hide here.
    expect(cut.includes(SECRET)).toBe(false)
    sim.inject({ method: 'GET', kind: 'not-json', status: 502, text: cut, times: 100 })
    const run = await get(ip)
    expect(run.error?.message).toMatch(/HTTP 502.*upstream said/)
    expect(fragmentsIn(shown(run))).toEqual([])
  })

  it('the token at the place where a long page is cut short: no fragment anywhere', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    // The excerpt keeps 200 characters: the token starts 10 before that.
    const page = `<p>${'x'.repeat(190)} ${SECRET} end</p>`
    sim.inject({ method: 'GET', kind: 'not-json', status: 503, text: page, times: 100 })
    const run = await get(ip)
    expect(run.error?.message).toMatch(/HTTP 503/)
    expect(fragmentsIn(shown(run))).toEqual([])
  })

  it("DigitalOcean's JSON error whose message holds a part of the token: no fragment anywhere", async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const message = `token ${SECRET.slice(5, 30)} is not allowed here`
    sim.inject({ method: 'GET', kind: 'status', status: 400, id: 'bad_request', message })
    const run = await get(ip)
    expect(run.error?.message).toMatch(/HTTP 400 \(bad_request: token \*\*\* is not allowed here\)/)
    expect(fragmentsIn(shown(run))).toEqual([])
  })
})

describe('repeated failures said once', () => {
  it('an unreachable API: the count, the time and the cause once, not ten times', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const run = await runInProcess(url, { operation: 'get', ip: '203.0.113.7' })
    const message = run.error?.message ?? ''
    expect(message).toMatch(
      /^GET \/v2\/reserved_ips\/203\.0\.113\.7: no answer from DigitalOcean\. Gave up after 10 attempts in \d+\.\d s, each: connection refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/
    )
    expect(message.split('ECONNREFUSED')).toHaveLength(2)
    expect(message).not.toContain('<url>')
    // The retry is said once in the log; the same cause again goes to the debug log.
    const infos = run.logs.filter((l) => !l.startsWith('debug: '))
    expect(infos.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1)
  })

  it('attempts that failed differently: each cause once, with its count', async () => {
    const sim = await startSimulator()
    try {
      const ip = sim.addIp({ version: 4 }).ip
      const path = `/v2/reserved_ips/${ip}`
      sim.inject({ method: 'GET', path, kind: 'status', status: 503, times: 4 })
      sim.inject({ method: 'GET', path, kind: 'status', status: 500, skip: 4, times: 6 })
      const run = await runInProcess(sim.url, { operation: 'get', ip })
      expect(run.error?.message).toMatch(/Gave up after 10 attempts in \d+\.\d s: 4 × HTTP 503, 6 × HTTP 500$/)
      expect(sim.countRequests({ method: 'GET', path })).toBe(10)
    } finally {
      await sim.close()
    }
  })

  it('attemptsText: one cause is said with "each", several with their counts in the order they came', () => {
    expect(attemptsText(['a', 'a', 'a'], 2500)).toBe('3 attempts in 2.5 s, each: a')
    expect(attemptsText(['a'], 100)).toBe('1 attempt in 0.1 s: a')
    expect(attemptsText(['a', 'b', 'a'], 1000)).toBe('3 attempts in 1.0 s: 2 × a, 1 × b')
  })
})

describe('each retry line once', () => {
  it('two requests to one path side by side (a droplet name and its GPU list) log a line each, told apart', async () => {
    const sim = await startSimulator()
    try {
      const droplet = sim.addDroplet({ name: 'web-green', region: 'nyc3' })
      const ip = sim.addIp({ version: 4 }).ip
      // Both lookups of the name (GET /v2/droplets?name=…, and with type=gpus) fail once.
      sim.inject({ method: 'GET', path: '/v2/droplets', kind: 'status', status: 503, times: 2 })
      const run = await runInProcess(sim.url, { operation: 'assign', ip, droplet_name: 'web-green' })
      expect(run.error).toBeUndefined()
      expect(sim.getIp(ip)?.dropletId).toBe(droplet.id)
      const infos = run.logs.filter((l) => !l.startsWith('debug: '))
      expect(new Set(infos).size).toBe(infos.length)
      const retries = infos.filter((l) => /retrying/.test(l))
      expect(retries).toHaveLength(2)
      expect(retries.some((l) => l.includes('type=gpus'))).toBe(true)
      expect(retries.some((l) => !l.includes('type=gpus'))).toBe(true)
    } finally {
      await sim.close()
    }
  })
})

describe('what the failure means', () => {
  let sim: Simulator
  beforeEach(async () => {
    sim = await startSimulator()
  })
  afterEach(async () => {
    await sim.close()
  })

  it('the timeout error names the timeout input and its value', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    sim.inject({ method: 'GET', kind: 'hang', times: 100 })
    const run = await runInProcess(
      sim.url,
      { operation: 'get', ip, timeout: '2' },
      { ...FAST_CLIENT, requestTimeoutMs: 800 }
    )
    expect(run.error?.message).toMatch(/the step's timeout ran out \(timeout: 2 s\)/)
  })

  it('a wait for an action that outlasts the timeout names it too, with no double full stop', async () => {
    const droplet = sim.addDroplet({ name: 'green', region: 'nyc3' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.setActionDuration(Infinity)
    const run = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(droplet.id), timeout: '2' })
    expect(run.error?.message).toMatch(/the step's timeout ran out \(timeout: 2 s\)/)
    expect(run.error?.message).not.toMatch(/\.\./)
    sim.finishActions()
  })

  it('a 401 says that the token was rejected, and is not retried', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const run = await runInProcess(sim.url, { operation: 'get', ip, token: 'not-the-token' })
    expect(run.error?.message).toMatch(/HTTP 401 .*: the API token was rejected \(not retried\)/)
    expect(sim.requests).toHaveLength(1)
  })

  it('a 403 on a release names the scope it needs: reserved_ip:delete', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    sim.denyScope('reserved_ip:delete')
    const run = await runInProcess(sim.url, { operation: 'delete', ip })
    expect(run.error?.message).toMatch(
      /DELETE \/v2\/reserved_ips\/\S+ with HTTP 403 .*lacks the reserved_ip:delete scope/
    )
    expect(sim.getIp(ip)).toBeDefined()
  })

  it('a 403 on a move names reserved_ip:update, on a read reserved_ip:read', async () => {
    const droplet = sim.addDroplet({ name: 'green', region: 'nyc3' })
    const ip = sim.addIp({ version: 4 }).ip
    sim.denyScope('reserved_ip:update')
    const moved = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(droplet.id) })
    expect(moved.error?.message).toMatch(/lacks the reserved_ip:update scope/)
    sim.denyScope('reserved_ip:read')
    const read = await runInProcess(sim.url, { operation: 'get', ip })
    expect(read.error?.message).toMatch(/lacks the reserved_ip:read scope/)
  })

  it("the transport's messages never end in a full stop, so a sentence built on them gets one", async () => {
    const ip = sim.addIp({ version: 4 }).ip
    sim.denyScope('reserved_ip:read')
    const refused = await runInProcess(sim.url, { operation: 'get', ip })
    const rejected = await runInProcess(sim.url, { operation: 'get', ip, token: 'not-the-token' })
    for (const run of [refused, rejected]) {
      expect(run.error?.message).toMatch(/HTTP 40[13]/)
      expect(run.error?.message).not.toMatch(/\.\.|\.$/)
    }
  })
})

describe('the scopes table', () => {
  const spec = JSON.parse(readFileSync('api/digitalocean-reserved-ips.openapi.json', 'utf8')) as {
    paths: Record<string, Record<string, { security?: { bearer_auth?: string[] }[] }>>
  }

  it('agrees with the OpenAPI description for every request the action sends', () => {
    const sent = [
      ['GET', '/v2/reserved_ips/{reserved_ip}'],
      ['GET', '/v2/reserved_ips'],
      ['POST', '/v2/reserved_ips'],
      ['DELETE', '/v2/reserved_ips/{reserved_ip}'],
      ['GET', '/v2/reserved_ips/{reserved_ip}/actions'],
      ['POST', '/v2/reserved_ips/{reserved_ip}/actions'],
      ['GET', '/v2/reserved_ipv6/{reserved_ipv6}'],
      ['GET', '/v2/reserved_ipv6'],
      ['POST', '/v2/reserved_ipv6'],
      ['DELETE', '/v2/reserved_ipv6/{reserved_ipv6}'],
      ['POST', '/v2/reserved_ipv6/{reserved_ipv6}/actions'],
      ['GET', '/v2/actions/{action_id}'],
      ['GET', '/v2/droplets'],
      ['GET', '/v2/droplets/{droplet_id}'],
      ['GET', '/v2/domains'],
      ['GET', '/v2/domains/{domain_name}/records']
    ]
    for (const [method, route] of sent) {
      const scope = spec.paths[route]?.[method.toLowerCase()]?.security?.[0]?.bearer_auth?.[0]
      expect([method, route, scope]).toEqual([method, route, expect.any(String)])
      const path = route.replace(/\{[^}]+\}/g, (name) =>
        name.includes('ipv6')
          ? '2001:db8::10'
          : name.includes('ip')
            ? '203.0.113.5'
            : name.includes('domain')
              ? 'example.com'
              : '1000'
      )
      expect([method, path, scopeOf(method, path)]).toEqual([method, path, scope])
    }
  })
})
