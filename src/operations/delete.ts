/** delete: releases a reserved IP. Refuses while it is assigned; already gone is success. */
import { OperationError } from '../engine/ip-read.js'
import { releaseIfFree } from '../engine/release.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../report/result.js'
import type { OperationContext } from './operation.js'

export async function remove(ctx: OperationContext): Promise<OperationResult> {
  const { engine, inputs } = ctx
  const addr = inputs.ip
  if (!addr) throw new Error('delete needs ip')
  const outcome = await releaseIfFree(engine, addr, { waitWhileBusy: true })
  const outputs = { ...emptyOutputs(), ip: addr.text, ip_version: String(addr.version) }
  if (outcome.kind === 'assigned') {
    const r = outcome.record
    throw new OperationError(
      `${addr.text} is assigned to droplet ${dropletLabel(r.dropletId, r.dropletName)}; it was not released. Unassign it first (operation: unassign) if it really is to go.`
    )
  }
  if (outcome.kind === 'gone') {
    engine.log.info(`${addr.text} is not reserved in this account (already released); nothing to do`)
    return {
      outputs,
      summary: {
        title: 'Reserved IP: delete (no change)',
        tables: [{ header: ['IP', 'Result'], rows: [[addr.text, 'already released']] }],
        notes: []
      }
    }
  }
  if (outcome.kind === 'busy') throw new OperationError(`${addr.text} is busy (${outcome.reason}); it was not released`)
  if (outcome.kind === 'stopped') throw new OperationError(`${addr.text} was not released: the step is stopping`)
  Object.assign(outputs, ipOutputs(outcome.record), { droplet_id: '', json: '', changed: 'true' })
  engine.log.info(`Released ${addr.text}`)
  return {
    outputs,
    summary: {
      title: `Reserved IP released: ${addr.text}`,
      tables: [
        {
          header: ['IP', 'Version', 'Region', 'Result'],
          rows: [[addr.text, `IPv${addr.version}`, outcome.record.region, 'released']]
        }
      ],
      notes: []
    }
  }
}
