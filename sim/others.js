/**
 * Other clients of the account: their moves (startOtherAction, assignNow through ipApi, 'other-move'
 * events), the droplet events ('droplet-busy'), and the logs of who moved what (holderChanges,
 * otherMoves), refused as DigitalOcean would refuse them.
 */
import { canonicalIp } from './addresses.js'
import { DROPLET_PENDING_MESSAGE, IP_PENDING_MESSAGES } from './answers.js'
import { holdingProblem } from './droplets.js'
import { ipApi } from './ip-api.js'
import { actionSnapshot, scheduleAction, settle, startAction } from './lifecycle.js'
import { isDropletBusy, isIpLocked } from './state.js'

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').IpRecord} IpRecord */

/**
 * A move another client asked for (startOtherAction, assignNow, an 'other-move' fault).
 * @typedef {object} SimOtherMove
 * @property {number} at Ms after timeOrigin.
 * @property {string} ip
 * @property {number | null} dropletId
 * @property {boolean} instant true: applied at once (assignNow); false: an action of its own.
 * @property {number} [actionId]
 * @property {string} [refused] Why it did not happen (DigitalOcean's 422, or an IP or droplet that is not there).
 */

/**
 * @typedef {object} OtherActionOptions
 * @property {number} [durationMs] Default: the simulator's action duration (actionDurationMs, setActionDuration).
 * @property {import('./state.js').ActionOutcome} [outcome] Default 'completed' (or what setActionOutcome decides).
 */

/**
 * Why DigitalOcean would refuse another client's assign (dropletId) or unassign (null) now; undefined: it would not.
 * @param {State} state
 * @param {IpRecord | undefined} rec
 * @param {number | null} dropletId
 */
function otherRefusal(state, rec, dropletId) {
  const now = state.time.now()
  if (!rec) return 'not reserved'
  if (isIpLocked(rec, now)) return IP_PENDING_MESSAGES[rec.version]
  if (dropletId === null) {
    if (rec.dropletId === null) return 'not assigned to a droplet'
    const current = state.droplets.get(rec.dropletId)
    return current && isDropletBusy(current, now) ? DROPLET_PENDING_MESSAGE : undefined
  }
  const droplet = state.droplets.get(dropletId)
  if (!droplet) return `droplet ${dropletId} was not found`
  if (droplet.region !== rec.region) return 'the droplet is in another region'
  if (isDropletBusy(droplet, now)) return DROPLET_PENDING_MESSAGE
  return rec.dropletId === droplet.id ? undefined : holdingProblem(state, droplet, rec)
}

/**
 * Another client's assign (dropletId) or unassign (null) action, or a refusal as DigitalOcean's 422 would say it.
 * @param {State} state
 * @param {string} ip
 * @param {number | null} dropletId
 * @param {OtherActionOptions} options
 * @returns {{ action: import('./state.js').ActionRecord, refused?: undefined } | { refused: string, action?: undefined }}
 */
function startOther(state, ip, dropletId, { durationMs, outcome }) {
  const c = canonicalIp(String(ip))
  const rec = c && state.ips.get(c.ip)
  const refused = otherRefusal(state, rec, dropletId)
  if (refused || !rec) return { refused: refused ?? 'not reserved' }
  const resourceType = rec.version === 6 ? 'reserved_ipv6' : 'reserved_ip'
  const type = dropletId === null ? 'unassign_ip' : 'assign_ip'
  const action = startAction(
    state,
    type,
    rec,
    dropletId ?? /** @type {number} */ (rec.dropletId),
    resourceType,
    'other'
  )
  if (outcome !== undefined) action.outcome = outcome
  if (durationMs !== undefined) scheduleAction(state, action, durationMs)
  return { action }
}

/**
 * Logs a move another client asked for.
 * @param {State} state
 * @param {string} ip
 * @param {number | null} dropletId
 * @param {boolean} instant
 * @param {{ actionId?: number, refused?: string }} result
 */
function logOther(state, ip, dropletId, instant, result) {
  const c = canonicalIp(String(ip))
  state.otherLog.push({ at: state.time.sinceOrigin(), ip: c ? c.ip : String(ip), dropletId, instant, ...result })
}

/**
 * An event: another client moves the IP (at once without durationMs, else by an action of its own),
 * or the droplet gets busy.
 * @param {State} state
 * @param {import('./faults.js').EventFault} event
 */
function fireEvent(state, event) {
  if (event.kind === 'droplet-busy') {
    const droplet = state.droplets.get(event.dropletId)
    if (droplet) droplet.busyUntil = Math.max(droplet.busyUntil, state.time.now() + event.ms)
    return
  }
  if (event.durationMs === undefined) {
    // DigitalOcean takes no change of an address while an action holds it (the step's own, say).
    settle(state)
    const c = canonicalIp(String(event.ip))
    const rec = c ? state.ips.get(c.ip) : undefined
    if (rec && isIpLocked(rec, state.time.now())) {
      logOther(state, event.ip, event.dropletId, true, { refused: IP_PENDING_MESSAGES[rec.version] })
      return
    }
    try {
      ipApi(state).assignNow(String(event.ip), event.dropletId)
      logOther(state, event.ip, event.dropletId, true, {})
    } catch (error) {
      logOther(state, event.ip, event.dropletId, true, { refused: /** @type {Error} */ (error).message })
    }
    return
  }
  settle(state)
  const started = startOther(state, event.ip, event.dropletId, event)
  logOther(
    state,
    event.ip,
    event.dropletId,
    false,
    started.action ? { actionId: started.action.id } : { refused: started.refused }
  )
}

/**
 * Fires the events a request hit that are due at this moment of it: 'arrival' or 'applied'; after
 * 'applied', each 'action-end' event waits for the action the request started (index in `requests`).
 * @param {State} state
 * @param {import('./faults.js').EventFault[]} events
 * @param {'arrival' | 'applied'} moment
 * @param {number} request
 */
export function fireEvents(state, events, moment, request) {
  for (const event of events) {
    const when = event.when ?? 'arrival'
    if (when === moment) fireEvent(state, event)
    if (when !== 'action-end' || moment !== 'applied') continue
    const action = [...state.inProgress].find((a) => a.request === request)
    if (action) action.onEnd.push(() => fireEvent(state, event))
    else if (event.kind === 'other-move')
      logOther(state, event.ip, event.dropletId, event.durationMs === undefined, {
        refused: 'the request started no action'
      })
  }
}

/**
 * The simulator's methods for other clients and the logs of moves.
 * @param {State} state
 */
export function otherApi(state) {
  return {
    /**
     * Starts an assign (dropletId) or unassign (null) action as another client of the account would
     * (by 'other'): it locks the IP as any action does. Throws when DigitalOcean would refuse it (422).
     * @param {string} ip
     * @param {number | null} dropletId
     * @param {OtherActionOptions} [options]
     */
    startOtherAction(ip, dropletId, options = {}) {
      settle(state)
      const started = startOther(state, ip, dropletId ?? null, options)
      logOther(
        state,
        ip,
        dropletId ?? null,
        false,
        started.action ? { actionId: started.action.id } : { refused: started.refused }
      )
      if (!started.action) throw new Error(`startOtherAction: DigitalOcean would refuse it (${started.refused})`)
      return actionSnapshot(started.action)
    },
    /**
     * Every change of holder so far (of one address, when given), in order. Completes due actions first.
     * @param {string} [ip]
     * @returns {import('./state.js').SimHolderChange[]}
     */
    holderChanges(ip) {
      settle(state)
      const c = ip === undefined ? undefined : canonicalIp(ip)
      return state.holderLog.filter((h) => ip === undefined || (c && h.ip === c.ip)).map((h) => ({ ...h }))
    },
    /**
     * The moves other clients asked for, in order, with those that were refused.
     * @returns {SimOtherMove[]}
     */
    otherMoves() {
      return state.otherLog.map((m) => ({ ...m }))
    }
  }
}
