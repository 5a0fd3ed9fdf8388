/**
 * Reserved IPv4 (also under their older name, floating IPs) and reserved IPv6: list, create, get and
 * delete (a test's own hands on them are in ip-api.js). Every release and every create is logged
 * (releases(), creates()), so that a test can count creates and check that no address was released
 * while a droplet held it.
 */
import { canonicalIp } from './addresses.js'
import { IP_PENDING_MESSAGES, DROPLET_PENDING_MESSAGE, fail, notFound, paginate, send } from './answers.js'
import { dropletJson, holdingProblem } from './droplets.js'
import { startAction } from './lifecycle.js'
import { isRegionSlug, regionObject } from './regions.js'
import { allocate, isDropletBusy, isIpLocked, newIpRecord } from './state.js'

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
  const rec = newIpRecord(state, {
    ip: allocate(state, version),
    version,
    region,
    dropletId: null,
    projectId,
    viaApi: true
  })
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
export function release(state, rec, by) {
  state.ips.delete(rec.ip)
  state.ipHistory.delete(rec.ip)
  const request = by === 'api' ? state.routedRequest : undefined
  state.releaseLog.push({
    at: state.time.sinceOrigin(),
    ip: rec.ip,
    version: rec.version,
    holder: rec.dropletId,
    by,
    request
  })
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
