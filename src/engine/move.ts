/**
 * The move of one reserved IP (assign or unassign), as named steps, each handing the next what it
 * knows:
 *
 *   decide     read the IP (waiting out an action already in progress on it): already there, refused
 *              by expected_droplet_id, or go
 *   send       send the change, waiting out pending events within the timeout (send.ts)
 *   reconcile  after a lost or unclear answer, find out from the IP whether it went through, and send
 *              again only when it shows that it did not (reconcile.ts)
 *   wait       poll the action (finish.ts)
 *   confirm    read the IP: it must be on the target (finish.ts)
 *
 * moveIp never throws: every path ends in a MoveOutcome, reported from a read made after the last
 * change request (see outcome.ts).
 */
import type { IpRecord } from '../do/ips.js'
import { secs } from '../transport/http.js'
import type { EngineContext } from './step.js'
import { UNOBSERVED } from './journal.js'
import { pendingBackoff, readSteady, reportRead, waitBeforeRetry } from './ip-read.js'
import { finishAction } from './finish.js'
import { afterLostAnswer } from './reconcile.js'
import { describeMove, isAt, messageOf, targetText, type MoveOutcome, type MoveRequest } from './outcome.js'
import { sendOnce, type Answer } from './send.js'

export type { ActionStatus, Changed, MoveOutcome, MoveRequest } from './outcome.js'

/** Why expected_droplet_id refuses the IP as read; undefined when it is unset or holds. */
export function expectedProblem(record: IpRecord, expected: number | null | undefined): string | undefined {
  if (expected === undefined || record.dropletId === expected) return undefined
  return `expected_droplet_id: ${record.ip} is held by ${targetText(record.dropletId)}, not ${expected === null ? 'none' : expected}; someone else may have moved it`
}

/** Moves one IP and waits for the action (unless wait is false). Never throws. */
export async function moveIp(ctx: EngineContext, req: MoveRequest): Promise<MoveOutcome> {
  const decided = await decide(ctx, req)
  return decided.kind === 'go' ? carryOut(ctx, req, decided.before) : decided.outcome
}

type Decided =
  { readonly kind: 'go'; readonly before: IpRecord } | { readonly kind: 'stop'; readonly outcome: MoveOutcome }

/** An outcome of a move that sent nothing that took effect. */
function unchanged(before: IpRecord | undefined, final: IpRecord | undefined, error?: string): MoveOutcome {
  return { before, final, actionStatus: '', changed: 'no', sent: false, error }
}

async function decide(ctx: EngineContext, req: MoveRequest): Promise<Decided> {
  let before: IpRecord
  try {
    before = await readSteady(ctx, req.addr, req.initial)
  } catch (error) {
    return { kind: 'stop', outcome: unchanged(req.initial, req.initial, messageOf(error)) }
  }
  if (isAt(req.target)(before)) {
    ctx.log.info(
      `${req.addr.text} is already ${before.dropletId === null ? 'assigned to no droplet' : `on droplet ${before.dropletId}`}; nothing to do`
    )
    return { kind: 'stop', outcome: unchanged(before, before) }
  }
  const problem = expectedProblem(before, req.expected)
  if (problem) return { kind: 'stop', outcome: unchanged(before, before, problem) }
  return { kind: 'go', before }
}

async function carryOut(ctx: EngineContext, req: MoveRequest, before: IpRecord): Promise<MoveOutcome> {
  const observer = req.observer ?? UNOBSERVED
  observer.sending(before, req.target)
  const sent = await sendUntilAnswered(ctx, req, { before, latest: before, round: 1 })
  switch (sent.kind) {
    case 'accepted':
      return finishAction(ctx, req, before, sent.action)
    case 'unclear':
      return afterLostAnswer(ctx, req, before, sent.reason)
    case 'already':
      // Someone else's change brought the IP where it was to go while this step waited.
      observer.unchanged()
      return unchanged(before, sent.record)
    case 'refused':
    case 'not-sent':
      observer.unchanged()
      return unchanged(before, sent.record, sent.error)
  }
}

/**
 * How sending ended, before any lost answer: the answer, or the IP already there after a pending
 * event. A refusal, or a change not sent, carries the latest read of the IP (a pending event is
 * followed by reads, which may show that another change moved it).
 */
type Sent =
  | Exclude<Answer, { kind: 'pending' | 'refused' | 'not-sent' }>
  | { readonly kind: 'already'; readonly record: IpRecord }
  | { readonly kind: 'refused' | 'not-sent'; readonly error: string; readonly record: IpRecord }

/** Where sending stands: the IP when the move was decided, as last read, and the attempt's number. */
interface Sending {
  readonly before: IpRecord
  readonly latest: IpRecord
  readonly round: number
}

/** Sends the change; a pending event (nothing was done) is waited out and the IP judged again, within the timeout. */
async function sendUntilAnswered(ctx: EngineContext, req: MoveRequest, at: Sending): Promise<Sent> {
  const answer = await sendOnce(ctx, req.addr, req.target)
  if (answer.kind === 'refused' || answer.kind === 'not-sent') return { ...answer, record: at.latest }
  if (answer.kind !== 'pending') return answer
  const now = await afterPending(ctx, req, at, answer.message)
  if (now.kind !== 'again') return now
  return sendUntilAnswered(ctx, req, { ...at, latest: now.record, round: at.round + 1 })
}

/**
 * Waits out a pending event and reads the IP: already there, moved meanwhile (expected_droplet_id),
 * or send again. When the wait or the read fails, the IP is read once more for the report.
 */
async function afterPending(
  ctx: EngineContext,
  req: MoveRequest,
  at: Sending,
  message: string
): Promise<Sent | { readonly kind: 'again'; readonly record: IpRecord }> {
  try {
    const delay = pendingBackoff(at.round)
    ctx.log.info(
      `Waiting for a pending event to clear before we can ${describeMove(req)}: the IP or the droplet is busy with another action (DigitalOcean: "${message}"). Retrying in ${secs(delay)}.`
    )
    await waitBeforeRetry(ctx, delay, `waiting for a pending event on ${req.addr.text} to clear`)
    const now = await readSteady(ctx, req.addr)
    if (isAt(req.target)(now)) return { kind: 'already', record: now }
    const moved = movedMeanwhile(at.before, now, req.expected)
    return moved ? { kind: 'refused', error: moved, record: now } : { kind: 'again', record: now }
  } catch (error) {
    // Reads made while waiting (an action of someone else's waited out) may have shown it moved.
    const read = await reportRead(ctx, req.addr)
    return { kind: 'not-sent', error: messageOf(error), record: read.record ?? at.latest }
  }
}

/** During retries: with expected_droplet_id, the IP must still be where it was when the step began. */
function movedMeanwhile(before: IpRecord, now: IpRecord, expected: number | null | undefined): string | undefined {
  if (expected === undefined || now.dropletId === before.dropletId) return undefined
  return `expected_droplet_id: ${now.ip} was moved to ${targetText(now.dropletId)} by someone else while this step waited; stopping without changing it`
}
