/**
 * What every layer below main.ts is given instead of reaching for globals: the step's clock, its
 * deadline, its cancellation signal and its logger.
 *
 *  - The clock is the only source of time and of sleeps. Its `scaled` turns a duration of the
 *    action's own schedule (polls, re-reads, backoff, watches) into clock milliseconds: tests run
 *    that schedule faster against a simulator whose clock is sped up by the same factor.
 *  - The signal is aborted when the runner cancels the step: no request starts after it, requests
 *    in flight are aborted, and every sleep ends at once.
 */
import type { Logger } from './logger.js'

export interface Clock {
  /** Epoch ms. */
  now(): number
  /** Resolves after ms clock milliseconds, or at once when the signal is (or becomes) aborted. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** A duration of the action's own schedule (nominal ms) in clock ms. */
  scaled(ms: number): number
}

export interface StepContext {
  /** Aborted when the step is cancelled. */
  readonly signal: AbortSignal
  /** Epoch ms (on the clock) after which no request is started and no wait goes on. */
  readonly deadline: number
  readonly clock: Clock
  readonly log: Logger
}

/** The step was cancelled: thrown by whatever would have started a request or gone on waiting. */
export class CancelledError extends Error {
  constructor(what = 'the step was cancelled') {
    super(what)
    this.name = 'CancelledError'
  }
}

/** Sleeps on setTimeout; an aborted signal ends the sleep at once. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * The real clock (Date.now, read at each call so that tests that stop Date can move it), with the
 * action's schedule sped up by timeScale (default 1: as it is).
 */
export function systemClock(timeScale = 1): Clock {
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`)
  return {
    now: () => Date.now(),
    sleep: abortableSleep,
    scaled: (ms) => ms / timeScale
  }
}

/** A signal that is never aborted, for contexts that cannot be cancelled. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal

/** Throws CancelledError when the step has been cancelled. */
export function throwIfCancelled(ctx: Pick<StepContext, 'signal'>, what?: string): void {
  if (ctx.signal.aborted) throw new CancelledError(what)
}

/** Milliseconds left until the deadline (0 when it has passed). */
export function timeLeft(ctx: Pick<StepContext, 'deadline' | 'clock'>): number {
  return Math.max(0, ctx.deadline - ctx.clock.now())
}

/** The same context with some of its parts changed. */
export function deriveStep(ctx: StepContext, changes: Partial<StepContext>): StepContext {
  return { ...ctx, ...changes }
}

/** Resolves when the signal is aborted (never, when it never is). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
