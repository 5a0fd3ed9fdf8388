/**
 * What a failed change request means, for every change the engine sends (assign, unassign, a
 * roll-back, create, a release): one place decides which answers are clear and which are not.
 * An unclear answer (lost, cut short, a 5xx, unreadable, cancelled in flight) may have taken
 * effect: the change protocol reads before anything else. A request that never went out (cancelled
 * before it, or answered 429 until the client gave up) changed nothing.
 */
import { ApiError, CancelledInFlightError, GaveUpError, TransportError } from '../transport/http.js'
import { CancelledError } from '../context.js'
import { messageOf } from './outcome.js'

export type Failure =
  /** It may have taken effect. */
  | { readonly kind: 'unclear'; readonly reason: string }
  /** It never went out. */
  | { readonly kind: 'not-sent'; readonly error: string }
  /** 422 pending event: nothing was done. `droplet`: the message names the droplet's own event. */
  | { readonly kind: 'pending'; readonly message: string; readonly droplet: boolean }
  /** DigitalOcean's clear refusal: nothing was done. */
  | { readonly kind: 'refused'; readonly error: ApiError }

export function failureOf(error: unknown): Failure {
  if (error instanceof CancelledInFlightError) return { kind: 'unclear', reason: error.message }
  if (error instanceof CancelledError || error instanceof GaveUpError) return { kind: 'not-sent', error: error.message }
  if (error instanceof ApiError && error.isPendingEvent) {
    return { kind: 'pending', message: error.apiMessage, droplet: namesDroplet(error.apiMessage) }
  }
  if (error instanceof TransportError) return { kind: 'unclear', reason: error.reason }
  if (error instanceof ApiError && error.status >= 500) {
    return { kind: 'unclear', reason: `HTTP ${error.status}${error.errorId ? ` ${error.errorId}` : ''}` }
  }
  if (error instanceof ApiError) return { kind: 'refused', error }
  // A success whose body could not be read: it went through, but what it did is not known.
  return { kind: 'unclear', reason: messageOf(error) }
}

/** "Droplet already has a pending event": the droplet's own event, not the address's. */
const namesDroplet = (message: string): boolean =>
  /droplet/i.test(message) && !/floating|reserved|\bip\b|\/ip/i.test(message)
