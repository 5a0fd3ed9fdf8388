/**
 * The roll-back of a cutover: every address this step moved goes back to the droplet that held it
 * before, within a fresh timeout, but only while it is still on the droplet this step moved it to
 * (the step's own compare-and-set, as expected_droplet_id). An address that another change moved
 * meanwhile stays where it is, and the step fails naming its holder.
 */
import { ungrouped, type EngineContext } from './context.js'
import type { Journal } from './journal.js'
import { moveIp } from './move.js'
import { mustReadIp } from './ip-read.js'
import { messageOf, where, type MoveOutcome } from './outcome.js'
import { ipPath } from '../do/ips.js'
import { waitForAction } from './wait.js'
import { moved, targetId, type AddressResult, type CutoverPlan } from './cutover-result.js'

export async function rollBack(
  ctx: EngineContext,
  plan: CutoverPlan,
  addresses: readonly AddressResult[],
  journal: Journal
): Promise<AddressResult[]> {
  const count = addresses.filter(moved).length
  ctx.log.info(`Rolling back: moving ${count} address(es) back where they were`)
  if (count > 1) ctx = ungrouped(ctx)
  return Promise.all(addresses.map((a) => (moved(a) ? rollBackOne(ctx, plan, a, journal) : Promise.resolve(a))))
}

async function rollBackOne(
  ctx: EngineContext,
  plan: CutoverPlan,
  a: AddressResult,
  journal: Journal
): Promise<AddressResult> {
  const move = a.move as MoveOutcome
  const open = await settleOwnChange(ctx, a, move)
  const home = move.before?.dropletId ?? null
  const back = await moveIp(ctx, {
    addr: a.addr,
    target: home,
    // Back only from where this step put it.
    expected: targetId(plan),
    wait: true,
    observer: journal.observe(a.addr, true)
  })
  if (back.error !== undefined) return { ...a, back, backError: backFailure(a, back, targetId(plan)) }
  // An action of the roll-back's that completed came after whatever of this step's was under way there.
  const carriedOut = back.actionId !== undefined && back.actionStatus === 'completed'
  return open === undefined || carriedOut ? { ...a, back } : { ...a, back, backError: open }
}

/**
 * Lets this step's own change end before the address is moved back: an action of its that may
 * still complete is waited for (an IPv6 shows no lock while it runs). Says why the address may yet
 * move after the roll-back reads it, when it may: the action did not end, or (IPv6) a request
 * whose answer was lost may still be under way unseen. An IPv4 shows its lock, which the roll-back
 * waits out.
 */
async function settleOwnChange(ctx: EngineContext, a: AddressResult, move: MoveOutcome): Promise<string | undefined> {
  if (move.changed !== 'unknown') return undefined
  if (move.actionId !== undefined) {
    const ended = await waitForOwnAction(ctx, a, move.actionId)
    return ended ? undefined : `action ${move.actionId} of this step on it had not ended, and may still move it`
  }
  if (a.addr.version === 4) return undefined
  return `a request of this step to move it got no clear answer and may still be carried out (a reserved IPv6 shows no action in progress): look with GET ${ipPath(a.addr)} (or operation: get)`
}

/** Waits for an action of this step's; whether it ended (completed or errored). */
async function waitForOwnAction(ctx: EngineContext, a: AddressResult, actionId: number): Promise<boolean> {
  try {
    const result = await waitForAction(ctx, actionId, {
      startedAt: ctx.clock.now(),
      describe: `the cutover's action on ${a.addr.text}, before moving it back`,
      settled: async () => !(await mustReadIp(ctx, a.addr)).locked
    })
    return result.status !== 'timeout'
  } catch (error) {
    ctx.log.info(`Waiting for action ${actionId} on ${a.addr.text} failed (${messageOf(error)}); reading the IP`)
    return false
  }
}

/** Why the address is not back; an address another change took is named with its holder. */
function backFailure(a: AddressResult, back: MoveOutcome, target: number | null): string {
  const now = back.final
  const home = a.move?.before?.dropletId ?? null
  if (!back.sent && now && now.dropletId !== target && now.dropletId !== home) {
    return `${a.addr.text} is ${where(now)}: another change moved it after this step did, so it was left there`
  }
  return back.error ?? ''
}
