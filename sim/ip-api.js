/**
 * A test's own hands on reserved IPs: add one directly, move it at once as another client would,
 * remove it, lock it; read them, and the logs of releases and creates.
 */
import { canonicalIp } from './addresses.js'
import { checkHolding } from './droplets.js'
import { applySeed, parseSeed } from './history.js'
import { ipSnapshot, release } from './ips.js'
import { noteHolder, settle } from './lifecycle.js'
import { checkRegion } from './regions.js'
import { allocate, ipByText, newIpRecord } from './state.js'

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').IpVersion} IpVersion */
/** @typedef {import('./ips.js').SimIp} SimIp */
/** @typedef {import('./ips.js').SimRelease} SimRelease */
/** @typedef {import('./ips.js').SimCreate} SimCreate */

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
 * The reserved IP for any textual form, or an error naming `where`.
 * @param {State} state
 * @param {string} where
 * @param {string} ip
 */
function ipOrThrow(state, where, ip) {
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
