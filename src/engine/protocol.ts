/**
 * The change protocol of one address (assign, unassign, a roll-back): a pure state machine.
 * `next(state, observation)` says what to do next (an Effect); the driver (drive.ts) performs it
 * and hands back what it saw (an Observation). No I/O here, so every rule is a row of a table test.
 *
 *   decide   read the address fresh (waiting out an action in progress on it): already there,
 *            refused by expected_droplet_id, or send
 *   send     the change, once; a pending event before any lost answer is waited out and the
 *            address read again (the change is decided again on that read)
 *   settle   after an unclear answer, read before anything else: the change shows, it did not go
 *            through (send again, at most MAX_RESENDS times), or another change took the address
 *   wait     for the step's own action, then confirm by a read; a read that shows the address locked
 *            by another action means it is moving: that action is waited out before judging
 *   report   every path after a change request ends in an outcome from a read made after it
 */
import type { IpRecord } from '../do/ips.js'
import type { ActionRecord } from '../do/actions.js'
import type { ActionStatus, Changed, MoveOutcome, MoveRequest } from './outcome.js'
import { describeMove, isAt, targetText, unknownState } from './outcome.js'
import { where } from '../words.js'

/** After a lost answer, the same change is sent at most this many times more. */
export const MAX_RESENDS = 2
/** How long an IPv6 is watched after an unanswered request before the request is sent again. */
export const LOST_ANSWER_WATCH_MS = 10_000
/** Other actions waited out in a row before the step gives up deciding. */
const MAX_STEADY_ROUNDS = 5

/** What DigitalOcean's answer to a change request means (see drive.ts's classify). */
export type Answer =
  | { readonly kind: 'accepted'; readonly action: ActionRecord }
  /** 422 pending event: nothing was done. `droplet`: the message names the droplet's own event. */
  | { readonly kind: 'pending'; readonly message: string; readonly droplet: boolean }
  /** Lost, cut short, 5xx, cancelled in flight, unreadable: it may have taken effect. */
  | { readonly kind: 'unclear'; readonly reason: string }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'not-sent'; readonly error: string }

export type Observation =
  | { readonly kind: 'start' }
  | { readonly kind: 'read'; readonly record: IpRecord }
  | { readonly kind: 'read-failed'; readonly error: string }
  /** What a locked address is busy with: the action in progress, or none (the lock is gone). */
  | { readonly kind: 'busy'; readonly record: IpRecord; readonly action?: ActionRecord }
  | { readonly kind: 'answer'; readonly answer: Answer }
  | { readonly kind: 'ended'; readonly status: 'completed' | 'errored' }
  /** Waiting stopped before the end: the timeout, a cancellation, the API failing. */
  | { readonly kind: 'stopped'; readonly why: string }
  | { readonly kind: 'paused' }
  | { readonly kind: 'watched'; readonly record: IpRecord; readonly timedOut: boolean }

export type Effect =
  /** Read the address (404: read-failed). */
  | { readonly kind: 'read' }
  /** Find the action in progress on a locked address. */
  | { readonly kind: 'find-busy'; readonly record: IpRecord }
  /** Wait for an action: the step's own (started or adopted) or another's; `grace`: in the report's time. */
  | { readonly kind: 'wait'; readonly action: ActionRecord; readonly own: boolean; readonly grace?: boolean }
  /**
   * Sleep (nominal ms; with jitter, between half of it and all of it); `stopped` when the timeout
   * would run out first. `what` says what the step is waiting for.
   */
  | { readonly kind: 'pause'; readonly ms: number; readonly what: string; readonly jitter?: boolean }
  /** Record the change on the step's record, then send it once. */
  | { readonly kind: 'send'; readonly before: IpRecord }
  /** IPv6: read on the poll schedule until it is on the target, windowMs has passed or the timeout. */
  | { readonly kind: 'watch'; readonly windowMs: number }
  /** Read after a completed action, again for a few seconds while it does not show it (reads lag). */
  | { readonly kind: 'confirm-read' }
  /** The read that reports: beyond the timeout by a grace, or briefly after a cancellation. */
  | { readonly kind: 'report-read' }
  | { readonly kind: 'done'; readonly outcome: MoveOutcome }

/** What the report read will make of the outcome once it is made. */
type Ending =
  | { readonly kind: 'not-sent'; readonly error: string }
  | { readonly kind: 'unsure'; readonly why: string; readonly actionId?: number }
  | { readonly kind: 'errored' }
  | { readonly kind: 'running'; readonly why: string }
  | { readonly kind: 'not-waited'; readonly status: ActionStatus }

/** Where the change stands after an unclear answer: lost, a pending event on a repeat, the droplet's own event. */
type Loss = 'lost' | 'pending' | 'droplet'

type Phase = 'decide' | 'send' | 'settle' | 'adopted' | 'wait' | 'confirm' | 'moving' | 'report'

export interface State {
  readonly req: MoveRequest
  readonly phase: Phase
  /** The read the change is decided on (read again after anything that takes time). */
  readonly before?: IpRecord
  /** The latest read of the address. */
  readonly latest?: IpRecord
  /** Pending events met (the backoff grows with them); before any unclear answer, a report read follows a failure. */
  readonly round: number
  /** Other actions waited out in a row while deciding. */
  readonly steady: number
  /** Set once an answer was unclear; requests sent since then in `resends`. */
  readonly loss?: Loss
  readonly resends: number
  /** Another's action being waited out before deciding. */
  readonly other?: ActionRecord
  /** The step's own action (started, or adopted after a lost answer). */
  readonly action?: ActionRecord
  readonly ending?: Ending
}

export interface Step {
  readonly state: State
  readonly effect: Effect
  /** A line for the log, when the step is worth saying. */
  readonly say?: string
}

export function initial(req: MoveRequest): State {
  return { req, phase: 'decide', round: 0, steady: 0, resends: 0, latest: req.initial }
}

/** The one transition function: what to do after this observation. */
export function next(state: State, seen: Observation): Step {
  switch (state.phase) {
    case 'decide':
      return decide(state, seen)
    case 'send':
      return seen.kind === 'answer' ? answered(state, seen.answer) : unexpected(state, seen)
    case 'settle':
      return settle(state, seen)
    case 'adopted':
      return adopted(state, seen)
    case 'wait':
      return waited(state, seen)
    case 'confirm':
    case 'moving':
      return confirm(state, seen)
    case 'report':
      return reported(state, seen)
  }
}

const go = (state: State, effect: Effect, say?: string): Step => ({ state, effect, say })

function unexpected(state: State, seen: Observation): Step {
  return toReport(state, { kind: 'unsure', why: `unexpected ${seen.kind} while ${state.phase}` })
}

function toReport(state: State, ending: Ending): Step {
  return go({ ...state, phase: 'report', ending }, { kind: 'report-read' })
}

function done(state: State, outcome: Omit<MoveOutcome, 'before'>): Step {
  return go(state, { kind: 'done', outcome: { before: state.before, ...outcome } })
}

/** Nothing this step sent took effect. */
function unchanged(state: State, final: IpRecord | undefined, error?: string): Step {
  return done(state, { final, actionStatus: '', changed: 'no', sent: false, error })
}

// ------------------------------------------------------------------ decide

/** Why expected_droplet_id refuses the IP as read; undefined when it is unset or holds. */
export function expectedProblem(record: IpRecord, expected: number | null | undefined): string | undefined {
  if (expected === undefined || record.dropletId === expected) return undefined
  return `expected_droplet_id: ${record.ip} is held by ${targetText(record.dropletId)}, not ${expected === null ? 'none' : expected}; someone else may have moved it`
}

function decide(state: State, seen: Observation): Step {
  switch (seen.kind) {
    case 'start':
    case 'paused':
      // The first read may be the one just made (no time passed); after a pending event, read again.
      if (seen.kind === 'start' && state.latest) return decideOn(state, state.latest)
      return go(state, { kind: 'read' })
    case 'read':
      return decideOn(state, seen.record)
    case 'busy':
      if (!seen.action) return decideOn(state, seen.record, true)
      return go(
        { ...state, steady: state.steady + 1, other: seen.action },
        { kind: 'wait', action: seen.action, own: false },
        `Action ${seen.action.id} (${seen.action.type || 'unknown type'}) is already in progress on ${state.req.addr.text}; waiting for it to finish before deciding`
      )
    case 'ended':
      return go({ ...state, other: undefined }, { kind: 'read' })
    case 'stopped':
      return notDecided(state, state.other ? otherRunning(state.other, state, seen.why) : seen.why)
    case 'read-failed':
      return notDecided(state, seen.error)
    default:
      return unexpected(state, seen)
  }
}

function otherRunning(action: ActionRecord, state: State, why: string): string {
  return `Action ${action.id} on ${state.req.addr.text} had not finished when ${why}; nothing was sent. It may still complete.`
}

/** Deciding failed (the timeout, a cancellation, the API): after a pending event, read once more for the report. */
function notDecided(state: State, error: string): Step {
  if (state.round > 0) return toReport(state, { kind: 'not-sent', error })
  return unchanged(state, state.latest, error)
}

function decideOn(state: State, record: IpRecord, lockChecked = false): Step {
  const now = { ...state, latest: record }
  if (record.locked && !lockChecked) {
    if (state.steady >= MAX_STEADY_ROUNDS) {
      return notDecided(now, `${record.ip} is still locked after ${state.steady} actions in a row; nothing was sent`)
    }
    return go(now, { kind: 'find-busy', record })
  }
  if (isAt(state.req.target)(record)) {
    const say = `${record.ip} is already ${where(record)}; nothing to do`
    return { ...unchanged({ ...now, before: state.before ?? record }, record), say }
  }
  const problem = expectedProblem(record, state.req.expected)
  // The change refers to this read: previous_droplet_id, moves and a later roll-back alike.
  const decided = { ...now, before: record }
  if (problem) return unchanged(decided, record, problem)
  return go({ ...decided, phase: 'send', steady: 0 }, { kind: 'send', before: record })
}

// ------------------------------------------------------------------ send

function answered(state: State, answer: Answer): Step {
  switch (answer.kind) {
    case 'accepted':
      return accepted(state, answer.action)
    case 'pending':
      return pending(state, answer.message, answer.droplet)
    case 'unclear':
      return unclear(state, answer.reason)
    case 'refused':
      if (state.loss) return unsure(state, `sent again after a lost answer, it was refused: ${answer.error}`)
      return unchanged(state, state.latest, answer.error)
    case 'not-sent':
      if (state.loss) return unsure(state, answer.error)
      return notDecided(state, answer.error)
  }
}

function accepted(state: State, action: ActionRecord): Step {
  const now = { ...state, action }
  if (!state.req.wait) {
    const status = action.status === 'completed' || action.status === 'errored' ? action.status : 'in-progress'
    const say = `Action ${action.id} (${action.type || kindOf(state)}) started; not waiting for it (wait: false)`
    return { ...toReport(now, { kind: 'not-waited', status }), say }
  }
  if (action.status === 'completed') return go({ ...now, phase: 'confirm' }, { kind: 'confirm-read' })
  if (action.status === 'errored') return toReport(now, { kind: 'errored' })
  const say = `Action ${action.id} (${action.type || kindOf(state)}) started; waiting for DigitalOcean to finish it`
  return go({ ...now, phase: 'wait' }, { kind: 'wait', action, own: true }, say)
}

const kindOf = (state: State): string => (state.req.target === null ? 'unassign' : 'assign')

/** The longest wait after the nth pending event (the pause takes between half of it and all of it). */
export const pendingBackoff = (round: number): number => Math.min(10_000, 1000 * 2 ** Math.min(round - 1, 4))

/**
 * A pending event: nothing was done. Before any unclear answer, wait and decide again on a fresh
 * read. After one, the address's own event means the lost request is probably under way (watch it
 * settle); the droplet's own event says nothing of it (wait, read, and send again if not moved).
 */
function pending(state: State, message: string, droplet: boolean): Step {
  if (!state.loss) {
    const round = state.round + 1
    const ms = pendingBackoff(round)
    const say = `Waiting for a pending event to clear before we can ${describeMove(state.req)}: the IP or the droplet is busy with another action (DigitalOcean: "${message}"). Retrying in up to ${ms / 1000} s.`
    const what = `waiting for a pending event on ${state.req.addr.text} to clear`
    return go({ ...state, phase: 'decide', round }, { kind: 'pause', ms, what, jitter: true }, say)
  }
  if (droplet) {
    const say = `The droplet has a pending event of its own ("${message}"): waiting it out, then reading ${state.req.addr.text}`
    // Its own backoff grows as the droplet stays busy; the repeat is not counted against MAX_RESENDS.
    const round = state.round + 1
    const ms = pendingBackoff(round)
    const what = `waiting for the droplet's pending event to clear`
    return go({ ...state, phase: 'settle', loss: 'droplet', round }, { kind: 'pause', ms, what, jitter: true }, say)
  }
  const say = `DigitalOcean answers the repeated request to ${describeMove(state.req)} with a pending event ("${message}"): the first one is probably under way; waiting for ${state.req.addr.text} to settle`
  return settleAfter({ ...state, loss: 'pending', resends: state.resends + 1 }, say)
}

function unclear(state: State, reason: string): Step {
  const again = state.loss !== undefined
  const say = `No clear answer to the request to ${describeMove(state.req)}${again ? ' again' : ''} (${reason}); re-reading the IP to see whether it went through`
  return settleAfter({ ...state, loss: 'lost', resends: again ? state.resends + 1 : 0 }, say)
}

function settleAfter(state: State, say: string): Step {
  const what = `re-reading ${state.req.addr.text}`
  return go({ ...state, phase: 'settle' }, { kind: 'pause', ms: 400, what, jitter: true }, say)
}

// ------------------------------------------------------------------ settle (after an unclear answer)

function settle(state: State, seen: Observation): Step {
  switch (seen.kind) {
    case 'paused':
      if (state.req.addr.version === 4 || state.loss === 'droplet') return go(state, { kind: 'read' })
      return watchV6(state)
    case 'read':
      if (isAt(state.req.target)(seen.record) || !seen.record.locked) return judge(state, seen.record)
      return go({ ...state, latest: seen.record }, { kind: 'find-busy', record: seen.record })
    case 'busy':
      if (!seen.action) return judge(state, seen.record)
      return adopt(state, seen.action)
    case 'watched':
      if (seen.timedOut && !isAt(state.req.target)(seen.record)) return unsure(state, watchTimedOut(state))
      return judge(state, seen.record)
    case 'stopped':
    case 'read-failed':
      return unsure(state, seen.kind === 'stopped' ? seen.why : seen.error)
    default:
      return unexpected(state, seen)
  }
}

/** IPv6 shows no lock: watch it, for a while after a lost answer, until the timeout after a pending event. */
function watchV6(state: State): Step {
  const ip = state.req.addr.text
  if (state.loss === 'lost') {
    const say = `Watching ${ip} for up to ${LOST_ANSWER_WATCH_MS / 1000} s in case the unanswered request went through`
    return go(state, { kind: 'watch', windowMs: LOST_ANSWER_WATCH_MS }, say)
  }
  const say = `Watching ${ip} until it shows the change or the step's timeout runs out, as the first request is probably under way`
  return go(state, { kind: 'watch', windowMs: Infinity }, say)
}

function watchTimedOut(state: State): string {
  return state.loss === 'pending'
    ? `${state.req.addr.text} did not show the change before the step's timeout ran out; DigitalOcean reported a pending event on it, so the first request may still be under way`
    : `the step's timeout ran out while watching ${state.req.addr.text}`
}

/** An action in progress on the address after a lost answer: taken as the step's own, and waited for. */
function adopt(state: State, action: ActionRecord): Step {
  const say = `Action ${action.id} (${action.type}) is already in progress on ${state.req.addr.text}; waiting for it`
  return go({ ...state, phase: 'adopted', action }, { kind: 'wait', action, own: true }, say)
}

/**
 * The address as read after an unclear answer: shows the change; still where it was (send again,
 * within MAX_RESENDS); or on a droplet that is neither: another change moved it, and sending again
 * would undo that change.
 */
function judge(state: State, record: IpRecord, actionId?: number): Step {
  const now = { ...state, latest: record }
  if (isAt(state.req.target)(record)) {
    const say = `${record.ip} is in the requested state; nothing more to send`
    return { ...done(now, { final: record, actionId, actionStatus: 'completed', changed: 'yes', sent: true }), say }
  }
  if (record.dropletId !== state.before?.dropletId) {
    const guard = state.req.expected === undefined ? '' : 'expected_droplet_id: '
    return unsure(
      now,
      `${guard}${record.ip} was moved to ${targetText(record.dropletId)} by another change while this step waited; it is not sent again`
    )
  }
  // A request answered with the droplet's own pending event was not carried out: it does not count.
  if (state.resends >= MAX_RESENDS) {
    return unsure(
      now,
      `it was sent ${state.resends + 1} times without a clear answer, and ${record.ip} still reads ${where(record)}`
    )
  }
  return go({ ...now, phase: 'send' }, { kind: 'send', before: state.before ?? record })
}

function adopted(state: State, seen: Observation): Step {
  const action = state.action as ActionRecord
  switch (seen.kind) {
    case 'ended':
      return go(
        { ...state, ending: seen.status === 'errored' ? { kind: 'errored' } : undefined },
        { kind: 'confirm-read' }
      )
    case 'stopped':
      return unsure(
        state,
        `action ${action.id} on it had not finished when ${seen.why}; it may still complete`,
        action.id
      )
    case 'read': {
      const at = isAt(state.req.target)(seen.record)
      // An action of this step's kind that errored is taken as its own (whose answer was lost).
      const ours = action.type === `${kindOf(state)}_ip` || action.type === kindOf(state)
      if (state.ending?.kind === 'errored' && ours && !at) return erroredOn(state, seen.record)
      return judge({ ...state, ending: undefined }, seen.record, at ? action.id : undefined)
    }
    case 'read-failed':
      return unsure(state, `${state.req.addr.text} could not be read after action ${action.id} (${seen.error})`)
    default:
      return unexpected(state, seen)
  }
}

/** It cannot be told whether the change went through: report the address as one more read shows it. */
function unsure(state: State, why: string, actionId?: number): Step {
  return toReport(state, { kind: 'unsure', why, actionId })
}

// ------------------------------------------------------------------ wait and confirm

function waited(state: State, seen: Observation): Step {
  const action = state.action as ActionRecord
  switch (seen.kind) {
    case 'ended':
      if (seen.status === 'errored') return toReport(state, { kind: 'errored' })
      return go({ ...state, phase: 'confirm' }, { kind: 'confirm-read' })
    case 'stopped':
      return toReport(state, { kind: 'running', why: seen.why })
    default:
      return unexpected({ ...state, action }, seen)
  }
}

/**
 * The confirming read after the step's action completed. Locked by an action that is not the
 * step's own: the address is moving; that action is waited out (within the grace) and the address
 * judged where it ends. Not on the target: another change took it.
 */
function confirm(state: State, seen: Observation): Step {
  const own = state.action as ActionRecord
  switch (seen.kind) {
    case 'read':
      if (seen.record.locked && state.phase === 'confirm')
        return go({ ...state, latest: seen.record }, { kind: 'find-busy', record: seen.record })
      return confirmed(state, seen.record)
    case 'busy':
      if (!seen.action || seen.action.id === own.id) return confirmed(state, seen.record)
      return go(
        { ...state, phase: 'moving' },
        { kind: 'wait', action: seen.action, own: false, grace: true },
        `${state.req.addr.text} is locked by action ${seen.action.id}, not this step's: it is moving; waiting for that action before judging where it ends`
      )
    case 'ended':
      return go(state, { kind: 'confirm-read' })
    case 'stopped':
      return done(state, {
        actionId: own.id,
        actionStatus: 'completed',
        changed: 'yes',
        sent: true,
        error: unknownState(state.req.addr, `it is moving: another change's action had not finished when ${seen.why}`)
      })
    case 'read-failed':
      return done(state, {
        actionId: own.id,
        actionStatus: 'completed',
        changed: 'yes',
        sent: true,
        error: unknownState(state.req.addr, seen.error)
      })
    default:
      return unexpected(state, seen)
  }
}

function confirmed(state: State, record: IpRecord): Step {
  const action = state.action as ActionRecord
  const base = { final: record, actionId: action.id, actionStatus: 'completed', changed: 'yes', sent: true } as const
  if (isAt(state.req.target)(record)) return done(state, base)
  return done(state, {
    ...base,
    error: `Action ${action.id} to ${describeMove(state.req)} completed, but ${record.ip} is now ${where(record)}: another change took it`
  })
}

function erroredOn(state: State, record: IpRecord): Step {
  const action = state.action as ActionRecord
  const message = `DigitalOcean reports that action ${action.id} to ${describeMove(state.req)} errored`
  const base = { final: record, actionId: action.id, actionStatus: 'errored', sent: true } as const
  // An errored action that left the IP where it was changed nothing.
  const changed: Changed = record.dropletId !== state.before?.dropletId ? 'yes' : 'no'
  // Where it is now is the report's to say (from `final`), once.
  return done(state, { ...base, changed, error: message })
}

// ------------------------------------------------------------------ report

function reported(state: State, seen: Observation): Step {
  if (seen.kind !== 'read' && seen.kind !== 'read-failed') return unexpected(state, seen)
  const record = seen.kind === 'read' ? seen.record : undefined
  const unknown = seen.kind === 'read-failed' ? unknownState(state.req.addr, seen.error) : ''
  const ending = state.ending as Ending
  switch (ending.kind) {
    case 'not-sent':
      // Nothing took effect, but where the address is now is not known: no earlier read passes for it.
      return unchanged(state, record, record ? ending.error : `${ending.error}. ${unknown}`)
    case 'errored':
      return record ? erroredOn(state, record) : erroredUnknown(state, unknown)
    case 'running':
      return runningOutcome(state, record, ending.why, unknown)
    case 'not-waited':
      return notWaited(state, record, ending.status, unknown)
    case 'unsure':
      return unsureOutcome(state, record, ending, unknown)
  }
}

function erroredUnknown(state: State, unknown: string): Step {
  const action = state.action as ActionRecord
  const error = `DigitalOcean reports that action ${action.id} to ${describeMove(state.req)} errored; ${unknown}`
  return done(state, { actionId: action.id, actionStatus: 'errored', changed: 'unknown', sent: true, error })
}

function runningOutcome(state: State, record: IpRecord | undefined, why: string, unknown: string): Step {
  const id = (state.action as ActionRecord).id
  const error = `Action ${id} to ${describeMove(state.req)} had not finished when ${why}; it may still complete. Look it up with GET /v2/actions/${id}.`
  return done(state, {
    final: record,
    actionId: id,
    actionStatus: 'in-progress',
    changed: 'unknown',
    sent: true,
    error: record ? error : `${error} ${unknown}`
  })
}

function notWaited(state: State, record: IpRecord | undefined, status: ActionStatus, unknown: string): Step {
  const base = { final: record, actionId: state.action?.id, actionStatus: status, sent: true } as const
  if (!record) return done(state, { ...base, changed: 'unknown', error: unknown })
  return done(state, { ...base, changed: status === 'errored' ? 'no' : status === 'completed' ? 'yes' : 'unknown' })
}

function unsureOutcome(
  state: State,
  record: IpRecord | undefined,
  ending: Extract<Ending, { kind: 'unsure' }>,
  unknown: string
): Step {
  const base = {
    final: record,
    actionId: ending.actionId,
    // An IPv4 that reads locked has an action under way: probably this step's, whose answer was lost.
    actionStatus: ending.actionId || record?.locked ? 'in-progress' : '',
    sent: true
  } as const
  const error = `The request to ${describeMove(state.req)} got no clear answer, and whether it went through could not be told (${ending.why})`
  if (!record) return done(state, { ...base, changed: 'unknown', error: `${error}. ${unknown}` })
  return done(state, {
    ...base,
    changed: changedAsRead(state, record),
    error: `${error}. ${record.ip} is ${where(record)}`
  })
}

/**
 * Whether the change went through, judged from a read after an unclear answer: on the target, yes;
 * otherwise unknown, even for an IPv4 back where it was with no lock: the lost request may have
 * been carried out and another change may have put the address back since (reported changed=true:
 * an address this step's request moved is never reported changed=false).
 */
function changedAsRead(state: State, record: IpRecord): Changed {
  return isAt(state.req.target)(record) ? 'yes' : 'unknown'
}
