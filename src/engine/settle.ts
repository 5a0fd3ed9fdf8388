/**
 * Letting an address settle after a change request whose answer was lost, and judging where it
 * ends up: IPv4 shows a lock while an action is in progress on it, so that action is waited for;
 * a reserved IPv6 shows no lock and lists no actions, so its droplet is watched (for a while after
 * a lost answer, until the timeout after a pending event).
 */
import type { IpRecord } from '../do/ips.js'
import type { ActionRecord } from '../do/actions.js'
import { secs, timeoutRanOut } from '../transport/http.js'
import type { EngineContext } from './step.js'
import { UNOBSERVED } from './journal.js'
import { findBusyAction, mustReadIp, readUntil, waitBeforeRetry } from './ip-read.js'
import { isAt, messageOf, targetText, type MoveRequest } from './outcome.js'
import { waitForAction, waitUntil } from './wait.js'

/** How long an IPv6 is watched after an unanswered request before the request is sent again. */
export const LOST_ANSWER_WATCH_MS = 10_000

/** What the last request's answer was: lost (or unclear), or a pending event after a lost one. */
export type After = 'lost' | 'pending'

export interface Loss {
  readonly before: IpRecord
  /** Requests sent since the first lost answer. */
  readonly resends: number
  readonly after: After
}

export type Settled =
  /** The address shows the change (after the action found in progress on it, when there was one). */
  | { readonly kind: 'shows'; readonly record: IpRecord; readonly actionId?: number }
  /** The action found in progress was of this step's kind and errored. */
  | { readonly kind: 'errored'; readonly record: IpRecord; readonly actionId: number }
  /** The address does not show the change, and nothing is under way on it that this step can see. */
  | { readonly kind: 'not-applied'; readonly record: IpRecord }
  /** It cannot be told (timeout, cancellation, the API failing, moved by someone else). */
  | { readonly kind: 'unsure'; readonly why: string; readonly actionId?: number }

/** Lets the address settle and judges it; never throws. */
export async function settle(ctx: EngineContext, req: MoveRequest, loss: Loss): Promise<Settled> {
  try {
    await waitBeforeRetry(ctx, 200 + Math.random() * 200, `re-reading ${req.addr.text}`)
    return req.addr.version === 4 ? await settleV4(ctx, req, loss) : await settleV6(ctx, req, loss)
  } catch (error) {
    return { kind: 'unsure', why: messageOf(error) }
  }
}

/**
 * The address as read, judged: shows the change, not applied (still where it was), or taken: on a
 * droplet that is neither where it was nor the target, another change moved it (after this step's
 * or instead of it), and sending the change again would undo that change.
 */
function judge(req: MoveRequest, loss: Loss, record: IpRecord, actionId?: number): Settled {
  if (isAt(req.target)(record)) return { kind: 'shows', record, actionId }
  if (record.dropletId === loss.before.dropletId) return { kind: 'not-applied', record }
  const guard = req.expected === undefined ? '' : 'expected_droplet_id: '
  return {
    kind: 'unsure',
    why: `${guard}${record.ip} was moved to ${targetText(record.dropletId)} by another change while this step waited; it is not sent again`
  }
}

/** IPv4 shows a lock while an action is in progress on it: wait for that action, then judge. */
async function settleV4(ctx: EngineContext, req: MoveRequest, loss: Loss): Promise<Settled> {
  const now = await mustReadIp(ctx, req.addr)
  if (isAt(req.target)(now)) return { kind: 'shows', record: now }
  const busy = await findBusyAction(ctx, req.addr, now)
  if (!busy.action) return judge(req, loss, busy.record)
  return waitForAdopted(ctx, req, loss, busy.action)
}

/** Waits for the action found in progress on an IPv4 after a lost answer, and judges where it left the address. */
async function waitForAdopted(
  ctx: EngineContext,
  req: MoveRequest,
  loss: Loss,
  action: ActionRecord
): Promise<Settled> {
  ctx.log.info(`Action ${action.id} (${action.type}) is already in progress on ${req.addr.text}; waiting for it`)
  const observer = req.observer ?? UNOBSERVED
  observer.started(action.id)
  const status = await waitForAction(ctx, action.id, {
    startedAt: ctx.clock.now(),
    describe: `the action in progress on ${req.addr.text}`,
    settled: async () => !(await mustReadIp(ctx, req.addr)).locked
  }).then(
    (result) => result.status,
    (error: unknown) => messageOf(error)
  )
  if (status !== 'completed' && status !== 'errored') {
    const why = status === 'timeout' ? `${timeoutRanOut(ctx.timeoutMs)}` : status
    return {
      kind: 'unsure',
      why: `action ${action.id} on it had not finished when ${why}; it may still complete`,
      actionId: action.id
    }
  }
  observer.ended(action.id, status)
  const after = await readUntil(ctx, req.addr, isAt(req.target))
  if (!after) return { kind: 'unsure', why: `${req.addr.text} read 404 after action ${action.id}` }
  const kind = req.target === null ? 'unassign' : 'assign'
  const ours = action.type === `${kind}_ip` || action.type === kind
  // An action of this step's kind that errored is taken as its own (whose answer was lost).
  if (status === 'errored' && ours && !isAt(req.target)(after)) {
    return { kind: 'errored', record: after, actionId: action.id }
  }
  return judge(req, loss, after, isAt(req.target)(after) ? action.id : undefined)
}

/** IPv6 shows no lock: watch where it is, for a while after a lost answer, until the timeout after a pending event. */
async function settleV6(ctx: EngineContext, req: MoveRequest, loss: Loss): Promise<Settled> {
  const windowMs = loss.after === 'lost' ? ctx.clock.scaled(LOST_ANSWER_WATCH_MS) : Infinity
  ctx.log.info(
    loss.after === 'lost'
      ? `Watching ${req.addr.text} for up to ${secs(LOST_ANSWER_WATCH_MS)} in case the unanswered request went through`
      : `Watching ${req.addr.text} until it shows the change or the step's timeout runs out, as the first request is probably under way`
  )
  const watched = await watchIp(ctx, req, windowMs)
  if (watched.timedOut && !isAt(req.target)(watched.record)) {
    const why =
      loss.after === 'pending'
        ? `${req.addr.text} did not show the change before ${timeoutRanOut(ctx.timeoutMs)}; DigitalOcean reported a pending event on it, so the first request may still be under way`
        : `${timeoutRanOut(ctx.timeoutMs)} while watching ${req.addr.text}`
    return { kind: 'unsure', why }
  }
  return judge(req, loss, watched.record)
}

/** Reads the IP on the poll schedule until it shows the change, windowMs has passed, or the timeout. */
async function watchIp(
  ctx: EngineContext,
  req: MoveRequest,
  windowMs: number
): Promise<{ record: IpRecord; timedOut: boolean }> {
  const started = ctx.clock.now()
  let record = await mustReadIp(ctx, req.addr)
  if (isAt(req.target)(record)) return { record, timedOut: false }
  const done = await waitUntil(ctx, started, async () => {
    record = await mustReadIp(ctx, req.addr)
    return isAt(req.target)(record) || ctx.clock.now() - started >= windowMs
  })
  return { record, timedOut: !done }
}
