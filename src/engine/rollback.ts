/**
 * The roll-back of a cutover: every address this step moved goes back to the droplet that held it
 * before, within a fresh timeout, but only while it is still on the droplet this step moved it to
 * (the step's own compare-and-set, as expected_droplet_id). An address that another change moved
 * meanwhile stays where it is, and the step fails naming its holder.
 */
import { ungrouped } from '../context.js'
import type { EngineContext } from './step.js'
import type { Journal } from './journal.js'
import { moveIp } from './drive.js'
import { mustReadIp, reportRead } from './ip-read.js'
import { isAt, messageOf, type MoveOutcome } from './outcome.js'
import { where } from '../words.js'
import { ipPath, type IpRecord } from '../do/ips.js'
import { waitForAction } from './wait.js'
import { moved, targetId, type AddressResult, type CutoverPlan } from './cutover-result.js'

export async function rollBack(
  ctx: EngineContext,
  plan: CutoverPlan,
  addresses: readonly AddressResult[],
  journal: Journal
): Promise<AddressResult[]> {
  const count = addresses.filter(moved).length
  ctx.log.info(`Rolling back: moving ${count} ${count === 1 ? 'address' : 'addresses'} back where they were`)
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
  const own = await settleOwnChange(ctx, a, move, targetId(plan))
  // Its action may still move it: moving it back now would race it (and the timeout has run out).
  if (own.kind === 'running') return { ...a, back: await readInstead(ctx, a, journal), backError: own.why }
  const back = await moveIp(ctx, {
    addr: a.addr,
    target: move.before?.dropletId ?? null,
    // Back only from where this step put it.
    expected: targetId(plan),
    wait: true,
    observer: journal.observe(a.addr, true)
  })
  if (back.error !== undefined) return { ...a, back, backError: backFailure(a, back, targetId(plan)) }
  // An action of the roll-back's that completed came after whatever of this step's was under way there.
  const carriedOut = back.actionId !== undefined && back.actionStatus === 'completed'
  return own.kind === 'ended' || carriedOut ? { ...a, back } : { ...a, back, backError: own.why }
}

/**
 * This step's own change before the roll-back: ended (or never in doubt), still running (its
 * action did not end in time), or unseen (IPv6: a request whose answer was lost may still be
 * carried out, and a reserved IPv6 shows no lock or action while it is).
 */
type OwnChange = { readonly kind: 'ended' } | { readonly kind: 'running' | 'unseen'; readonly why: string }

/**
 * Lets this step's own change end before the address is moved back: an action of its that may
 * still complete is waited for. An IPv4 shows its lock, which the roll-back's move waits out.
 */
async function settleOwnChange(
  ctx: EngineContext,
  a: AddressResult,
  move: MoveOutcome,
  target: number | null
): Promise<OwnChange> {
  if (move.changed !== 'unknown') return { kind: 'ended' }
  if (move.actionId !== undefined) {
    if (await waitForOwnAction(ctx, a, move.actionId, target)) return { kind: 'ended' }
    return {
      kind: 'running',
      why: `action ${move.actionId} of this step may still move it, so it was not moved back; a later operation: rollback with this step's moves output waits for that action and moves it back`
    }
  }
  if (a.addr.version === 4) return { kind: 'ended' }
  return {
    kind: 'unseen',
    why: `a request of this step to move it got no clear answer and may still be carried out (a reserved IPv6 shows no action in progress): look with GET ${ipPath(a.addr)} (or operation: get)`
  }
}

/** Where the address is, when it is not moved back: one report read, nothing sent. */
async function readInstead(ctx: EngineContext, a: AddressResult, journal: Journal): Promise<MoveOutcome> {
  const read = await reportRead(ctx, a.addr)
  if (read.record) journal.observe(a.addr, true).read(read.record)
  return { before: a.move?.final, final: read.record, actionStatus: '', changed: 'no', sent: false }
}

/**
 * Waits for an action of this step's; whether it ended (completed or errored). When the action
 * cannot be read, it has ended once the address shows its change, or (IPv4) shows no lock; a
 * reserved IPv6 shows no lock at all.
 */
async function waitForOwnAction(
  ctx: EngineContext,
  a: AddressResult,
  actionId: number,
  target: number | null
): Promise<boolean> {
  const ended = (ip: IpRecord): boolean => isAt(target)(ip) || (a.addr.version === 4 && !ip.locked)
  try {
    const result = await waitForAction(ctx, actionId, {
      startedAt: ctx.clock.now(),
      describe: `the cutover's action on ${a.addr.text}, before moving it back`,
      settled: async () => ended(await mustReadIp(ctx, a.addr))
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
