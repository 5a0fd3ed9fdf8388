/**
 * An action of this step's was accepted: wait for it, then confirm from a read that the address is
 * where it was to go. Every path ends in an outcome from a read made after the action; a read that
 * fails makes the outcome unknown.
 */
import { timeoutRanOut } from '../transport/http.js'
import type { IpRecord } from '../do/ips.js'
import type { ActionRecord } from '../do/actions.js'
import { CancelledError } from '../context.js'
import type { EngineContext } from './step.js'
import { UNOBSERVED } from './journal.js'
import { confirmRead, mustReadIp, reportRead, type ReportRead } from './ip-read.js'
import {
  cancelCause,
  describeMove,
  isAt,
  messageOf,
  unknownState,
  where,
  type MoveOutcome,
  type MoveRequest
} from './outcome.js'
import { actionRequest } from './send.js'
import { waitForAction } from './wait.js'

type Ended = { readonly status: 'completed' | 'errored' } | { readonly status: 'stopped'; readonly why: string }

/** Waits for the action (unless wait is false) and reports where the address ends up. */
export async function finishAction(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  action: ActionRecord
): Promise<MoveOutcome> {
  const observer = req.observer ?? UNOBSERVED
  observer.started(action.id)
  if (!req.wait) return notWaitedFor(ctx, req, before, action)
  ctx.log.info(
    `Action ${action.id} (${action.type || actionRequest(req.target).type}) started; waiting for DigitalOcean to finish it`
  )
  const ended = await waitForEnd(ctx, req, action)
  if (ended.status === 'stopped') return stillUnderWay(ctx, req, before, action.id, ended.why)
  observer.ended(action.id, ended.status)
  return ended.status === 'completed'
    ? confirmCompleted(ctx, req, before, action.id)
    : erroredAction(ctx, req, before, action.id)
}

async function waitForEnd(ctx: EngineContext, req: MoveRequest, action: ActionRecord): Promise<Ended> {
  if (action.status === 'completed' || action.status === 'errored') return { status: action.status }
  try {
    const result = await waitForAction(ctx, action.id, {
      startedAt: ctx.clock.now(),
      describe: describeMove(req),
      settled: async () => isAt(req.target)(await mustReadIp(ctx, req.addr))
    })
    return result.status === 'timeout'
      ? { status: 'stopped', why: `${timeoutRanOut(ctx.timeoutMs)}` }
      : { status: result.status }
  } catch (error) {
    if (error instanceof CancelledError)
      return { status: 'stopped', why: `the step was cancelled (${cancelCause(ctx.signal)})` }
    // Polling itself failed (the API kept failing): the action may still finish.
    return { status: 'stopped', why: `waiting for it failed (${messageOf(error)})` }
  }
}

/** The report read, told to the journal. */
export async function observedRead(ctx: EngineContext, req: MoveRequest): Promise<ReportRead> {
  const read = await reportRead(ctx, req.addr)
  if (read.record) (req.observer ?? UNOBSERVED).read(read.record)
  return read
}

/** The action had not ended when waiting stopped: it may still complete. */
export async function stillUnderWay(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  actionId: number,
  why: string
): Promise<MoveOutcome> {
  const read = await observedRead(ctx, req)
  const error = `Action ${actionId} to ${describeMove(req)} had not finished when ${why}; it may still complete. Look it up with GET /v2/actions/${actionId}.`
  return {
    before,
    final: read.record,
    actionId,
    actionStatus: 'in-progress',
    changed: 'unknown',
    sent: true,
    error: read.record ? error : `${error} ${unknownState(req.addr, read.error ?? '')}`
  }
}

/** Completed: the address must read on the target (reads may lag for a few seconds). */
async function confirmCompleted(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  actionId: number
): Promise<MoveOutcome> {
  const read = await confirmRead(ctx, req.addr, isAt(req.target))
  if (read.record) (req.observer ?? UNOBSERVED).read(read.record)
  const base = { before, final: read.record, actionId, actionStatus: 'completed', changed: 'yes', sent: true } as const
  if (!read.record) return { ...base, error: unknownState(req.addr, read.error ?? '') }
  if (isAt(req.target)(read.record)) return base
  return {
    ...base,
    error: `Action ${actionId} to ${describeMove(req)} completed, but ${req.addr.text} is now ${where(read.record)}: another change took it`
  }
}

async function erroredAction(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  actionId: number
): Promise<MoveOutcome> {
  const read = await observedRead(ctx, req)
  const message = `DigitalOcean reports that action ${actionId} to ${describeMove(req)} errored`
  const base = { before, final: read.record, actionId, actionStatus: 'errored', sent: true } as const
  if (!read.record)
    return { ...base, changed: 'unknown', error: `${message}; ${unknownState(req.addr, read.error ?? '')}` }
  // An errored action that left the IP where it was changed nothing.
  const changed = read.record.dropletId !== before.dropletId ? 'yes' : 'no'
  return { ...base, changed, error: `${message}; the IP is ${where(read.record)}` }
}

/** wait: false: the action was started; report the IP as it reads now. */
async function notWaitedFor(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  action: ActionRecord
): Promise<MoveOutcome> {
  const read = await observedRead(ctx, req)
  const status = action.status === 'completed' || action.status === 'errored' ? action.status : 'in-progress'
  const base = { before, final: read.record, actionId: action.id, actionStatus: status, sent: true } as const
  if (!read.record) return { ...base, changed: 'unknown', error: unknownState(req.addr, read.error ?? '') }
  return { ...base, changed: status === 'errored' ? 'no' : status === 'completed' ? 'yes' : 'unknown' }
}
