/**
 * The driver of the change protocol (protocol.ts): performs each effect through do/ and hands the
 * machine what it saw. Exceptions become observations here and nowhere else, so moveIp never
 * throws: every path ends in a MoveOutcome. It also keeps the step's record (the journal): a change
 * request is recorded before it is sent, each action of the step's, and each read after a change.
 */
import type { IpRecord } from '../do/ips.js'
import type { ActionRecord } from '../do/actions.js'
import { ApiError, GaveUpError, timeoutRanOut } from '../transport/http.js'
import { failureOf } from './answers.js'
import { CancelledError } from '../context.js'
import type { EngineContext } from './step.js'
import { UNOBSERVED } from './journal.js'
import {
  confirmRead,
  findBusyAction,
  jitter,
  mustReadIp,
  reportContext,
  reportRead,
  waitBeforeRetry
} from './ip-read.js'
import {
  cancelCause,
  describeMove,
  isAt,
  messageOf,
  type MoveObserver,
  type MoveOutcome,
  type MoveRequest
} from './outcome.js'
import { initial, next, type Answer, type Effect, type Observation, type State } from './protocol.js'
import { waitForAction, waitUntil } from './wait.js'
import { runMachine, type Pending } from './machine.js'

export { expectedProblem } from './protocol.js'

/** Moves one IP and waits for the action (unless wait is false). Never throws. */
export function moveIp(ctx: EngineContext, req: MoveRequest): Promise<MoveOutcome> {
  return drive(ctx, req, initial(req), { kind: 'start' })
}

/** Follows an action already started for this change (a create onto a droplet): wait, confirm, report. */
export function followAction(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  action: ActionRecord
): Promise<MoveOutcome> {
  const state: State = { ...initial(req), phase: 'send', before, latest: before }
  return drive(ctx, req, state, { kind: 'answer', answer: { kind: 'accepted', action } })
}

/** The loop (machine.ts): the machine decides, the driver performs, until the machine is done. Never throws. */
async function drive(ctx: EngineContext, req: MoveRequest, start: State, first: Observation): Promise<MoveOutcome> {
  const observer = req.observer ?? UNOBSERVED
  const outcome = await runMachine(ctx.log, start, first, next, async (effect: Pending<Effect>, state) => {
    const seen = await perform(ctx, req, observer, effect)
    const record = seen.kind === 'read' || seen.kind === 'busy' || seen.kind === 'watched' ? seen.record : undefined
    if (record && state.phase !== 'decide') observer.read(record)
    return seen
  })
  if (outcome.changed === 'no' && outcome.actionId === undefined) observer.unchanged()
  return outcome
}

/** Performs one effect; every exception becomes an observation. */
async function perform(
  ctx: EngineContext,
  req: MoveRequest,
  observer: MoveObserver,
  effect: Pending<Effect>
): Promise<Observation> {
  try {
    return await performOrThrow(ctx, req, observer, effect)
  } catch (error) {
    if (effect.kind === 'read' || effect.kind === 'find-busy') return { kind: 'read-failed', error: messageOf(error) }
    if (error instanceof CancelledError)
      return { kind: 'stopped', why: `the step was cancelled (${cancelCause(ctx.signal)})` }
    // A pause or a watch that ran out of time says so; polling that failed may leave the action running.
    if (effect.kind !== 'wait') return { kind: 'stopped', why: messageOf(error) }
    if (error instanceof GaveUpError && ctx.clock.now() >= ctx.deadline) {
      return { kind: 'stopped', why: timeoutRanOut(ctx.timeoutMs) }
    }
    return { kind: 'stopped', why: `waiting for it failed (${messageOf(error)})` }
  }
}

async function performOrThrow(
  ctx: EngineContext,
  req: MoveRequest,
  observer: MoveObserver,
  effect: Pending<Effect>
): Promise<Observation> {
  switch (effect.kind) {
    case 'read':
      return { kind: 'read', record: await mustReadIp(ctx, req.addr) }
    case 'find-busy':
      return { kind: 'busy', ...(await findBusyAction(ctx, req.addr, effect.record)) }
    case 'wait':
      return waitFor(ctx, req, observer, effect)
    case 'pause':
      await waitBeforeRetry(ctx, effect.jitter ? jitter(effect.ms) : effect.ms, effect.what)
      return { kind: 'paused' }
    case 'send':
      observer.sending(effect.before, req.target)
      return { kind: 'answer', answer: await send(ctx, req, observer) }
    case 'watch':
      return watch(ctx, req, effect.windowMs)
    case 'confirm-read':
      return asRead(await confirmRead(ctx, req.addr, isAt(req.target)))
    case 'report-read':
      return asRead(await reportRead(ctx, req.addr))
  }
}

const asRead = (read: { record?: IpRecord; error?: string }): Observation =>
  read.record ? { kind: 'read', record: read.record } : { kind: 'read-failed', error: read.error ?? '' }

/** Waits for an action: 'ended', or 'stopped' with why (the timeout, a cancellation, the API failing). */
async function waitFor(
  ctx: EngineContext,
  req: MoveRequest,
  observer: MoveObserver,
  effect: Extract<Effect, { kind: 'wait' }>
): Promise<Observation> {
  const { action, own } = effect
  if (own) observer.started(action.id)
  if (action.status === 'completed' || action.status === 'errored') {
    if (own) observer.ended(action.id, action.status)
    return { kind: 'ended', status: action.status }
  }
  const wctx = effect.grace ? reportContext(ctx) : ctx
  const result = await waitForAction(wctx, action.id, {
    startedAt: ctx.clock.now(),
    describe: own ? describeMove(req) : `the action already in progress on ${req.addr.text}`,
    // An action that cannot be read has ended once the address shows the change (its own) or no lock.
    settled: async () => {
      const now = await mustReadIp(wctx, req.addr)
      return own ? isAt(req.target)(now) || (req.addr.version === 4 && !now.locked) : !now.locked
    }
  })
  if (result.status === 'timeout') return { kind: 'stopped', why: timeoutRanOut(wctx.timeoutMs) }
  if (own) observer.ended(action.id, result.status)
  return { kind: 'ended', status: result.status }
}

/** IPv6 shows no lock: reads it on the poll schedule until it shows the change, windowMs has passed, or the timeout. */
async function watch(ctx: EngineContext, req: MoveRequest, windowMs: number): Promise<Observation> {
  const started = ctx.clock.now()
  const window = ctx.clock.scaled(windowMs)
  let record = await mustReadIp(ctx, req.addr)
  if (isAt(req.target)(record)) return { kind: 'watched', record, timedOut: false }
  const done = await waitUntil(ctx, started, async () => {
    record = await mustReadIp(ctx, req.addr)
    return isAt(req.target)(record) || ctx.clock.now() - started >= window
  })
  return { kind: 'watched', record, timedOut: !done }
}

/** Sends the change once; never throws. */
async function send(ctx: EngineContext, req: MoveRequest, observer: MoveObserver): Promise<Answer> {
  const request =
    req.target === null ? { type: 'unassign' as const } : { type: 'assign' as const, dropletId: req.target }
  try {
    const action: ActionRecord = await ctx.api.actions.start(ctx, req.addr, request)
    observer.started(action.id)
    return { kind: 'accepted', action }
  } catch (error) {
    const answer = classify(error, req)
    return answer.kind === 'refused' && holdsAnother(error, req) ? nameHeld(ctx, req, answer.error) : answer
  }
}

/**
 * DigitalOcean refused an IPv4 because the droplet holds another reserved IPv4, in words that do not
 * name it (when they do, no list is read).
 */
const holdsAnother = (error: unknown, req: MoveRequest): boolean =>
  error instanceof ApiError &&
  error.status === 422 &&
  req.addr.version === 4 &&
  req.target !== null &&
  /reserved|floating|already/i.test(error.apiMessage) &&
  !/\b\d{1,3}(\.\d{1,3}){3}\b/.test(error.apiMessage)

/** Names the reserved IPv4 the droplet holds, from the list (read after the refusal); the refusal as it is if that fails. */
async function nameHeld(ctx: EngineContext, req: MoveRequest, error: string): Promise<Answer> {
  try {
    const held = (await ctx.api.ips.list(ctx, 4)).find((r) => r.dropletId === req.target && r.ip !== req.addr.text)
    if (!held) return { kind: 'refused', error }
    return {
      kind: 'refused',
      error: `Droplet ${req.target} already holds reserved IPv4 ${held.ip}, and a droplet holds one reserved IPv4 at a time, so ${req.addr.text} cannot be assigned to it: unassign ${held.ip} from it first. ${error}`
    }
  } catch {
    return { kind: 'refused', error }
  }
}

/** What an answer means: a change request's answer is clear only when DigitalOcean's refusal is. */
function classify(error: unknown, req: Pick<MoveRequest, 'addr' | 'target'>): Answer {
  const failure = failureOf(error)
  return failure.kind === 'refused' ? { kind: 'refused', error: explainRefusal(failure.error, req) } : failure
}

/** Adds what the user needs to know to DigitalOcean's refusals of an action. */
function explainRefusal(error: ApiError, req: Pick<MoveRequest, 'addr' | 'target'>): string {
  const { addr, target } = req
  if (target === null) return error.message
  if (error.status === 422 && /region/i.test(error.apiMessage)) {
    return `Droplet ${target} is in another region than ${addr.text}: a reserved IP can only be assigned to a droplet in its own region. ${error.message}`
  }
  if (
    error.status === 404 ||
    (error.status === 422 && /droplet/i.test(error.apiMessage) && /not found|exist/i.test(error.apiMessage))
  ) {
    return `Droplet ${target} was not found in this account. ${error.message}`
  }
  if (error.status === 422 && addr.version === 6 && /ipv6/i.test(error.apiMessage)) {
    return `Droplet ${target} refused ${addr.text}: a reserved IPv6 needs a droplet with IPv6 enabled. ${error.message}`
  }
  if (error.status === 422 && addr.version === 4 && /reserved|floating|already/i.test(error.apiMessage)) {
    return `Droplet ${target} refused ${addr.text}: a droplet holds one reserved IPv4 at a time; if it holds another, unassign that first. ${error.message}`
  }
  return error.message
}
