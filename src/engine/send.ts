/**
 * Sending one assign or unassign, and what its answer means: accepted (an action), a pending event
 * (busy: nothing was done), unclear (lost, cut short, 5xx, cancelled in flight: it may have taken
 * effect), refused (a clear answer that changed nothing), or not sent at all.
 */
import type { Address } from '../inputs/address.js'
import type { ActionRecord, IpActionRequest } from '../do/actions.js'
import { ApiError, CancelledInFlightError, GaveUpError, TransportError } from '../transport/http.js'
import { CancelledError } from '../context.js'
import type { EngineContext } from './step.js'

export type Answer =
  | { readonly kind: 'accepted'; readonly action: ActionRecord }
  | { readonly kind: 'pending'; readonly message: string }
  | { readonly kind: 'unclear'; readonly reason: string }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'not-sent'; readonly error: string; readonly cancelled: boolean }

export function actionRequest(target: number | null): IpActionRequest {
  return target === null ? { type: 'unassign' } : { type: 'assign', dropletId: target }
}

/** Sends the change once; never throws. */
export async function sendOnce(ctx: EngineContext, addr: Address, target: number | null): Promise<Answer> {
  try {
    return { kind: 'accepted', action: await ctx.api.actions.start(ctx, addr, actionRequest(target)) }
  } catch (error) {
    return classify(error, addr, target)
  }
}

function classify(error: unknown, addr: Address, target: number | null): Answer {
  if (error instanceof CancelledInFlightError) return { kind: 'unclear', reason: error.message }
  if (error instanceof CancelledError) return { kind: 'not-sent', error: error.message, cancelled: true }
  // No attempt went out, or each was answered 429 (not processed): nothing was sent.
  if (error instanceof GaveUpError) return { kind: 'not-sent', error: error.message, cancelled: false }
  if (error instanceof ApiError && error.isPendingEvent) return { kind: 'pending', message: error.apiMessage }
  if (error instanceof TransportError) return { kind: 'unclear', reason: error.reason }
  if (error instanceof ApiError && error.status >= 500) {
    return { kind: 'unclear', reason: `HTTP ${error.status}${error.errorId ? ` ${error.errorId}` : ''}` }
  }
  if (error instanceof ApiError) return { kind: 'refused', error: explainRefusal(error, addr, target) }
  // A success whose body holds no action: it went through, but which action is not known.
  return { kind: 'unclear', reason: error instanceof Error ? error.message : String(error) }
}

/** Adds what the user needs to know to DigitalOcean's refusals of an action. */
function explainRefusal(error: ApiError, addr: Address, target: number | null): string {
  if (target === null) return error.message
  if (error.status === 422 && /region/i.test(error.apiMessage)) {
    return `Droplet ${target} is in another region than ${addr.text}: a reserved IP can only be assigned to a droplet in its own region. ${error.message}`
  }
  if (
    error.status === 404 ||
    (error.status === 422 && /droplet/i.test(error.apiMessage) && /not found|exist/i.test(error.apiMessage))
  ) {
    return `Droplet ${target} was not found in this account. ${error.message}`
  }
  if (error.status === 422 && addr.version === 6 && /ipv6/i.test(error.apiMessage)) {
    return `Droplet ${target} refused ${addr.text}: a reserved IPv6 needs a droplet with IPv6 enabled. ${error.message}`
  }
  if (error.status === 422 && addr.version === 4 && /reserved|floating|already/i.test(error.apiMessage)) {
    return `Droplet ${target} refused ${addr.text}: a droplet holds one reserved IPv4 at a time; if it holds another, unassign that first. ${error.message}`
  }
  return error.message
}
