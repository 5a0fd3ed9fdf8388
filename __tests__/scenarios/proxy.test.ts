/**
 * The proxy path end to end: the client reaches the API by an https URL with a non-loopback name
 * (api.do-sim.test, never resolved through DNS) through a CONNECT proxy that wants credentials;
 * the proxy opens a tunnel to a TLS front of the simulator. Everything listens on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parseAddress, type Address } from '../../src/inputs/address.js'
import { ApiClient, type ClientOptions, GaveUpError, TransportError } from '../../src/transport/http.js'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { startTlsFront, TEST_CERT, TEST_HOST } from '../../scripts/tls-front.js'
import { loopbackLookup, startConnectProxy, type TestProxy } from '../helpers/proxy-support.js'
import { testStep, TOKEN } from '../helpers/support.js'
import { IpsService, type CreateRequest } from '../../src/do/ips.js'

const USER = 'ci-user'
const PASSWORD = 'p@ss:w/rd %'
let sim: Simulator
let front: Awaited<ReturnType<typeof startTlsFront>>
let proxy: TestProxy
let apiUrl: URL
let target: string

beforeAll(async () => {
  sim = await startSimulator({ actionDurationMs: 50 })
  front = await startTlsFront({ target: new URL(sim.url) })
  target = `${TEST_HOST}:${front.port}`
  apiUrl = new URL(`https://${target}`)
  proxy = await startConnectProxy(USER, PASSWORD, new Map([[target, front.port]]))
})

afterAll(async () => {
  await proxy.close()
  await front.close()
  expect(sim.violations).toEqual([])
  await sim.close()
})

const logs: string[] = []
const step = testStep({
  deadline: Date.now() + 120_000,
  log: { info: (m) => logs.push(m), warning: (m) => logs.push(m), debug: (m) => logs.push(m) }
})
const readIp = (api: ApiClient, addr: Address) => new IpsService(api).get(step, addr)
const createIp = (api: ApiClient, req: CreateRequest) => new IpsService(api).create(step, req)
function client(env: Record<string, string>, connection: ClientOptions['connection'] = {}): ApiClient {
  return new ApiClient({
    baseUrl: apiUrl,
    token: TOKEN,
    userAgent: 'proxy-test',
    env,
    maxAttempts: 1,
    requestTimeoutMs: 5000,
    connection: { ca: [readFileSync(TEST_CERT)], lookup: loopbackLookup(TEST_HOST), ...connection }
  })
}

const tunnelsSince = (n: number) => proxy.connects.slice(n)

describe('through a CONNECT proxy with credentials', () => {
  it('reads and creates an IP through the tunnel, sending the decoded credentials', async () => {
    const before = proxy.connects.length
    const ip = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const api = client({ HTTPS_PROXY: proxy.url(USER, PASSWORD) })
    const record = await readIp(api, parseAddress(ip)!)
    expect(record?.ip).toBe(ip)
    const { record: created } = await createIp(api, { version: 4, region: 'nyc3' })
    expect(sim.getIp(created.ip)?.region).toBe('nyc3')
    const tunnels = tunnelsSince(before)
    expect(tunnels.length).toBeGreaterThanOrEqual(1)
    for (const t of tunnels) expect(t).toEqual({ target, credentials: `${USER}:${PASSWORD}`, status: 200 })
  })

  it('fails with the proxy status when the credentials are wrong', async () => {
    const before = proxy.connects.length
    const api = client({ https_proxy: proxy.url(USER, 'wrong') })
    const failure = await readIp(api, parseAddress('203.0.113.9')!).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(GaveUpError)
    expect((failure as Error).message).toMatch(/statusCode=407/)
    expect(tunnelsSince(before)).toEqual([{ target, credentials: `${USER}:wrong`, status: 407 }])
  })

  it('checks the API certificate inside the tunnel', async () => {
    const api = client({ HTTPS_PROXY: proxy.url(USER, PASSWORD) }, { ca: [] })
    const failure = await readIp(api, parseAddress('203.0.113.9')!).catch((e: unknown) => e)
    expect((failure as Error).message).toMatch(/certificate/)
  })
})

describe('NO_PROXY', () => {
  it('goes direct for a listed domain', async () => {
    const before = proxy.connects.length
    const ip = sim.addIp({ version: 6, region: 'nyc3' }).ip
    const api = client({ HTTPS_PROXY: proxy.url(USER, PASSWORD), NO_PROXY: `localhost, .do-sim.test` })
    expect((await readIp(api, parseAddress(ip)!))?.ip).toBe(ip)
    expect(tunnelsSince(before)).toEqual([])
  })

  it('still uses the proxy when the entry names another port', async () => {
    const before = proxy.connects.length
    const ip = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const api = client({ HTTPS_PROXY: proxy.url(USER, PASSWORD), NO_PROXY: `${TEST_HOST}:1` })
    expect((await readIp(api, parseAddress(ip)!))?.ip).toBe(ip)
    expect(tunnelsSince(before).map((t) => t.target)).toEqual([target])
  })
})

describe('the proxy setting', () => {
  it('is refused, naming the variable, when it is not an http or https URL', () => {
    expect(() => client({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' })).toThrow(
      'The proxy in HTTPS_PROXY/HTTP_PROXY must be an http or https URL, not a socks5: URL'
    )
    expect(() => client({ HTTPS_PROXY: 'http://[::1' })).toThrow('not text that is not a URL')
  })

  it('may be written without a scheme', async () => {
    const before = proxy.connects.length
    const ip = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const bare = proxy.url(USER, PASSWORD).replace('http://', '')
    expect((await readIp(client({ HTTPS_PROXY: bare }), parseAddress(ip)!))?.ip).toBe(ip)
    expect(tunnelsSince(before).map((t) => t.status)).toEqual([200])
  })
})

describe('without a proxy', () => {
  it('a name that does not resolve is a transport failure', async () => {
    const api = client({}, { lookup: loopbackLookup('other.test') })
    const failure = await api.request(step, 'GET', '/v2/reserved_ips', { retry: 'once' }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(TransportError)
    expect((failure as Error).message).toMatch(/ENOTFOUND/)
  })
})
