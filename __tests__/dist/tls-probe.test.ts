/**
 * verify_host over real TLS: the bundled action, run as a runner runs it, probes an https service whose
 * certificate names the site (www.shop.test), not the address probed. The certificate is made for a
 * test CA at test time and trusted through NODE_EXTRA_CA_CERTS, as a runner would trust a real CA; a
 * TLS front (scripts/tls-front.js) with it stands before the simulator's droplets' web service.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type SimDroplet, type Simulator } from '../../sim/simulator.js'
import { startTlsFront } from '../../scripts/tls-front.js'
import { makeProbeCerts, type ProbeCerts } from '../helpers/probe-certs.js'
import { errorLines, runDist, TOKEN } from '../helpers/support.js'

const SITE = 'www.shop.test'
let certs: ProbeCerts
let sim: Simulator
let front: Awaited<ReturnType<typeof startTlsFront>>
let blue: SimDroplet
let green: SimDroplet

beforeAll(() => {
  certs = makeProbeCerts([SITE, 'shop.test'])
})
afterAll(() => certs.remove())

beforeEach(async () => {
  sim = await startSimulator({ actionDurationMs: 100, routingDelayMs: 0 })
  front = await startTlsFront({ target: new URL(sim.serviceUrl), key: certs.key, cert: certs.cert })
  blue = sim.addDroplet({ name: 'web-blue', service: { build: 'build-blue' } })
  green = sim.addDroplet({ name: 'web-green', service: { build: 'build-green' } })
})

afterEach(async () => {
  await front.close()
  expect(sim.violations).toEqual([])
  await sim.close()
})

/** An https probe URL through the TLS front: the address in the path, as the simulator's service takes it. */
const httpsUrl = () => `https://127.0.0.1:${front.port}/{ip}/healthz`

function cutover(
  ip: string,
  extra: Record<string, string>,
  env: Record<string, string> = { NODE_EXTRA_CA_CERTS: certs.caFile }
) {
  return runDist(
    {
      token: TOKEN,
      api_url: sim.url,
      ip,
      droplet_id: String(green.id),
      precheck_url: httpsUrl(),
      verify_url: httpsUrl(),
      verify_contains: 'build-green',
      verify_timeout: '2',
      ...extra
    },
    env
  )
}

describe('verify_host over https', () => {
  it('checks the certificate against verify_host, sending it as the TLS server name and the Host header', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const run = await cutover(ip, { verify_host: SITE })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.outputs).toMatchObject({ verified: 'true', droplet_id: String(green.id), changed: 'true' })
    expect(new Set(front.servernames)).toEqual(new Set([SITE]))
    const probes = sim.probeRequests()
    expect(new Set(probes.map((p) => p.target))).toEqual(new Set(['droplet', 'reserved']))
    expect(new Set(probes.map((p) => p.headers.host))).toEqual(new Set([`${SITE}:${front.port}`]))
  })

  it('fails clearly on a name the certificate does not cover, before anything moves', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const run = await cutover(ip, { verify_host: 'www.other.test' })
    expect(run.code).not.toBe(0)
    const [line] = errorLines(run.stdout)
    expect(line).toMatch(/Precheck of droplet .* failed, so no address was moved to it/)
    expect(line).toMatch(
      /TLS certificate is not valid for www\.other\.test \(it names DNS:www\.shop\.test, DNS:shop\.test\)/
    )
    expect(run.outputs).toMatchObject({ verified: 'false', changed: 'false' })
    expect(sim.mutatingRequests()).toEqual([])
    // The service itself never saw a request: TLS stopped the probe.
    expect(sim.probes).toEqual([])
  })

  it('without verify_host, says that a certificate for the site does not cover the bare IP', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const run = await cutover(ip, {})
    expect(errorLines(run.stdout)[0]).toMatch(
      /TLS certificate is not valid for 127\.0\.0\.1; set verify_host to the name the site answers to/
    )
    expect(sim.getIp(ip)?.dropletId).toBe(blue.id)
  })

  it('does not trust the certificate without the test CA', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const run = await cutover(ip, { verify_host: SITE }, {})
    expect(errorLines(run.stdout)[0]).toMatch(
      /TLS certificate for www\.shop\.test is not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/
    )
    expect(sim.mutatingRequests()).toEqual([])
  })
})
