/**
 * Actions: assign and unassign (POST /v2/{reserved_ips|floating_ips|reserved_ipv6}/{ip}/actions),
 * the address's actions (listed with its seeded history first, or one by id) and GET /v2/actions/{id};
 * and a test's hold on how long actions take and how they end.
 */
import { fail, notFound, paginate, positiveInt, send } from './answers.js'
import { holdingProblem } from './droplets.js'
import { historyOf } from './history.js'
import { FAMILIES, findIp, pendingEvent } from './ips.js'
import { isoSeconds } from './clock.js'
import { regionObject } from './regions.js'
import { actionSnapshot, finish, settle, startAction } from './lifecycle.js'
import { isDropletBusy, isIpLocked } from './state.js'

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./ips.js').Family} Family */
/** @typedef {import('./answers.js').RequestContext} RequestContext */
/** @typedef {import('./state.js').SimAction} SimAction */
/** @typedef {import('./state.js').ActionOutcome} ActionOutcome */

/**
 * An action (or a past one) as the API shows it; `documented` replaces the undocumented 'done' status
 * for validation.
 * @param {{ id: number, status: string, type: string, startedAt: number, completedAt: number | null, resourceId: number, resourceType: string, region: string }} a
 * @param {boolean} [documented]
 */
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

/**
 * Answers with one action, checked as documented.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {number} status
 * @param {import('./state.js').ActionRecord} action
 */
function sendAction(state, ctx, status, action) {
  send(state, ctx, status, { action: actionJson(action) }, {}, { action: actionJson(action, true) })
}

/**
 * Assign (to a droplet in the same region, free of its own events and of the holding limits) or
 * unassign; refused 422 while the droplet ("Droplet already has a pending event") or the address
 * ("The floating IP already has a pending event") has a pending event.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 * @param {string} text
 */
function postIpAction(state, ctx, fam, text) {
  const rec = findIp(state, fam, text)
  if (!rec) return notFound(state, ctx)
  const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {}
  const now = state.time.now()
  if (body.type === 'assign') {
    if (body.droplet_id === undefined) return fail(state, ctx, 422, 'droplet_id is required to assign.')
    const droplet = state.droplets.get(Number(body.droplet_id))
    if (!droplet) return fail(state, ctx, 422, `Droplet ${body.droplet_id} was not found.`)
    // The droplet's own event is named before the address's: a client cannot tell from it whether
    // an earlier assign of its own is under way.
    if (isDropletBusy(droplet, now)) return pendingEvent(state, ctx, 'droplet')
    if (isIpLocked(rec, now)) return pendingEvent(state, ctx, rec.version)
    if (droplet.region !== rec.region)
      return fail(state, ctx, 422, `The droplet and the ${fam.noun} must be in the same region`)
    const holding = rec.dropletId === droplet.id ? undefined : holdingProblem(state, droplet, rec)
    if (holding) return fail(state, ctx, 422, holding)
    return sendAction(state, ctx, 201, startAction(state, 'assign_ip', rec, droplet.id, fam.resourceType))
  }
  if (body.type === 'unassign') {
    const current = rec.dropletId === null ? undefined : state.droplets.get(rec.dropletId)
    if (current && isDropletBusy(current, now)) return pendingEvent(state, ctx, 'droplet')
    if (isIpLocked(rec, now)) return pendingEvent(state, ctx, rec.version)
    if (rec.dropletId === null) return fail(state, ctx, 422, `The ${fam.noun} is not assigned to a droplet`)
    return sendAction(state, ctx, 201, startAction(state, 'unassign_ip', rec, rec.dropletId, fam.resourceType))
  }
  fail(state, ctx, 422, "The action type must be 'assign' or 'unassign'.")
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 * @param {string} text
 */
function listIpActions(state, ctx, fam, text) {
  const rec = findIp(state, fam, text)
  if (!rec) return notFound(state, ctx)
  const started = [...state.actions.values()].filter((a) => a.ip === rec.ip && a.outcome !== 'missing')
  const list = [...historyOf(state, rec.ip), ...started]
  if (state.actionsNewestFirst) list.reverse()
  const base = `${fam.base}/${rec.ip}/actions`
  const page = (/** @type {boolean} */ documented) =>
    paginate(
      state,
      ctx,
      'actions',
      list.map((a) => actionJson(a, documented)),
      base
    )
  send(state, ctx, 200, page(false), {}, page(true))
}

/**
 * The action with this id, unless the test made it go missing.
 * @param {State} state
 * @param {string} idText
 */
function visibleAction(state, idText) {
  const id = positiveInt(idText)
  const action = id === undefined ? undefined : state.actions.get(id)
  return action && action.outcome !== 'missing' ? action : undefined
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {Family} fam
 * @param {string} text
 * @param {string} idText
 */
function getIpAction(state, ctx, fam, text, idText) {
  const rec = findIp(state, fam, text)
  const action = visibleAction(state, idText)
  if (!rec || !action || action.ip !== rec.ip) return notFound(state, ctx)
  sendAction(state, ctx, 200, action)
}

const FAM = '(reserved_ips|floating_ips|reserved_ipv6)'

/** @type {import('./server.js').Route[]} */
export const actionRoutes = [
  [
    'GET',
    new RegExp(`^/v2/${FAM}/([^/]+)/actions$`),
    (state, ctx, m) => listIpActions(state, ctx, FAMILIES[m[1]], m[2])
  ],
  [
    'POST',
    new RegExp(`^/v2/${FAM}/([^/]+)/actions$`),
    (state, ctx, m) => postIpAction(state, ctx, FAMILIES[m[1]], m[2])
  ],
  [
    'GET',
    new RegExp(`^/v2/${FAM}/([^/]+)/actions/([^/]+)$`),
    (state, ctx, m) => getIpAction(state, ctx, FAMILIES[m[1]], m[2], m[3])
  ],
  [
    'GET',
    /^\/v2\/actions\/([^/]+)$/,
    (state, ctx, m) => {
      const action = visibleAction(state, m[1])
      return action ? sendAction(state, ctx, 200, action) : notFound(state, ctx)
    }
  ]
]

/**
 * The simulator's methods for actions.
 * @param {State} state
 */
export function actionApi(state) {
  return {
    /** @returns {SimAction[]} Every action so far (also another client's), due ones completed first. */
    actions() {
      settle(state)
      return [...state.actions.values()].map(actionSnapshot)
    },
    /**
     * Decides how the actions started from now on end; undefined restores 'completed'.
     * @param {((action: SimAction) => ActionOutcome | undefined) | undefined | null} fn
     */
    setActionOutcome(fn) {
      state.actionOutcome = fn ?? undefined
    },
    /**
     * As actionDurationMs, for actions started from now on (Infinity holds them until finishActions()).
     * @param {import('./state.js').ActionDuration} msOrFn
     */
    setActionDuration(msOrFn) {
      state.actionDuration = msOrFn
    },
    /**
     * Ends in-progress actions now (the one with this id, or all), each with its outcome, as if its
     * time had come. With held actions (duration Infinity) a test decides the moment an action ends,
     * e.g. from an onRequest hook. Returns how many actions it ended.
     * @param {number} [id]
     */
    finishActions(id) {
      let finished = 0
      for (const action of [...state.inProgress]) {
        if (id !== undefined && action.id !== id) continue
        action.dueAt = Math.min(action.dueAt, state.time.now())
        finish(state, action)
        finished++
      }
      return finished
    }
  }
}
