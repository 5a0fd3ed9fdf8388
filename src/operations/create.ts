/**
 * create: reserves a new IP. IPv4 in a region, or straight onto a droplet in one call; IPv6 in a
 * region, then assigned when a droplet is given. The create request is sent exactly once.
 */
import type { Address } from '../inputs/address.js'
import { createIp, type IpRecord } from '../do/ips.js'
import { resolveDroplet, withRegion } from '../do/droplets.js'
import { ApiError, TransportError, secs } from '../transport/http.js'
import { moveIp } from '../engine/move.js'
import { lastRead, OperationError, readIpSettling, readUntil } from '../engine/ip-read.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../report/result.js'
import { waitForAction, waitUntil } from '../engine/wait.js'
import type { OperationContext } from './context.js'

export async function create(op: OperationContext): Promise<OperationResult> {
  const { inputs, engine: ctx } = op
  const version = inputs.ipVersion ?? 4
  const started = ctx.clock.now()
  let target = inputs.droplet ? await resolveDroplet(ctx.api, inputs.droplet) : undefined
  if (target && (version === 6 || inputs.region)) {
    // IPv6 is reserved in the droplet's region; a region given beside a droplet must agree with it.
    target = await withRegion(ctx.api, target, 'Nothing was reserved.')
    if (inputs.region && target.region !== inputs.region) {
      throw new OperationError(
        `region: droplet ${dropletLabel(target.id, target.name)} is in ${target.region}, not ${inputs.region}; a reserved IP can only be assigned to a droplet in its own region. Nothing was reserved.`
      )
    }
  }
  const region = inputs.region ?? target?.region
  const where = target && version === 4 ? `on droplet ${dropletLabel(target.id, target.name)}` : `in ${region}`
  ctx.log.info(`Reserving a new IPv${version} address ${where}`)

  let created: { record: IpRecord; actionId?: number }
  try {
    created = await createIp(ctx.api, {
      version,
      region: version === 6 || !target ? region : undefined,
      dropletId: version === 4 ? target?.id : undefined,
      projectId: inputs.projectId
    })
  } catch (error) {
    if (error instanceof TransportError || (error instanceof ApiError && error.status >= 500)) {
      throw new OperationError(
        `The request to reserve a new IPv${version} address got no clear answer (${error instanceof TransportError ? error.reason : `HTTP ${error.status}`}). It was not sent again, because a repeat could reserve a second address. An address may have been reserved anyway: run this action with operation: list${region ? ` and region: ${region}` : ''} (ip_version: ${version}) to find it, and delete it if it is not wanted.`
      )
    }
    throw error
  }

  const addr: Address = { text: created.record.ip, version }
  ctx.log.info(`Reserved ${addr.text}${created.record.region ? ` in ${created.record.region}` : ''}`)
  const outputs = { ...emptyOutputs(), ...ipOutputs(created.record), changed: 'true' }
  let final = created.record
  let error: string | undefined

  if (target && version === 4 && created.actionId !== undefined) {
    const actionId = created.actionId
    outputs.action_id = String(actionId)
    outputs.action_status = 'in-progress'
    if (inputs.wait) {
      const t0 = ctx.clock.now()
      ctx.log.info(`Action ${actionId} assigns it to droplet ${target.id}; waiting for DigitalOcean to finish it`)
      let status: 'completed' | 'errored' | 'timeout'
      try {
        status = (
          await waitForAction(ctx, actionId, {
            startedAt: t0,
            describe: `assign ${addr.text} to droplet ${target.id}`,
            settled: async () => (await readIpSettling(ctx, addr, 1))?.dropletId === target?.id
          })
        ).status
      } catch {
        status = 'timeout'
      }
      outputs.action_status = status === 'timeout' ? 'in-progress' : status
      if (status === 'timeout') {
        error = `${addr.text} was reserved, but action ${actionId} assigning it to droplet ${target.id} had not finished when the step's timeout ran out. Look it up with GET /v2/actions/${actionId}.`
      } else if (status === 'errored') {
        error = `${addr.text} was reserved, but DigitalOcean reports that action ${actionId} assigning it to droplet ${target.id} errored. The address stays reserved (and billed): assign it, or release it with operation: delete.`
      }
      final =
        (status === 'timeout'
          ? await lastRead(ctx, addr)
          : await readUntil(ctx, addr, (ip) => ip.dropletId === target?.id)) ?? final
    }
  } else if (target && version === 4 && inputs.wait && created.record.dropletId !== target.id) {
    // No action was linked in the answer: watch the IP until it shows the droplet.
    const droplet = target.id
    ctx.log.info(`Waiting for ${addr.text} to show droplet ${droplet}`)
    const done = await waitUntil(
      ctx,
      ctx.clock.now(),
      async () => (await readIpSettling(ctx, addr, 1))?.dropletId === droplet
    )
    if (!done)
      error = `${addr.text} was reserved, but it did not show droplet ${droplet} before the step's timeout ran out.`
    final = (done ? await readIpSettling(ctx, addr) : await lastRead(ctx, addr)) ?? final
  } else if (target && version === 6) {
    try {
      // A just-reserved address can read 404 for a moment: see it before acting on it.
      await readIpSettling(ctx, addr)
      const outcome = await moveIp(ctx, { addr, target: target.id, wait: inputs.wait })
      final = outcome.final.raw === null ? final : outcome.final
      outputs.action_id = outcome.actionId === undefined ? '' : String(outcome.actionId)
      outputs.action_status = outcome.actionStatus
      if (outcome.error) error = `${addr.text} was reserved, but assigning it failed: ${outcome.error}`
    } catch (e) {
      error = `${addr.text} was reserved in ${created.record.region || region}, but assigning it to droplet ${target.id} failed: ${(e as Error).message}. The address stays reserved (and billed): assign it, or release it with operation: delete.`
    }
  }
  Object.assign(outputs, ipOutputs(final))
  outputs.changed = 'true'
  return {
    outputs,
    error,
    summary: {
      title: `Reserved IP created: ${addr.text}`,
      tables: [
        {
          header: ['IP', 'Version', 'Region', 'Droplet', 'Action', 'Status', 'Time taken'],
          rows: [
            [
              addr.text,
              `IPv${version}`,
              final.region || region || '',
              dropletLabel(final.dropletId, final.dropletName),
              outputs.action_id || '-',
              outputs.action_status || '-',
              secs(ctx.clock.now() - started)
            ]
          ]
        }
      ],
      notes: ['A reserved IP is billed while it is assigned to no droplet.']
    }
  }
}
