/**
 * The API's HTTP server: each request is logged, meets its events, hooks and faults, the token, the
 * rate limit and the scopes, is checked against the OpenAPI description, and is routed to the
 * resource it names.
 */
import { randomUUID } from 'node:crypto'
import { actionRoutes } from './actions.js'
import { fail, notFound } from './answers.js'
import { domainRoutes } from './domains.js'
import { dropletRoutes } from './droplets.js'
import { applyFault, hitBy, matchesRequest } from './faults.js'
import { ipRoutes } from './ips.js'
import { listenHttp } from './listen.js'
import { fireEvents } from './others.js'
import { refuseDeniedScope } from './scopes.js'
import { settle } from './lifecycle.js'

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./answers.js').RequestContext} RequestContext */
/** @typedef {[string, RegExp, (state: State, ctx: RequestContext, m: RegExpExecArray) => void]} Route */

/**
 * @typedef {object} SimRequest
 * @property {string} method
 * @property {string} path Percent-decoded path, without the query string.
 * @property {string} rawPath The path as sent.
 * @property {Record<string, string>} query
 * @property {unknown} body Parsed JSON body; the raw text when it was not JSON; undefined when empty.
 * @property {number} status Status answered; 0 when no answer was sent (dropped or hung connection).
 * @property {number} at Milliseconds after the simulator's timeOrigin, when the request arrived.
 * @property {boolean} authorization Whether the request carried the right bearer token (the token itself is never stored).
 * @property {import('./faults.js').Fault['kind']} [injected] The kind of the injected fault that hit this request, if any.
 * @property {string} [message] The `message` of an error answer (4xx, 5xx), as sent.
 * @property {number} [seq] Its place in one sequence with holder changes (SimHolderChange.seq), given once
 *   the request is decided (after its events and onRequest hooks, before its answer): its answer shows
 *   every change with a lower number. Undefined until then.
 */

/**
 * @typedef {object} SimStats
 * @property {number} requests
 * @property {Record<string, number>} byRoute Requests per route, e.g. 'GET /v2/reserved_ips/{reserved_ip}'.
 * @property {number} polls GET /v2/actions/{id} requests.
 * @property {number} rateLimited
 */

/** @type {Route[]} */
const ROUTES = [...ipRoutes, ...actionRoutes, ...dropletRoutes, ...domainRoutes]

/** @param {string} rawPath */
function decodePath(rawPath) {
  return rawPath
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        return segment
      }
    })
    .join('/')
}

/**
 * The request's context, from what arrived.
 * @param {State} state
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} text
 */
function requestContext(state, req, res, text) {
  const method = String(req.method).toUpperCase()
  const url = new URL(req.url ?? '/', 'http://simulator.invalid')
  const rawPath = url.pathname
  const path = decodePath(rawPath)
  const query = Object.fromEntries(url.searchParams)
  let body
  let badJson = false
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text)
    } catch {
      badJson = true
      body = text
    }
  }
  const authorization = req.headers.authorization === `Bearer ${state.token}`
  /** @type {SimRequest} */
  const record = { method, path, rawPath, query, body, status: 0, at: state.time.sinceOrigin(), authorization }
  const found = state.matcher.match(method, rawPath)
  const operationKnown = Boolean(found && !found.methodMissing)
  const routeKey = operationKnown && found ? `${method} ${found.template}` : `${method} (not in the API description)`
  state.byRoute[routeKey] = (state.byRoute[routeKey] ?? 0) + 1
  if (method === 'GET' && /^\/v2\/actions\/[^/]+$/.test(path)) state.polls++
  /** @type {RequestContext} */
  const ctx = {
    ...{ req, res, record, method, path, rawPath, query, body, requestId: randomUUID(), operationKnown },
    ...{ done: false, dropAfter: false, hangAfter: false, bodyFault: undefined, quirky: false, rate: undefined }
  }
  return { ctx, badJson }
}

/**
 * Refuses the request before it reaches its resource: no token, over the rate limit, a scope denied,
 * a body that is not JSON, or a request the description does not have. True when it was answered.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {boolean} badJson
 */
function refused(state, ctx, badJson) {
  if (!ctx.record.authorization) return (fail(state, ctx, 401, 'Unable to authenticate you'), true)
  const counted = state.rate.accept(state.time.now())
  if (counted.limited) {
    state.rateLimited++
    return (fail(state, ctx, 429, 'API rate limit exceeded.', counted.limited), true)
  }
  ctx.rate = counted.headers
  if (refuseDeniedScope(state, ctx)) return true
  const { method, path } = ctx
  if (badJson) {
    state.violations.push(`${method} ${path}: the request body is not valid JSON`)
    return (fail(state, ctx, 400, 'The request body is not valid JSON.'), true)
  }
  if (!state.validator) return false
  const problems = state.validator.validateRequest({ method, path: ctx.rawPath, query: ctx.query, body: ctx.body })
  for (const p of problems) state.violations.push(`${method} ${path}: ${p}`)
  if (!ctx.operationKnown) return (notFound(state, ctx), true)
  if (problems.length) return (fail(state, ctx, 400, problems.join('; ')), true)
  return false
}

/**
 * Routes the request to its resource; an action it starts names it (its index in `requests`).
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {number} index
 */
function route(state, ctx, index) {
  state.routedRequest = index
  try {
    for (const [method, regex, handler] of ROUTES) {
      if (method !== ctx.method) continue
      const m = regex.exec(ctx.path)
      if (m) return handler(state, ctx, m)
    }
    notFound(state, ctx)
  } finally {
    state.routedRequest = undefined
  }
}

/**
 * One API request, from arrival to answer.
 * @param {State} state
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function handle(state, req, res) {
  const arrived = state.time.now()
  const atArrival = state.time.sinceOrigin()
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  if (state.closed) return void req.socket.destroy()
  const { ctx, badJson } = requestContext(state, req, res, Buffer.concat(chunks).toString('utf8'))
  ctx.record.at = atArrival
  const index = state.requests.push(ctx.record) - 1
  settle(state, arrived)
  const events = /** @type {import('./faults.js').EventFault[]} */ (hitBy(state, ctx, true))
  fireEvents(state, events, 'arrival', index)
  for (const hook of [...state.hooks]) hook(ctx.record)
  settle(state)
  ctx.record.seq = ++state.seq
  const fault = hitBy(state, ctx, false)[0]
  const stopped = fault !== undefined && applyFault(state, ctx, fault)
  if (!stopped && !refused(state, ctx, badJson)) route(state, ctx, index)
  fireEvents(state, events, 'applied', index)
}

/**
 * Answers one request; a simulator bug is a violation and a 500, never a crash.
 * @param {State} state
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
function answer(state, req, res) {
  handle(state, req, res).catch((error) => {
    state.violations.push(`simulator error on ${req.method} ${req.url}: ${error && error.stack ? error.stack : error}`)
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ id: 'server_error', message: String(error && error.message ? error.message : error) }))
    }
  })
}

/**
 * The API server, listening on the port (0: any free one).
 * @param {State} state
 * @param {number} port
 */
export function listenApi(state, port) {
  return listenHttp((req, res) => answer(state, req, res), state.host, port)
}

/**
 * The simulator's methods for the request log.
 * @param {State} state
 */
export function requestApi(state) {
  return {
    /** Every API request so far, in order (live array). */
    get requests() {
      return state.requests
    },
    /** @param {import('./faults.js').RequestFilter} [filter] */
    countRequests(filter = {}) {
      return state.requests.filter((r) => matchesRequest(filter, r)).length
    },
    /** POST, DELETE (and PUT, PATCH) requests. */
    mutatingRequests() {
      return state.requests.filter((r) => ['POST', 'DELETE', 'PUT', 'PATCH'].includes(r.method))
    },
    /**
     * Calls hook with each request as it arrives, before it is answered (state changes the hook makes,
     * e.g. assignNow or removeIp, show in the answer). Returns a function that removes the hook.
     * @param {(request: SimRequest) => void} hook
     */
    onRequest(hook) {
      state.hooks.push(hook)
      return () => {
        const i = state.hooks.indexOf(hook)
        if (i >= 0) state.hooks.splice(i, 1)
      }
    },
    /** OpenAPI problems with requests received and responses sent. */
    get violations() {
      return state.violations
    },
    /** 429 answers sent. */
    get rateLimited() {
      return state.rateLimited
    },
    /** @returns {SimStats} */
    stats() {
      return {
        requests: state.requests.length,
        byRoute: { ...state.byRoute },
        polls: state.polls,
        rateLimited: state.rateLimited
      }
    }
  }
}
