/**
 * A stateful loopback simulator of the parts of the DigitalOcean API the action uses:
 * reserved IPv4 (and their older name, floating IPs), reserved IPv6, their actions, and droplet look-ups.
 *
 * Every request and response is checked against the OpenAPI excerpt in api/ (see openapi.js); problems
 * are collected in `violations`. Faults (errors, rate limits, dropped or hung connections, pending
 * events) can be queued with inject(); actions take a configurable time and can end in several ways.
 */
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createValidator } from './openapi.js'
import { checkServicePatch, createServices } from './services.js'

let sharedValidator
function defaultValidator() {
  sharedValidator ??= createValidator()
  return sharedValidator
}

const DEFAULT_PROJECT_ID = '5f3e6a52-9d1c-4b7e-8a0f-2c4d6e8f0a1b'
const DEFAULT_RATE_LIMIT = 5000
const NOT_FOUND_MESSAGE = 'The resource you were accessing could not be found.'
const PENDING_MESSAGE = 'The droplet/IP has a pending event. Please try again later.'
/** DigitalOcean's words when the droplet itself is busy (being created, resized): they name the droplet. */
const DROPLET_PENDING_MESSAGE = 'Droplet already has a pending event.'

const REGION_NAMES = {
  nyc1: 'New York 1',
  nyc2: 'New York 2',
  nyc3: 'New York 3',
  sfo1: 'San Francisco 1',
  sfo2: 'San Francisco 2',
  sfo3: 'San Francisco 3',
  ams2: 'Amsterdam 2',
  ams3: 'Amsterdam 3',
  sgp1: 'Singapore 1',
  lon1: 'London 1',
  fra1: 'Frankfurt 1',
  tor1: 'Toronto 1',
  blr1: 'Bangalore 1',
  syd1: 'Sydney 1',
  atl1: 'Atlanta 1'
}
const REGION_SIZES = ['s-1vcpu-512mb-10gb', 's-1vcpu-1gb', 's-1vcpu-2gb', 's-2vcpu-2gb', 's-2vcpu-4gb', 's-4vcpu-8gb']
const GPU_SIZE = {
  slug: 'gpu-h100x1-80gb',
  gpu_info: { count: 1, model: 'nvidia_h100', vram: { amount: 80, unit: 'gib' } }
}
const REGION_FEATURES = ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer']

const FAMILIES = {
  reserved_ips: {
    version: 4,
    one: 'reserved_ip',
    many: 'reserved_ips',
    resourceType: 'reserved_ip',
    base: '/v2/reserved_ips',
    noun: 'reserved IP'
  },
  floating_ips: {
    version: 4,
    one: 'floating_ip',
    many: 'floating_ips',
    resourceType: 'floating_ip',
    base: '/v2/floating_ips',
    noun: 'floating IP'
  },
  reserved_ipv6: {
    version: 6,
    one: 'reserved_ipv6',
    many: 'reserved_ipv6s',
    resourceType: 'reserved_ipv6',
    base: '/v2/reserved_ipv6',
    noun: 'reserved IPv6'
  }
}

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
  'other-move'
])
/** Faults that let the request take effect and then break the answer's body. */
const BODY_FAULTS = new Set(['cut-body', 'empty-body', 'not-json'])
/** Kinds that are no fault of the answer: something happens when the request arrives, and the request goes on. */
const EVENT_KINDS = new Set(['other-move'])
const PAGING_MODES = new Set(['repeat', 'empty'])
const NOT_JSON_BODY = '<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>'
const OUTCOMES = new Set(['completed', 'errored', 'done', 'missing'])

const ERROR_IDS = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout'
}
const ERROR_MESSAGES = {
  500: 'Server was unable to give you a response.',
  502: 'Bad gateway.',
  503: 'The service is temporarily unavailable. Please try again later.',
  504: 'Gateway timeout.'
}

// ---------------------------------------------------------------- addresses

/** Parses dotted-quad IPv4 (no leading zeros) into an unsigned 32-bit number. */
function parseIPv4(text) {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined
    const v = Number(part)
    if (v > 255) return undefined
    n = n * 256 + v
  }
  return n
}

function formatIPv4(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** Parses any textual IPv6 (compressed, upper case, embedded IPv4 tail) into eight 16-bit groups. */
function parseIPv6(text) {
  let s = text.toLowerCase()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  if (!/^[0-9a-f:.]+$/.test(s)) return undefined
  let tail = []
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':')
    if (lastColon < 0) return undefined
    const v4 = parseIPv4(s.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [v4 >>> 16, v4 & 0xffff]
    s = s.slice(0, lastColon + 1)
    if (!s.endsWith('::')) s = s.slice(0, -1)
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (part) => (part === '' ? [] : part.split(':'))
  const head = toGroups(halves[0])
  const rest = halves.length === 2 ? toGroups(halves[1]) : []
  for (const g of [...head, ...rest]) if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined
  const explicit = head.length + rest.length + tail.length
  if (halves.length === 1 && explicit !== 8) return undefined
  if (halves.length === 2 && explicit > 7) return undefined
  const zeros = new Array(8 - explicit).fill(0)
  return [
    ...head.map((g) => parseInt(g, 16)),
    ...(halves.length === 2 ? zeros : []),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail
  ]
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as '::'. */
function formatIPv6(groups) {
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** { ip, version } in canonical form, or undefined when the text is no IP address. */
export function canonicalIp(text) {
  if (typeof text !== 'string') return undefined
  let s = text.trim()
  try {
    s = decodeURIComponent(s)
  } catch {
    return undefined
  }
  if (s.includes(':')) {
    const groups = parseIPv6(s)
    return groups ? { ip: formatIPv6(groups), version: 6 } : undefined
  }
  const n = parseIPv4(s)
  return n === undefined ? undefined : { ip: formatIPv4(n), version: 4 }
}

/** IPv4 pool: 203.0.113.10-254, then 198.51.100.1-254, then 45.55.0.1 upwards across /16s (skipping .0 and .255). */
function* ipv4Pool() {
  for (let i = 10; i <= 254; i++) yield `203.0.113.${i}`
  for (let i = 1; i <= 254; i++) yield `198.51.100.${i}`
  for (let second = 55; second <= 255; second++) {
    for (let third = 0; third <= 255; third++) {
      for (let fourth = 1; fourth <= 254; fourth++) yield `45.${second}.${third}.${fourth}`
    }
  }
}

/** IPv6 pool: 2001:db8:10::1 upwards. */
function* ipv6Pool() {
  for (let n = 1; n < 2 ** 32; n++) yield formatIPv6([0x2001, 0xdb8, 0x10, 0, 0, 0, Math.floor(n / 65536), n % 65536])
}

// ---------------------------------------------------------------- droplets' own addresses

/**
 * The addresses a droplet gets when it is created, as a DigitalOcean droplet has them: a public IPv4
 * (198.18.0.0/15), a private VPC IPv4 (10.108.0.0/14) and, with IPv6 enabled, a public IPv6
 * (2001:db8:d0::/64, apart from the reserved IPv6 pool). Derived from the droplet's id; the next
 * number is tried while one is taken (ids that differ by a multiple of the range).
 */
const OWN_ADDRESS_FORMATS = {
  publicV4: (n) => `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 255}.${n & 255}`,
  privateV4: (n) => `10.${108 + ((n >>> 16) & 3)}.${(n >>> 8) & 255}.${n & 255}`,
  publicV6: (n) => formatIPv6([0x2001, 0xdb8, 0xd0, 0, 0, 0, Math.floor(n / 65536) % 65536, n % 65536])
}

/** A free address of the kind for droplet id (see OWN_ADDRESS_FORMATS); .0 and .255 are skipped. */
function ownAddress(kind, id, taken) {
  for (let n = id; ; n++) {
    if (kind !== 'publicV6' && ((n & 255) === 0 || (n & 255) === 255)) continue
    const address = OWN_ADDRESS_FORMATS[kind](n)
    if (!taken.has(address)) return address
  }
}

// ---------------------------------------------------------------- helpers

function isoSeconds(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function regionObject(slug) {
  return {
    name: REGION_NAMES[slug] ?? slug.toUpperCase(),
    slug,
    features: [...REGION_FEATURES],
    available: true,
    sizes: [...REGION_SIZES]
  }
}

function isRegionSlug(slug) {
  return typeof slug === 'string' && (slug in REGION_NAMES || /^[a-z]{3}\d$/.test(slug))
}

/** A region given to addDroplet/addIp: a slug, or any non-empty text when `anyRegion` asks for it. */
function checkRegion(where, region, anyRegion) {
  const ok = anyRegion ? typeof region === 'string' && region !== '' : isRegionSlug(region)
  if (!ok) throw new Error(`${where}: '${region}' is not a region slug`)
}

/** The body an answer with a body fault carries instead of `payload` (the intact JSON text, or undefined). */
function brokenPayload(fault, payload) {
  if (fault.kind === 'empty-body') return ''
  if (fault.kind === 'not-json') return fault.text ?? NOT_JSON_BODY
  const text = payload ?? '{}'
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)))
}

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

function positiveInt(text) {
  return typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : undefined
}

// ---------------------------------------------------------------- clocks

/** A test's clock for the simulator: { now() → epoch ms }, or undefined for Date.now. */
function checkClock(clock) {
  if (clock === undefined) return undefined
  if (!clock || typeof clock.now !== 'function' || !Number.isFinite(clock.now()))
    throw new Error('startSimulator: clock must have a now() that returns epoch milliseconds')
  return clock
}

/**
 * A clock that runs `scale` times faster than real time, starting at `start` (epoch ms, default now):
 * `now()` reads it, `sleep(ms, signal)` waits ms of it (ms / scale real ms; an aborted signal ends the
 * sleep at once), `scaled(ms)` is ms (a schedule on this clock needs no further scaling). The same
 * object can drive the simulator (options.clock) and the action (runOperation's clock), so that a
 * test runs DigitalOcean's time and the action's on one fast clock.
 */
export function scaledClock(scale, start = Date.now()) {
  if (!(typeof scale === 'number' && scale > 0 && Number.isFinite(scale)))
    throw new Error(`scaledClock: scale must be a positive number (got ${scale})`)
  const realStart = performance.now()
  return {
    scale,
    now: () => start + (performance.now() - realStart) * scale,
    scaled: (ms) => ms,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.resolve()
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve(undefined)
        }
        const timer = setTimeout(done, Math.max(0, ms) / scale)
        signal?.addEventListener('abort', done, { once: true })
      })
    }
  }
}

// ---------------------------------------------------------------- the simulator

/**
 * Starts a simulator on a loopback port.
 * @param {import('./simulator.js').SimulatorOptions} [options]
 * @returns {Promise<import('./simulator.js').Simulator>}
 */
export async function startSimulator(options = {}) {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? 'sim-token'
  const validate = options.validate ?? true
  const matcher = defaultValidator()
  const validator = validate ? matcher : undefined
  const maxIps = options.maxIps ?? Infinity
  const readLagMs = options.readLagMs ?? 0
  const ipv6WithoutWrapper = options.ipv6WithoutWrapper ?? false
  const createWithoutActionLinks = options.createWithoutActionLinks ?? false
  const pageDefault = options.pageDefault ?? 20
  const endlessPages = options.endlessPages
  if (endlessPages !== undefined && !PAGING_MODES.has(endlessPages))
    throw new Error(`endlessPages must be 'repeat' or 'empty' (got '${endlessPages}')`)
  const omitTotal = options.omitTotal ?? false
  const actionsNewestFirst = options.actionsNewestFirst ?? false
  const rateLimit = options.rateLimit
  if (rateLimit && !(rateLimit.perMinute > 0)) throw new Error('rateLimit.perMinute must be a positive number')
  const rateWindowMs = rateLimit ? 60_000 / (rateLimit.timeScale ?? 1) : 60_000
  if (rateLimit && rateLimit.perHour !== undefined && !(rateLimit.perHour > 0))
    throw new Error('rateLimit.perHour must be a positive number')
  const perHour = rateLimit?.perHour ?? DEFAULT_RATE_LIMIT
  const hourWindowMs = rateWindowMs * 60
  let actionDuration = options.actionDurationMs ?? 300
  let actionOutcome

  // The clock of every duration, lock, busy spell, read lag, rate window and timestamp: the test's, or Date.now.
  const testClock = checkClock(options.clock)
  const clockNow = testClock ? () => testClock.now() : () => Date.now()
  // Relative times (request `at`, action startedAt/completedAt) are ms after timeOrigin, a performance.now()
  // value; on a test's clock they are that clock's ms since the simulator started.
  const timeOrigin = performance.now()
  const clockOrigin = clockNow()
  const sinceOrigin = testClock ? () => clockNow() - clockOrigin : () => performance.now() - timeOrigin
  const hooks = []
  const ipStore = new Map()
  const dropletStore = new Map()
  const ownAddresses = new Map() // a droplet's own public/private address → droplet id
  const actionStore = new Map()
  const inProgress = new Set()
  const requests = []
  const violations = []
  const faults = []
  const byRoute = {}
  const sockets = new Set()
  const accepted = [] // timestamps of requests inside the rate-limit window
  const acceptedHour = [] // timestamps of requests inside the hourly window (with rateLimit)
  let rateLimited = 0
  let polls = 0
  let nextDropletId = 1000
  let nextActionId = 1_000_001
  let nextV6ResourceId = 1
  // ---------------------------------------------------------- prune's guards: state
  // DNS zones (name -> { name, ttl, records }), the past actions tests seed on reserved IPv4
  // (ip -> entries), and the token scopes a test took away (see the prune's guards block below).
  const domainStore = new Map()
  const ipHistory = new Map()
  const deniedScopes = new Set()
  let nextRecordId = 3_000_001
  let nextHistoryId = 500_001
  let closed = false
  const v4Pool = ipv4Pool()
  const v6Pool = ipv6Pool()
  // The droplets' web service behind each reserved IP (see services.js); routing lags holder changes.
  const services = createServices({
    host,
    routingDelayMs: options.routingDelayMs,
    sinceOrigin,
    now: clockNow,
    settle: () => settle(),
    canonicalIp,
    ipRecord: (ip) => ipStore.get(ip),
    droplet: (id) => dropletStore.get(id),
    dropletByOwnAddress: (ip) => dropletByOwnAddress(ip)
  })

  // ---------------------------------------------------------- state

  function isIpLocked(rec, now = clockNow()) {
    return rec.lockedUntil > now || rec.pendingAction !== null
  }

  // A droplet is busy with its own events (being created, resized: setDropletBusy). An action on a
  // reserved IP is the IP's event, not the droplet's: a dual-stack pair can move to it at once.
  function isDropletBusy(droplet, now = clockNow()) {
    return droplet.busyUntil > now
  }

  function ipSnapshot(rec) {
    return {
      ip: rec.ip,
      version: rec.version,
      region: rec.region,
      dropletId: rec.dropletId,
      locked: isIpLocked(rec),
      projectId: rec.projectId
    }
  }

  function dropletSnapshot(d) {
    return {
      id: d.id,
      name: d.name,
      region: d.region,
      tags: [...d.tags],
      gpu: d.gpu,
      ipv6: d.ipv6,
      publicIpv4: d.own.publicV4,
      privateIpv4: d.own.privateV4,
      publicIpv6: d.own.publicV6
    }
  }

  function actionSnapshot(a) {
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

  function countFamily(version) {
    let n = 0
    for (const rec of ipStore.values()) if (rec.version === version) n++
    return n
  }

  function allocate(version) {
    const pool = version === 4 ? v4Pool : v6Pool
    for (;;) {
      const next = pool.next()
      if (next.done) throw new Error(`the simulator ran out of IPv${version} addresses`)
      if (!ipStore.has(next.value)) return next.value
    }
  }

  function newIpRecord({ ip, version, region, dropletId, projectId, viaApi }) {
    const now = clockNow()
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
      resourceId: version === 4 ? parseIPv4(ip) : nextV6ResourceId++
    }
    ipStore.set(ip, rec)
    services.holderChanged(ip, rec.dropletId, null)
    return rec
  }

  /** Completes every in-progress action whose time has come. */
  function settle(now = clockNow()) {
    for (const action of [...inProgress]) if (action.dueAt <= now) finish(action)
  }

  function finish(action) {
    if (!inProgress.delete(action)) return
    if (action.timer) clearTimeout(action.timer)
    action.timer = undefined
    action.completedAt = action.dueAt
    const rec = ipStore.get(action.ip)
    if (rec && rec.pendingAction === action.id) rec.pendingAction = null
    if (action.outcome === 'errored') {
      action.status = 'errored'
      return
    }
    const from = rec ? rec.dropletId : null
    if (rec) rec.dropletId = action.type === 'assign_ip' ? action.dropletId : null
    if (rec) noteHolder(rec, from, action.by, action.id, action.startedRel + (action.dueAt - action.startedAt))
    if (rec) services.holderChanged(rec.ip, rec.dropletId, action.completedAt)
    action.status = action.outcome === 'done' ? 'done' : 'completed'
  }

  function startAction(type, rec, dropletId, resourceType, by = 'api') {
    const now = clockNow()
    const action = {
      id: nextActionId++,
      type,
      status: 'in-progress',
      resourceType,
      ip: rec.ip,
      dropletId,
      region: rec.region,
      resourceId: rec.resourceId,
      startedAt: now,
      startedRel: sinceOrigin(),
      completedAt: null,
      dueAt: now,
      outcome: 'completed',
      by,
      request: by === 'api' ? routedRequest : undefined,
      timer: undefined
    }
    const rawDuration = typeof actionDuration === 'function' ? actionDuration(actionSnapshot(action)) : actionDuration
    // Infinity holds the action in progress until finishActions() ends it.
    const duration =
      rawDuration === Infinity ? Infinity : Number.isFinite(rawDuration) && rawDuration > 0 ? rawDuration : 0
    action.dueAt = now + duration
    if (actionOutcome) {
      const outcome = actionOutcome(actionSnapshot(action)) ?? 'completed'
      if (!OUTCOMES.has(outcome)) throw new Error(`setActionOutcome: unknown outcome '${outcome}'`)
      action.outcome = outcome
    }
    actionStore.set(action.id, action)
    inProgress.add(action)
    rec.pendingAction = action.id
    if (duration < 2 ** 31 - 1 && !testClock) {
      action.timer = setTimeout(() => settle(), duration)
      action.timer.unref?.()
    }
    return action
  }

  // ---------------------------------------------------------- droplets' own addresses and what they hold

  /** Gives a new droplet its own addresses (see OWN_ADDRESS_FORMATS) and indexes them. */
  function assignOwnAddresses(dropletId, ipv6) {
    const own = {
      publicV4: ownAddress('publicV4', dropletId, ownAddresses),
      privateV4: ownAddress('privateV4', dropletId, ownAddresses),
      publicV6: ipv6 ? ownAddress('publicV6', dropletId, ownAddresses) : null
    }
    for (const address of Object.values(own)) if (address !== null) ownAddresses.set(address, dropletId)
    return own
  }

  /** The droplet whose own (public or private) address this is; undefined for any other address. */
  function dropletByOwnAddress(ip) {
    const id = ownAddresses.get(ip)
    return id === undefined ? undefined : dropletStore.get(id)
  }

  /** The droplet's features, as DigitalOcean lists them: 'ipv6' only when IPv6 is enabled. */
  function dropletFeatures(d) {
    return ['monitoring', ...(d.ipv6 ? ['ipv6'] : []), 'private_networking']
  }

  function networksJson(d) {
    return {
      v4: [
        { ip_address: d.own.publicV4, netmask: '255.254.0.0', gateway: '198.18.0.1', type: 'public' },
        { ip_address: d.own.privateV4, netmask: '255.252.0.0', gateway: '10.108.0.1', type: 'private' }
      ],
      v6:
        d.own.publicV6 === null
          ? []
          : [{ ip_address: d.own.publicV6, netmask: 64, gateway: '2001:db8:d0::1', type: 'public' }]
    }
  }

  /** The droplet a reserved IPv4 is on, or is being assigned to by an action in progress. */
  function holderOrTarget(rec) {
    const action = rec.pendingAction === null ? undefined : actionStore.get(rec.pendingAction)
    return action && action.status === 'in-progress' && action.type === 'assign_ip' ? action.dropletId : rec.dropletId
  }

  /**
   * Why DigitalOcean refuses to put the reserved address rec on the droplet (its 422 message), or
   * undefined: a droplet holds one reserved IPv4 at a time (one on it, or on its way to it, other
   * than rec), and a reserved IPv6 needs a droplet with IPv6 enabled.
   */
  function holdingProblem(droplet, rec) {
    if (rec.version === 6) {
      return droplet.ipv6
        ? undefined
        : 'IPv6 is not enabled on this Droplet. Enable IPv6 on it to assign a reserved IPv6.'
    }
    for (const other of ipStore.values()) {
      if (other.version !== 4 || other.ip === rec.ip) continue
      if (other.dropletId === droplet.id || holderOrTarget(other) === droplet.id)
        return `The Droplet already has a reserved IP (${other.ip}) assigned to it. A Droplet can have one reserved IPv4 at a time.`
    }
    return undefined
  }

  /** For addIp and assignNow: the same limits, as an exception (a test set up a state DigitalOcean refuses). */
  function checkHolding(where, droplet, rec) {
    const problem = holdingProblem(droplet, rec)
    if (problem) throw new Error(`${where}: droplet ${droplet.id}: ${problem}`)
  }

  // ---------------------------------------------------------- JSON shapes

  function dropletJson(d) {
    return {
      id: d.id,
      name: d.name,
      memory: 1024,
      vcpus: 1,
      disk: 25,
      disk_info: [{ type: 'local', size: { amount: 25, unit: 'gib' } }],
      locked: false,
      status: 'active',
      kernel: null,
      created_at: d.createdAt,
      features: dropletFeatures(d),
      backup_ids: [],
      next_backup_window: null,
      snapshot_ids: [],
      image: {
        id: 191457505,
        name: '24.04 (LTS) x64',
        type: 'base',
        distribution: 'Ubuntu',
        slug: 'ubuntu-24-04-x64',
        public: true,
        regions: ['nyc3', 'sfo3', 'ams3', 'fra1', 'lon1', 'sgp1'],
        created_at: '2025-04-24T10:00:00Z',
        min_disk_size: 7,
        size_gigabytes: 2.36,
        description: 'Ubuntu 24.04 (LTS) x64',
        tags: [],
        status: 'available',
        error_message: ''
      },
      volume_ids: [],
      size: {
        ...(d.gpu ? { gpu_info: { ...GPU_SIZE.gpu_info } } : {}),
        slug: d.gpu ? GPU_SIZE.slug : 's-1vcpu-1gb',
        memory: 1024,
        vcpus: 1,
        disk: 25,
        transfer: 1,
        price_monthly: 6,
        price_hourly: 0.00893,
        regions: [d.region],
        available: true,
        description: 'Basic'
      },
      size_slug: d.gpu ? GPU_SIZE.slug : 's-1vcpu-1gb',
      ...(d.gpu ? { gpu_info: { ...GPU_SIZE.gpu_info } } : {}),
      networks: networksJson(d),
      region: regionObject(d.region),
      tags: [...d.tags],
      vpc_uuid: '3b0f1c2a-7e6d-4c5b-9a8f-1e2d3c4b5a69'
    }
  }

  function ipJson(rec) {
    const droplet = rec.dropletId === null ? undefined : dropletStore.get(rec.dropletId)
    if (rec.version === 6) {
      return {
        ip: rec.ip,
        region_slug: rec.region,
        reserved_at: rec.reservedAt,
        droplet: droplet ? dropletJson(droplet) : null
      }
    }
    return {
      ip: rec.ip,
      region: regionObject(rec.region),
      droplet: droplet ? dropletJson(droplet) : null,
      locked: isIpLocked(rec),
      project_id: rec.projectId
    }
  }

  /** An action as the API shows it; `documented` replaces the undocumented 'done' status for validation. */
  function actionJson(a, documented = false) {
    return {
      id: a.id,
      status: documented && a.status === 'done' ? 'completed' : a.status,
      type: a.type,
      started_at: isoSeconds(a.startedAt),
      completed_at: a.completedAt === null ? null : isoSeconds(a.completedAt),
      resource_id: a.resourceId,
      resource_type: a.resourceType,
      region: regionObject(a.region),
      region_slug: a.region
    }
  }

  // ---------------------------------------------------------- rate limiting

  function pruneWindow(now) {
    const horizon = now - rateWindowMs
    let drop = 0
    while (drop < accepted.length && accepted[drop] <= horizon) drop++
    if (drop) accepted.splice(0, drop)
  }

  function pruneHour(now) {
    const horizon = now - hourWindowMs
    let drop = 0
    while (drop < acceptedHour.length && acceptedHour[drop] <= horizon) drop++
    if (drop) acceptedHour.splice(0, drop)
  }

  /**
   * DigitalOcean's headers under an enforced limit: the hourly budget counted down over every
   * client of the account, and the reset (epoch seconds) when the oldest request in it expires.
   * The per-minute limit is enforced but not announced, as DigitalOcean does.
   */
  function hourlyHeaders(now) {
    pruneHour(now)
    const oldest = acceptedHour.length ? acceptedHour[0] : now
    return {
      'ratelimit-limit': String(perHour),
      'ratelimit-remaining': String(Math.max(0, perHour - acceptedHour.length)),
      'ratelimit-reset': String(Math.ceil((oldest + hourWindowMs) / 1000))
    }
  }

  /** A 429 when the minute's window or the hour's budget is full, with retry-after until there is room. */
  function overLimit(now) {
    pruneWindow(now)
    pruneHour(now)
    let roomAt
    if (accepted.length >= rateLimit.perMinute) roomAt = accepted[accepted.length - rateLimit.perMinute] + rateWindowMs
    if (acceptedHour.length >= perHour)
      roomAt = Math.max(roomAt ?? 0, acceptedHour[acceptedHour.length - perHour] + hourWindowMs)
    if (roomAt === undefined) return undefined
    return { ...hourlyHeaders(now), 'retry-after': String(Math.max(1, Math.ceil((roomAt - now) / 1000))) }
  }

  function rateHeaders(now) {
    if (rateLimit) return hourlyHeaders(now)
    pruneWindow(now)
    const oldest = accepted.length ? accepted[0] : now
    const reset = Math.ceil((oldest + rateWindowMs) / 1000)
    // No limit is enforced: the headers are informative and never low enough to make a client slow down.
    return {
      'ratelimit-limit': String(DEFAULT_RATE_LIMIT),
      'ratelimit-remaining': String(Math.max(1000, DEFAULT_RATE_LIMIT - accepted.length)),
      'ratelimit-reset': String(reset)
    }
  }

  // ---------------------------------------------------------- responses

  function send(ctx, status, body, extraHeaders = {}, validateAs = body) {
    if (ctx.done) return
    ctx.done = true
    if (ctx.dropAfter) {
      ctx.record.status = 0
      ctx.req.socket.destroy()
      return
    }
    if (ctx.hangAfter) {
      // Applied, and never answered: close() destroys the socket.
      ctx.record.status = 0
      return
    }
    const headers = { ...(ctx.rate ?? rateHeaders(clockNow())), 'x-request-id': ctx.requestId, ...extraHeaders }
    let payload
    if (body !== undefined && status !== 204) payload = JSON.stringify(body)
    const broken = ctx.bodyFault !== undefined
    if (broken) {
      const asked = ctx.bodyFault.status ?? (ctx.bodyFault.kind === 'empty-body' ? 200 : undefined)
      if (asked !== undefined) status = Number(asked)
      payload = brokenPayload(ctx.bodyFault, payload)
    }
    if (payload !== undefined) {
      const notJson = broken && ctx.bodyFault.kind === 'not-json'
      headers['content-type'] = notJson ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8'
      headers['content-length'] = String(Buffer.byteLength(payload))
    }
    ctx.record.status = status
    ctx.res.writeHead(status, headers)
    ctx.res.end(payload)
    // A deliberately broken answer (a body fault, a paging quirk) is no problem of the simulator's own.
    if (validator && ctx.operationKnown && !broken && !ctx.quirky) {
      const problems = validator.validateResponse({
        method: ctx.method,
        path: ctx.rawPath,
        status,
        body: status === 204 ? undefined : validateAs
      })
      for (const p of problems) violations.push(`response to ${ctx.method} ${ctx.path} (${status}): ${p}`)
    }
  }

  function fail(ctx, status, message, extraHeaders = {}, id = ERROR_IDS[status] ?? 'error', requestId = ctx.requestId) {
    send(ctx, status, { id, message, request_id: requestId }, extraHeaders)
  }

  const notFound = (ctx) => fail(ctx, 404, NOT_FOUND_MESSAGE)
  const pending = (ctx, message = PENDING_MESSAGE) => fail(ctx, 422, message)

  /** The items of one page; with endlessPages 'repeat', a page past the end repeats the last one. */
  function pageSlice(items, page, perPage, last) {
    const shown = endlessPages === 'repeat' ? Math.min(page, last) : page
    return items.slice((shown - 1) * perPage, shown * perPage)
  }

  function paginate(ctx, key, items, base) {
    const perPageAsked = positiveInt(ctx.query.per_page)
    const perPage = Math.min(200, Math.max(1, perPageAsked ?? pageDefault))
    const page = Math.max(1, positiveInt(ctx.query.page) ?? 1)
    const total = items.length
    const last = Math.max(1, Math.ceil(total / perPage))
    const slice = pageSlice(items, page, perPage, last)
    const href = (n) => {
      const q = new URLSearchParams(ctx.query)
      q.set('page', String(n))
      q.set('per_page', String(perPage))
      return `${sim.url}${base}?${q}`
    }
    const pages = {}
    if (page > 1) {
      pages.first = href(1)
      pages.prev = href(Math.min(page - 1, last))
    }
    if (page < last || endlessPages) {
      pages.next = href(page + 1)
      pages.last = href(Math.max(last, endlessPages ? page + 1 : last))
    }
    const links = Object.keys(pages).length ? { pages } : {}
    if (omitTotal) {
      ctx.quirky = true // meta.total is required by the description: leaving it out is the quirk asked for
      return { [key]: slice, links, meta: {} }
    }
    return { [key]: slice, links, meta: { total } }
  }

  // ---------------------------------------------------------- handlers

  function findIp(fam, text) {
    const c = canonicalIp(text)
    if (!c || c.version !== fam.version) return undefined
    return ipStore.get(c.ip)
  }

  function listIps(ctx, fam) {
    const items = [...ipStore.values()].filter((r) => r.version === fam.version).map(ipJson)
    send(ctx, 200, paginate(ctx, fam.many, items, fam.base))
  }

  function quotaFull(ctx, version) {
    if (countFamily(version) < maxIps) return false
    fail(
      ctx,
      422,
      `You have reached the limit of reserved IPs for your account (${maxIps} reserved IPv${version} addresses). Contact support to raise it.`
    )
    return true
  }

  function createIpv4(ctx, fam) {
    const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
    if (body.droplet_id !== undefined) {
      const droplet = dropletStore.get(Number(body.droplet_id))
      if (!droplet) return fail(ctx, 422, `Droplet ${body.droplet_id} was not found.`)
      if (quotaFull(ctx, 4)) return
      if (isDropletBusy(droplet)) return pending(ctx, DROPLET_PENDING_MESSAGE)
      const holding = holdingProblem(droplet, { version: 4, ip: '' })
      if (holding) return fail(ctx, 422, holding)
      const rec = newIpRecord({
        ip: allocate(4),
        version: 4,
        region: droplet.region,
        dropletId: null,
        projectId: undefined,
        viaApi: true
      })
      const action = startAction('assign_ip', rec, droplet.id, fam.resourceType)
      return send(ctx, 202, {
        [fam.one]: ipJson(rec),
        links: createWithoutActionLinks
          ? {}
          : {
              droplets: [{ id: droplet.id, rel: 'droplet', href: `${sim.url}/v2/droplets/${droplet.id}` }],
              actions: [{ id: action.id, rel: 'assign_ip', href: `${sim.url}/v2/actions/${action.id}` }]
            }
      })
    }
    if (body.region !== undefined) {
      if (!isRegionSlug(body.region)) return fail(ctx, 422, `The region '${body.region}' is not available.`)
      if (quotaFull(ctx, 4)) return
      const rec = newIpRecord({
        ip: allocate(4),
        version: 4,
        region: body.region,
        dropletId: null,
        projectId: body.project_id,
        viaApi: true
      })
      return send(ctx, 202, { [fam.one]: ipJson(rec), links: {} })
    }
    return fail(ctx, 422, 'Either droplet_id or region must be given.')
  }

  function createIpv6(ctx, fam) {
    const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
    if (!isRegionSlug(body.region_slug)) return fail(ctx, 422, `The region '${body.region_slug}' is not available.`)
    if (quotaFull(ctx, 6)) return
    const rec = newIpRecord({
      ip: allocate(6),
      version: 6,
      region: body.region_slug,
      dropletId: null,
      projectId: undefined,
      viaApi: true
    })
    send(ctx, 201, { [fam.one]: ipJson(rec) })
  }

  function getIpRoute(ctx, fam, text) {
    const rec = findIp(fam, text)
    if (!rec || (rec.viaApi && clockNow() - rec.createdAt < readLagMs)) return notFound(ctx)
    const json = ipJson(rec)
    send(ctx, 200, fam.version === 6 && ipv6WithoutWrapper ? json : { [fam.one]: json })
  }

  function deleteIp(ctx, fam, text) {
    const rec = findIp(fam, text)
    if (!rec) return notFound(ctx)
    if (isIpLocked(rec)) return pending(ctx)
    ipStore.delete(rec.ip)
    ipHistory.delete(rec.ip)
    send(ctx, 204, undefined)
  }

  function postIpAction(ctx, fam, text) {
    const rec = findIp(fam, text)
    if (!rec) return notFound(ctx)
    const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
    const noun = fam.noun
    if (body.type === 'assign') {
      if (body.droplet_id === undefined) return fail(ctx, 422, 'droplet_id is required to assign.')
      const droplet = dropletStore.get(Number(body.droplet_id))
      if (!droplet) return fail(ctx, 422, `Droplet ${body.droplet_id} was not found.`)
      if (isIpLocked(rec)) return pending(ctx)
      if (droplet.region !== rec.region) return fail(ctx, 422, `The droplet and the ${noun} must be in the same region`)
      if (isDropletBusy(droplet)) return pending(ctx, DROPLET_PENDING_MESSAGE)
      const holding = rec.dropletId === droplet.id ? undefined : holdingProblem(droplet, rec)
      if (holding) return fail(ctx, 422, holding)
      const action = startAction('assign_ip', rec, droplet.id, fam.resourceType)
      return send(ctx, 201, { action: actionJson(action) })
    }
    if (body.type === 'unassign') {
      if (isIpLocked(rec)) return pending(ctx)
      if (rec.dropletId === null) return fail(ctx, 422, `The ${noun} is not assigned to a droplet`)
      const current = dropletStore.get(rec.dropletId)
      if (current && current.busyUntil > clockNow()) return pending(ctx, DROPLET_PENDING_MESSAGE)
      const action = startAction('unassign_ip', rec, rec.dropletId, fam.resourceType)
      return send(ctx, 201, { action: actionJson(action) })
    }
    fail(ctx, 422, "The action type must be 'assign' or 'unassign'.")
  }

  function visibleActionsOf(rec) {
    return [...actionStore.values()].filter((a) => a.ip === rec.ip && a.outcome !== 'missing')
  }

  function listIpActions(ctx, fam, text) {
    const rec = findIp(fam, text)
    if (!rec) return notFound(ctx)
    const list = [...historyOf(rec.ip), ...visibleActionsOf(rec)]
    if (actionsNewestFirst) list.reverse()
    const base = `${fam.base}/${rec.ip}/actions`
    send(
      ctx,
      200,
      paginate(
        ctx,
        'actions',
        list.map((a) => actionJson(a)),
        base
      ),
      {},
      paginate(
        ctx,
        'actions',
        list.map((a) => actionJson(a, true)),
        base
      )
    )
  }

  function getIpAction(ctx, fam, text, idText) {
    const rec = findIp(fam, text)
    const id = positiveInt(idText)
    const action = id === undefined ? undefined : actionStore.get(id)
    if (!rec || !action || action.ip !== rec.ip || action.outcome === 'missing') return notFound(ctx)
    send(ctx, 200, { action: actionJson(action) }, {}, { action: actionJson(action, true) })
  }

  function getAction(ctx, idText) {
    const id = positiveInt(idText)
    const action = id === undefined ? undefined : actionStore.get(id)
    if (!action || action.outcome === 'missing') return notFound(ctx)
    send(ctx, 200, { action: actionJson(action) }, {}, { action: actionJson(action, true) })
  }

  /** tag_name combines with neither name nor type (per the description); the API answers 400. */
  function dropletQueryProblem(query) {
    if (query.tag_name === undefined) return undefined
    const other = ['name', 'type'].filter((key) => query[key] !== undefined)
    return other.length ? `tag_name cannot be combined with ${other.join(' or ')}` : undefined
  }

  function listDroplets(ctx) {
    const problem = dropletQueryProblem(ctx.query)
    if (problem) {
      if (validator) violations.push(`${ctx.method} ${ctx.path}: ${problem}`)
      return fail(ctx, 400, `${problem}.`)
    }
    // Only GPU droplets with type=gpus; only the others without it (or with type=droplets), also by tag.
    const gpus = ctx.query.type === 'gpus'
    let list = [...dropletStore.values()].filter((d) => d.gpu === gpus)
    if (ctx.query.name !== undefined) {
      const wanted = ctx.query.name.toLowerCase()
      list = list.filter((d) => d.name.toLowerCase() === wanted)
    }
    if (ctx.query.tag_name !== undefined) list = list.filter((d) => d.tags.includes(ctx.query.tag_name))
    send(ctx, 200, paginate(ctx, 'droplets', list.map(dropletJson), '/v2/droplets'))
  }

  function getDroplet(ctx, idText) {
    const id = positiveInt(idText)
    const droplet = id === undefined ? undefined : dropletStore.get(id)
    if (!droplet) return notFound(ctx)
    send(ctx, 200, { droplet: dropletJson(droplet) })
  }

  // ---------------------------------------------------------- prune's guards: handlers
  // DNS zones and their records (GET /v2/domains, GET /v2/domains/{domain_name}/records), the past
  // actions of a reserved IPv4 (listed by GET /v2/reserved_ips/{ip}/actions before the actions
  // started through the simulator), reserved_at of a reserved IPv6, and tokens without a scope.

  /** Which scope each request needs, as DigitalOcean's custom-scoped tokens are checked. */
  const SCOPE_ROUTES = [
    ['domain:read', 'GET', /^\/v2\/domains(\/|$)/],
    ['reserved_ip:delete', 'DELETE', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)\/[^/]+$/],
    ['reserved_ip:update', 'POST', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)\/[^/]+\/actions$/],
    ['reserved_ip:read', 'GET', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)(\/|$)/],
    ['actions:read', 'GET', /^\/v2\/actions\//],
    ['droplet:read', 'GET', /^\/v2\/droplets(\/|$)/]
  ]
  const SCOPES = new Set(SCOPE_ROUTES.map(([scope]) => scope))

  /** Answers 403 when the request needs a scope that denyScope() took away. */
  function refuseDeniedScope(ctx) {
    if (deniedScopes.size === 0) return false
    const needed = SCOPE_ROUTES.find(([, method, regex]) => method === ctx.method && regex.test(ctx.path))
    if (!needed || !deniedScopes.has(needed[0])) return false
    fail(ctx, 403, 'You are not authorized to perform this operation', {}, 'Forbidden')
    return true
  }

  /** Epoch ms from a number (epoch ms), a Date or an ISO 8601 text. */
  function epochMs(where, value) {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error(`${where}: '${value}' is not a time`)
    return ms
  }

  const HISTORY_STATUSES = new Set(['completed', 'errored'])

  /** A past action of a reserved IPv4, as a test gives it: { type, completedAt, status?, startedAt? }. */
  function historyEntry(where, entry) {
    if (!entry || typeof entry.type !== 'string' || entry.type === '')
      throw new Error(`${where}: each past action needs a type (such as 'unassign_ip')`)
    const status = entry.status ?? 'completed'
    if (!HISTORY_STATUSES.has(status))
      throw new Error(`${where}: a past action is completed or errored, not '${status}'`)
    const completedAt = epochMs(where, entry.completedAt)
    const startedAt = entry.startedAt === undefined ? completedAt - 3000 : epochMs(where, entry.startedAt)
    return { type: entry.type, status, startedAt, completedAt }
  }

  /** Checks addIp's reservedAt and history before the IP is stored. */
  function parseSeed(where, family, { reservedAt, history }) {
    if (history !== undefined && family !== 4)
      throw new Error(`${where}: only a reserved IPv4 has an action history (DigitalOcean lists none for IPv6)`)
    if (history !== undefined && !Array.isArray(history)) throw new Error(`${where}: history must be an array`)
    const entries = (history ?? []).map((e) => historyEntry(where, e)).sort((a, b) => a.completedAt - b.completedAt)
    return { reservedAt: reservedAt === undefined ? undefined : epochMs(where, reservedAt), entries }
  }

  function applySeed(rec, seed) {
    if (seed.reservedAt !== undefined) rec.reservedAt = isoSeconds(seed.reservedAt)
    for (const entry of seed.entries) addHistory(rec, entry)
  }

  /** Past actions get ids below those of actions started through the API, in the order added. */
  function addHistory(rec, entry) {
    const list = ipHistory.get(rec.ip) ?? []
    list.push({ ...entry, id: nextHistoryId++, ip: rec.ip, region: rec.region, resourceId: rec.resourceId })
    ipHistory.set(rec.ip, list)
  }

  function historyOf(ip) {
    return (ipHistory.get(ip) ?? []).map((e) => ({
      ...e,
      resourceType: 'reserved_ip',
      startedRel: 0,
      dueAt: e.completedAt,
      outcome: e.status
    }))
  }

  function domainJson(d) {
    const lines = [`$ORIGIN ${d.name}.`, `$TTL ${d.ttl}`]
    for (const r of d.records.values()) {
      const owner = r.name === '@' ? `${d.name}.` : `${r.name}.${d.name}.`
      lines.push(`${owner} ${r.ttl} IN ${r.type} ${r.data}`)
    }
    return { name: d.name, ttl: d.ttl, zone_file: `${lines.join('\n')}\n` }
  }

  function recordJson(r) {
    return {
      id: r.id,
      type: r.type,
      name: r.name,
      data: r.data,
      priority: r.priority ?? null,
      port: r.port ?? null,
      ttl: r.ttl,
      weight: r.weight ?? null,
      flags: null,
      tag: null
    }
  }

  function listDomains(ctx) {
    const items = [...domainStore.values()].map(domainJson)
    send(ctx, 200, paginate(ctx, 'domains', items, '/v2/domains'))
  }

  /** `name` filters by the fully qualified name (`www.example.com`, or `example.com` for `@`), `type` by type. */
  function listDomainRecords(ctx, name) {
    const d = domainStore.get(String(name).toLowerCase())
    if (!d) return notFound(ctx)
    const fqdn = (r) => (r.name === '@' ? d.name : `${r.name}.${d.name}`)
    const list = [...d.records.values()].filter(
      (r) =>
        (ctx.query.type === undefined || r.type === ctx.query.type) &&
        (ctx.query.name === undefined || fqdn(r) === ctx.query.name.toLowerCase())
    )
    send(ctx, 200, paginate(ctx, 'domain_records', list.map(recordJson), `/v2/domains/${d.name}/records`))
  }

  function domainPublicApi() {
    return {
      /** Adds a DNS zone; records are added with addRecord. */
      addDomain(name, { ttl = 1800 } = {}) {
        if (typeof name !== 'string' || !/^[a-z0-9.-]+$/i.test(name))
          throw new Error(`addDomain: '${name}' is no domain name`)
        const key = name.toLowerCase()
        if (domainStore.has(key)) throw new Error(`addDomain: ${key} exists already`)
        domainStore.set(key, { name: key, ttl, records: new Map() })
        return { name: key }
      },
      /** Adds a record to a zone (any type, any data: a test may give an address in any form); returns its id. */
      addRecord(domain, { type, name = '@', data, ttl = 1800, priority, port, weight } = {}) {
        const d = domainStore.get(String(domain).toLowerCase())
        if (!d) throw new Error(`addRecord: no domain ${domain}`)
        if (typeof type !== 'string' || type === '') throw new Error('addRecord: type is required')
        if (typeof data !== 'string') throw new Error('addRecord: data is required')
        const id = nextRecordId++
        d.records.set(id, { id, type, name, data, ttl, priority, port, weight })
        return { id }
      },
      removeRecord(domain, id) {
        const d = domainStore.get(String(domain).toLowerCase())
        return Boolean(d && d.records.delete(id))
      },
      removeDomain(name) {
        return domainStore.delete(String(name).toLowerCase())
      },
      /** Adds a past action to a reserved IPv4's history (after those it has). */
      addIpAction(ip, entry) {
        const c = canonicalIp(ip)
        const rec = c && ipStore.get(c.ip)
        if (!rec) throw new Error(`addIpAction: ${ip} is not reserved in the simulator`)
        if (rec.version !== 4) throw new Error('addIpAction: only a reserved IPv4 has an action history')
        addHistory(rec, historyEntry('addIpAction', entry))
      },
      /** The token loses a scope: every request that needs it answers 403 from now on. */
      denyScope(scope) {
        if (!SCOPES.has(scope))
          throw new Error(`denyScope: unknown scope '${scope}' (known: ${[...SCOPES].join(', ')})`)
        deniedScopes.add(scope)
      },
      allowScope(scope) {
        deniedScopes.delete(scope)
      }
    }
  }

  const FAM = '(reserved_ips|floating_ips)'
  const routes = [
    ['GET', new RegExp(`^/v2/${FAM}$`), (ctx, m) => listIps(ctx, FAMILIES[m[1]])],
    ['POST', new RegExp(`^/v2/${FAM}$`), (ctx, m) => createIpv4(ctx, FAMILIES[m[1]])],
    ['GET', new RegExp(`^/v2/${FAM}/([^/]+)$`), (ctx, m) => getIpRoute(ctx, FAMILIES[m[1]], m[2])],
    ['DELETE', new RegExp(`^/v2/${FAM}/([^/]+)$`), (ctx, m) => deleteIp(ctx, FAMILIES[m[1]], m[2])],
    ['GET', new RegExp(`^/v2/${FAM}/([^/]+)/actions$`), (ctx, m) => listIpActions(ctx, FAMILIES[m[1]], m[2])],
    ['POST', new RegExp(`^/v2/${FAM}/([^/]+)/actions$`), (ctx, m) => postIpAction(ctx, FAMILIES[m[1]], m[2])],
    [
      'GET',
      new RegExp(`^/v2/${FAM}/([^/]+)/actions/([^/]+)$`),
      (ctx, m) => getIpAction(ctx, FAMILIES[m[1]], m[2], m[3])
    ],
    ['GET', /^\/v2\/reserved_ipv6$/, (ctx) => listIps(ctx, FAMILIES.reserved_ipv6)],
    ['POST', /^\/v2\/reserved_ipv6$/, (ctx) => createIpv6(ctx, FAMILIES.reserved_ipv6)],
    ['GET', /^\/v2\/reserved_ipv6\/([^/]+)$/, (ctx, m) => getIpRoute(ctx, FAMILIES.reserved_ipv6, m[1])],
    ['DELETE', /^\/v2\/reserved_ipv6\/([^/]+)$/, (ctx, m) => deleteIp(ctx, FAMILIES.reserved_ipv6, m[1])],
    ['GET', /^\/v2\/reserved_ipv6\/([^/]+)\/actions$/, (ctx, m) => listIpActions(ctx, FAMILIES.reserved_ipv6, m[1])],
    ['POST', /^\/v2\/reserved_ipv6\/([^/]+)\/actions$/, (ctx, m) => postIpAction(ctx, FAMILIES.reserved_ipv6, m[1])],
    [
      'GET',
      /^\/v2\/reserved_ipv6\/([^/]+)\/actions\/([^/]+)$/,
      (ctx, m) => getIpAction(ctx, FAMILIES.reserved_ipv6, m[1], m[2])
    ],
    ['GET', /^\/v2\/actions\/([^/]+)$/, (ctx, m) => getAction(ctx, m[1])],
    ['GET', /^\/v2\/droplets$/, (ctx) => listDroplets(ctx)],
    ['GET', /^\/v2\/droplets\/([^/]+)$/, (ctx, m) => getDroplet(ctx, m[1])],
    // prune's guards
    ['GET', /^\/v2\/domains$/, (ctx) => listDomains(ctx)],
    ['GET', /^\/v2\/domains\/([^/]+)\/records$/, (ctx, m) => listDomainRecords(ctx, m[1])]
  ]

  function route(ctx) {
    for (const [method, regex, handler] of routes) {
      if (method !== ctx.method) continue
      const m = regex.exec(ctx.path)
      if (m) return handler(ctx, m)
    }
    notFound(ctx)
  }

  // ---------------------------------------------------------- faults

  function faultMatches(f, method, path, rawPath) {
    if (f.method !== undefined && f.method.toUpperCase() !== method) return false
    return matchesPath(f.path, path, rawPath)
  }

  /**
   * The faults (or, with events, the events) that this request hits, each counted once: a fault with
   * `skip` left lets the request pass and counts it, whether or not another fault hits it. Of ordinary
   * faults, only the first due one hits; every due event fires.
   */
  function hitBy(method, path, rawPath, events) {
    const hit = []
    for (const f of faults) {
      if (EVENT_KINDS.has(f.kind) !== events || !faultMatches(f, method, path, rawPath)) continue
      if (f.skip > 0) {
        f.skip--
        continue
      }
      if (events || hit.length === 0) hit.push(f)
    }
    for (const f of hit) {
      f.remaining--
      if (f.remaining <= 0) faults.splice(faults.indexOf(f), 1)
    }
    return hit
  }

  function takeFault(method, path, rawPath) {
    return hitBy(method, path, rawPath, false)[0]
  }

  /** Answers (or refuses to answer) per a fault; returns true when the request must not be applied. */
  function applyFault(ctx, fault) {
    const now = clockNow()
    ctx.record.injected = fault.kind
    if (BODY_FAULTS.has(fault.kind)) {
      ctx.bodyFault = fault
      return false
    }
    switch (fault.kind) {
      case 'drop-before':
        ctx.done = true
        ctx.record.status = 0
        ctx.req.socket.destroy()
        return true
      case 'hang':
        ctx.done = true
        ctx.record.status = 0
        return true
      case 'drop-after':
        ctx.dropAfter = true
        return false
      case 'hang-after':
        ctx.hangAfter = true
        return false
      case 'status': {
        const status = Number(fault.status ?? 500)
        fail(
          ctx,
          status,
          fault.message ?? ERROR_MESSAGES[status] ?? `HTTP ${status}`,
          fault.headers ?? {},
          fault.id ?? ERROR_IDS[status] ?? 'error',
          fault.requestId ?? ctx.requestId
        )
        return true
      }
      case 'rate-limit': {
        rateLimited++
        const headers = {
          'ratelimit-limit': String(rateLimit ? rateLimit.perMinute : DEFAULT_RATE_LIMIT),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.ceil((now + (fault.resetInMs ?? 1000)) / 1000))
        }
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
        fail(ctx, 429, 'API rate limit exceeded.', headers)
        return true
      }
      case 'pending-event':
        pending(ctx)
        return true
      case 'not-found':
        notFound(ctx)
        return true
      default:
        return false
    }
  }

  // ---------------------------------------------------------- other clients, and who moved what

  // One sequence numbers requests (record.seq, given once the request is decided: after its events and
  // hooks, before its answer) and holder changes: an answer shows every change with a lower number.
  let seq = 0
  const holderLog = []
  const otherLog = []

  /** Notes that the IP's holder changed from `from` (by 'api', an action a request started, or 'other'). */
  function noteHolder(rec, from, by, actionId, at = sinceOrigin()) {
    if (from === rec.dropletId) return
    holderLog.push({ ip: rec.ip, from, to: rec.dropletId, at, seq: ++seq, by, actionId })
  }

  function checkOtherMove(move) {
    const c = canonicalIp(String(move.ip))
    if (!c) throw new Error(`inject: other-move needs the ip to move (got '${move.ip}')`)
    if (move.dropletId !== null && !(Number.isInteger(move.dropletId) && move.dropletId > 0))
      throw new Error('inject: other-move needs a dropletId (a droplet id, or null to detach)')
    const d = move.durationMs
    if (d !== undefined && !(typeof d === 'number' && d >= 0))
      throw new Error('inject: other-move durationMs must be a number of ms, 0 or more')
    if (move.outcome !== undefined && !OUTCOMES.has(move.outcome))
      throw new Error(`inject: unknown other-move outcome '${move.outcome}'`)
  }

  /** Why DigitalOcean would refuse another client's assign (dropletId) or unassign (null) now; undefined: it would not. */
  function otherRefusal(rec, dropletId) {
    if (!rec) return 'not reserved'
    if (isIpLocked(rec)) return PENDING_MESSAGE
    if (dropletId === null) {
      if (rec.dropletId === null) return 'not assigned to a droplet'
      const current = dropletStore.get(rec.dropletId)
      return current && isDropletBusy(current) ? PENDING_MESSAGE : undefined
    }
    const droplet = dropletStore.get(dropletId)
    if (!droplet) return `droplet ${dropletId} was not found`
    if (droplet.region !== rec.region) return 'the droplet is in another region'
    if (isDropletBusy(droplet)) return PENDING_MESSAGE
    return rec.dropletId === droplet.id ? undefined : holdingProblem(droplet, rec)
  }

  /** Another client's assign (dropletId) or unassign (null) action, or a refusal as DigitalOcean's 422 would say it. */
  function startOther(ip, dropletId, { durationMs, outcome } = {}) {
    const c = canonicalIp(String(ip))
    const rec = c && ipStore.get(c.ip)
    const refused = otherRefusal(rec, dropletId)
    if (refused) return { refused }
    const resourceType = rec.version === 6 ? 'reserved_ipv6' : 'reserved_ip'
    const action = startAction(
      dropletId === null ? 'unassign_ip' : 'assign_ip',
      rec,
      dropletId ?? rec.dropletId,
      resourceType,
      'other'
    )
    if (outcome !== undefined) action.outcome = outcome
    if (durationMs !== undefined) {
      if (action.timer) clearTimeout(action.timer)
      action.timer = undefined
      action.dueAt = action.startedAt + durationMs
      if (!testClock) {
        action.timer = setTimeout(() => settle(), durationMs)
        action.timer.unref?.()
      }
    }
    return { action }
  }

  /** An 'other-move' event: another client moves the IP, at once (no durationMs) or by an action of its own. */
  function fireEvent(event) {
    const c = canonicalIp(String(event.ip))
    const entry = { at: sinceOrigin(), ip: c ? c.ip : String(event.ip), dropletId: event.dropletId, instant: false }
    if (event.durationMs === undefined) {
      entry.instant = true
      try {
        sim.assignNow(entry.ip, event.dropletId)
      } catch (error) {
        entry.refused = error.message
      }
    } else {
      settle()
      const started = startOther(event.ip, event.dropletId, event)
      if (started.action) entry.actionId = started.action.id
      else entry.refused = started.refused
    }
    otherLog.push(entry)
  }

  // The index (in `requests`) of the request being routed: an action it starts names it.
  let routedRequest
  function routeAttributed(ctx, index) {
    routedRequest = index
    try {
      route(ctx)
    } finally {
      routedRequest = undefined
    }
  }

  // ---------------------------------------------------------- the server

  async function onRequest(req, res) {
    const arrived = clockNow()
    const arrivedRel = sinceOrigin()
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    if (closed) {
      req.socket.destroy()
      return
    }
    const text = Buffer.concat(chunks).toString('utf8')
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
    const authorization = req.headers.authorization === `Bearer ${token}`
    const record = { method, path, rawPath, query, body, status: 0, at: arrivedRel, authorization }
    const index = requests.push(record) - 1

    const found = matcher.match(method, rawPath)
    const operationKnown = Boolean(found && !found.methodMissing)
    const routeKey = operationKnown ? `${method} ${found.template}` : `${method} (not in the API description)`
    byRoute[routeKey] = (byRoute[routeKey] ?? 0) + 1
    if (method === 'GET' && /^\/v2\/actions\/[^/]+$/.test(path)) polls++

    const ctx = {
      req,
      res,
      record,
      method,
      path,
      rawPath,
      query,
      body,
      requestId: randomUUID(),
      operationKnown,
      done: false,
      dropAfter: false,
      hangAfter: false,
      bodyFault: undefined,
      quirky: false,
      rate: undefined
    }
    settle(arrived)
    for (const event of hitBy(method, path, rawPath, true)) fireEvent(event)
    for (const hook of [...hooks]) hook(record)
    settle()
    record.seq = ++seq

    const fault = takeFault(method, path, rawPath)
    if (fault && applyFault(ctx, fault)) return

    if (!authorization) return fail(ctx, 401, 'Unable to authenticate you')

    const now = clockNow()
    pruneWindow(now)
    const limited = rateLimit && overLimit(now)
    if (limited) {
      rateLimited++
      return fail(ctx, 429, 'API rate limit exceeded.', limited)
    }
    accepted.push(now)
    if (rateLimit) acceptedHour.push(now)
    ctx.rate = rateHeaders(now)
    if (refuseDeniedScope(ctx)) return

    if (badJson) {
      violations.push(`${method} ${path}: the request body is not valid JSON`)
      return fail(ctx, 400, 'The request body is not valid JSON.')
    }
    if (validator) {
      if (!operationKnown) {
        const problems = validator.validateRequest({ method, path: rawPath, query, body })
        for (const p of problems) violations.push(`${method} ${path}: ${p}`)
        return notFound(ctx)
      }
      const problems = validator.validateRequest({ method, path: rawPath, query, body })
      if (problems.length) {
        for (const p of problems) violations.push(`${method} ${path}: ${p}`)
        return fail(ctx, 400, problems.join('; '))
      }
    }
    routeAttributed(ctx, index)
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error) => {
      violations.push(`simulator error on ${req.method} ${req.url}: ${error && error.stack ? error.stack : error}`)
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ id: 'server_error', message: String(error && error.message ? error.message : error) }))
      }
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_error, socket) => socket.destroy())

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : Number(options.port)
  const hostInUrl = host.includes(':') ? `[${host}]` : host
  await services.listen().catch((error) => {
    server.close()
    throw error
  })

  // ---------------------------------------------------------- the public object

  const sim = {
    url: `http://${hostInUrl}:${port}`,
    port,
    token,
    timeOrigin,

    addDroplet({ id, name, region = 'nyc3', tags = [], gpu = false, anyRegion = false, ipv6 = true, service } = {}) {
      if (typeof name !== 'string' || name === '') throw new Error('addDroplet: name is required')
      checkServicePatch(service, 'addDroplet')
      checkRegion('addDroplet', region, anyRegion)
      let dropletId = id
      if (dropletId === undefined) {
        while (dropletStore.has(nextDropletId)) nextDropletId++
        dropletId = nextDropletId++
      }
      if (!Number.isInteger(dropletId) || dropletId < 1)
        throw new Error(`addDroplet: id must be a positive integer (got ${dropletId})`)
      if (dropletStore.has(dropletId)) throw new Error(`addDroplet: droplet ${dropletId} exists already`)
      if (typeof ipv6 !== 'boolean') throw new Error(`addDroplet: ipv6 must be true or false (got ${ipv6})`)
      const droplet = {
        id: dropletId,
        name,
        region,
        tags: [...tags],
        gpu: Boolean(gpu),
        ipv6,
        own: assignOwnAddresses(dropletId, ipv6),
        createdAt: isoSeconds(clockNow()),
        busyUntil: 0
      }
      dropletStore.set(dropletId, droplet)
      services.setService(dropletId, service, 'addDroplet')
      return dropletSnapshot(droplet)
    },

    droplets() {
      return [...dropletStore.values()].map(dropletSnapshot)
    },

    addIp({ ip, version, region, dropletId = null, projectId, anyRegion = false, reservedAt, history } = {}) {
      let address
      let family = version
      if (ip !== undefined) {
        const c = canonicalIp(ip)
        if (!c) throw new Error(`addIp: '${ip}' is not an IP address`)
        if (family !== undefined && family !== c.version) throw new Error(`addIp: ${ip} is not an IPv${family} address`)
        if (ipStore.has(c.ip)) throw new Error(`addIp: ${c.ip} exists already`)
        address = c.ip
        family = c.version
      }
      family ??= 4
      if (family !== 4 && family !== 6) throw new Error(`addIp: version must be 4 or 6 (got ${family})`)
      let droplet
      if (dropletId !== null && dropletId !== undefined) {
        droplet = dropletStore.get(dropletId)
        if (!droplet) throw new Error(`addIp: droplet ${dropletId} does not exist`)
      }
      const where = region ?? droplet?.region ?? 'nyc3'
      checkRegion('addIp', where, anyRegion || droplet?.region === where)
      if (droplet && droplet.region !== where)
        throw new Error(`addIp: droplet ${droplet.id} is in ${droplet.region}, not ${where}`)
      const seed = parseSeed('addIp', family, { reservedAt, history })
      if (droplet) checkHolding('addIp', droplet, { version: family, ip: address ?? '' })
      const rec = newIpRecord({
        ip: address ?? allocate(family),
        version: family,
        region: where,
        dropletId: droplet ? droplet.id : null,
        projectId,
        viaApi: false
      })
      applySeed(rec, seed)
      return ipSnapshot(rec)
    },

    getIp(ip) {
      settle()
      const c = canonicalIp(ip)
      const rec = c && ipStore.get(c.ip)
      return rec ? ipSnapshot(rec) : undefined
    },

    assignNow(ip, dropletId) {
      settle()
      const c = canonicalIp(ip)
      const rec = c && ipStore.get(c.ip)
      if (!rec) throw new Error(`assignNow: ${ip} is not reserved in the simulator`)
      const from = rec.dropletId
      if (dropletId === null || dropletId === undefined) {
        rec.dropletId = null
      } else {
        const droplet = dropletStore.get(dropletId)
        if (!droplet) throw new Error(`assignNow: droplet ${dropletId} does not exist`)
        if (droplet.region !== rec.region)
          throw new Error(`assignNow: droplet ${droplet.id} is in ${droplet.region}, not ${rec.region}`)
        if (rec.dropletId !== droplet.id) checkHolding('assignNow', droplet, rec)
        rec.dropletId = droplet.id
      }
      noteHolder(rec, from, 'other', undefined)
      services.holderChanged(rec.ip, rec.dropletId, clockNow())
      return ipSnapshot(rec)
    },

    startOtherAction(ip, dropletId, options = {}) {
      settle()
      const started = startOther(ip, dropletId ?? null, options)
      otherLog.push({
        at: sinceOrigin(),
        ip: canonicalIp(String(ip))?.ip ?? String(ip),
        dropletId: dropletId ?? null,
        instant: false,
        ...(started.action ? { actionId: started.action.id } : { refused: started.refused })
      })
      if (!started.action) throw new Error(`startOtherAction: DigitalOcean would refuse it (${started.refused})`)
      return actionSnapshot(started.action)
    },

    holderChanges(ip) {
      settle()
      const c = ip === undefined ? undefined : canonicalIp(ip)
      return holderLog.filter((h) => ip === undefined || (c && h.ip === c.ip)).map((h) => ({ ...h }))
    },

    otherMoves() {
      return otherLog.map((m) => ({ ...m }))
    },

    removeIp(ip) {
      const c = canonicalIp(ip)
      if (c) ipHistory.delete(c.ip)
      return Boolean(c && ipStore.delete(c.ip))
    },

    ips() {
      settle()
      return [...ipStore.values()].map(ipSnapshot)
    },

    actions() {
      settle()
      return [...actionStore.values()].map(actionSnapshot)
    },

    get requests() {
      return requests
    },

    countRequests(filter = {}) {
      return requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
          matchesPath(filter.path, r.path, r.rawPath)
      ).length
    },

    mutatingRequests() {
      return requests.filter(
        (r) => r.method === 'POST' || r.method === 'DELETE' || r.method === 'PUT' || r.method === 'PATCH'
      )
    },

    onRequest(hook) {
      hooks.push(hook)
      return () => {
        const i = hooks.indexOf(hook)
        if (i >= 0) hooks.splice(i, 1)
      }
    },

    get violations() {
      return violations
    },

    get rateLimited() {
      return rateLimited
    },

    inject(fault) {
      if (!fault || !FAULT_KINDS.has(fault.kind)) throw new Error(`inject: unknown fault kind '${fault && fault.kind}'`)
      const times = fault.times ?? 1
      if (!(times >= 1)) throw new Error('inject: times must be at least 1')
      const skip = fault.skip ?? 0
      if (!Number.isInteger(skip) || skip < 0) throw new Error('inject: skip must be a whole number, 0 or more')
      if (fault.kind === 'other-move') checkOtherMove(fault)
      faults.push({ ...fault, skip, remaining: times })
    },

    clearFaults() {
      faults.length = 0
    },

    lock(ip, ms) {
      const c = canonicalIp(ip)
      const rec = c && ipStore.get(c.ip)
      if (!rec) throw new Error(`lock: ${ip} is not reserved in the simulator`)
      rec.lockedUntil = Math.max(rec.lockedUntil, clockNow() + ms)
    },

    setDropletBusy(id, ms) {
      const droplet = dropletStore.get(id)
      if (!droplet) throw new Error(`setDropletBusy: droplet ${id} does not exist`)
      droplet.busyUntil = Math.max(droplet.busyUntil, clockNow() + ms)
    },

    setActionOutcome(fn) {
      actionOutcome = fn ?? undefined
    },

    setActionDuration(msOrFn) {
      actionDuration = msOrFn
    },

    finishActions(id) {
      let finished = 0
      for (const action of [...inProgress]) {
        if (id !== undefined && action.id !== id) continue
        action.dueAt = Math.min(action.dueAt, clockNow())
        finish(action)
        finished++
      }
      return finished
    },

    unlock(ip) {
      const c = canonicalIp(ip)
      const rec = c && ipStore.get(c.ip)
      if (!rec) throw new Error(`unlock: ${ip} is not reserved in the simulator`)
      rec.lockedUntil = 0
    },

    setDropletIdle(id) {
      const droplet = dropletStore.get(id)
      if (!droplet) throw new Error(`setDropletIdle: droplet ${id} does not exist`)
      droplet.busyUntil = 0
    },

    stats() {
      return { requests: requests.length, byRoute: { ...byRoute }, polls, rateLimited }
    },

    close() {
      if (closed) return Promise.resolve()
      closed = true
      for (const action of inProgress) if (action.timer) clearTimeout(action.timer)
      const servicesClosed = services.close()
      return new Promise((resolve) => {
        server.close(() => servicesClosed.then(() => resolve(undefined)))
        server.closeAllConnections?.()
        for (const socket of sockets) socket.destroy()
      })
    }
  }
  Object.defineProperties(sim, Object.getOwnPropertyDescriptors(services.publicApi()))
  Object.defineProperties(sim, Object.getOwnPropertyDescriptors(domainPublicApi()))
  return sim
}
