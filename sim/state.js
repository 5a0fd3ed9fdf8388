/**
 * The simulator's state: reserved IPs, droplets, actions (and their lifecycle: they start, lock the
 * address and end at their time), the request log and every log a test reads (holder changes, other
 * clients' moves, releases, creates). Every module of the simulator works on one State.
 */
import { canonicalIp, ipv4Pool, ipv6Pool, parseIPv4 } from './addresses.js'
import { isoSeconds, simulatorTime } from './clock.js'
import { createValidator } from './openapi.js'
import { createRateLimit } from './rate-limit.js'
import { settle } from './lifecycle.js'
import { createServices } from './services.js'

/** @typedef {import('./addresses.js').IpVersion} IpVersion */
/** @typedef {'completed' | 'errored' | 'done' | 'missing'} ActionOutcome */
/** @typedef {'in-progress' | 'completed' | 'errored' | 'done'} ActionStatus */
/** @typedef {'reserved_ip' | 'floating_ip' | 'reserved_ipv6'} ResourceType */
/** @typedef {import('./lifecycle.js').SimAction} SimAction */
/** @typedef {import('./lifecycle.js').ActionRecord} ActionRecord */
/** @typedef {import('./lifecycle.js').SimHolderChange} SimHolderChange */
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

const DEFAULT_PROJECT_ID = '5f3e6a52-9d1c-4b7e-8a0f-2c4d6e8f0a1b'

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
    /** @type {number | undefined} the index (in `requests`) of the request being routed: an action it starts names it */
    routedRequest: undefined,
    /** @type {Map<string, import('./domains.js').DomainRecord>} */
    domains: new Map(),
    /** @type {Map<string, import('./history.js').HistoryEntry[]>} */
    ipHistory: new Map(),
    /** @type {Set<string>} */
    deniedScopes: new Set(),
    next: { droplet: 1000, action: 1_000_001, v6Resource: 1, record: 3_000_001, history: 500_001 },
    pools: { 4: ipv4Pool(), 6: ipv6Pool() },
    /** @type {ReturnType<typeof createServices>} set below: its hooks read this state */
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
