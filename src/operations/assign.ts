/** assign: moves one or more reserved IPs to the target droplet as one cutover (see cutover.ts). */
import { runCutover } from '../cutover.js'
import { cutoverReport } from '../cutover-report.js'
import { resolveDroplet } from '../droplets.js'
import type { OperationResult } from '../result.js'
import type { OperationContext } from './context.js'
import { cutoverPlan } from './unassign.js'

export async function assign(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  if (!inputs.droplet) throw new Error('assign needs a droplet')
  const target = await resolveDroplet(client, inputs.droplet)
  return cutoverReport(await runCutover(client, cutoverPlan(ctx, target)))
}
