/**
 * The simulator's state: reserved IPs, droplets, actions (and their lifecycle: they start, lock the
 * address and end at their time), the request log and every log a test reads (holder changes, other
 * clients' moves, releases, creates). Every module of the simulator works on one State.
 */
import { canonicalIp, ipv4Pool, ipv6Pool, parseIPv4 } from './addresses.js'
import { isoSeconds, simulatorTime } from './clock.js'
import { createValidator } from './openapi.js'
import { createRateLimit } from './rate-limit.js'
import { createServices } from './services.js'

/** @typedef {import('./addresses.js').IpVersion} IpVersion */
/** @typedef {'completed' | 'errored' | 'done' | 'missing'} ActionOutcome */
/** @typedef {'in-progress' | 'completed' | 'errored' | 'done'} ActionStatus */
/** @typedef {'reserved_ip' | 'floating_ip' | 'reserved_ipv6'} ResourceType */

/**
 * An action as a test sees it (actions(), startOtherAction, setActionOutcome, actionDurationMs).
 * @typedef {object} SimAction
 * @property {number} id
 * @property {'assign_ip' | 'unassign_ip'} type
 * @property {ActionStatus} status
 * @property {ResourceType} resourceType 'floating_ip' when made through /v2/floating_ips.
 * @property {string} ip
 * @property {number} dropletId The droplet assigned to (assign_ip) or detached from (unassign_ip).
 * @property {number} startedAt Ms after the simulator's timeOrigin (the clock of SimRequest.at).
 * @property {number | null} completedAt When the action ended (ms after timeOrigin); null while in progress.
 * @property {'api' | 'other'} by 'api': started by a request to the simulator's API (the client under
 *   test); 'other': by another client of the account (startOtherAction, an 'other-move' fault).
 * @property {number} [request] The index in `requests` of the request that started it.
 */

/** @typedef {number | ((action: SimAction) => number)} ActionDuration */

/**
 * @typedef {object} IpRecord
 * @property {string} ip
 * @property {IpVersion} version
 * @property {string} region
 * @property {number | null} dropletId
 * @property {string} projectId
 * @property {number} createdAt
 * @property {string} reservedAt
 * @property {number} lockedUntil
 * @property {number | null} pendingAction
 * @property {boolean} viaApi
 * @property {number} resourceId
 */

/**
 * @typedef {object} DropletRecord
 * @property {number} id
 * @property {string} name
 * @property {string} region
 * @property {string[]} tags
 * @property {boolean} gpu
 * @property {boolean} ipv6
 * @property {{ publicV4: string, privateV4: string, publicV6: string | null }} own
 * @property {string} createdAt
 * @property {number} busyUntil
 */

/**
 * @typedef {object} ActionRecord
 * @property {number} id
 * @property {'assign_ip' | 'unassign_ip'} type
 * @property {ActionStatus} status
 * @property {ResourceType} resourceType
 * @property {string} ip
 * @property {number} dropletId
 * @property {string} region
 * @property {number} resourceId
 * @property {number} startedAt
 * @property {number} startedRel
 * @property {number | null} completedAt
 * @property {number} dueAt
 * @property {ActionOutcome} outcome
 * @property {'api' | 'other'} by
 * @property {number | undefined} request
 * @property {ReturnType<typeof setTimeout> | undefined} timer
 * @property {((action: ActionRecord) => void)[]} onEnd Called once it has ended (see the 'action-end' event).
 */

/**
 * A change of the droplet that holds a reserved IP.
 * @typedef {object} SimHolderChange
 * @property {string} ip
 * @property {number | null} from
 * @property {number | null} to
 * @property {number} at Ms after timeOrigin: an action's end, or the moment of assignNow.
 * @property {number} seq See SimRequest.seq.
 * @property {'api' | 'other'} by 'api': an action a request to the API started; 'other': another
 *   client's action, assignNow or an 'other-move'.
 * @property {number} [actionId] The action that made the change; undefined for assignNow and instant moves.
 */

export const DEFAULT_PROJECT_ID = '5f3e6a52-9d1c-4b7e-8a0f-2c4d6e8f0a1b'

/** @type {import('./openapi.js').Validator | undefined} */
let sharedValidator

/**
 * The state of one simulator, from its options (see SimulatorOptions in simulator.js).
 * @param {import('./simulator.js').SimulatorOptions} options
 */
export function createState(options) {
  const time = simulatorTime(options.clock)
  sharedValidator ??= createValidator()
  const endlessPages = options.endlessPages
  if (endlessPages !== undefined && endlessPages !== 'repeat' && endlessPages !== 'empty')
    throw new Error(`endlessPages must be 'repeat' or 'empty' (got '${endlessPages}')`)
  const host = options.host ?? '127.0.0.1'
  const state = {
    host,
    token: options.token ?? 'sim-token',
    time,
    /** The OpenAPI description's operations (to route and count requests), validating or not. */
    matcher: sharedValidator,
    validator: (options.validate ?? true) ? sharedValidator : undefined,
    maxIps: options.maxIps ?? Infinity,
    readLagMs: options.readLagMs ?? 0,
    ipv6WithoutWrapper: options.ipv6WithoutWrapper ?? false,
    createWithoutActionLinks: options.createWithoutActionLinks ?? false,
    pageDefault: options.pageDefault ?? 20,
    endlessPages,
    omitTotal: options.omitTotal ?? false,
    actionsNewestFirst: options.actionsNewestFirst ?? false,
    rate: createRateLimit(options.rateLimit),
    /** @type {ActionDuration} */
    actionDuration: options.actionDurationMs ?? 300,
    /** @type {((action: SimAction) => ActionOutcome | undefined) | undefined} */
    actionOutcome: undefined,
    /** The API's base URL, once it listens. */
    url: '',
    closed: false,
    /** @type {Map<string, IpRecord>} */
    ips: new Map(),
    /** @type {Map<number, DropletRecord>} */
    droplets: new Map(),
    /** @type {Map<string, number>} a droplet's own public/private address → droplet id */
    ownAddresses: new Map(),
    /** @type {Map<number, ActionRecord>} */
    actions: new Map(),
    /** @type {Set<ActionRecord>} */
    inProgress: new Set(),
    /** @type {import('./server.js').SimRequest[]} */
    requests: [],
    /** @type {string[]} */
    violations: [],
    /** @type {import('./faults.js').QueuedFault[]} */
    faults: [],
    /** @type {((request: import('./server.js').SimRequest) => void)[]} */
    hooks: [],
    /** @type {Record<string, number>} */
    byRoute: {},
    polls: 0,
    rateLimited: 0,
    /** One sequence numbers requests (SimRequest.seq) and holder changes. */
    seq: 0,
    /** @type {SimHolderChange[]} */
    holderLog: [],
    /** @type {import('./others.js').SimOtherMove[]} */
    otherLog: [],
    /** @type {import('./ips.js').SimRelease[]} */
    releaseLog: [],
    /** @type {import('./ips.js').SimCreate[]} */
    createLog: [],
    /** The index (in `requests`) of the request being routed: an action it starts names it. */
    /** @type {number | undefined} */
    routedRequest: undefined,
    /** @type {Map<string, import('./domains.js').DomainRecord>} */
    domains: new Map(),
    /** @type {Map<string, import('./history.js').HistoryEntry[]>} */
    ipHistory: new Map(),
    /** @type {Set<string>} */
    deniedScopes: new Set(),
    next: { droplet: 1000, action: 1_000_001, v6Resource: 1, record: 3_000_001, history: 500_001 },
    pools: { 4: ipv4Pool(), 6: ipv6Pool() },
    /** @type {ReturnType<typeof createServices>} */
    services: /** @type {any} */ (undefined)
  }
  // The droplets' web service behind each reserved IP (see services.js); routing lags holder changes.
  state.services = createServices({
    host,
    routingDelayMs: options.routingDelayMs,
    sinceOrigin: time.sinceOrigin,
    now: time.now,
    settle: () => settle(state),
    ipRecord: (/** @type {string} */ ip) => state.ips.get(ip),
    droplet: (/** @type {number | null} */ id) => (id === null ? undefined : state.droplets.get(id)),
    dropletByOwnAddress: (/** @type {string} */ ip) => {
      const id = state.ownAddresses.get(ip)
      return id === undefined ? undefined : state.droplets.get(id)
    }
  })
  return state
}

/** @typedef {ReturnType<typeof createState>} State */

/**
 * Busy with an in-progress action or a lock().
 * @param {IpRecord} rec
 * @param {number} now
 */
export function isIpLocked(rec, now) {
  return rec.lockedUntil > now || rec.pendingAction !== null
}

/**
 * A droplet is busy with its own events (being created, resized: setDropletBusy). An action on a
 * reserved IP is the IP's event, not the droplet's: a dual-stack pair can move to it at once.
 * @param {DropletRecord} droplet
 * @param {number} now
 */
export function isDropletBusy(droplet, now) {
  return droplet.busyUntil > now
}

/**
 * The reserved IP for any textual form of the address, or undefined.
 * @param {State} state
 * @param {string} text
 */
export function ipByText(state, text) {
  const c = canonicalIp(String(text))
  return c === undefined ? undefined : state.ips.get(c.ip)
}

/**
 * @param {ActionRecord} a
 * @returns {SimAction}
 */
export function actionSnapshot(a) {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    resourceType: a.resourceType,
    ip: a.ip,
    dropletId: a.dropletId,
    startedAt: a.startedRel,
    completedAt: a.completedAt === null ? null : a.startedRel + (a.completedAt - a.startedAt),
    by: a.by,
    request: a.request
  }
}

/**
 * A free address of the family from its pool.
 * @param {State} state
 * @param {IpVersion} version
 */
export function allocate(state, version) {
  const pool = state.pools[version]
  for (;;) {
    const next = pool.next()
    if (next.done) throw new Error(`the simulator ran out of IPv${version} addresses`)
    if (!state.ips.has(next.value)) return next.value
  }
}

/**
 * Stores a new reserved IP.
 * @param {State} state
 * @param {{ ip: string, version: IpVersion, region: string, dropletId: number | null, projectId?: string, viaApi: boolean }} fields
 */
export function newIpRecord(state, { ip, version, region, dropletId, projectId, viaApi }) {
  const now = state.time.now()
  /** @type {IpRecord} */
  const rec = {
    ip,
    version,
    region,
    dropletId,
    projectId: projectId ?? DEFAULT_PROJECT_ID,
    createdAt: now,
    reservedAt: isoSeconds(now),
    lockedUntil: 0,
    pendingAction: null,
    viaApi,
    resourceId: version === 4 ? /** @type {number} */ (parseIPv4(ip)) : state.next.v6Resource++
  }
  state.ips.set(ip, rec)
  state.services.holderChanged(ip, rec.dropletId, null)
  return rec
}

/**
 * Notes that the IP's holder changed from `from` (by 'api', an action a request started, or 'other').
 * @param {State} state
 * @param {IpRecord} rec
 * @param {number | null} from
 * @param {'api' | 'other'} by
 * @param {number | undefined} actionId
 * @param {number} [at]
 */
export function noteHolder(state, rec, from, by, actionId, at = state.time.sinceOrigin()) {
  if (from === rec.dropletId) return
  state.holderLog.push({ ip: rec.ip, from, to: rec.dropletId, at, seq: ++state.seq, by, actionId })
}

/**
 * Completes every in-progress action whose time has come.
 * @param {State} state
 * @param {number} [now]
 */
export function settle(state, now = state.time.now()) {
  for (const action of [...state.inProgress]) if (action.dueAt <= now) finish(state, action)
}

/**
 * Ends an action with its outcome: the address is unlocked and, unless it errored, changes holder.
 * @param {State} state
 * @param {ActionRecord} action
 */
export function finish(state, action) {
  if (!state.inProgress.delete(action)) return
  if (action.timer) clearTimeout(action.timer)
  action.timer = undefined
  action.completedAt = action.dueAt
  const rec = state.ips.get(action.ip)
  if (rec && rec.pendingAction === action.id) rec.pendingAction = null
  if (action.outcome === 'errored') {
    action.status = 'errored'
  } else {
    if (rec) {
      const from = rec.dropletId
      rec.dropletId = action.type === 'assign_ip' ? action.dropletId : null
      noteHolder(state, rec, from, action.by, action.id, action.startedRel + (action.dueAt - action.startedAt))
      state.services.holderChanged(rec.ip, rec.dropletId, action.completedAt)
    }
    action.status = action.outcome === 'done' ? 'done' : 'completed'
  }
  for (const then of action.onEnd.splice(0)) then(action)
}

/**
 * Sets when the action is due, with a timer to complete it then (none on a test's clock, nor for
 * Infinity: it is held until finishActions()).
 * @param {State} state
 * @param {ActionRecord} action
 * @param {number} duration
 */
export function scheduleAction(state, action, duration) {
  if (action.timer) clearTimeout(action.timer)
  action.timer = undefined
  action.dueAt = action.startedAt + duration
  if (duration < 2 ** 31 - 1 && state.time.timers) {
    action.timer = setTimeout(() => settle(state), duration)
    action.timer.unref?.()
  }
}

export const OUTCOMES = new Set(['completed', 'errored', 'done', 'missing'])

/**
 * Starts an assign or unassign action on the address: it locks the address until it ends, after the
 * action duration (actionDurationMs, setActionDuration) with the outcome setActionOutcome decides.
 * @param {State} state
 * @param {'assign_ip' | 'unassign_ip'} type
 * @param {IpRecord} rec
 * @param {number} dropletId
 * @param {ResourceType} resourceType
 * @param {'api' | 'other'} [by]
 */
export function startAction(state, type, rec, dropletId, resourceType, by = 'api') {
  const now = state.time.now()
  /** @type {ActionRecord} */
  const action = {
    id: state.next.action++,
    type,
    status: 'in-progress',
    resourceType,
    ip: rec.ip,
    dropletId,
    region: rec.region,
    resourceId: rec.resourceId,
    startedAt: now,
    startedRel: state.time.sinceOrigin(),
    completedAt: null,
    dueAt: now,
    outcome: 'completed',
    by,
    request: by === 'api' ? state.routedRequest : undefined,
    timer: undefined,
    onEnd: []
  }
  const setting = state.actionDuration
  const raw = typeof setting === 'function' ? setting(actionSnapshot(action)) : setting
  // Infinity holds the action in progress until finishActions() ends it.
  const duration = raw === Infinity ? Infinity : Number.isFinite(raw) && raw > 0 ? raw : 0
  if (state.actionOutcome) {
    const outcome = state.actionOutcome(actionSnapshot(action)) ?? 'completed'
    if (!OUTCOMES.has(outcome)) throw new Error(`setActionOutcome: unknown outcome '${outcome}'`)
    action.outcome = outcome
  }
  state.actions.set(action.id, action)
  state.inProgress.add(action)
  rec.pendingAction = action.id
  scheduleAction(state, action, duration)
  return action
}
