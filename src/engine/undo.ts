/**
 * The rollback operation: undoes what an earlier assign/unassign step moved (its `moves` output).
 * Each address goes back to `from` only while it is still on `to` (the earlier step's own
 * compare-and-set), all in parallel; an action still under way on it is waited for first (moveIp
 * reads it steady). Already on `from`: nothing is sent. Moved by another change: left there.
 */
import type { Move } from '../inputs/moves.js'
import { ungrouped } from '../context.js'
import type { EngineContext } from './step.js'
import type { Journal } from './journal.js'
import { moveIp } from './drive.js'
import { cancelCause, targetText, type MoveOutcome } from './outcome.js'
import { where } from '../words.js'
import { mustReadIp } from './ip-read.js'
import { LOST_ANSWER_WATCH_MS } from './protocol.js'
import { waitUntil } from './wait.js'

export interface Undone {
  readonly move: Move
  readonly outcome: MoveOutcome
  /** It reads on `from`, and nothing of this step's may still move it. */
  readonly home: boolean
  /** Where it is, in words (from the last read). */
  readonly now: string
  /** Set when another change moved it off `to`: it was left there, and this says where. */
  readonly takenBy?: string
}

export interface UndoResult {
  readonly undone: readonly Undone[]
  /** rolled_back: moves held at least one address and every one ends on its `from`. */
  readonly rolledBack: boolean
  readonly startedAt: number
  readonly finishedAt: number
  /** The cause, when the step was cancelled. */
  readonly cancelled?: string
}

export async function undoMoves(ctx: EngineContext, moves: readonly Move[], journal: Journal): Promise<UndoResult> {
  const startedAt = ctx.clock.now()
  if (moves.length > 0)
    ctx.log.info(
      `Rolling back ${moves.length} ${moves.length === 1 ? 'address' : 'addresses'}: each goes back only while still where the earlier step put it`
    )
  const run = moves.length > 1 ? ungrouped(ctx) : ctx
  // IPv4 addresses still being rolled back (waiting out the earlier step's actions, then their own).
  let busy = moves.filter(lockShows).length
  const undone = await Promise.all(
    moves.map(async (move): Promise<Undone> => {
      if (move.addr.version === 6) await letLand(run, move, () => busy > 0)
      try {
        const outcome = await moveIp(run, {
          addr: move.addr,
          target: move.from,
          expected: move.to,
          wait: true,
          observer: journal.observe(move.addr)
        })
        return judged(move, outcome)
      } finally {
        if (lockShows(move)) busy--
      }
    })
  )
  const rolledBack = undone.length > 0 && undone.every((u) => u.home)
  const cancelled = ctx.signal.aborted ? cancelCause(ctx.signal) : undefined
  return { undone, rolledBack, startedAt, finishedAt: ctx.clock.now(), cancelled }
}

/** What the outcome means for the roll-back of one address. */
function judged(move: Move, outcome: MoveOutcome): Undone {
  const now = outcome.final
  const home = outcome.error === undefined && now !== undefined && now.dropletId === move.from
  const taken = !outcome.sent && now !== undefined && now.dropletId !== move.from && now.dropletId !== move.to
  return {
    move,
    outcome,
    home,
    now: where(now),
    takenBy: taken
      ? `${move.addr.text} is ${where(now)}, not on ${targetText(move.to)} where the earlier step put it: another change moved it, so it was left there`
      : undefined
  }
}

/** An IPv4 the earlier step moved: its lock shows whether an action of that step is still under way. */
const lockShows = (move: Move): boolean => move.addr.version === 4 && move.from !== move.to

/** How long the IPv6 is still watched once the IPv4s are back (parallel actions end close together). */
const AFTER_OTHERS_MS = 3000

/**
 * A reserved IPv6 shows no lock and DigitalOcean lists no action for it: one that reads on `from`
 * may still have the earlier step's change under way (a cancelled or timed-out cutover). It is
 * watched for LOST_ANSWER_WATCH_MS, and on while an IPv4 of the same step is being rolled back (its
 * lock shows an action of the earlier step still under way, which the IPv4's move waits out: this
 * one's likely among them) and a little after; if that change lands, the address is on `to` and goes
 * back like the others. It reads only this address. Never throws: moveIp reads it again.
 */
async function letLand(ctx: EngineContext, move: Move, othersBusy: () => boolean): Promise<void> {
  if (move.from === move.to) return
  const onFrom = async (): Promise<boolean> => (await mustReadIp(ctx, move.addr)).dropletId === move.from
  try {
    if (!(await onFrom())) return
    ctx.log.info(
      `${move.addr.text} reads on ${targetText(move.from)}; watching it for up to ${LOST_ANSWER_WATCH_MS / 1000} s in case the earlier step's change is still under way (a reserved IPv6 shows none)${othersBusy() ? ', and while the IPv4 addresses of the same step are being rolled back (their lock shows whether its actions are still under way)' : ''}`
    )
    const started = ctx.clock.now()
    const hadOthers = othersBusy()
    let calmSince: number | undefined
    await waitUntil(ctx, started, async () => {
      if (!(await onFrom())) return true
      const now = ctx.clock.now()
      if (othersBusy()) calmSince = undefined
      else calmSince ??= now
      if (now - started < ctx.clock.scaled(LOST_ANSWER_WATCH_MS)) return false
      return !hadOthers || (calmSince !== undefined && now - calmSince >= ctx.clock.scaled(AFTER_OTHERS_MS))
    })
  } catch {
    // The move reads it again.
  }
}
