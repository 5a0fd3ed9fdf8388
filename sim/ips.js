/**
 * Reserved IPv4 (also under their older name, floating IPs) and reserved IPv6: list, create, get and
 * delete, and the test's own hands on them (addIp, assignNow, removeIp, lock). Every release and
 * every create is logged (releases(), creates()), so that a test can count creates and check that
 * no address was released while a droplet held it.
 */
import { canonicalIp } from './addresses.js'
import { IP_PENDING_MESSAGES, DROPLET_PENDING_MESSAGE, fail, notFound, paginate, send } from './answers.js'
import { checkHolding, dropletJson, holdingProblem } from './droplets.js'
import { applySeed, parseSeed } from './history.js'
import { checkRegion, isRegionSlug, regionObject } from './regions.js'
import {
  allocate,
  ipByText,
  isDropletBusy,
  isIpLocked,
  newIpRecord,
  noteHolder,
  settle,
  startAction
} from './state.js'

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').IpRecord} IpRecord */
/** @typedef {import('./state.js').IpVersion} IpVersion */
/** @typedef {import('./answers.js').RequestContext} RequestContext */

/**
 * @typedef {object} SimIp
 * @property {string} ip Canonical text (IPv6 lower case, compressed).
 * @property {IpVersion} version
 * @property {string} region
 * @property {number | null} dropletId
 * @property {boolean} locked Busy with an in-progress action or a lock().
 * @property {string} projectId
 */

/**
 * A reserved IP released: by a DELETE to the API ('api') or removeIp ('other').
 * @typedef {object} SimRelease
 * @property {number} at Ms after timeOrigin.
 * @property {string} ip
 * @property {IpVersion} version
 * @property {number | null} holder The droplet that held it when it was released: null unless it was in use.
 * @property {'api' | 'other'} by
 * @property {number} [request] The index in `requests` of the DELETE.
 */

/**
 * A reserved IP created through the API (POST /v2/reserved_ips, /v2/floating_ips, /v2/reserved_ipv6),
 * logged when it takes effect, whether or not its answer reached the client.
 * @typedef {object} SimCreate
 * @property {number} at Ms after timeOrigin.
 * @property {string} ip
 * @property {IpVersion} version
 * @property {string} region
 * @property {number | null} dropletId The droplet it is being assigned to (a create with droplet_id).
 * @property {number} [actionId] The assign action of a create with droplet_id.
 * @property {number} [request] The index in `requests` of the POST.
 */

/**
 * What addIp takes. The region defaults to the droplet's, else nyc3.
 * @typedef {object} NewIp
 * @property {string} [ip]
 * @property {IpVersion} [version]
 * @property {string} [region]
 * @property {number | null} [dropletId]
 * @property {string} [projectId]
 * @property {boolean} [anyRegion] Accept any non-empty region text (a droplet's region is accepted as it is).
 * @property {number | Date | string} [reservedAt] IPv6: its reserved_at (epoch ms, a Date or ISO 8601
 *   text). Default: when it was added.
 * @property {import('./history.js').SimPastAction[]} [history] IPv4: past actions, listed by
 *   GET /v2/reserved_ips/{ip}/actions before any started through the simulator, in the order of their
 *   completedAt. Default: none.
 */

/**
 * @typedef {object} Family
 * @property {IpVersion} version
 * @property {string} one
 * @property {string} many
 * @property {import('./state.js').ResourceType} resourceType
 * @property {string} base
 * @property {string} noun
 */

/** @type {Record<string, Family>} */
export const FAMILIES = {
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

/**
 * @param {State} state
 * @param {IpRecord} rec
 * @returns {SimIp}
 */
export function ipSnapshot(state, rec) {
  return {
    ip: rec.ip,
    version: rec.version,
    region: rec.region,
    dropletId: rec.dropletId,
    locked: isIpLocked(rec, state.time.now()),
    projectId: rec.projectId
  }
}

/**
 * @param {State} state
 * @param {IpRecord} rec
 */
function ipJson(state, rec) {
  const droplet = rec.dropletId === null ? undefined : state.droplets.get(rec.dropletId)
  const dropletShown = droplet ? dropletJson(droplet) : null
  if (rec.version === 6)
    return { ip: rec.ip, region_slug: rec.region, reserved_at: rec.reservedAt, droplet: dropletShown }
  return {
    ip: rec.ip,
    region: regionObject(rec.region),
    droplet: dropletShown,
    locked: isIpLocked(rec, state.time.now()),
    project_id: rec.projectId
  }
}

/**
 * The address of the family named by the path, or undefined.
 * @param {State} state
 * @param {Family} fam
 * @param {string} text
 */
export function findIp(state, fam, text) {
  const c = canonicalIp(text)
  if (!c || c.version !== fam.version) return undefined
  return state.ips.get(c.ip)
}

/**
 * DigitalOcean's 422 for a pending event: of the address itself, or of the droplet.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {IpVersion | 'droplet'} whose
 */
export function pendingEvent(state, ctx, whose) {
  fail(state, ctx, 422, whose === 'droplet' ? DROPLET_PENDING_MESSAGE : IP_PENDING_MESSAGES[whose])
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {IpVersion} version
 */
function quotaFull(state, ctx, version) {
  let n = 0
  for (const rec of state.ips.values()) if (rec.version === version) n++
  if (n < state.maxIps) return false
  fail(
    state,
    ctx,
    422,
    `You have reached the limit of reserved IPs for your account (${state.maxIps} reserved IPv${version} addresses). Contact support to raise it.`
  )
  return true
}

/**
 * Reserves a new address of the family (in the region, or the droplet's) and logs the create.
 * @param {State} state
 * @param {IpVersion} version
 * @param {string} region
 * @param {string | undefined} projectId
 */
function reserve(state, version, region, projectId) {
  const rec = newIpRecord(state, { ip: allocate(state, version), version, region, dropletId: null, projectId, viaApi: true })
  const request = state.routedRequest
  state.createLog.push({ at: state.time.sinceOrigin(), ip: rec.ip, version, region, dropletId: null, request })
  return rec
}

/**
 * POST /v2/reserved_ips with droplet_id (reserve and assign) or region.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 */
function createIpv4(state, ctx, fam) {
  const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
  if (body.droplet_id !== undefined) {
    const droplet = state.droplets.get(Number(body.droplet_id))
    if (!droplet) return fail(state, ctx, 422, `Droplet ${body.droplet_id} was not found.`)
    if (quotaFull(state, ctx, 4)) return
    if (isDropletBusy(droplet, state.time.now())) return pendingEvent(state, ctx, 'droplet')
    const holding = holdingProblem(state, droplet, { version: 4, ip: '' })
    if (holding) return fail(state, ctx, 422, holding)
    const rec = reserve(state, 4, droplet.region, undefined)
    const action = startAction(state, 'assign_ip', rec, droplet.id, fam.resourceType)
    Object.assign(state.createLog[state.createLog.length - 1], { dropletId: droplet.id, actionId: action.id })
    return send(state, ctx, 202, {
      [fam.one]: ipJson(state, rec),
      links: state.createWithoutActionLinks
        ? {}
        : {
            droplets: [{ id: droplet.id, rel: 'droplet', href: `${state.url}/v2/droplets/${droplet.id}` }],
            actions: [{ id: action.id, rel: 'assign_ip', href: `${state.url}/v2/actions/${action.id}` }]
          }
    })
  }
  if (body.region !== undefined) {
    if (!isRegionSlug(body.region)) return fail(state, ctx, 422, `The region '${body.region}' is not available.`)
    if (quotaFull(state, ctx, 4)) return
    const rec = reserve(state, 4, body.region, body.project_id)
    return send(state, ctx, 202, { [fam.one]: ipJson(state, rec), links: {} })
  }
  return fail(state, ctx, 422, 'Either droplet_id or region must be given.')
}

/**
 * POST /v2/reserved_ipv6 (a region; assigned afterwards by an action).
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 */
function createIpv6(state, ctx, fam) {
  const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
  if (!isRegionSlug(body.region_slug))
    return fail(state, ctx, 422, `The region '${body.region_slug}' is not available.`)
  if (quotaFull(state, ctx, 6)) return
  const rec = reserve(state, 6, body.region_slug, undefined)
  send(state, ctx, 201, { [fam.one]: ipJson(state, rec) })
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 */
function listIps(state, ctx, fam) {
  const items = [...state.ips.values()].filter((r) => r.version === fam.version).map((r) => ipJson(state, r))
  send(state, ctx, 200, paginate(state, ctx, fam.many, items, fam.base))
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 * @param {string} text
 */
function getIp(state, ctx, fam, text) {
  const rec = findIp(state, fam, text)
  if (!rec || (rec.viaApi && state.time.now() - rec.createdAt < state.readLagMs)) return notFound(state, ctx)
  const json = ipJson(state, rec)
  send(state, ctx, 200, fam.version === 6 && state.ipv6WithoutWrapper ? json : { [fam.one]: json })
}

/**
 * Releases the address (logged with the droplet that held it, if any).
 * @param {State} state
 * @param {IpRecord} rec
 * @param {'api' | 'other'} by
 */
function release(state, rec, by) {
  state.ips.delete(rec.ip)
  state.ipHistory.delete(rec.ip)
  const request = by === 'api' ? state.routedRequest : undefined
  state.releaseLog.push({ at: state.time.sinceOrigin(), ip: rec.ip, version: rec.version, holder: rec.dropletId, by, request })
}

/**
 * DELETE: refused while the address is busy; an assigned address is released as DigitalOcean does it.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 * @param {string} text
 */
function deleteIp(state, ctx, fam, text) {
  const rec = findIp(state, fam, text)
  if (!rec) return notFound(state, ctx)
  if (isIpLocked(rec, state.time.now())) return pendingEvent(state, ctx, rec.version)
  release(state, rec, 'api')
  send(state, ctx, 204, undefined)
}

const FAM = '(reserved_ips|floating_ips|reserved_ipv6)'

/** @type {import('./server.js').Route[]} */
export const ipRoutes = [
  ['GET', new RegExp(`^/v2/${FAM}$`), (state, ctx, m) => listIps(state, ctx, FAMILIES[m[1]])],
  ['POST', /^\/v2\/(reserved_ips|floating_ips)$/, (state, ctx, m) => createIpv4(state, ctx, FAMILIES[m[1]])],
  ['POST', /^\/v2\/reserved_ipv6$/, (state, ctx) => createIpv6(state, ctx, FAMILIES.reserved_ipv6)],
  ['GET', new RegExp(`^/v2/${FAM}/([^/]+)$`), (state, ctx, m) => getIp(state, ctx, FAMILIES[m[1]], m[2])],
  ['DELETE', new RegExp(`^/v2/${FAM}/([^/]+)$`), (state, ctx, m) => deleteIp(state, ctx, FAMILIES[m[1]], m[2])]
]

/**
 * The reserved IP for any textual form, or an error naming `where`.
 * @param {State} state
 * @param {string} where
 * @param {string} ip
 */
export function ipOrThrow(state, where, ip) {
  const rec = ipByText(state, ip)
  if (!rec) throw new Error(`${where}: ${ip} is not reserved in the simulator`)
  return rec
}

/**
 * The simulator's methods for reserved IPs.
 * @param {State} state
 */
export function ipApi(state) {
  return {
    /**
     * Adds a reserved IP directly (no quota, no read lag). Throws where DigitalOcean would refuse the
     * assignment (see holding limits on assign), as assignNow does.
     * @param {NewIp} [ip]
     * @returns {SimIp}
     */
    addIp({ ip, version, region, dropletId = null, projectId, anyRegion = false, reservedAt, history } = {}) {
      let address
      let family = version
      if (ip !== undefined) {
        const c = canonicalIp(ip)
        if (!c) throw new Error(`addIp: '${ip}' is not an IP address`)
        if (family !== undefined && family !== c.version) throw new Error(`addIp: ${ip} is not an IPv${family} address`)
        if (state.ips.has(c.ip)) throw new Error(`addIp: ${c.ip} exists already`)
        address = c.ip
        family = c.version
      }
      family ??= 4
      if (family !== 4 && family !== 6) throw new Error(`addIp: version must be 4 or 6 (got ${family})`)
      let droplet
      if (dropletId !== null && dropletId !== undefined) {
        droplet = state.droplets.get(dropletId)
        if (!droplet) throw new Error(`addIp: droplet ${dropletId} does not exist`)
      }
      const where = region ?? droplet?.region ?? 'nyc3'
      checkRegion('addIp', where, anyRegion || droplet?.region === where)
      if (droplet && droplet.region !== where)
        throw new Error(`addIp: droplet ${droplet.id} is in ${droplet.region}, not ${where}`)
      const seed = parseSeed('addIp', family, { reservedAt, history })
      if (droplet) checkHolding(state, 'addIp', droplet, { version: family, ip: address ?? '' })
      const rec = newIpRecord(state, {
        ip: address ?? allocate(state, family),
        version: family,
        region: where,
        dropletId: droplet ? droplet.id : null,
        projectId,
        viaApi: false
      })
      applySeed(state, rec, seed)
      return ipSnapshot(state, rec)
    },

    /**
     * Any textual form of the address is accepted.
     * @param {string} ip
     * @returns {SimIp | undefined}
     */
    getIp(ip) {
      settle(state)
      const rec = ipByText(state, ip)
      return rec ? ipSnapshot(state, rec) : undefined
    },

    /**
     * Sets the IP's droplet at once, as another client's finished action would (null detaches it).
     * Throws when DigitalOcean would refuse it: a second reserved IPv4 on a droplet, a reserved IPv6
     * on a droplet without IPv6. The change is by 'other' (see holderChanges).
     * @param {string} ip
     * @param {number | null} dropletId
     * @returns {SimIp}
     */
    assignNow(ip, dropletId) {
      settle(state)
      const rec = ipOrThrow(state, 'assignNow', ip)
      const from = rec.dropletId
      if (dropletId === null || dropletId === undefined) {
        rec.dropletId = null
      } else {
        const droplet = state.droplets.get(dropletId)
        if (!droplet) throw new Error(`assignNow: droplet ${dropletId} does not exist`)
        if (droplet.region !== rec.region)
          throw new Error(`assignNow: droplet ${droplet.id} is in ${droplet.region}, not ${rec.region}`)
        if (rec.dropletId !== droplet.id) checkHolding(state, 'assignNow', droplet, rec)
        rec.dropletId = droplet.id
      }
      noteHolder(state, rec, from, 'other', undefined)
      state.services.holderChanged(rec.ip, rec.dropletId, state.time.now())
      return ipSnapshot(state, rec)
    },

    /**
     * Removes the IP at once, as another client's delete would (a release by 'other'); false when it
     * was not there.
     * @param {string} ip
     */
    removeIp(ip) {
      const c = canonicalIp(ip)
      if (c) state.ipHistory.delete(c.ip)
      const rec = c && state.ips.get(c.ip)
      if (!rec) return false
      release(state, rec, 'other')
      return true
    },

    /** @returns {SimIp[]} */
    ips() {
      settle(state)
      return [...state.ips.values()].map((rec) => ipSnapshot(state, rec))
    },

    /**
     * Makes the IP busy with someone else's action for ms: actions on it and its deletion answer 422
     * "The floating IP already has a pending event" (IPv6: "The reserved IPv6 ...").
     * @param {string} ip
     * @param {number} ms
     */
    lock(ip, ms) {
      const rec = ipOrThrow(state, 'lock', ip)
      rec.lockedUntil = Math.max(rec.lockedUntil, state.time.now() + ms)
    },

    /**
     * Ends a lock() now (lock(ip, Infinity) holds the IP busy until unlock). Actions in progress still lock it.
     * @param {string} ip
     */
    unlock(ip) {
      ipOrThrow(state, 'unlock', ip).lockedUntil = 0
    },

    /**
     * Every release so far, in order, with the droplet that held the address then: a test asserts
     * that no address in use was released with `releases().filter((r) => r.holder !== null)`.
     * @returns {SimRelease[]}
     */
    releases() {
      return state.releaseLog.map((r) => ({ ...r }))
    },

    /**
     * Every create through the API that took effect (also those whose answer was lost), in order.
     * @returns {SimCreate[]}
     */
    creates() {
      return state.createLog.map((c) => ({ ...c }))
    }
  }
}
