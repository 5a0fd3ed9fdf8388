/**
 * The past actions of a reserved IPv4 that a test seeds (addIp's history, addIpAction): listed by
 * GET /v2/reserved_ips/{ip}/actions before the actions started through the simulator, for prune's
 * `unassigned_for`; and reserved_at of a reserved IPv6.
 */
import { canonicalIp } from './addresses.js'
import { epochMs, isoSeconds } from './clock.js'

/**
 * A past action of a reserved IPv4 (see addIp's history and addIpAction).
 * @typedef {object} SimPastAction
 * @property {string} type Such as 'reserve_ip', 'assign_ip', 'unassign_ip'.
 * @property {'completed' | 'errored'} [status] Default 'completed'.
 * @property {number | Date | string} completedAt Epoch ms, a Date or ISO 8601 text.
 * @property {number | Date | string} [startedAt] Default 3 s before completedAt.
 */

/**
 * @typedef {object} HistoryEntry
 * @property {number} id
 * @property {string} type
 * @property {'completed' | 'errored'} status
 * @property {number} startedAt
 * @property {number} completedAt
 * @property {string} ip
 * @property {string} region
 * @property {number} resourceId
 */

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').IpRecord} IpRecord */

/**
 * A past action of a reserved IPv4, as a test gives it: { type, completedAt, status?, startedAt? }.
 * @param {string} where
 * @param {SimPastAction} entry
 */
function historyEntry(where, entry) {
  if (!entry || typeof entry.type !== 'string' || entry.type === '')
    throw new Error(`${where}: each past action needs a type (such as 'unassign_ip')`)
  const status = entry.status ?? 'completed'
  if (status !== 'completed' && status !== 'errored')
    throw new Error(`${where}: a past action is completed or errored, not '${status}'`)
  const completedAt = epochMs(where, entry.completedAt)
  const startedAt = entry.startedAt === undefined ? completedAt - 3000 : epochMs(where, entry.startedAt)
  return { type: entry.type, status, startedAt, completedAt }
}

/**
 * Checks addIp's reservedAt and history before the IP is stored.
 * @param {string} where
 * @param {number} family
 * @param {{ reservedAt?: number | Date | string, history?: SimPastAction[] }} seed
 */
export function parseSeed(where, family, { reservedAt, history }) {
  if (history !== undefined && family !== 4)
    throw new Error(`${where}: only a reserved IPv4 has an action history (DigitalOcean lists none for IPv6)`)
  if (history !== undefined && !Array.isArray(history)) throw new Error(`${where}: history must be an array`)
  const entries = (history ?? []).map((e) => historyEntry(where, e)).sort((a, b) => a.completedAt - b.completedAt)
  return { reservedAt: reservedAt === undefined ? undefined : epochMs(where, reservedAt), entries }
}

/**
 * @param {State} state
 * @param {IpRecord} rec
 * @param {ReturnType<typeof parseSeed>} seed
 */
export function applySeed(state, rec, seed) {
  if (seed.reservedAt !== undefined) rec.reservedAt = isoSeconds(seed.reservedAt)
  for (const entry of seed.entries) addHistory(state, rec, entry)
}

/**
 * Past actions get ids below those of actions started through the API, in the order added.
 * @param {State} state
 * @param {IpRecord} rec
 * @param {ReturnType<typeof historyEntry>} entry
 */
function addHistory(state, rec, entry) {
  const list = state.ipHistory.get(rec.ip) ?? []
  list.push({ ...entry, id: state.next.history++, ip: rec.ip, region: rec.region, resourceId: rec.resourceId })
  state.ipHistory.set(rec.ip, list)
}

/**
 * The past actions of an address, in the shape of the actions started through the simulator.
 * @param {State} state
 * @param {string} ip
 */
export function historyOf(state, ip) {
  return (state.ipHistory.get(ip) ?? []).map((e) => ({
    ...e,
    resourceType: /** @type {const} */ ('reserved_ip')
  }))
}

/**
 * The simulator's method for the history.
 * @param {State} state
 */
export function historyApi(state) {
  return {
    /**
     * Adds a past action to a reserved IPv4's history, after those it has (give them in time order).
     * @param {string} ip
     * @param {SimPastAction} action
     */
    addIpAction(ip, action) {
      const c = canonicalIp(ip)
      const rec = c && state.ips.get(c.ip)
      if (!rec) throw new Error(`addIpAction: ${ip} is not reserved in the simulator`)
      if (rec.version !== 4) throw new Error('addIpAction: only a reserved IPv4 has an action history')
      addHistory(state, rec, historyEntry('addIpAction', action))
    }
  }
}
