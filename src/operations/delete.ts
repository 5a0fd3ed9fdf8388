/** delete: releases a reserved IP. Refuses while it is assigned; already gone is success. */
import type { Address } from '../inputs/address.js'
import { deleteIp, readIp, type IpRecord } from '../do/ips.js'
import { ApiError, type ApiClient } from '../transport/http.js'
import { OperationError, pendingBackoff, waitBeforeRetry } from '../engine/ip-read.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../report/result.js'
import type { OperationContext } from './context.js'
import { engineContext } from '../engine/context.js'

export type ReleaseOutcome =
  | { readonly kind: 'released'; readonly record: IpRecord }
  | { readonly kind: 'gone' }
  | { readonly kind: 'assigned'; readonly record: IpRecord }
  | { readonly kind: 'busy'; readonly record: IpRecord; readonly reason: string }

/**
 * Re-reads the IP and releases it only while it is assigned to no droplet and not busy.
 * With `waitWhileBusy`, a pending event is waited out (within the timeout) instead of reported.
 */
export async function releaseIfFree(client: ApiClient, addr: Address, waitWhileBusy: boolean): Promise<ReleaseOutcome> {
  for (let round = 1; ; round++) {
    const record = await readIp(client, addr)
    if (record === null) return { kind: 'gone' }
    if (record.dropletId !== null) return { kind: 'assigned', record }
    let busy = record.locked ? 'an action is in progress on it' : ''
    if (!busy) {
      try {
        const deleted = await deleteIp(client, addr)
        return deleted ? { kind: 'released', record } : { kind: 'gone' }
      } catch (error) {
        if (!(error instanceof ApiError && error.isPendingEvent)) throw error
        busy = `pending event: ${error.apiMessage}`
      }
    }
    if (!waitWhileBusy) return { kind: 'busy', record, reason: busy }
    const delay = pendingBackoff(round)
    client.log.info(`${addr.text} is busy (${busy}); waiting ${Math.round(delay)} ms before trying again`)
    await waitBeforeRetry(engineContext(client), delay, `waiting for ${addr.text} to be free of pending events`)
  }
}

export async function remove(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  const addr = inputs.ip
  if (!addr) throw new Error('delete needs ip')
  const outcome = await releaseIfFree(client, addr, true)
  const outputs = { ...emptyOutputs(), ip: addr.text, ip_version: String(addr.version) }
  if (outcome.kind === 'assigned') {
    const r = outcome.record
    throw new OperationError(
      `${addr.text} is assigned to droplet ${dropletLabel(r.dropletId, r.dropletName)}; it was not released. Unassign it first (operation: unassign) if it really is to go.`
    )
  }
  if (outcome.kind === 'gone') {
    client.log.info(`${addr.text} is not reserved in this account (already released); nothing to do`)
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
  Object.assign(outputs, ipOutputs(outcome.record), { droplet_id: '', json: '', changed: 'true' })
  client.log.info(`Released ${addr.text}`)
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
