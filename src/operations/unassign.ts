/** unassign: detaches one or more reserved IPs from their droplets as one cutover (see cutover.ts). */
import { runCutover, type CutoverPlan } from '../engine/cutover.js'
import { cutoverReport } from '../report/cutover-report.js'
import type { DropletRef } from '../do/droplets.js'
import type { OperationResult } from '../report/result.js'
import type { CutoverInputs, UnassignInputs } from '../inputs/inputs.js'
import type { OperationContext } from './operation.js'

/** The cutover the inputs ask for, to the target droplet (null: to none); assign adds its probes. */
export function cutoverPlan(ctx: OperationContext<CutoverInputs>, target: DropletRef | null): CutoverPlan {
  const { inputs } = ctx
  return {
    addrs: inputs.ips,
    target,
    expected: inputs.expectedDropletId,
    wait: inputs.wait,
    rollback: inputs.rollback,
    timeoutMs: inputs.timeoutMs,
    userAgent: ctx.userAgent
  }
}

export async function unassign(ctx: OperationContext<UnassignInputs>): Promise<OperationResult> {
  return cutoverReport(await runCutover(ctx.engine, cutoverPlan(ctx, null), ctx.journal))
}
