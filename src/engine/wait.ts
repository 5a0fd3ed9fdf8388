/**
 * Action waiting: polls GET /v2/actions/{id} until the action is completed or errored, or the
 * step's timeout runs out.
 *
 * The poll schedule is fixed, not tuned to any one action length: the first poll 1 s after the
 * action started, then every 0.5 s until 10 s (most reassignments finish within seconds, so a
 * cutover is noticed within about half a second, at no more than 2 polls a second of waiting),
 * then every 2 s (30 polls a minute, well inside the API's 250 requests a minute).
 *
 * The limit is the token's, shared with every other step using it: when the rate headers show the
 * account spending its minute's budget faster than this step alone would, polls are spaced out
 * further (with jitter), so that many cutovers at once stay under the limit instead of meeting a 429.
 */
import { secs } from '../words.js'
import { pause } from '../context.js'
import type { EngineContext } from './step.js'

const FIRST_POLL_MS = 1_000
const FAST_POLL_MS = 500
const FAST_PHASE_MS = 10_000
const SLOW_POLL_MS = 2_000

/** Delay before the next poll, given the time of the previous one (0: the action's start). */
function pollDelay(elapsedMs: number): number {
  if (elapsedMs < FIRST_POLL_MS) return FIRST_POLL_MS - elapsedMs
  return elapsedMs < FAST_PHASE_MS ? FAST_POLL_MS : SLOW_POLL_MS
}

type WaitStatus = 'completed' | 'errored' | 'timeout'

export interface WaitResult {
  readonly status: WaitStatus
  readonly actionId: number
  readonly polls: number
}

export interface WaitOptions {
  /** When the action was started (epoch ms): the schedule counts from there. */
  readonly startedAt: number
  /**
   * Re-reads the IP and says whether it is already in the state the action was to bring about.
   * Used when the action cannot be read (404) or reports a status the API does not document.
   */
  readonly settled: () => Promise<boolean>
  readonly describe: string
}

/** Polls the action until it ends or the deadline comes; throws CancelledError when the step is cancelled. */
export async function waitForAction(ctx: EngineContext, actionId: number, options: WaitOptions): Promise<WaitResult> {
  const log = ctx.log
  log.startGroup?.(`Waiting for action ${actionId} (${options.describe})`)
  try {
    const result = await poll(ctx, actionId, options)
    log.info(
      `Action ${actionId}: ${result.status} after ${secs(ctx.clock.now() - options.startedAt)} and ${result.polls} ${result.polls === 1 ? 'poll' : 'polls'}`
    )
    return result
  } finally {
    log.endGroup?.()
  }
}

async function poll(ctx: EngineContext, actionId: number, options: WaitOptions): Promise<WaitResult> {
  const log = ctx.log
  let polls = 0
  let warnedStatus = ''
  for (;;) {
    const now = ctx.clock.now()
    const remaining = ctx.deadline - now
    if (remaining <= 0) return { status: 'timeout', actionId, polls }
    const target = nextRequestAt(ctx, options.startedAt, now)
    await pause(ctx, Math.min(Math.max(0, target - now), remaining))
    if (ctx.clock.now() >= ctx.deadline) return { status: 'timeout', actionId, polls }
    polls++
    const action = await ctx.api.actions.get(ctx, actionId)
    if (action === null) {
      // Some actions are not queryable although they completed: decide from the IP.
      if (await options.settled()) {
        log.info(`Action ${actionId} cannot be read (404), but the IP already shows the change: taking it as completed`)
        return { status: 'completed', actionId, polls }
      }
      if (warnedStatus !== '404') {
        log.info(`Action ${actionId} cannot be read (404); watching the IP instead`)
        warnedStatus = '404'
      }
      continue
    }
    if (action.status === 'completed' || action.status === 'errored') {
      return { status: action.status, actionId, polls }
    }
    if (action.status !== 'in-progress') {
      if (await options.settled()) {
        log.info(
          `Action ${actionId} reports the undocumented status '${action.status}', and the IP shows the change: taking it as completed`
        )
        return { status: 'completed', actionId, polls }
      }
      if (warnedStatus !== action.status) {
        log.info(`Action ${actionId} reports the undocumented status '${action.status}'; watching the IP instead`)
        warnedStatus = action.status
      }
    }
  }
}

/**
 * Watches the IP itself on the same schedule, for a change that came without an action to poll
 * (a create onto a droplet whose answer linked no action). True once `check` holds.
 */
export async function waitUntil(
  ctx: EngineContext,
  startedAt: number,
  check: () => Promise<boolean>
): Promise<boolean> {
  for (;;) {
    const now = ctx.clock.now()
    if (now >= ctx.deadline) return false
    await pause(ctx, Math.min(nextRequestAt(ctx, startedAt, now) - now, ctx.deadline - now))
    if (ctx.clock.now() >= ctx.deadline) return false
    if (await check()) return true
  }
}

/**
 * When (epoch ms) the next poll may go: on the schedule, or later when the rate headers say the
 * account's other clients are spending its per-minute budget too (see rate-budget.ts).
 */
function nextRequestAt(ctx: EngineContext, startedAt: number, now: number): number {
  const scale = ctx.clock.scaled(1)
  const scheduleMs = ctx.clock.scaled(pollDelay((now - startedAt) / scale))
  const scheduled = nextPollAt(ctx, startedAt, now)
  const paced = ctx.api.rateBudget.nextAt(now, scheduleMs)
  if (paced > scheduled) {
    ctx.log.debug(`The token's rate limit is busy with other clients: next poll in ${Math.round(paced - now)} ms`)
  }
  return Math.max(scheduled, paced)
}

/** When (epoch ms) the next poll is due, on the schedule counted from startedAt (scaled by the client). */
function nextPollAt(ctx: EngineContext, startedAt: number, now: number): number {
  return startedAt + ctx.clock.scaled(sumSchedule((now - startedAt) / ctx.clock.scaled(1)))
}

/** Time from the action's start at which the next poll is due, the first poll after `elapsed`. */
function sumSchedule(elapsed: number): number {
  let t = 0
  while (t <= elapsed) t += pollDelay(t)
  return t
}
