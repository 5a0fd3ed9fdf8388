/**
 * Faults a test queues with inject(): answers broken in every way a client meets (errors, 429s,
 * connections dropped or hung before or after the request took effect, pending events, bodies cut,
 * empty or not JSON), and events that are no fault of the answer: when a matching request arrives,
 * another client moves an address ('other-move') or the droplet gets busy ('droplet-busy').
 */
import { DROPLET_PENDING_MESSAGE, ERROR_IDS, IP_PENDING_MESSAGES, PENDING_MESSAGE, fail, notFound } from './answers.js'
import { canonicalIp } from './addresses.js'
import { OUTCOMES } from './lifecycle.js'

/**
 * @typedef {object} RequestFilter
 * @property {string} [method]
 * @property {string | RegExp} [path] Exact path (decoded or as sent), or a pattern tested against it.
 */

/**
 * @typedef {object} FaultCount
 * @property {number} [times] How many matching requests the fault hits. Default 1.
 * @property {number} [skip] How many matching requests pass before it hits (default 0): skip 2 hits the
 *   third. They are counted whether or not another fault hits them, so each fault's count is of the
 *   requests alone.
 */

/** @typedef {RequestFilter & FaultCount} FaultMatch */

/**
 * When an event fires: 'arrival' (the default), when the matching request arrives, before onRequest
 * hooks and before it takes effect; 'applied', right after it took effect (or was refused, or a fault
 * kept it from taking effect), before a client can act on its answer; 'action-end', when the action
 * the request started ends (never, when it started none: otherMoves() then names it refused).
 * @typedef {'arrival' | 'applied' | 'action-end'} EventMoment
 */

/**
 * No fault of the answer: another client moves `ip` to `dropletId` (null: detaches it), at once as
 * assignNow does when durationMs is left out, else by an action of its own (by 'other') that takes
 * durationMs and is refused as DigitalOcean would refuse it (the IP or droplet busy: see otherMoves()).
 * The request itself goes on, and another fault may still hit it. With a DELETE that hangs ('hang'),
 * the address is assigned while the release hangs unapplied; with `when: 'action-end'` on an assign,
 * another workflow's change starts the moment the step's action completes.
 * @typedef {FaultMatch & { kind: 'other-move', ip: string, dropletId: number | null, durationMs?: number,
 *   outcome?: import('./state.js').ActionOutcome, when?: EventMoment }} OtherMoveFault
 */

/**
 * No fault of the answer: the droplet gets busy with an event of its own for `ms` (Infinity: until
 * setDropletIdle), as setDropletBusy makes it. With `when: 'applied'` on an assign whose answer is
 * lost ('drop-after'), the re-sent assigns meet "Droplet already has a pending event" while the first
 * is under way; on one dropped before it took effect ('drop-before'), while nothing is.
 * @typedef {FaultMatch & { kind: 'droplet-busy', dropletId: number, ms: number, when?: EventMoment }} DropletBusyFault
 */

/**
 * @typedef {(FaultMatch & { kind: 'status', status: number, headers?: Record<string, string>, id?: string,
 *     message?: string, requestId?: string })
 *   | (FaultMatch & { kind: 'rate-limit', resetInMs?: number, retryAfter?: number })
 *   | (FaultMatch & { kind: 'drop-before' | 'drop-after' | 'hang' | 'hang-after' | 'not-found' })
 *   | (FaultMatch & { kind: 'pending-event', of?: 'droplet' | 'ip' })
 *   | (FaultMatch & { kind: 'cut-body' | 'empty-body', status?: number })
 *   | (FaultMatch & { kind: 'not-json', status?: number, text?: string })
 *   | OtherMoveFault
 *   | DropletBusyFault} Fault
 * 'hang-after': the request takes effect, then it is never answered (close() destroys the connection).
 * 'pending-event': 422, the message naming the droplet (`of: 'droplet'`, "Droplet already has a
 * pending event"), the address (`of: 'ip'`) or, by default, neither.
 * 'cut-body': the request takes effect, then the answer's JSON is cut off half-way (same status unless
 * `status` is given; content-length matches the cut body). 'empty-body': the answer is `status`
 * (default 200) with an empty body. 'not-json': an HTML page (or `text`), text/html, same status unless
 * given. None of the three is counted as a violation.
 */

/** @typedef {OtherMoveFault | DropletBusyFault} EventFault */
/** @typedef {Fault & { skip: number, remaining: number }} QueuedFault */

const FAULT_KINDS = new Set([
  'status',
  'rate-limit',
  'drop-before',
  'drop-after',
  'hang',
  'hang-after',
  'pending-event',
  'not-found',
  'cut-body',
  'empty-body',
  'not-json',
  'other-move',
  'droplet-busy'
])
/** Kinds that are no fault of the answer: something happens, and the request goes on. */
const EVENT_KINDS = new Set(['other-move', 'droplet-busy'])
const MOMENTS = new Set(['arrival', 'applied', 'action-end'])
const ERROR_MESSAGES = /** @type {Record<number, string>} */ ({
  500: 'Server was unable to give you a response.',
  502: 'Bad gateway.',
  503: 'The service is temporarily unavailable. Please try again later.',
  504: 'Gateway timeout.'
})

/**
 * @param {string | RegExp | undefined} pattern
 * @param {string} path
 * @param {string} [rawPath]
 */
function matchesPath(pattern, path, rawPath) {
  if (pattern === undefined) return true
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0
    if (pattern.test(path)) return true
    pattern.lastIndex = 0
    return rawPath !== undefined && pattern.test(rawPath)
  }
  return pattern === path || pattern === rawPath
}

/**
 * Whether the request matches a filter (of inject, countRequests).
 * @param {RequestFilter} filter
 * @param {{ method: string, path: string, rawPath?: string }} request
 */
export function matchesRequest(filter, request) {
  if (filter.method !== undefined && filter.method.toUpperCase() !== request.method) return false
  return matchesPath(filter.path, request.path, request.rawPath)
}

/**
 * The faults (or, with events, the events) that this request hits, each counted once: a fault with
 * `skip` left lets the request pass and counts it, whether or not another fault hits it. Of ordinary
 * faults, only the first due one hits; every due event fires.
 * @param {import('./state.js').State} state
 * @param {{ method: string, path: string, rawPath: string }} request
 * @param {boolean} events
 */
export function hitBy(state, request, events) {
  /** @type {QueuedFault[]} */
  const hit = []
  for (const f of state.faults) {
    if (EVENT_KINDS.has(f.kind) !== events || !matchesRequest(f, request)) continue
    if (f.skip > 0) {
      f.skip--
      continue
    }
    if (events || hit.length === 0) hit.push(f)
  }
  for (const f of hit) {
    f.remaining--
    if (f.remaining <= 0) state.faults.splice(state.faults.indexOf(f), 1)
  }
  return hit
}

/**
 * The 422 message of a 'pending-event' fault.
 * @param {'droplet' | 'ip' | undefined} of
 * @param {string} path
 */
function pendingMessage(of, path) {
  if (of === 'droplet') return DROPLET_PENDING_MESSAGE
  if (of === 'ip') return IP_PENDING_MESSAGES[path.startsWith('/v2/reserved_ipv6') ? 6 : 4]
  return PENDING_MESSAGE
}

/**
 * Answers (or refuses to answer) per a fault; returns true when the request must not be applied.
 * @param {import('./state.js').State} state
 * @param {import('./answers.js').RequestContext} ctx
 * @param {Fault} fault
 */
export function applyFault(state, ctx, fault) {
  ctx.record.injected = fault.kind
  switch (fault.kind) {
    case 'cut-body':
    case 'empty-body':
    case 'not-json':
      ctx.bodyFault = fault
      return false
    case 'drop-before':
      ctx.req.socket.destroy()
      ctx.done = true
      return true
    case 'hang':
      ctx.done = true
      return true
    case 'drop-after':
      ctx.dropAfter = true
      return false
    case 'hang-after':
      ctx.hangAfter = true
      return false
    case 'status': {
      const status = Number(fault.status ?? 500)
      const message = fault.message ?? ERROR_MESSAGES[status] ?? `HTTP ${status}`
      const id = fault.id ?? ERROR_IDS[status] ?? 'error'
      fail(state, ctx, status, message, fault.headers ?? {}, id, fault.requestId ?? ctx.requestId)
      return true
    }
    case 'rate-limit': {
      state.rateLimited++
      const reset = Math.ceil((state.time.now() + (fault.resetInMs ?? 1000)) / 1000)
      /** @type {Record<string, string>} */
      const headers = {
        'ratelimit-limit': String(state.rate.announced),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset)
      }
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
      fail(state, ctx, 429, 'API rate limit exceeded.', headers)
      return true
    }
    case 'pending-event':
      fail(state, ctx, 422, pendingMessage(fault.of, ctx.path))
      return true
    case 'not-found':
      notFound(state, ctx)
      return true
    default:
      return false
  }
}

/**
 * Checks an event's own fields.
 * @param {EventFault} event
 */
function checkEvent(event) {
  if (event.when !== undefined && !MOMENTS.has(event.when))
    throw new Error(`inject: ${event.kind} when must be 'arrival', 'applied' or 'action-end' (got '${event.when}')`)
  if (event.kind === 'droplet-busy') {
    if (!(Number.isInteger(event.dropletId) && event.dropletId > 0))
      throw new Error('inject: droplet-busy needs a dropletId')
    if (!(typeof event.ms === 'number' && event.ms >= 0))
      throw new Error('inject: droplet-busy needs ms, 0 or more (Infinity: until setDropletIdle)')
    return
  }
  if (!canonicalIp(String(event.ip))) throw new Error(`inject: other-move needs the ip to move (got '${event.ip}')`)
  if (event.dropletId !== null && !(Number.isInteger(event.dropletId) && event.dropletId > 0))
    throw new Error('inject: other-move needs a dropletId (a droplet id, or null to detach)')
  const d = event.durationMs
  if (d !== undefined && !(typeof d === 'number' && d >= 0))
    throw new Error('inject: other-move durationMs must be a number of ms, 0 or more')
  if (event.outcome !== undefined && !OUTCOMES.has(event.outcome))
    throw new Error(`inject: unknown other-move outcome '${event.outcome}'`)
}

/**
 * The simulator's methods for faults.
 * @param {import('./state.js').State} state
 */
export function faultApi(state) {
  return {
    /**
     * Queues a fault (see Fault); faults hit matching requests in the order they were queued.
     * @param {Fault} fault
     */
    inject(fault) {
      if (!fault || !FAULT_KINDS.has(fault.kind)) throw new Error(`inject: unknown fault kind '${fault && fault.kind}'`)
      const times = fault.times ?? 1
      if (!(times >= 1)) throw new Error('inject: times must be at least 1')
      const skip = fault.skip ?? 0
      if (!Number.isInteger(skip) || skip < 0) throw new Error('inject: skip must be a whole number, 0 or more')
      if (fault.kind === 'other-move' || fault.kind === 'droplet-busy') checkEvent(fault)
      if (fault.kind === 'pending-event' && fault.of !== undefined && fault.of !== 'droplet' && fault.of !== 'ip')
        throw new Error(`inject: pending-event of must be 'droplet' or 'ip' (got '${fault.of}')`)
      state.faults.push({ ...fault, skip, remaining: times })
    },
    clearFaults() {
      state.faults.length = 0
    }
  }
}
