/**
 * The release of one reserved IP: read it again just before, and release it only while it is
 * assigned to no droplet and not busy. Used by delete (which waits out a busy IP) and prune (which
 * spares it).
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import { ApiError } from '../transport/http.js'
import { pendingBackoff, waitBeforeRetry } from './ip-read.js'
import type { EngineContext } from './step.js'

export type ReleaseOutcome =
  | { readonly kind: 'released'; readonly record: IpRecord }
  | { readonly kind: 'gone' }
  | { readonly kind: 'assigned'; readonly record: IpRecord }
  | { readonly kind: 'busy'; readonly record: IpRecord; readonly reason: string }
  /** `beforeDelete` said no: the IP was read, and nothing was sent to release it. */
  | { readonly kind: 'stopped'; readonly record: IpRecord }

export interface ReleaseOptions {
  /** Wait out a pending event (within the timeout) instead of reporting the IP busy. */
  readonly waitWhileBusy: boolean
  /** Asked just before the delete is sent; false sends nothing (the step is stopping). */
  readonly beforeDelete?: () => boolean
}

/** Re-reads the IP and releases it only while it is assigned to no droplet and not busy. */
export async function releaseIfFree(
  ctx: EngineContext,
  addr: Address,
  options: ReleaseOptions
): Promise<ReleaseOutcome> {
  for (let round = 1; ; round++) {
    const record = await ctx.api.ips.get(ctx, addr)
    if (record === null) return { kind: 'gone' }
    if (record.dropletId !== null) return { kind: 'assigned', record }
    let busy = record.locked ? 'an action is in progress on it' : ''
    if (!busy) {
      if (options.beforeDelete && !options.beforeDelete()) return { kind: 'stopped', record }
      try {
        const deleted = await ctx.api.ips.delete(ctx, addr)
        return deleted ? { kind: 'released', record } : { kind: 'gone' }
      } catch (error) {
        if (!(error instanceof ApiError && error.isPendingEvent)) throw error
        busy = `pending event: ${error.apiMessage}`
      }
    }
    if (!options.waitWhileBusy) return { kind: 'busy', record, reason: busy }
    const delay = pendingBackoff(round)
    ctx.log.info(`${addr.text} is busy (${busy}); waiting ${Math.round(delay)} ms before trying again`)
    await waitBeforeRetry(ctx, delay, `waiting for ${addr.text} to be free of pending events`)
  }
}
