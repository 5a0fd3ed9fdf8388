/**
 * Verification after a cutover: probes the service behind each moved address until it answers 2xx
 * (with the expected text in its body, when given), or the time for probing runs out.
 *
 * A probe is a plain GET: no token, cookie or DigitalOcean header goes with it, redirects are not
 * followed, every probe opens a new connection (a kept-alive one could still reach the old droplet),
 * and each has its own short time limit.
 */
import fetch from 'node-fetch'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Address } from '../inputs/address.js'
import { secs, sleep } from '../transport/http.js'
import type { Logger } from '../logger.js'

export interface ProbeSpec {
  readonly urlTemplate: string
  readonly contains?: string
  /** Epoch ms after which no probe is started. */
  readonly deadline: number
  readonly log: Logger
  readonly userAgent: string
  /** Converts a delay of the probe schedule to real ms (tests speed it up). */
  readonly scaled: (ms: number) => number
  /** Time limit of one probe (default 5 s on the probe schedule). */
  readonly requestTimeoutMs?: number
}

export interface ProbeResult {
  readonly url: string
  readonly passed: boolean
  readonly probes: number
  /** The last probe's status or error, as the log and the summary show it. */
  readonly last: string
}

/** Largest body read from a probe answer. */
const MAX_BODY_BYTES = 1024 * 1024

/** The address as written in a URL host: IPv6 in brackets. */
export function urlHost(addr: Address): string {
  return addr.version === 6 ? `[${addr.text}]` : addr.text
}

export function probeUrl(template: string, addr: Address): string {
  return template.split('{ip}').join(urlHost(addr))
}

/**
 * Delay before the next probe, given the time since the first one: every 0.5 s for 5 s (routing
 * follows the action within moments), then every 1 s until 15 s, then every 2 s.
 */
export function probeDelay(elapsedMs: number): number {
  if (elapsedMs < 5_000) return 500
  return elapsedMs < 15_000 ? 1_000 : 2_000
}

interface Answer {
  readonly passed: boolean
  readonly text: string
}

const freshConnection = (url: URL): HttpAgent =>
  url.protocol === 'https:' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false })

async function probeOnce(url: string, spec: ProbeSpec, timeoutMs: number): Promise<Answer> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: { 'User-Agent': `${spec.userAgent} verify`, Accept: '*/*', 'Cache-Control': 'no-cache' },
      redirect: 'manual',
      signal: controller.signal,
      size: MAX_BODY_BYTES,
      agent: freshConnection
    })
    const body = await res.text()
    if (res.status >= 300 && res.status < 400) {
      return { passed: false, text: `HTTP ${res.status} (a redirect, which is not followed)` }
    }
    if (res.status < 200 || res.status >= 300) return { passed: false, text: `HTTP ${res.status}` }
    if (spec.contains !== undefined && !body.includes(spec.contains)) {
      return { passed: false, text: `HTTP ${res.status}, but the body does not contain verify_contains` }
    }
    return {
      passed: true,
      text: `HTTP ${res.status}${spec.contains !== undefined ? ', body contains verify_contains' : ''}`
    }
  } catch (error) {
    if (controller.signal.aborted) return { passed: false, text: `no answer within ${secs(timeoutMs)}` }
    const code = (error as { code?: unknown }).code
    return { passed: false, text: `connection failed: ${typeof code === 'string' ? code : (error as Error).message}` }
  } finally {
    clearTimeout(timer)
  }
}

/** Probes one URL until it passes or the deadline comes. */
export async function probeUntilPassed(spec: ProbeSpec, url: string): Promise<ProbeResult> {
  const started = Date.now()
  let probes = 0
  let last = 'not probed: no time was left'
  const limit = spec.requestTimeoutMs ?? spec.scaled(5_000)
  for (;;) {
    const remaining = spec.deadline - Date.now()
    // A probe with next to no time left would only hide the last real answer.
    if (remaining <= 0 || (probes > 0 && remaining < Math.min(limit, 250))) return { url, passed: false, probes, last }
    probes++
    const answer = await probeOnce(url, spec, Math.min(limit, remaining))
    if (answer.text !== last) spec.log.info(`Probe of ${url}: ${answer.text}`)
    last = answer.text
    if (answer.passed) return { url, passed: true, probes, last }
    const delay = spec.scaled(probeDelay(Date.now() - started))
    if (Date.now() + delay >= spec.deadline) return { url, passed: false, probes, last }
    await sleep(delay)
  }
}
