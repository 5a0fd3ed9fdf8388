/** assign: moves one or more reserved IPs to the target droplet as one cutover (see cutover.ts). */
import { runCutover } from '../cutover.js'
import { cutoverReport } from '../cutover-report.js'
import { readDroplet, resolveDroplet, type DropletRef } from '../droplets.js'
import { OperationError } from '../ip-read.js'
import type { OperationResult } from '../result.js'
import type { OperationContext } from './context.js'
import { cutoverPlan } from './unassign.js'

export async function assign(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  if (!inputs.droplet) throw new Error('assign needs a droplet')
  let target = await resolveDroplet(client, inputs.droplet)
  if (inputs.ips.length > 1) target = await withRegion(ctx, target)
  return cutoverReport(await runCutover(client, cutoverPlan(ctx, target)))
}

/**
 * Several addresses move all or nothing: the droplet's region is read (droplet_id alone does not
 * give it), so that an address in another region stops the cutover before anything moves.
 */
async function withRegion(ctx: OperationContext, target: DropletRef): Promise<DropletRef> {
  if (target.region) return target
  const read = await readDroplet(ctx.client, target.id)
  if (!read)
    throw new OperationError(`droplet_id: droplet ${target.id} was not found in this account. Nothing was changed.`)
  return read
}
