/**
 * What every layer below main.ts is given instead of reaching for globals: the step's clock, its
 * deadline, its cancellation signal and its logger.
 *
 *  - The clock is the only source of time and of sleeps. Its `scaled` turns a duration of the
 *    action's own schedule (polls, re-reads, backoff, watches) into clock milliseconds: tests run
 *    that schedule faster against a simulator whose clock is sped up by the same factor.
 *  - The signal is aborted when the runner cancels the step: no request starts after it, requests
 *    in flight are aborted, and every sleep ends at once.
 *
 * The context is passed to each call that may wait or send a request. Nothing holds on to it: a
 * narrower deadline (a fresh timeout for a roll-back, a grace for the last read) is a new context
 * object, `{ ...ctx, deadline }`, handed to the same long-lived HTTP client.
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

/** Sleeps ms clock milliseconds; throws CancelledError when the step is cancelled before or during it. */
export async function pause(ctx: StepContext, ms: number): Promise<void> {
  if (ctx.signal.aborted) throw new CancelledError()
  await ctx.clock.sleep(ms, ctx.signal)
  if (ctx.signal.aborted) throw new CancelledError()
}

/** The same context whose log has no groups: log groups do not nest, so steps that run side by side log without them. */
export function ungrouped<C extends StepContext>(ctx: C): C {
  const log = ctx.log
  return {
    ...ctx,
    log: { info: (m) => log.info(m), warning: (m) => log.warning(m), debug: (m) => log.debug(m) }
  }
}

/** Resolves when the signal is aborted (never, when it never is). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
