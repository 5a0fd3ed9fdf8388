/**
 * Probes: verification after a cutover probes the service behind each moved address until it answers
 * 2xx (with the expected text in its body, when given), or the time for probing runs out; with
 * verify_for it then goes on probing, and every probe must pass. The precheck (precheck.ts) probes
 * the target droplet's own addresses by the same rules before anything moves.
 *
 * A probe is a plain GET: no token, cookie or DigitalOcean header goes with it, redirects are not
 * followed, every probe opens a new connection (a kept-alive one could still reach the old droplet),
 * and each has its own short time limit. With verify_host, the probe goes to the address in the URL
 * but names the host: the Host header and, over https, the TLS server name, so that the certificate
 * is checked against that name rather than the bare IP (what curl --resolve does).
 */
import fetch from 'node-fetch'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Address } from '../inputs/address.js'
import type { ProbeRules } from '../inputs/inputs.js'
import { secs } from '../words.js'
import type { Clock, StepContext } from '../context.js'
import type { Logger } from '../logger.js'

export interface ProbeSpec {
  readonly urlTemplate: string
  readonly contains?: string
  /** verify_host: host[:port] named in the Host header and as the TLS server name. */
  readonly host?: string
  /** Epoch ms (on the clock) after which no probe is started. */
  readonly deadline: number
  readonly log: Logger
  readonly userAgent: string
  /** The step's clock: its `scaled` converts a delay of the probe schedule (tests speed it up). */
  readonly clock: Clock
  /** Once the step is cancelled, no probe starts and every wait between probes ends. */
  readonly signal: AbortSignal
  /** Time limit of one probe (default 5 s on the probe schedule). */
  readonly requestTimeoutMs?: number
}

export interface ProbeResult {
  readonly url: string
  readonly passed: boolean
  readonly probes: number
  /** The last probe's status or error, as the log and the summary show it. */
  readonly last: string
  /**
   * Some probe got an HTTP answer (any status) that counts as the address's new holder's: once a
   * probe went unanswered, the answers before it stop counting (they came while routing switched
   * over, likely from the droplet the address left). False when none connected or none was answered.
   */
  readonly answered: boolean
  /** The step was cancelled before the probing ended: neither passed nor failed. */
  readonly cancelled?: boolean
  /** The number of the first probe that got no answer; undefined while every probe was answered. */
  readonly unansweredFrom?: number
}

/** The probe spec of precheck_url or verify_url, from the rules they share; the time for probing starts now. */
export function probeSpec(
  rules: ProbeRules & { readonly urlTemplate: string },
  ctx: StepContext,
  userAgent: string
): ProbeSpec {
  return {
    urlTemplate: rules.urlTemplate,
    contains: rules.contains,
    host: rules.host,
    deadline: ctx.clock.now() + rules.timeoutMs,
    log: ctx.log,
    userAgent,
    clock: ctx.clock,
    signal: ctx.signal
  }
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
function probeDelay(elapsedMs: number): number {
  if (elapsedMs < 5_000) return 500
  return elapsedMs < 15_000 ? 1_000 : 2_000
}

interface Answer {
  readonly passed: boolean
  readonly text: string
  /** An HTTP answer came back (whatever its status). */
  readonly answered: boolean
}

/** Most characters of a body shown against verify_contains. */
const RECEIVED_CHARS = 100

/** The start of a body, white space run together, cut at RECEIVED_CHARS with an ellipsis. */
function bodyStart(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim()
  return flat.length > RECEIVED_CHARS ? `${flat.slice(0, RECEIVED_CHARS - 1)}…` : flat
}

/** verify_host without its port: the TLS server name. */
const serverName = (host: string): string => host.replace(/:[0-9]+$/, '')

/** A new connection for each probe; over https with verify_host, its TLS server name is that host. */
const freshConnection =
  (host: string | undefined) =>
  (url: URL): HttpAgent =>
    url.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: false, ...(host === undefined ? {} : { servername: serverName(host) }) })
      : new HttpAgent({ keepAlive: false })

/** The Host header: verify_host, with the URL's port when verify_host names none (as the URL would). */
function hostHeader(host: string | undefined, url: string): Record<string, string> {
  if (host === undefined) return {}
  const port = new URL(url).port
  return { Host: /:[0-9]+$/.test(host) || port === '' ? host : `${host}:${port}` }
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID'
])

/** What a failed connection means, in words: TLS certificate problems say which name was checked. */
function connectionFailure(error: unknown, spec: ProbeSpec, url: string): string {
  const code = (error as { code?: unknown }).code
  const text = typeof code === 'string' ? code : (error as Error).message
  const name = spec.host === undefined ? new URL(url).hostname : serverName(spec.host)
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Node's message ends with the names the certificate has: "... is not in the cert's altnames: DNS:a, DNS:b".
    const names = /cert's altnames: ([^\n]*)$/.exec(String((error as Error).message))?.[1]
    const hint = spec.host === undefined ? '; set verify_host to the name the site answers to' : ''
    return `TLS certificate is not valid for ${name}${names ? ` (it names ${names})` : ''}${hint}: ${text}`
  }
  if (typeof code === 'string' && TLS_UNTRUSTED.has(code)) return `TLS certificate for ${name} is not trusted: ${text}`
  return `connection failed: ${text}`
}

async function probeOnce(url: string, spec: ProbeSpec, timeoutMs: number): Promise<Answer> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let answered = false
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: {
        'User-Agent': `${spec.userAgent} verify`,
        Accept: '*/*',
        'Cache-Control': 'no-cache',
        ...hostHeader(spec.host, url)
      },
      redirect: 'manual',
      signal: controller.signal,
      size: MAX_BODY_BYTES,
      agent: freshConnection(spec.host)
    })
    answered = true
    return judge(res.status, await res.text(), spec)
  } catch (error) {
    if (controller.signal.aborted) return { passed: false, answered, text: `no answer within ${secs(timeoutMs)}` }
    return { passed: false, answered, text: connectionFailure(error, spec, url) }
  } finally {
    clearTimeout(timer)
  }
}

/** Whether an answer passes: 2xx, not a redirect, with verify_contains in the body when given. */
function judge(status: number, body: string, spec: ProbeSpec): Answer {
  const fail = (text: string): Answer => ({ passed: false, answered: true, text })
  if (status >= 300 && status < 400) return fail(`HTTP ${status} (a redirect, which is not followed)`)
  if (status < 200 || status >= 300) return fail(`HTTP ${status}`)
  if (spec.contains !== undefined && !body.includes(spec.contains)) {
    const began = body.trim() === '' ? 'the body is empty' : `the body began "${bodyStart(body)}"`
    return fail(`HTTP ${status}, but the body does not contain verify_contains "${spec.contains}": ${began}`)
  }
  const text = `HTTP ${status}${spec.contains !== undefined ? ', body contains verify_contains' : ''}`
  return { passed: true, answered: true, text }
}

/** Probes one URL until it passes or the deadline comes; with holdMs, it must then keep passing that long. */
export async function probeAndHold(spec: ProbeSpec, url: string, holdMs = 0): Promise<ProbeResult> {
  const first = await probeUntilPassed(spec, url)
  return first.passed && holdMs > 0 ? holdPassing(spec, first, holdMs) : first
}

/** Delay between the probes that hold a pass (verify_for), on the probe schedule: at most 2 s apart. */
const HOLD_INTERVAL_MS = 1_000

/** After a first pass: probes every second until holdMs has passed since it; the first failure ends it. */
async function holdPassing(spec: ProbeSpec, first: ProbeResult, holdMs: number): Promise<ProbeResult> {
  const until = spec.clock.now() + holdMs
  const limit = spec.requestTimeoutMs ?? spec.clock.scaled(5_000)
  let probes = first.probes
  spec.log.info(`Probe of ${first.url}: passed; probing on for ${holdMs / 1000} s (verify_for), each must pass`)
  while (spec.clock.now() < until) {
    await spec.clock.sleep(Math.min(spec.clock.scaled(HOLD_INTERVAL_MS), until - spec.clock.now()), spec.signal)
    if (spec.signal.aborted) return { ...first, passed: false, probes, last: 'not finished: the step was cancelled' }
    probes++
    const answer = await probeOnce(first.url, spec, limit)
    if (!answer.passed) {
      const after = secs(holdMs - Math.max(0, until - spec.clock.now()))
      const last = `${answer.text}, ${after} after the first pass (verify_for ${holdMs / 1000} s)`
      spec.log.info(`Probe of ${first.url}: ${last}`)
      return { ...first, passed: false, probes, last }
    }
  }
  const last = `${first.last}, and every probe for ${holdMs / 1000} s after it`
  return { ...first, probes, last }
}

/** Probes one URL until it passes or the deadline comes. */
export async function probeUntilPassed(spec: ProbeSpec, url: string): Promise<ProbeResult> {
  const started = spec.clock.now()
  const limit = spec.requestTimeoutMs ?? spec.clock.scaled(5_000)
  let result: ProbeResult = { url, passed: false, probes: 0, last: 'not probed: no time was left', answered: false }
  for (;;) {
    const remaining = spec.signal.aborted ? 0 : spec.deadline - spec.clock.now()
    // A probe with next to no time left would only hide the last real answer.
    if (remaining <= 0 || (result.probes > 0 && remaining < Math.min(limit, 250))) return result
    result = tally(spec, result, await probeOnce(url, spec, Math.min(limit, remaining)))
    if (result.passed) return result
    const delay = spec.clock.scaled(probeDelay(spec.clock.now() - started))
    if (spec.clock.now() + delay >= spec.deadline) return result
    await spec.clock.sleep(delay, spec.signal)
  }
}

/** The result so far with one more probe's answer (logged when it differs from the one before). */
function tally(spec: ProbeSpec, before: ProbeResult, answer: Answer): ProbeResult {
  if (answer.text !== before.last) spec.log.info(`Probe of ${before.url}: ${answer.text}`)
  const silentBefore = before.unansweredFrom !== undefined
  return {
    url: before.url,
    passed: answer.passed,
    probes: before.probes + 1,
    last: answer.text,
    // At the first probe without an answer, the answers before it stop counting (see ProbeResult).
    answered: answer.answered || (silentBefore && before.answered),
    unansweredFrom: silentBefore || answer.answered ? before.unansweredFrom : before.probes + 1
  }
}
