/**
 * The change protocol of a create: a pure state machine in the style of protocol.ts.
 * `nextCreate(state, observation)` says what to do next; create.ts performs it.
 *
 *   guard   onto a droplet, read it right before sending: a reserved IPv6 needs IPv6 enabled, and
 *           an IPv4 goes only to a droplet that holds no reserved IPv4 already (named when it does)
 *   send    on the step's record first, then once; a 422 pending event (the droplet is busy:
 *           nothing was reserved) is waited out within the timeout, and the droplet read again
 *   find    after an unclear answer, never a second create: read what names an address that may
 *           have been reserved (the list, for a create onto a droplet), then report it as unknown
 *
 * A create accepted ends in `reserved`; assigning it (and confirming that by a read) is the move's
 * protocol, whose outcome the report joins to this one.
 */
import type { Created, IpRecord } from '../do/ips.js'
import type { IpVersion } from '../inputs/address.js'
import { pendingBackoff } from './protocol.js'

export interface CreatePlan {
  readonly version: IpVersion
  /** The droplet the new address is for (read right before the create). */
  readonly target?: number
  /** The droplet the create itself names (an IPv4 onto a droplet, in one call). */
  readonly dropletId?: number
}

export type CreateAnswer =
  | { readonly kind: 'accepted'; readonly created: Created }
  | { readonly kind: 'pending'; readonly message: string }
  | { readonly kind: 'unclear'; readonly reason: string }
  | { readonly kind: 'refused' | 'not-sent'; readonly error: string }

export type CreateSeen =
  | { readonly kind: 'start' }
  /** The droplet as read right before the create: `problem` when it cannot take the address. */
  | { readonly kind: 'guarded'; readonly problem?: string }
  | { readonly kind: 'guard-failed'; readonly error: string }
  | { readonly kind: 'answer'; readonly answer: CreateAnswer }
  | { readonly kind: 'paused' }
  | { readonly kind: 'stopped'; readonly why: string }
  /** After an unclear answer: an address found on the droplet, if any. */
  | { readonly kind: 'found'; readonly record?: IpRecord }

export type CreateEffect =
  /** Read the droplet (IPv6 enabled; for an IPv4, the reserved IPv4 it holds). */
  | { readonly kind: 'guard'; readonly dropletId: number }
  /** Record the create on the step's record, then send it once. */
  | { readonly kind: 'send' }
  /** Sleep (nominal ms, with jitter); `stopped` when the timeout would run out first. */
  | { readonly kind: 'pause'; readonly ms: number; readonly what: string }
  /** Read the list for an address on the droplet (in the report's grace). */
  | { readonly kind: 'find'; readonly dropletId: number }
  | { readonly kind: 'done'; readonly outcome: CreateOutcome }

export type CreateOutcome =
  /** Accepted: the address exists (and is billed) whatever happens next. */
  | { readonly kind: 'reserved'; readonly created: Created }
  /** Nothing was reserved: a guard, DigitalOcean's refusal, or it never went out. */
  | { readonly kind: 'not-reserved'; readonly error: string }
  /** No clear answer: an address may have been reserved; `found` names one on the droplet. */
  | { readonly kind: 'lost'; readonly reason: string; readonly found?: IpRecord }

export interface CreateState {
  readonly plan: CreatePlan
  readonly phase: 'guard' | 'send' | 'find'
  /** Pending events met (the backoff grows with them). */
  readonly round: number
  readonly reason?: string
}

export interface CreateStep {
  readonly state: CreateState
  readonly effect: CreateEffect
  readonly say?: string
}

export const initialCreate = (plan: CreatePlan): CreateState => ({ plan, phase: 'guard', round: 0 })

const go = (state: CreateState, effect: CreateEffect, say?: string): CreateStep => ({ state, effect, say })
const done = (state: CreateState, outcome: CreateOutcome): CreateStep => go(state, { kind: 'done', outcome })
const notReserved = (state: CreateState, error: string): CreateStep =>
  done(state, {
    kind: 'not-reserved',
    error: / Nothing was reserved\.$/.test(error) ? error : `${error} Nothing was reserved.`
  })

/** The create's one transition function. */
export function nextCreate(state: CreateState, seen: CreateSeen): CreateStep {
  switch (seen.kind) {
    case 'start':
    case 'paused':
      // Onto a droplet: read it right before sending (again after a pending event).
      if (state.plan.target === undefined) return go({ ...state, phase: 'send' }, { kind: 'send' })
      return go({ ...state, phase: 'guard' }, { kind: 'guard', dropletId: state.plan.target })
    case 'guarded':
      if (seen.problem) return notReserved(state, seen.problem)
      return go({ ...state, phase: 'send' }, { kind: 'send' })
    case 'guard-failed':
      return notReserved(state, seen.error)
    case 'answer':
      return answered(state, seen.answer)
    case 'stopped':
      return notReserved(state, seen.why)
    case 'found':
      return done(state, { kind: 'lost', reason: state.reason ?? '', found: seen.record })
  }
}

function answered(state: CreateState, answer: CreateAnswer): CreateStep {
  switch (answer.kind) {
    case 'accepted':
      return done(state, { kind: 'reserved', created: answer.created })
    case 'pending': {
      // Nothing was reserved: the droplet is busy. Waited out, then read and sent again.
      const round = state.round + 1
      const ms = pendingBackoff(round)
      const say = `Droplet ${state.plan.target ?? ''} has a pending event (DigitalOcean: "${answer.message}"); nothing was reserved. Trying again in up to ${ms / 1000} s.`
      const what = `waiting for a pending event on droplet ${state.plan.target ?? ''} to clear; nothing was reserved`
      return go({ ...state, round }, { kind: 'pause', ms, what }, say)
    }
    case 'unclear': {
      // Never sent again: a repeat could reserve (and bill) a second address.
      const now = { ...state, phase: 'find' as const, reason: answer.reason }
      if (state.plan.dropletId === undefined) return done(now, { kind: 'lost', reason: answer.reason })
      const say = `No clear answer to the create (${answer.reason}); it is not sent again. Reading the reserved IPv${state.plan.version} addresses for one on droplet ${state.plan.dropletId}`
      return go(now, { kind: 'find', dropletId: state.plan.dropletId }, say)
    }
    case 'refused':
    case 'not-sent':
      return notReserved(state, answer.error)
  }
}
