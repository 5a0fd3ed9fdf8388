/**
 * The one HTTP client under every request: authentication, per-request time limits, bounded
 * retries with backoff and jitter, rate-limit handling, proxies and error decoding.
 *
 * The client lives for the whole step: its base URL, token, user agent, retry settings and view of
 * the account's rate limit do not change. Each request takes the step context it runs in (its
 * deadline, cancellation signal, clock and logger): a narrower deadline is a new context, never a
 * new client.
 *
 * Requests are sent with one of two retry policies:
 *  - 'safe': reads and deletes. 5xx answers, dropped connections and time-outs are retried.
 *  - 'once': requests that change state (creates and actions). They are retried only when the
 *    server said it did not process them (429). Any other failure is handed back to the caller,
 *    which decides from the state of the API whether the request went through.
 *  - 'never': a change decided on a read made right before it (a release). Not even a 429 is
 *    retried here: the caller waits, reads the address again and decides again.
 */
import fetch, { type RequestInit, type Response } from 'node-fetch'
import type { Agent, ClientRequest, RequestOptions as RequestOptionsNode } from 'node:http'
import { setMaxListeners } from 'node:events'
import { Agent as HttpsAgent } from 'node:https'
import type { LookupFunction } from 'node:net'
import tunnel from 'tunnel'
import type { ErrorObject, Loose } from './error-object.js'
import { CancelledError, type StepContext } from '../context.js'
import { RateBudget } from './rate-budget.js'
import { scrubSecret } from './scrub.js'
import { scopeOf } from './scopes.js'
import { attemptsText, connectionFailure, timeoutRanOut } from './failures.js'
import { secs } from '../words.js'

export { timeoutRanOut }

type RetryPolicy = 'safe' | 'once' | 'never'

/**
 * The context of one request: the step's context (its deadline bounds every attempt and wait, its
 * signal aborts them, its clock times them, its log hears of them), and optionally fewer attempts
 * than the client's own limit (the reads that report after the time ran out).
 */
export type RequestContext = StepContext & {
  readonly maxAttempts?: number
  /** The `timeout` input (ms), named when the deadline stops a request; the context knows it, not the client. */
  readonly timeoutMs?: number
}

export interface ClientOptions {
  readonly baseUrl: URL
  readonly token: string
  readonly userAgent: string
  /** Time limit of one request, on the request context's clock (default 10 s). */
  readonly requestTimeoutMs?: number
  /** Attempts per request, all retries included (default 10). */
  readonly maxAttempts?: number
  /** Time from the first attempt after which no retry is started (default 90 s). */
  readonly retryBudgetMs?: number
  /** First backoff delay; doubles each retry up to maxDelayMs (defaults 500 ms and 10 s). */
  readonly baseDelayMs?: number
  readonly maxDelayMs?: number
  /** Environment for HTTPS_PROXY / NO_PROXY (default process.env). */
  readonly env?: Record<string, string | undefined>
  /**
   * Options of the connection to the API: certificates to trust and a resolver. Tests use them;
   * on runners the system's trust store (and NODE_EXTRA_CA_CERTS) applies.
   */
  readonly connection?: { readonly ca?: Buffer[]; readonly lookup?: LookupFunction }
  /** What the rate headers say of the account's use of its per-minute limit (default: a new one on a 60 s window). */
  readonly rateBudget?: RateBudget
}

export interface RequestOptions {
  readonly query?: Record<string, string | number>
  readonly body?: unknown
  readonly retry: RetryPolicy
}

export interface ApiResponse {
  readonly status: number
  readonly body: unknown
  readonly requestId: string
}

/** An answer from DigitalOcean that is not a success. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errorId: string,
    readonly apiMessage: string,
    readonly requestId: string,
    readonly attempts: number,
    /** The request as the messages name it: the path, with its query when it has one. */
    readonly label = path
  ) {
    super(ApiError.describe({ method, path, label, status, errorId, apiMessage, requestId, attempts }))
    this.name = 'ApiError'
  }

  /** The message: DigitalOcean's status, id, message and request_id, and what a 401 or 403 means. */
  static describe(e: Omit<ApiError, 'name' | 'message' | 'isPendingEvent'>): string {
    // DigitalOcean's own text: neutralised where the message is written (the log, the summary).
    const what = [e.errorId, e.apiMessage].filter((s) => s !== '').join(': ') || 'no error message'
    let text = `DigitalOcean answered ${e.method} ${e.label} with HTTP ${e.status} (${what})`
    if (e.requestId !== '') text += `, request_id ${e.requestId}`
    if (e.status === 401) text += ': the API token was rejected (not retried); check that it is valid and not expired'
    if (e.status === 403) {
      const scope = scopeOf(e.method, e.path)
      text += `: the API token lacks ${scope ? `the ${scope} scope` : 'a scope'}, which this request needs`
    }
    if (e.attempts > 1) text += ` (on attempt ${e.attempts})`
    return text
  }

  /** DigitalOcean's 422 for a resource that is busy with another action. */
  get isPendingEvent(): boolean {
    return this.status === 422 && /pending|in progress|in-progress|locked|busy|already being/i.test(this.apiMessage)
  }
}

/** No answer was received: the connection dropped or the request ran out of time. */
export class TransportError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    readonly attempts: number
  ) {
    super(`${method} ${path}: no answer from DigitalOcean (${reason})${attempts > 1 ? ` on attempt ${attempts}` : ''}`)
    this.name = 'TransportError'
  }
}

/** Time ran out (the step's timeout, or the retry budget) before the request could succeed. */
export class GaveUpError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GaveUpError'
  }
}

/** A sent request whose answer the cancellation cut off: it may have taken effect. */
export class CancelledInFlightError extends CancelledError {
  constructor(
    readonly method: string,
    readonly path: string
  ) {
    super(`${method} ${path}: the step was cancelled before DigitalOcean answered`)
    this.name = 'CancelledInFlightError'
  }
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1'
}

/** The proxy for an https URL per HTTPS_PROXY/HTTP_PROXY and NO_PROXY, as runners set them. */
export function proxyFor(url: URL, env: Record<string, string | undefined>): string | undefined {
  if (isLoopback(url.hostname)) return undefined
  const proxy =
    url.protocol === 'https:'
      ? env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy
      : env.HTTP_PROXY || env.http_proxy
  if (!proxy) return undefined
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
  const host = url.hostname.toLowerCase()
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  for (const entry of noProxy) {
    if (entry === '*') return undefined
    const [entryHost, entryPort] = entry.split(':') as [string, string | undefined]
    if (entryPort !== undefined && entryPort !== port) continue
    const bare = entryHost.replace(/^\*?\./, '')
    if (host === bare || host.endsWith(`.${bare}`)) return undefined
  }
  return proxy
}

/** tunnel's agents by the API's protocol, then the proxy's. */
const TUNNELS = {
  'https:': { 'http:': tunnel.httpsOverHttp, 'https:': tunnel.httpsOverHttps },
  'http:': { 'http:': tunnel.httpOverHttp, 'https:': tunnel.httpOverHttps }
} as const

/**
 * The agent for requests to the API: a CONNECT tunnel through the proxy (the same `tunnel` module
 * the Actions toolkit uses), or a plain agent when connection options are given, or none (Node's
 * default agent).
 */
function agentFor(
  apiUrl: URL,
  proxy: string | undefined,
  connection: ClientOptions['connection'] = {}
): Agent | undefined {
  if (proxy === undefined) {
    return Object.keys(connection).length > 0 && apiUrl.protocol === 'https:' ? new HttpsAgent(connection) : undefined
  }
  const text = proxy.includes('://') ? proxy : `http://${proxy}`
  const proxyUrl = URL.canParse(text) ? new URL(text) : undefined
  if (proxyUrl?.protocol !== 'http:' && proxyUrl?.protocol !== 'https:') {
    const got = proxyUrl ? `a ${proxyUrl.protocol} URL` : 'text that is not a URL'
    throw new Error(`The proxy in HTTPS_PROXY/HTTP_PROXY must be an http or https URL, not ${got}`)
  }
  const overHttps = proxyUrl.protocol === 'https:'
  const options = {
    proxy: { host: proxyUrl.hostname.replace(/^\[|\]$/g, ''), port: Number(proxyUrl.port || (overHttps ? 443 : 80)) },
    ...(connection.ca !== undefined ? { ca: connection.ca } : {})
  }
  const agent = TUNNELS[apiUrl.protocol === 'https:' ? 'https:' : 'http:'][overHttps ? 'https:' : 'http:'](options)
  if (proxyUrl.username || proxyUrl.password) {
    addProxyAuthorization(agent, `${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`)
  }
  return agent
}

/**
 * Sends Proxy-Authorization with each CONNECT. tunnel's own proxyAuth option does the same with
 * the deprecated Buffer constructor, which prints a DeprecationWarning from inside a bundle.
 */
function addProxyAuthorization(agent: Agent, credentials: string): void {
  const tunnelling = agent as Agent & { request: (options: RequestOptionsNode) => ClientRequest }
  const send = tunnelling.request
  const header = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
  tunnelling.request = (options) => send({ ...options, headers: { ...options.headers, 'Proxy-Authorization': header } })
}

interface RateState {
  remaining?: number
  resetAt?: number
}

export class ApiClient {
  private readonly requestTimeoutMs: number
  private readonly maxAttempts: number
  private readonly retryBudgetMs: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly agent: Agent | undefined
  /** Said once, in the log of the first request, when a proxy from the environment is used. */
  private proxyNote: string | undefined
  private readonly rate: RateState = {}
  /** What the rate headers say of the account's use of its per-minute limit (see rate-budget.ts). */
  readonly rateBudget: RateBudget

  constructor(private readonly options: ClientOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000
    this.maxAttempts = options.maxAttempts ?? 10
    this.retryBudgetMs = options.retryBudgetMs ?? 90_000
    this.baseDelayMs = options.baseDelayMs ?? 500
    this.maxDelayMs = options.maxDelayMs ?? 10_000
    const proxy = proxyFor(options.baseUrl, options.env ?? process.env)
    if (proxy) this.proxyNote = `Using the proxy from the environment for ${options.baseUrl.host}`
    this.agent = agentFor(options.baseUrl, proxy, options.connection)
    this.rateBudget = options.rateBudget ?? new RateBudget({ windowMs: 60_000 })
  }

  private url(path: string, query?: Record<string, string | number>): string {
    const url = new URL(this.options.baseUrl.href)
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
    if (query) {
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v))
    }
    return url.href
  }

  /** Slows down before the rate limit is reached, when the API says few requests remain. */
  private async pace(ctx: RequestContext): Promise<void> {
    const { remaining, resetAt } = this.rate
    if (remaining === undefined || resetAt === undefined || remaining > 10) return
    const untilReset = resetAt - ctx.clock.now()
    if (untilReset <= 0) return
    const delay = remaining <= 0 ? untilReset : untilReset / (remaining + 1)
    if (ctx.clock.now() + delay > ctx.deadline) return
    ctx.log.debug(`Rate limit: ${remaining} requests left until reset; waiting ${Math.round(delay)} ms`)
    await ctx.clock.sleep(delay, ctx.signal)
  }

  private noteRate(ctx: RequestContext, res: Response): void {
    const remaining = Number(res.headers.get('ratelimit-remaining') ?? NaN)
    const reset = Number(res.headers.get('ratelimit-reset') ?? NaN)
    if (Number.isFinite(remaining)) this.rate.remaining = remaining
    if (Number.isFinite(reset)) this.rate.resetAt = reset * 1000
    // A refused request is not counted against the budget.
    const limit = Number(res.headers.get('ratelimit-limit') ?? NaN)
    if (res.status !== 429) this.rateBudget.note(ctx.clock.now(), remaining, limit)
  }

  /** How long a 429 asks us to wait, from ratelimit-reset or Retry-After. */
  private static rateLimitWait(res: Response, now: number): number | undefined {
    const retryAfter = res.headers.get('retry-after')
    if (retryAfter) {
      const secs = Number(retryAfter)
      if (Number.isFinite(secs)) return Math.max(0, secs * 1000)
      const date = Date.parse(retryAfter)
      if (Number.isFinite(date)) return Math.max(0, date - now)
    }
    const reset = Number(res.headers.get('ratelimit-reset') ?? NaN)
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now)
    return undefined
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1))
    return ceiling / 2 + Math.random() * (ceiling / 2)
  }

  /** Sends a request in the given context, retrying as its policy allows; the answer, or a thrown error. */
  async request(ctx: RequestContext, method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    // Every request, sleep and probe in flight listens to the signal: many at once are expected, not a leak.
    setMaxListeners(0, ctx.signal)
    if (this.proxyNote !== undefined) ctx.log.debug(this.proxyNote)
    this.proxyNote = undefined
    const req: Req = { ctx, method, path, label: labelOf(path, options.query), options, started: ctx.clock.now() }
    const causes: string[] = []
    for (let attempt = 1; ; attempt++) {
      const timeLimit = await this.readyToSend(req, causes)
      const outcome = await this.once(req, timeLimit)
      const next = this.judge(req, attempt, outcome)
      if ('done' in next) return next.done
      causes.push(next.cause)
      const stop = this.noRetry(req, attempt, next.waitMs)
      if (stop !== undefined) {
        throw new GaveUpError(`${next.headline}${stop} after ${attemptsText(causes, ctx.clock.now() - req.started)}`)
      }
      // With the request's query, so that two requests to one path side by side are told apart; a
      // cause said on the attempt before goes to the debug log only.
      const line = `${next.say}; retrying (attempt ${attempt + 1} of at most ${this.attemptsIn(ctx)})`
      if (causes[causes.length - 2] === next.cause) ctx.log.debug(line)
      else ctx.log.info(line)
      await ctx.clock.sleep(next.waitMs, ctx.signal)
    }
  }

  /** Paces before an attempt; the attempt's time limit, or throws when it must not be sent. */
  private async readyToSend(req: Req, causes: readonly string[]): Promise<number> {
    const { ctx } = req
    const notSent = `${req.method} ${req.label}: not sent, the step was cancelled`
    if (ctx.signal.aborted) throw new CancelledError(notSent)
    await this.pace(ctx)
    if (ctx.signal.aborted) throw new CancelledError(notSent)
    const remainingTime = ctx.deadline - ctx.clock.now()
    if (remainingTime <= 0) {
      const tried = causes.length > 0 ? ` after ${attemptsText(causes, ctx.clock.now() - req.started)}` : ''
      throw new GaveUpError(`${req.method} ${req.label}: ${timeoutRanOut(ctx.timeoutMs)}${tried}`)
    }
    return Math.min(this.requestTimeoutMs, remainingTime)
  }

  /** What an attempt's outcome means: the answer, a retry after waitMs, or (thrown) a failure. */
  private judge(req: Req, attempt: number, outcome: Outcome): Next {
    if (outcome.kind === 'failed') return this.judgeFailure(req, attempt, outcome)
    const res = outcome.response
    if (res.status < 300) return { done: { status: res.status, body: outcome.body, requestId: outcome.requestId } }
    const { ctx, method, label } = req
    if (res.status < 400) {
      // Redirects are not followed: the token goes to api_url and nowhere else.
      const text = 'the API answered with a redirect, which is not followed'
      throw new ApiError(method, req.path, res.status, 'redirect', text, outcome.requestId, attempt, label)
    }
    const headline = apiErrorOf(req, 1, res.status, outcome).message
    if (res.status === 429 && req.options.retry !== 'never') {
      // A little beyond the reset, so the first request after it is not refused again.
      const waitMs = (ApiClient.rateLimitWait(res, ctx.clock.now()) ?? this.backoff(attempt)) + 250
      const say = `Rate limited by DigitalOcean on ${method} ${label}: waiting ${secs(waitMs)} for the limit to reset`
      return { waitMs, cause: 'HTTP 429 (rate limited)', say, headline }
    }
    if (res.status >= 500 && req.options.retry === 'safe') {
      const say = `${method} ${label} answered HTTP ${res.status}`
      return { waitMs: this.backoff(attempt), cause: `HTTP ${res.status}`, say, headline }
    }
    throw apiErrorOf(req, attempt, res.status, outcome)
  }

  /** No answer: a cancellation, a change request (the caller decides), or a retry of a safe one. */
  private judgeFailure(req: Req, attempt: number, outcome: Extract<Outcome, { kind: 'failed' }>): Next {
    const { method, label } = req
    if (outcome.cancelled) throw new CancelledInFlightError(method, label)
    const error = new TransportError(method, label, outcome.reason, attempt)
    if (req.options.retry !== 'safe') throw error
    const headline = `${method} ${label}: no answer from DigitalOcean`
    const say = `${method} ${label}: ${outcome.reason}`
    return { waitMs: this.backoff(attempt), cause: outcome.reason, say, headline }
  }

  private attemptsIn(ctx: RequestContext): number {
    return ctx.maxAttempts ?? this.maxAttempts
  }

  /** Why no retry may follow (how the error goes on), or undefined when one may. */
  private noRetry(req: Req, attempt: number, waitMs: number): string | undefined {
    const { ctx } = req
    const resumeAt = ctx.clock.now() + waitMs
    if (resumeAt >= ctx.deadline) return `; ${timeoutRanOut(ctx.timeoutMs)}`
    if (attempt >= this.attemptsIn(ctx) || resumeAt - req.started >= this.retryBudgetMs) return '. Gave up'
    return undefined
  }

  private async once(req: Req, timeoutMs: number): Promise<Outcome> {
    const { ctx, method, label } = req
    const controller = new AbortController()
    // The request's time limit runs on the step's clock, as the deadline it is cut to does.
    const limit = new AbortController()
    void ctx.clock.sleep(timeoutMs, limit.signal).then(() => {
      if (!limit.signal.aborted) controller.abort()
    })
    const cancel = (): void => controller.abort()
    ctx.signal.addEventListener('abort', cancel, { once: true })
    const t0 = ctx.clock.now()
    const took = (): string => `${ctx.clock.now() - t0} ms`
    try {
      const init = this.init(method, req.options, controller.signal)
      const response = await fetch(this.url(req.path, req.options.query), init)
      return this.answered(req, response, await response.text(), took)
    } catch (error) {
      if (ctx.signal.aborted) {
        ctx.log.debug(`${method} ${label} -> aborted by the cancellation after ${took()}`)
        return { kind: 'failed', reason: 'the step was cancelled', cancelled: true }
      }
      const reason = controller.signal.aborted
        ? timeoutMs < this.requestTimeoutMs
          ? `${timeoutRanOut(ctx.timeoutMs)}: no answer within the ${secs(timeoutMs)} left`
          : `no answer within ${secs(timeoutMs)}`
        : connectionFailure(error)
      ctx.log.debug(`${method} ${label} -> ${reason} after ${took()}`)
      return { kind: 'failed', reason }
    } finally {
      limit.abort()
      ctx.signal.removeEventListener('abort', cancel)
    }
  }

  private init(method: string, options: RequestOptions, signal: AbortSignal): RequestInit {
    return {
      method,
      headers: {
        Authorization: `Bearer ${this.options.token}`,
        Accept: 'application/json',
        'User-Agent': this.options.userAgent,
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {})
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal,
      redirect: 'manual',
      agent: this.agent
    }
  }

  /**
   * An answer came: its body, or a failure when a success cannot be read (no clear answer, like a
   * lost one). The text of an error answer is scrubbed of the token before anything reads it.
   */
  private answered(req: Req, response: Response, raw: string, took: () => string): Outcome {
    const { ctx, method, label } = req
    this.noteRate(ctx, response)
    const error = response.status >= 300
    const scrub = (t: string): string => (error ? scrubSecret(t, this.options.token) : t)
    const text = scrub(raw)
    const requestId = scrub(response.headers.get('x-request-id') ?? '')
    const body = readBody(response.status, text, scrub)
    if (body === UNREADABLE) {
      const reason = `unreadable answer (HTTP ${response.status}, ${text === '' ? 'empty body' : 'not complete JSON'})`
      ctx.log.debug(`${method} ${label} -> ${reason} in ${took()}`)
      return { kind: 'failed', reason }
    }
    const bodyId = body && typeof body === 'object' && 'request_id' in body ? body.request_id : undefined
    const id = typeof bodyId === 'string' ? bodyId : requestId
    ctx.log.debug(`${method} ${label} -> ${response.status} in ${took()}${id ? `, request_id ${id}` : ''}`)
    return { kind: 'response', response, body, requestId }
  }
}

/** One request: its context, what is sent, how the messages name it, and when its first attempt began. */
interface Req {
  readonly ctx: RequestContext
  readonly method: string
  readonly path: string
  /** The path with its query, if any: how the log and the errors name the request. */
  readonly label: string
  readonly options: RequestOptions
  readonly started: number
}

function labelOf(path: string, query: RequestOptions['query']): string {
  if (!query || Object.keys(query).length === 0) return path
  return `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
}

type Outcome =
  | { kind: 'response'; response: Response; body: unknown; requestId: string }
  | { kind: 'failed'; reason: string; cancelled?: boolean }

/**
 * After an attempt: the answer, or a retry after waitMs, with the attempt's cause in a few words,
 * the log line of the retry, and what the error says first if no retry is left.
 */
type Next =
  | { readonly done: ApiResponse }
  | { readonly waitMs: number; readonly cause: string; readonly say: string; readonly headline: string }

/** DigitalOcean's error answer as an ApiError: its id, message and request_id. */
function apiErrorOf(
  req: Req,
  attempt: number,
  status: number,
  outcome: { body: unknown; requestId: string }
): ApiError {
  const err = outcome.body as Loose<ErrorObject> | undefined
  return new ApiError(
    req.method,
    req.path,
    status,
    typeof err?.id === 'string' ? err.id : '',
    typeof err?.message === 'string' ? err.message : '',
    typeof err?.request_id === 'string' ? err.request_id : outcome.requestId,
    attempt,
    req.label
  )
}

const UNREADABLE = Symbol('unreadable')

/** How much of an error answer that is not JSON its message quotes. */
const EXCERPT_LENGTH = 200

/**
 * The body of an answer. Errors may come with text that is not JSON (an excerpt of it is kept as
 * their message); a success other than 204 must carry complete JSON, or it is UNREADABLE.
 */
function readBody(status: number, text: string, scrub: (text: string) => string): unknown {
  const success = status >= 200 && status < 300
  if (text === '') return success && status !== 204 ? UNREADABLE : undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return success ? UNREADABLE : { message: excerpt(text, scrub) }
  }
}

/**
 * The readable start of an error page (a proxy's HTML): its text without tags, on one line, cut to
 * EXCERPT_LENGTH. The text was scrubbed of the token before; removing tags can join what was apart,
 * so it is scrubbed again before it is cut.
 */
function excerpt(text: string, scrub: (text: string) => string): string {
  const plain = scrub(
    text
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  )
  return plain.length > EXCERPT_LENGTH ? `${plain.slice(0, EXCERPT_LENGTH)}…` : plain
}
