/**
 * The release of one reserved IP (delete, and each of prune's), with the discipline of a move:
 * read right before sending, and release only while it is reserved, assigned to no droplet and not
 * busy; the request is on the step's record before it is sent and sent once; after an unclear
 * answer the address is read before anything else: gone (this step's request may have released it),
 * assigned meanwhile (spared and named), or still free (sent again, at most MAX_RESENDS times more).
 *
 * `nextRelease` is the pure rule table; `releaseIp` performs its effects and never throws.
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import { ApiError } from '../transport/http.js'
import { failureOf } from './answers.js'
import type { EngineContext } from './step.js'
import { jitter, reportContext, waitBeforeRetry } from './ip-read.js'
import { messageOf } from './outcome.js'
import { MAX_RESENDS, pendingBackoff } from './protocol.js'
import { runMachine, type Pending } from './machine.js'

export type ReleaseOutcome =
  /** Released: answered 204, or gone on the read after an unclear answer (`unsure`). */
  | { readonly kind: 'released'; readonly record: IpRecord; readonly unsure?: string }
  /** Not reserved when read, before anything was sent. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'assigned'; readonly record: IpRecord; readonly sent: boolean }
  | { readonly kind: 'busy'; readonly record: IpRecord; readonly reason: string }
  /** `beforeDelete` said no: the IP was read, and nothing was sent to release it. */
  | { readonly kind: 'stopped'; readonly record: IpRecord }
  /** It failed; `sent`: a release went out (refused, or unclear and the address still reserved after it). */
  | {
      readonly kind: 'failed'
      readonly error: string
      readonly record?: IpRecord
      readonly sent: boolean
      /** DigitalOcean's HTTP status, when it answered with an error. */
      readonly status?: number
    }
  /** A release went out without a clear answer, and the address could not be read after it. */
  | { readonly kind: 'unknown'; readonly error: string }

export interface ReleaseRequest {
  readonly addr: Address
  /** Wait out a busy address (within the timeout) instead of reporting it busy. */
  readonly waitWhileBusy: boolean
  /** Asked just before each release is sent; false sends nothing (the step is stopping). */
  readonly beforeDelete?: () => boolean
  /** Told just before each release is sent (the step's record). */
  readonly sending?: (record: IpRecord) => void
}

type ReleaseAnswer =
  | { readonly kind: 'deleted' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'pending'; readonly message: string }
  /** 429: not processed. Waited out, then the address is read again before anything is sent. */
  | { readonly kind: 'rate-limited' }
  | { readonly kind: 'unclear'; readonly reason: string }
  | { readonly kind: 'refused' | 'not-sent'; readonly error: string; readonly status?: number }

export type ReleaseSeen =
  | { readonly kind: 'start' }
  | { readonly kind: 'read'; readonly record: IpRecord | null }
  | { readonly kind: 'read-failed'; readonly error: string; readonly status?: number }
  | { readonly kind: 'answer'; readonly answer: ReleaseAnswer }
  | { readonly kind: 'held' }
  | { readonly kind: 'paused' }
  | { readonly kind: 'stopped'; readonly why: string }

export type ReleaseEffect =
  | { readonly kind: 'read'; readonly report?: boolean }
  | { readonly kind: 'send'; readonly record: IpRecord }
  | { readonly kind: 'pause'; readonly ms: number; readonly what: string }
  | { readonly kind: 'done'; readonly outcome: ReleaseOutcome }

export interface ReleaseState {
  readonly req: ReleaseRequest
  /** The latest read of the address. */
  readonly record?: IpRecord
  /** Busy rounds waited out. */
  readonly round: number
  /** Set once an answer was unclear: requests sent since then. */
  readonly unclear?: string
  readonly resends: number
  /** Set when nothing more may be sent: the last read only reports. */
  readonly ending?: string
}

interface Next {
  readonly state: ReleaseState
  readonly effect: ReleaseEffect
  readonly say?: string
}

const done = (state: ReleaseState, outcome: ReleaseOutcome, say?: string): Next => ({
  state,
  effect: { kind: 'done', outcome },
  say
})

/** The release's rule table. */
export function nextRelease(state: ReleaseState, seen: ReleaseSeen): Next {
  switch (seen.kind) {
    case 'start':
    case 'paused':
      return { state, effect: { kind: 'read' } }
    case 'read':
      return seen.record === null ? readGone(state) : judge({ ...state, record: seen.record }, seen.record)
    case 'read-failed':
      if (state.unclear) return done(state, { kind: 'unknown', error: unknownRelease(state, seen.error) })
      return done(state, { kind: 'failed', error: seen.error, sent: false, status: seen.status })
    case 'held':
      return done(state, { kind: 'stopped', record: state.record as IpRecord })
    case 'answer':
      return answered(state, seen.answer)
    case 'stopped':
      // The wait or the time ran out: after an unclear answer, one more read says where it stands.
      if (state.unclear) return lastRead(state, seen.why)
      return done(state, { kind: 'busy', record: state.record as IpRecord, reason: seen.why })
  }
}

/** Nothing more may be sent: one more read (past the timeout by a grace) says whether the release went through. */
function lastRead(state: ReleaseState, why: string): Next {
  return { state: { ...state, ending: why }, effect: { kind: 'read', report: true } }
}

function readGone(state: ReleaseState): Next {
  if (!state.unclear || !state.record) return done(state, { kind: 'gone' })
  const unsure = `the answer to its release was lost (${state.unclear}), and it is gone: this step's request may have released it`
  return done(state, { kind: 'released', record: state.record, unsure }, `Released ${state.req.addr.text}: ${unsure}`)
}

/** The address as read: assigned (never released), busy, or free (send, within MAX_RESENDS after an unclear answer). */
function judge(state: ReleaseState, record: IpRecord): Next {
  if (record.dropletId !== null) return done(state, { kind: 'assigned', record, sent: state.unclear !== undefined })
  if (state.ending) {
    const error = `its release got no clear answer (${state.unclear}), then ${state.ending}; it is still reserved`
    return done(state, { kind: 'failed', error, record, sent: true })
  }
  if (record.locked) return busy(state, 'an action is in progress on it')
  if (state.unclear && state.resends >= MAX_RESENDS) {
    const error = `its release was sent ${state.resends + 1} times without a clear answer (${state.unclear}), and it is still reserved`
    return done(state, { kind: 'failed', error, record, sent: true })
  }
  return { state, effect: { kind: 'send', record } }
}

function busy(state: ReleaseState, reason: string): Next {
  const record = state.record as IpRecord
  if (!state.req.waitWhileBusy) return done(state, { kind: 'busy', record, reason })
  const round = state.round + 1
  const ms = pendingBackoff(round)
  const say = `${state.req.addr.text} is busy (${reason}); waiting up to ${ms / 1000} s before trying again`
  const what = `waiting for ${state.req.addr.text} to be free of pending events`
  return { state: { ...state, round }, effect: { kind: 'pause', ms, what }, say }
}

function answered(state: ReleaseState, answer: ReleaseAnswer): Next {
  const record = state.record as IpRecord
  switch (answer.kind) {
    case 'deleted':
      return done(state, { kind: 'released', record })
    case 'not-found':
      return readGone(state)
    case 'pending':
      return busy(state, `pending event: ${answer.message}`)
    case 'rate-limited': {
      const round = state.round + 1
      const ms = pendingBackoff(round)
      const say = `DigitalOcean rate-limited the release of ${state.req.addr.text} (HTTP 429); reading it again before sending it, in up to ${ms / 1000} s`
      return {
        state: { ...state, round },
        effect: { kind: 'pause', ms, what: 'waiting for the rate limit to reset' },
        say
      }
    }
    case 'unclear': {
      const resends = state.unclear ? state.resends + 1 : 0
      const say = `No clear answer to the release of ${state.req.addr.text} (${answer.reason}); reading it before anything else`
      // Read before anything else, even when the timeout has run out (a grace beyond it).
      return { state: { ...state, unclear: answer.reason, resends }, effect: { kind: 'read', report: true }, say }
    }
    case 'refused':
    case 'not-sent':
      if (state.unclear) return lastRead(state, answer.error)
      return done(state, {
        kind: 'failed',
        error: answer.error,
        record,
        sent: answer.kind === 'refused',
        status: answer.status
      })
  }
}

function unknownRelease(state: ReleaseState, error: string): string {
  return `its release got no clear answer (${state.unclear}), and it could not be read after (${error}), so whether it was released is unknown: look with operation: get`
}

// ------------------------------------------------------------------ the driver

/** Re-reads the IP and releases it only while it is assigned to no droplet and not busy. Never throws. */
export function releaseIp(ctx: EngineContext, req: ReleaseRequest): Promise<ReleaseOutcome> {
  const start: ReleaseState = { req, round: 0, resends: 0 }
  return runMachine(ctx.log, start, { kind: 'start' }, nextRelease, (effect: Pending<ReleaseEffect>) =>
    performRelease(ctx, req, effect)
  )
}

async function performRelease(
  ctx: EngineContext,
  req: ReleaseRequest,
  effect: Pending<ReleaseEffect>
): Promise<ReleaseSeen> {
  try {
    switch (effect.kind) {
      case 'read':
        return { kind: 'read', record: await ctx.api.ips.get(effect.report ? reportContext(ctx) : ctx, req.addr) }
      case 'pause':
        await waitBeforeRetry(ctx, jitter(effect.ms), effect.what)
        return { kind: 'paused' }
      case 'send':
        if (req.beforeDelete && !req.beforeDelete()) return { kind: 'held' }
        req.sending?.(effect.record)
        return { kind: 'answer', answer: await sendRelease(ctx, req.addr) }
    }
  } catch (error) {
    if (effect.kind === 'read') return { kind: 'read-failed', error: messageOf(error), status: statusOf(error) }
    return { kind: 'stopped', why: messageOf(error) }
  }
}

const statusOf = (error: unknown): number | undefined => (error instanceof ApiError ? error.status : undefined)

/** Sends the release once (no blind repeat: the caller reads first); never throws. */
async function sendRelease(ctx: EngineContext, addr: Address): Promise<ReleaseAnswer> {
  try {
    return (await ctx.api.ips.delete(ctx, addr)) ? { kind: 'deleted' } : { kind: 'not-found' }
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) return { kind: 'rate-limited' }
    const failure = failureOf(error)
    if (failure.kind !== 'refused') return failure
    return { kind: 'refused', error: failure.error.message, status: failure.error.status }
  }
}
