/**
 * The actions' lifecycle: an action starts (locking its address), is due after its duration, and
 * ends with its outcome at the next request or inspection after that (or by its timer on the real
 * clock): the address is unlocked and changes holder, and every holder change is logged.
 */

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').IpRecord} IpRecord */
/** @typedef {import('./state.js').ActionOutcome} ActionOutcome */
/** @typedef {import('./state.js').ActionStatus} ActionStatus */
/** @typedef {import('./state.js').ResourceType} ResourceType */

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
