/**
 * After a change request whose answer was lost or unclear: did it go through? The address is let
 * settle (IPv4: the action in progress on it is waited for; IPv6, which shows no lock and lists no
 * actions: its droplet is watched), then judged from where it ends up. The change is sent again
 * only while the address shows that it did not go through, and at most MAX_RESENDS times more; a
 * re-sent request answered "pending event" means the first one is probably under way.
 */
import type { IpRecord } from '../do/ips.js'
import type { EngineContext } from './step.js'
import { UNOBSERVED } from './journal.js'
import { finishAction, observedRead } from './finish.js'
import { describeMove, isAt, unknownState, where, type Changed, type MoveOutcome, type MoveRequest } from './outcome.js'
import { sendOnce } from './send.js'
import { settle, type Loss } from './settle.js'

/** After a lost answer, the same change is sent at most this many times more. */
export const MAX_RESENDS = 2

export async function afterLostAnswer(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  reason: string
): Promise<MoveOutcome> {
  ctx.log.info(
    `No clear answer to the request to ${describeMove(req)} (${reason}); re-reading the IP to see whether it went through`
  )
  return reconcile(ctx, req, { before, resends: 0, after: 'lost' })
}

async function reconcile(ctx: EngineContext, req: MoveRequest, loss: Loss): Promise<MoveOutcome> {
  const seen = await settle(ctx, req, loss)
  switch (seen.kind) {
    case 'shows':
      ctx.log.info(`${req.addr.text} is in the requested state; nothing more to send`)
      ;(req.observer ?? UNOBSERVED).read(seen.record)
      return {
        before: loss.before,
        final: seen.record,
        actionId: seen.actionId,
        actionStatus: 'completed',
        changed: 'yes',
        sent: true
      }
    case 'errored':
      ;(req.observer ?? UNOBSERVED).read(seen.record)
      return erroredOutcome(req, loss.before, seen.record, seen.actionId)
    case 'unsure':
      return unsure(ctx, req, loss.before, seen.why, seen.actionId)
    case 'not-applied':
      if (loss.resends >= MAX_RESENDS) {
        const why = `it was sent ${loss.resends + 1} times without a clear answer, and ${req.addr.text} still reads ${where(seen.record)}`
        return unsure(ctx, req, loss.before, why)
      }
      return resend(ctx, req, loss)
  }
}

/** The address shows that the change did not go through: send it again. */
async function resend(ctx: EngineContext, req: MoveRequest, loss: Loss): Promise<MoveOutcome> {
  const answer = await sendOnce(ctx, req.addr, req.target)
  const next = { before: loss.before, resends: loss.resends + 1 }
  switch (answer.kind) {
    case 'accepted':
      return finishAction(ctx, req, loss.before, answer.action)
    case 'unclear':
      ctx.log.info(`No clear answer to the request to ${describeMove(req)} again (${answer.reason}); re-reading the IP`)
      return reconcile(ctx, req, { ...next, after: 'lost' })
    case 'pending':
      ctx.log.info(
        `DigitalOcean answers the repeated request to ${describeMove(req)} with a pending event ("${answer.message}"): the first one is probably under way; waiting for ${req.addr.text} to settle`
      )
      return reconcile(ctx, req, { ...next, after: 'pending' })
    case 'refused':
      return unsure(ctx, req, loss.before, `sent again after a lost answer, it was refused: ${answer.error}`)
    case 'not-sent':
      return unsure(ctx, req, loss.before, answer.error)
  }
}

function erroredOutcome(req: MoveRequest, before: IpRecord, record: IpRecord, actionId: number): MoveOutcome {
  return {
    before,
    final: record,
    actionId,
    actionStatus: 'errored',
    changed: record.dropletId !== before.dropletId ? 'yes' : 'no',
    sent: true,
    error: `DigitalOcean reports that action ${actionId} to ${describeMove(req)} errored; the IP is ${where(record)}`
  }
}

/** It cannot be told whether the change went through: report the address as one more read shows it. */
async function unsure(
  ctx: EngineContext,
  req: MoveRequest,
  before: IpRecord,
  why: string,
  actionId?: number
): Promise<MoveOutcome> {
  const read = await observedRead(ctx, req)
  const base = {
    before,
    final: read.record,
    actionId,
    actionStatus: actionId ? 'in-progress' : '',
    sent: true
  } as const
  const error = `The request to ${describeMove(req)} got no clear answer, and whether it went through could not be told (${why})`
  if (!read.record)
    return { ...base, changed: 'unknown', error: `${error}. ${unknownState(req.addr, read.error ?? '')}` }
  return {
    ...base,
    changed: changedAsRead(req, before, read.record),
    error: `${error}. ${req.addr.text} is ${where(read.record)}`
  }
}

/**
 * Whether the change went through, judged from a read: on the target, yes; an IPv4 back where it
 * was with no action in progress on it (no lock), no; otherwise it may still be under way.
 */
function changedAsRead(req: MoveRequest, before: IpRecord, record: IpRecord): Changed {
  if (isAt(req.target)(record)) return 'yes'
  if (req.addr.version === 4 && !record.locked && record.dropletId === before.dropletId) return 'no'
  return 'unknown'
}
