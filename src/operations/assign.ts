/** assign: moves one or more reserved IPs to the target droplet as one cutover (see cutover.ts). */
import { runCutover } from '../engine/cutover.js'
import { cutoverReport } from '../report/cutover-report.js'
import type { OperationResult } from '../report/result.js'
import type { AssignInputs } from '../inputs/inputs.js'
import type { OperationContext } from './operation.js'
import { cutoverPlan } from './unassign.js'

export async function assign(ctx: OperationContext<AssignInputs>): Promise<OperationResult> {
  const { engine, inputs } = ctx
  let target = await engine.api.droplets.resolve(engine, inputs.droplet)
  // Several addresses move all or nothing: with the droplet's region known, an address in another
  // region stops the cutover before anything moves.
  if (inputs.ips.length > 1) target = await engine.api.droplets.withRegion(engine, target, 'Nothing was changed.')
  const plan = { ...cutoverPlan(ctx, target), verify: inputs.verify, precheck: inputs.precheck }
  return cutoverReport(await runCutover(engine, plan, ctx.journal))
}
