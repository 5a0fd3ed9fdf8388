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
import { targetText, type MoveOutcome } from './outcome.js'
import { mustReadIp } from './ip-read.js'
import { LOST_ANSWER_WATCH_MS } from './protocol.js'
import { waitUntil } from './wait.js'

export interface Undone {
  readonly move: Move
  readonly outcome: MoveOutcome
}

export interface UndoResult {
  readonly undone: readonly Undone[]
  readonly startedAt: number
  readonly finishedAt: number
}

export async function undoMoves(ctx: EngineContext, moves: readonly Move[], journal: Journal): Promise<UndoResult> {
  const startedAt = ctx.clock.now()
  if (moves.length > 0)
    ctx.log.info(
      `Rolling back ${moves.length} address(es): each goes back only while still where the earlier step put it`
    )
  const run = moves.length > 1 ? ungrouped(ctx) : ctx
  const undone = await Promise.all(
    moves.map(async (move): Promise<Undone> => {
      if (move.addr.version === 6) await letLand(run, move)
      const outcome = await moveIp(run, {
        addr: move.addr,
        target: move.from,
        expected: move.to,
        wait: true,
        observer: journal.observe(move.addr)
      })
      return { move, outcome }
    })
  )
  return { undone, startedAt, finishedAt: ctx.clock.now() }
}

/**
 * A reserved IPv6 shows no lock and DigitalOcean lists no action for it: one that reads on `from`
 * may still have the earlier step's change under way (a cancelled or timed-out cutover). It is
 * watched for a while; if that change lands, the address is on `to` and goes back like the others.
 * Never throws: moveIp reads the address again and decides.
 */
async function letLand(ctx: EngineContext, move: Move): Promise<void> {
  if (move.from === move.to) return
  const onFrom = async (): Promise<boolean> => (await mustReadIp(ctx, move.addr)).dropletId === move.from
  try {
    if (!(await onFrom())) return
    ctx.log.info(
      `${move.addr.text} reads on ${targetText(move.from)}; watching it for up to ${LOST_ANSWER_WATCH_MS / 1000} s in case the earlier step's change is still under way (a reserved IPv6 shows none)`
    )
    const started = ctx.clock.now()
    const window = { ...ctx, deadline: Math.min(ctx.deadline, started + ctx.clock.scaled(LOST_ANSWER_WATCH_MS)) }
    await waitUntil(window, started, async () => !(await onFrom()))
  } catch {
    // The move reads it again.
  }
}

/** The address reads on `from`, and nothing of this step's may still move it. */
export const isHome = (u: Undone): boolean =>
  u.outcome.error === undefined && u.outcome.final !== undefined && u.outcome.final.dropletId === u.move.from

/** rolled_back: moves held at least one address and every one ends on its `from`. */
export const allHome = (r: UndoResult): boolean => r.undone.length > 0 && r.undone.every(isHome)
