/**
 * A cutover: one or more reserved IPs moved to one droplet (or detached) as a unit.
 *
 *   plan      read every address, refuse the whole cutover before anything is sent if one cannot go
 *   before    what DigitalOcean would refuse part-way, and precheck_url on the target droplet's own
 *             addresses (before-move.ts): a refusal moves nothing
 *   move      move every address in parallel (moveIp: lock-aware, never sends a change twice)
 *   verify    probe verify_url behind each moved address; when it passes, read each address once
 *             more: it must still be on the target
 *   roll back when one address could not move or verification failed, move back every address that
 *             moved, each only while it is still on the target (rollback.ts)
 *
 * Every step records what it sends in the step's journal, so that a cancelled step can report it.
 */
import type { Address } from '../inputs/address.js'
import { ungrouped, whenAborted } from '../context.js'
import type { EngineContext } from './step.js'
import { expectedProblem, moveIp } from './drive.js'
import { mustReadIp, reportRead } from './ip-read.js'
import type { VerifyInputs } from '../inputs/inputs.js'
import { probeAndHold, probeSpec, probeUrl, type ProbeResult } from './verify.js'
import { beforeMove } from './before-move.js'
import { dropletLabel, where } from '../words.js'
import { Journal } from './journal.js'
import { cancelCause, messageOf, type MoveOutcome } from './outcome.js'
import type { IpRecord } from '../do/ips.js'
import { rollBack } from './rollback.js'
import {
  failedToMove,
  moved,
  targetId,
  type AddressResult,
  type CutoverPlan,
  type CutoverResult
} from './cutover-result.js'

export * from './cutover-result.js'

export async function runCutover(
  ctx: EngineContext,
  plan: CutoverPlan,
  journal: Journal = new Journal()
): Promise<CutoverResult> {
  const startedAt = ctx.clock.now()
  const reads = await readAll(ctx, plan.addrs)
  const refused = refusal(plan, reads)
  if (refused) return { plan, addresses: reads, refused, rolledBack: false, startedAt, finishedAt: ctx.clock.now() }
  const before = await beforeMove(ctx, plan, reads)
  if (before.refused) {
    const { addresses, verified } = before
    return {
      plan,
      addresses,
      refused: before.refused,
      verified,
      rolledBack: false,
      startedAt,
      finishedAt: ctx.clock.now()
    }
  }
  ctx = before.ctx
  const addresses = await moveAll(ctx, plan, before.addresses, journal)
  const checked =
    addresses.some(failedToMove) || !plan.verify
      ? { addresses, verified: plan.verify && addresses.some(takenAway(plan)) ? false : undefined }
      : await verifyAll(ctx, plan, plan.verify, addresses)
  return finish(ctx, plan, journal, { ...checked, startedAt })
}

/**
 * The step's move completed, then another change took the address: what verification would probe
 * is not the target any more, so it fails without a probe.
 */
const takenAway =
  (plan: CutoverPlan) =>
  (a: AddressResult): boolean =>
    a.move?.changed === 'yes' && a.move.error !== undefined && a.move.final?.dropletId !== targetId(plan)

interface Checked {
  readonly addresses: readonly AddressResult[]
  readonly verified?: boolean
  readonly startedAt: number
}

/** Rolls back when the cutover must be undone and may be; reports whether every moved address is home. */
async function finish(
  ctx: EngineContext,
  plan: CutoverPlan,
  journal: Journal,
  checked: Checked
): Promise<CutoverResult> {
  const { addresses, verified, startedAt } = checked
  const cancelled = ctx.signal.aborted ? cancelCause(ctx.signal) : undefined
  const failed = addresses.some(failedToMove)
  // One address of several that could not move, or a failed verification: undo what moved.
  const undo = (failed && plan.addrs.length > 1) || verified === false
  if (cancelled || !undo || !plan.rollback || !addresses.some(moved)) {
    return { plan, addresses, verified, rolledBack: false, startedAt, finishedAt: ctx.clock.now(), cancelled }
  }
  const fresh = { ...ctx, deadline: ctx.clock.now() + plan.timeoutMs }
  const back = await rollBack(fresh, plan, addresses, journal)
  const late = ctx.signal.aborted ? cancelCause(ctx.signal) : undefined
  const finishedAt = ctx.clock.now()
  return { plan, addresses: back, verified, rolledBack: allHome(back), startedAt, finishedAt, cancelled: late }
}

/**
 * Every address this step moved reads back where it was before, and nothing of this step's may still
 * move it (a roll-back that leaves something open says so in backError).
 */
function allHome(addresses: readonly AddressResult[]): boolean {
  const home = (a: AddressResult): boolean =>
    a.backError === undefined &&
    a.back?.final !== undefined &&
    a.back.final.dropletId === (a.move?.before?.dropletId ?? null)
  const movedOnes = addresses.filter(moved)
  return movedOnes.length > 0 && movedOnes.every(home)
}

async function readAll(ctx: EngineContext, addrs: readonly Address[]): Promise<AddressResult[]> {
  return Promise.all(
    addrs.map(async (addr): Promise<AddressResult> => {
      try {
        return { addr, read: await mustReadIp(ctx, addr) }
      } catch (error) {
        return { addr, error: messageOf(error).replace(/ Nothing was changed\.$/, '') }
      }
    })
  )
}

/** Why the whole cutover must not start, judged on the first reads; undefined when it may. */
function refusal(plan: CutoverPlan, reads: readonly AddressResult[]): string | undefined {
  const problems = reads.flatMap((r) => problemsOf(plan, r))
  return problems.length > 0 ? `${problems.join('; ')}. Nothing was changed.` : undefined
}

function problemsOf(plan: CutoverPlan, r: AddressResult): string[] {
  if (r.error !== undefined || !r.read) return [r.error ?? `${r.addr.text} could not be read`]
  const ip = r.read
  const target = plan.target
  const problems: string[] = []
  if (target && target.region && ip.region && target.region !== ip.region) {
    problems.push(
      `droplet ${dropletLabel(target.id, target.name)} is in region ${target.region}, but ${ip.ip} is reserved in ${ip.region}: a reserved IP can only be assigned to a droplet in its own region`
    )
  }
  // An IP with an action in progress is judged once that action has finished (in moveIp).
  const there = ip.dropletId === targetId(plan)
  const unexpected = ip.locked || there ? undefined : expectedProblem(ip, plan.expected)
  if (unexpected) problems.push(unexpected)
  return problems
}

async function moveAll(
  ctx: EngineContext,
  plan: CutoverPlan,
  reads: readonly AddressResult[],
  journal: Journal
): Promise<AddressResult[]> {
  if (plan.addrs.length > 1) {
    ctx.log.info(`Moving ${plan.addrs.length} addresses in parallel: ${plan.addrs.map((a) => a.text).join(', ')}`)
    ctx = ungrouped(ctx)
  }
  return Promise.all(
    reads.map(async (r): Promise<AddressResult> => {
      const req = {
        addr: r.addr,
        target: targetId(plan),
        expected: plan.expected,
        wait: plan.wait,
        // The change is decided on a read made right before it: after a precheck, a fresh one.
        initial: plan.precheck ? undefined : r.read,
        observer: journal.observe(r.addr)
      }
      const move = await moveIp(ctx, req)
      if (plan.precheck) warnIfMovedMeanwhile(ctx, plan, r.read, move)
      return { ...r, move }
    })
  )
}

/** An address another change moved during the precheck is never taken from it unnoticed. */
function warnIfMovedMeanwhile(
  ctx: EngineContext,
  plan: CutoverPlan,
  first: IpRecord | undefined,
  move: MoveOutcome
): void {
  if (!move.sent || !first || !move.before || move.before.dropletId === first.dropletId) return
  const refuse = plan.expected === undefined ? ' (set expected_droplet_id to refuse that)' : ''
  ctx.log.warning(
    `${first.ip}, ${where(first)} before the precheck, was ${where(move.before)} after it: another change moved it, and this step took it from there${refuse}`
  )
}

/** Probes behind every address; when all pass, reads each address once more (it must still be on the target). */
async function verifyAll(
  ctx: EngineContext,
  plan: CutoverPlan,
  verify: VerifyInputs,
  addresses: readonly AddressResult[]
): Promise<{ addresses: AddressResult[]; verified?: boolean }> {
  const probed = await probeAll(ctx, plan, verify, addresses)
  const verified = probed.every((a) => a.probe === undefined || a.probe.passed)
  // Cancelled before verification ended: verified is '' (undefined), not false.
  if (probed.some((a) => a.probe?.cancelled)) return { addresses: probed, verified: undefined }
  if (!verified || ctx.signal.aborted) return { addresses: probed, verified }
  const confirmed = await Promise.all(probed.map(async (a) => ({ ...a, confirm: await reportRead(ctx, a.addr) })))
  return { addresses: confirmed, verified }
}

async function probeAll(
  ctx: EngineContext,
  plan: CutoverPlan,
  verify: VerifyInputs,
  addresses: readonly AddressResult[]
): Promise<AddressResult[]> {
  const spec = probeSpec(verify, ctx, plan.userAgent)
  // Addresses whose URLs are the same (no {ip} in verify_url) share one probe.
  const byUrl = new Map<string, Promise<ProbeResult>>()
  for (const a of addresses) {
    const url = probeUrl(verify.urlTemplate, a.addr)
    if (!byUrl.has(url)) byUrl.set(url, untilCancelled(ctx, url, probeAndHold(spec, url, verify.forMs)))
  }
  ctx.log.info(`Verifying: probing ${[...byUrl.keys()].join(', ')} for up to ${verify.timeoutMs / 1000} s`)
  return Promise.all(
    addresses.map(async (a) => ({ ...a, probe: await byUrl.get(probeUrl(verify.urlTemplate, a.addr)) }))
  )
}

/** A probe's result, or a failed one as soon as the step is cancelled. */
function untilCancelled(ctx: EngineContext, url: string, probe: Promise<ProbeResult>): Promise<ProbeResult> {
  const cancelled = whenAborted(ctx.signal).then((): ProbeResult => ({
    url,
    passed: false,
    probes: 0,
    last: 'not finished: the step was cancelled',
    answered: false,
    cancelled: true
  }))
  return Promise.race([probe, cancelled])
}
