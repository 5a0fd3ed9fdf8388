/**
 * The move of one reserved IP (assign or unassign), carried out safely: an action already in
 * progress on the IP is waited out before anything is decided, pending events are waited out, a
 * request whose answer was lost or unreadable is never blindly sent again (the IP is re-read first,
 * and an action under way is adopted), and the result is the IP as DigitalOcean reports it afterwards.
 */
import type { Address } from '../inputs/address.js'
import { postIpAction, readIp, type ActionRecord, type IpActionRequest, type IpRecord } from '../do/ips.js'
import { ApiError, TransportError, secs } from '../transport/http.js'
import type { EngineContext } from './context.js'
import {
  findBusyAction,
  lastRead,
  mustReadIp,
  notReserved,
  OperationError,
  pendingBackoff,
  placeholder,
  readIpSettling,
  readSteady,
  readUntil,
  waitBeforeRetry
} from './ip-read.js'
import { waitForAction, waitUntil } from './wait.js'

export interface MoveRequest {
  readonly addr: Address
  /** The droplet to move the IP to; null detaches it (unassign). */
  readonly target: number | null
  /** expected_droplet_id: go ahead only while the IP is held by this droplet (null: by none). */
  readonly expected?: number | null
  readonly wait: boolean
  /** The IP as just read, which saves a read; it is read again if it shows an action in progress. */
  readonly initial?: IpRecord
  /** Told of each action this move starts or adopts (ended: false), and when it has ended (true). */
  readonly onAction?: (actionId: number, ended: boolean) => void
}

export type ActionStatus = 'completed' | 'in-progress' | 'errored' | ''

export interface MoveOutcome {
  /** The IP when the move was decided (after any action already in progress on it had finished). */
  readonly before: IpRecord
  /** The IP as last read. */
  readonly final: IpRecord
  readonly actionId?: number
  /** '' when nothing needed to be sent. */
  readonly actionStatus: ActionStatus
  /** This step started an action that completed or may still complete. */
  readonly changed: boolean
  /** Set when the move failed or did not finish in time. */
  readonly error?: string
}

/** How a request to start the action ended. */
type Started =
  | { readonly kind: 'action'; readonly action: ActionRecord; readonly adopted: boolean }
  /** The IP shows the change although no answer said so: the lost request went through. */
  | { readonly kind: 'went-through'; readonly record: IpRecord }
  /** Someone else's action brought the IP where it was to go: nothing for this step to do. */
  | { readonly kind: 'already'; readonly record: IpRecord }

/** How long an IPv6 is watched after an unanswered request before the request is sent again. */
export const LOST_ANSWER_WATCH_MS = 10_000
const MAX_UNCLEAR_ANSWERS = 10
const MAX_ROUNDS = 3

const describeMove = (req: MoveRequest): string =>
  req.target === null ? `unassign ${req.addr.text}` : `assign ${req.addr.text} to droplet ${req.target}`

const isAt = (target: number | null) => (ip: IpRecord) => ip.dropletId === target

/** Why expected_droplet_id refuses the IP as read; undefined when it is unset or holds. */
export function expectedProblem(record: IpRecord, expected: number | null | undefined): string | undefined {
  if (expected === undefined || record.dropletId === expected) return undefined
  return `expected_droplet_id: ${record.ip} is held by ${record.dropletId === null ? 'no droplet' : `droplet ${record.dropletId}`}, not ${expected === null ? 'none' : expected}; someone else may have moved it`
}

function checkExpected(record: IpRecord, expected: number | null | undefined): void {
  const problem = expectedProblem(record, expected)
  if (problem) throw new OperationError(`${problem}. Nothing was changed.`)
}

/** Moves one IP and waits for the action (unless wait is false). Throws when nothing could be changed. */
export async function moveIp(ctx: EngineContext, req: MoveRequest): Promise<MoveOutcome> {
  const settled = isAt(req.target)
  const before = await readSteady(ctx, req.addr, req.initial)
  if (settled(before)) {
    ctx.log.info(`${req.addr.text} is already ${where(before)}; nothing to do`)
    return { before, final: before, actionStatus: '', changed: false }
  }
  checkExpected(before, req.expected)
  for (let round = 1; ; round++) {
    const started = await startAction(ctx, req, before)
    if (started.kind !== 'action') {
      const changed = started.kind === 'went-through'
      return { before, final: started.record, actionStatus: changed ? 'completed' : '', changed }
    }
    req.onAction?.(started.action.id, false)
    if (!req.wait) return notWaitedFor(ctx, req, before, started.action)
    const finished = await finishAction(ctx, req, started.action, started.adopted)
    if (started.adopted && !settled(finished.final) && round < MAX_ROUNDS && !isOurs(started.action, req, finished)) {
      // The action waited for was someone else's: now send ours.
      stillWhereItWas(before, finished.final, req.expected)
      continue
    }
    return outcomeOf(req, before, started.action, finished)
  }
}

function where(ip: IpRecord): string {
  return ip.dropletId === null ? 'assigned to no droplet' : `on droplet ${ip.dropletId}`
}

/** During retries: with expected_droplet_id, the IP must still be where it was when the step began. */
function stillWhereItWas(before: IpRecord, now: IpRecord, expected: number | null | undefined): void {
  if (expected === undefined || now.dropletId === before.dropletId) return
  throw new OperationError(
    `expected_droplet_id: ${now.ip} was moved to ${now.dropletId === null ? 'no droplet' : `droplet ${now.dropletId}`} by someone else while this step waited; stopping without changing it.`
  )
}

/** An adopted action of our own kind that errored is taken as ours (its answer was lost). */
function isOurs(action: ActionRecord, req: MoveRequest, finished: Finished): boolean {
  const type = req.target === null ? 'unassign' : 'assign'
  return finished.status === 'errored' && (action.type === `${type}_ip` || action.type === type)
}

function request(req: MoveRequest): IpActionRequest {
  return req.target === null ? { type: 'unassign' } : { type: 'assign', dropletId: req.target }
}

/** Sends the action once, and again only when DigitalOcean's state shows it did not go through. */
async function startAction(ctx: EngineContext, req: MoveRequest, before: IpRecord): Promise<Started> {
  let pendingRounds = 0
  let unclear = 0
  for (;;) {
    try {
      return { kind: 'action', action: await postIpAction(ctx.api, req.addr, request(req)), adopted: false }
    } catch (error) {
      if (error instanceof ApiError && error.isPendingEvent) {
        await waitForPendingEvent(ctx, req, error, ++pendingRounds)
        const now = await readSteady(ctx, req.addr)
        if (isAt(req.target)(now)) return { kind: 'already', record: now }
        stillWhereItWas(before, now, req.expected)
        continue
      }
      if (!isUnclear(error)) throw explainActionError(error, req)
      if (++unclear >= MAX_UNCLEAR_ANSWERS) throw error
      ctx.log.info(
        `No clear answer to the request to ${describeMove(req)} (${describeError(error)}); re-reading the IP to see whether it went through`
      )
      await waitBeforeRetry(ctx, 200 * unclear + Math.random() * 200, `re-reading ${req.addr.text}`)
      const seen = await afterLostAnswer(ctx, req, before)
      if (seen) return seen
    }
  }
}

async function waitForPendingEvent(
  ctx: EngineContext,
  req: MoveRequest,
  error: ApiError,
  round: number
): Promise<void> {
  const delay = pendingBackoff(round)
  ctx.log.info(
    `Waiting for a pending event to clear before we can ${describeMove(req)}: the IP or the droplet is busy with another action (DigitalOcean: "${error.apiMessage}"). Retrying in ${secs(delay)}.`
  )
  await waitBeforeRetry(ctx, delay, `waiting for a pending event on ${req.addr.text} to clear`)
}

const isUnclear = (error: unknown): boolean =>
  error instanceof TransportError || (error instanceof ApiError && error.status >= 500)

/**
 * After a request whose answer was lost: what happened? The IP shows the change (it went
 * through), or an action is in progress on it (adopted), or neither (undefined: send again).
 */
async function afterLostAnswer(ctx: EngineContext, req: MoveRequest, before: IpRecord): Promise<Started | undefined> {
  const settled = isAt(req.target)
  let now = await mustReadIp(ctx, req.addr)
  if (req.addr.version === 6 && !settled(now)) {
    // A reserved IPv6 shows no lock while an action is under way: an assign that did go through
    // shows only when it completes. Watch the IP a while before sending again.
    now = await watchIp(ctx, req.addr, settled)
  }
  if (settled(now)) {
    ctx.log.info(`${req.addr.text} is already in the requested state; nothing more to send`)
    return { kind: 'went-through', record: now }
  }
  stillWhereItWas(before, now, req.expected)
  const busy = await findBusyAction(ctx, req.addr, now)
  // The lock may have ended with someone else's action: judge the IP as it is now.
  stillWhereItWas(before, busy.record, req.expected)
  if (busy.action) {
    ctx.log.info(
      `Action ${busy.action.id} (${busy.action.type}) is already in progress on ${req.addr.text}; waiting for it`
    )
    return { kind: 'action', action: busy.action, adopted: true }
  }
  if (settled(busy.record)) return { kind: 'went-through', record: busy.record }
  return undefined
}

/** Reads the IP on the poll schedule until it is settled or LOST_ANSWER_WATCH_MS (or the timeout) has passed. */
async function watchIp(ctx: EngineContext, addr: Address, settled: (ip: IpRecord) => boolean): Promise<IpRecord> {
  ctx.log.info(
    `Watching ${addr.text} for up to ${secs(LOST_ANSWER_WATCH_MS)} in case the unanswered request went through`
  )
  const started = ctx.clock.now()
  let last: IpRecord | undefined
  await waitUntil(ctx, started, async () => {
    last = await mustReadIp(ctx, addr)
    return settled(last) || ctx.clock.now() - started >= ctx.clock.scaled(LOST_ANSWER_WATCH_MS)
  })
  return last ?? (await mustReadIp(ctx, addr))
}

/** wait: false: the action was started; report the IP as it stands. */
async function notWaitedFor(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  action: ActionRecord
): Promise<MoveOutcome> {
  const now = (await readIp(ctx.api, req.addr)) ?? before
  const status = action.status === 'completed' || action.status === 'errored' ? action.status : 'in-progress'
  return { before, final: now, actionId: action.id, actionStatus: status, changed: status !== 'errored' }
}

interface Finished {
  readonly status: 'completed' | 'errored' | 'timeout'
  readonly final: IpRecord
  /** Why waiting stopped early, when the API kept failing. */
  readonly waitError?: string
}

async function finishAction(
  ctx: EngineContext,
  req: MoveRequest,
  action: ActionRecord,
  adopted: boolean
): Promise<Finished> {
  const settled = isAt(req.target)
  ctx.log.info(
    `Action ${action.id} (${action.type || request(req).type}) started; waiting for DigitalOcean to finish it`
  )
  let status: Finished['status']
  let waitError: string | undefined
  try {
    status =
      action.status === 'completed' || action.status === 'errored'
        ? action.status
        : (
            await waitForAction(ctx, action.id, {
              startedAt: ctx.clock.now(),
              describe: describeMove(req),
              settled: async () => settled(await mustReadIp(ctx, req.addr))
            })
          ).status
  } catch (error) {
    // Polling itself failed (the API kept failing, or the timeout cut the last poll short): the
    // action may still finish.
    status = 'timeout'
    if (ctx.clock.now() + 100 < ctx.deadline) waitError = (error as Error).message
  }
  if (status === 'timeout') {
    return { status, final: (await lastRead(ctx, req.addr)) ?? placeholder(req.addr), waitError }
  }
  req.onAction?.(action.id, true)
  const final =
    status === 'completed' && !adopted ? await readUntil(ctx, req.addr, settled) : await readIpSettling(ctx, req.addr)
  if (final === null) throw notReserved(req.addr)
  return { status, final }
}

function outcomeOf(req: MoveRequest, before: IpRecord, action: ActionRecord, finished: Finished): MoveOutcome {
  const { final } = finished
  const base = { before, final, actionId: action.id }
  if (finished.status === 'timeout') {
    const why = finished.waitError ? `waiting for it failed (${finished.waitError})` : "the step's timeout ran out"
    return {
      ...base,
      actionStatus: 'in-progress',
      changed: true,
      error: `Action ${action.id} to ${describeMove(req)} had not finished when ${why}; it may still complete. Look it up with GET /v2/actions/${action.id}.`
    }
  }
  if (finished.status === 'errored') {
    return {
      ...base,
      actionStatus: 'errored',
      // An errored action that left the IP where it was changed nothing.
      changed: final.dropletId !== before.dropletId,
      error: `DigitalOcean reports that action ${action.id} to ${describeMove(req)} errored; the IP is ${where(final)}`
    }
  }
  return { ...base, actionStatus: 'completed', changed: true }
}

function describeError(error: unknown): string {
  if (error instanceof TransportError) return error.reason
  if (error instanceof ApiError) return `HTTP ${error.status}${error.errorId ? ` ${error.errorId}` : ''}`
  return String(error)
}

/** Adds what the user needs to know to DigitalOcean's refusals of an action. */
function explainActionError(error: unknown, req: MoveRequest): unknown {
  if (!(error instanceof ApiError) || req.target === null) return error
  if (error.status === 422 && /region/i.test(error.apiMessage)) {
    return new OperationError(
      `Droplet ${req.target} is in another region than ${req.addr.text}: a reserved IP can only be assigned to a droplet in its own region. ${error.message}`
    )
  }
  if (
    error.status === 404 ||
    (error.status === 422 && /droplet/i.test(error.apiMessage) && /not found|exist/i.test(error.apiMessage))
  ) {
    return new OperationError(`Droplet ${req.target} was not found in this account. ${error.message}`)
  }
  return error
}
