/**
 * What a cutover to a droplet checks after the first reads and before anything is sent:
 *
 *   limits    what DigitalOcean would refuse part-way (cutover-limits.ts): another reserved IPv4 on
 *             the droplet, a reserved IPv6 for a droplet without IPv6
 *   precheck  with precheck_url, the droplet probed on its own addresses (precheck.ts)
 *
 * Only the addresses that will move count: one already on the target (and not busy) is neither
 * checked nor prechecked. Nothing here changes anything, so a failure is a refusal.
 */
import { messageOf } from './outcome.js'
import type { EngineContext } from './step.js'
import type { DropletRef } from '../do/droplets.js'
import type { PrecheckInputs } from '../inputs/inputs.js'
import { dropletLabel } from '../words.js'
import type { AddressResult, CutoverPlan } from './cutover-result.js'
import { cutoverRefusals, targetFacts, type Moving } from './cutover-limits.js'
import { precheck, precheckFailure } from './precheck.js'

export interface BeforeMove {
  /** The first reads, each address that will move with its precheck probe when there was one. */
  readonly addresses: AddressResult[]
  /** Why nothing may move; undefined when the cutover may go ahead. */
  readonly refused?: string
  /** false when the precheck failed (the verified output); undefined otherwise. */
  readonly verified?: boolean
  /** The context for what follows: its deadline moved on by the time the precheck took (probes are on top of timeout). */
  readonly ctx: EngineContext
}

const UNCHANGED = ' Nothing was changed.'

export async function beforeMove(
  ctx: EngineContext,
  plan: CutoverPlan,
  reads: readonly AddressResult[]
): Promise<BeforeMove> {
  const target = plan.target
  const moving = target ? movingTo(target, reads) : []
  const unchanged: BeforeMove = { addresses: [...reads], ctx }
  if (!target || moving.length === 0) return unchanged
  let checked: DropletRef
  try {
    const facts = await targetFacts(ctx, target, moving, plan.precheck !== undefined)
    const problems = cutoverRefusals(facts, moving)
    if (problems.length > 0) return { ...unchanged, refused: `${problems.join('; ')}.${UNCHANGED}` }
    checked = facts.target
  } catch (error) {
    const why = messageOf(error).replace(/ ?Nothing was changed\.$/, '')
    const label = dropletLabel(target.id, target.name)
    return { ...unchanged, refused: `Droplet ${label} could not be checked before the move: ${why}.${UNCHANGED}` }
  }
  if (!plan.precheck) return unchanged
  return precheckStep(ctx, { rules: plan.precheck, target: checked, moving, userAgent: plan.userAgent }, reads)
}

/** The addresses that will move: read, and not already on the target (a busy one is judged after its action). */
function movingTo(target: DropletRef, reads: readonly AddressResult[]): Moving[] {
  return reads.flatMap((r) =>
    r.read && (r.read.dropletId !== target.id || r.read.locked) ? [{ addr: r.addr, read: r.read }] : []
  )
}

interface PrecheckStep {
  readonly rules: PrecheckInputs
  readonly target: DropletRef
  readonly moving: readonly Moving[]
  readonly userAgent: string
}

async function precheckStep(
  ctx: EngineContext,
  step: PrecheckStep,
  reads: readonly AddressResult[]
): Promise<BeforeMove> {
  const started = ctx.clock.now()
  const { rules, target, moving, userAgent } = step
  const families = [...new Set(moving.map((m) => m.addr.version))].sort()
  const result = await precheck(ctx, { rules, target, families, userAgent })
  const isMoving = (r: AddressResult): boolean => moving.some((m) => m.addr.text === r.addr.text)
  const addresses = reads.map((r) => (isMoving(r) ? { ...r, precheck: result.byFamily.get(r.addr.version) } : r))
  if (!result.passed) {
    return { addresses, ctx, verified: false, refused: `${precheckFailure(target, result)}.${UNCHANGED}` }
  }
  ctx.log.info(`Precheck of droplet ${dropletLabel(target.id, target.name)} passed; moving`)
  return { addresses, ctx: { ...ctx, deadline: ctx.deadline + (ctx.clock.now() - started) } }
}
