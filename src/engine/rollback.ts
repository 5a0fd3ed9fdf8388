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
  await waitForOwnAction(ctx, a, move)
  const home = move.before?.dropletId ?? null
  const back = await moveIp(ctx, {
    addr: a.addr,
    target: home,
    // Back only from where this step put it.
    expected: targetId(plan),
    wait: true,
    observer: journal.observe(a.addr, true)
  })
  const backError = back.error === undefined ? undefined : backFailure(a, back, targetId(plan))
  return backError === undefined ? { ...a, back } : { ...a, back, backError }
}

/** Our own action may still complete: wait for it first (an IPv6 shows no lock while it runs). */
async function waitForOwnAction(ctx: EngineContext, a: AddressResult, move: MoveOutcome): Promise<void> {
  if (move.actionStatus !== 'in-progress' || move.actionId === undefined) return
  try {
    await waitForAction(ctx, move.actionId, {
      startedAt: ctx.clock.now(),
      describe: `the cutover's action on ${a.addr.text}, before moving it back`,
      settled: async () => !(await mustReadIp(ctx, a.addr)).locked
    })
  } catch (error) {
    ctx.log.info(`Waiting for action ${move.actionId} on ${a.addr.text} failed (${messageOf(error)}); reading the IP`)
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
