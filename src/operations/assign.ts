/** assign: moves one or more reserved IPs to the target droplet as one cutover (see cutover.ts). */
import { runCutover } from '../engine/cutover.js'
import { cutoverReport } from '../report/cutover-report.js'
import { resolveDroplet, withRegion } from '../do/droplets.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './context.js'
import { cutoverPlan } from './unassign.js'

export async function assign(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  if (!inputs.droplet) throw new Error('assign needs a droplet')
  let target = await resolveDroplet(client, inputs.droplet)
  // Several addresses move all or nothing: with the droplet's region known, an address in another
  // region stops the cutover before anything moves.
  if (inputs.ips.length > 1) target = await withRegion(client, target, 'Nothing was changed.')
  return cutoverReport(await runCutover(ctx.engine, cutoverPlan(ctx, target), ctx.journal))
}
