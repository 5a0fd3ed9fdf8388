/**
 * The context every engine function takes: the step's context (clock, deadline, signal, logger)
 * and the API client bound to it. The client is always derived from the same step context, so a
 * request and the wait around it never disagree on the deadline or the signal.
 */
import type { ApiClient } from '../transport/http.js'
import { CancelledError, timeLeft, type StepContext } from '../context.js'

export interface EngineContext extends StepContext {
  readonly api: ApiClient
}

/** The engine's context of a client: the client's own step context. */
export function engineContext(api: ApiClient): EngineContext {
  return { ...api.step, api }
}

/** The same context with a changed deadline, signal or logger; the client follows. */
export function within(ctx: EngineContext, changes: Partial<StepContext> & { maxAttempts?: number }): EngineContext {
  return engineContext(ctx.api.within(changes))
}

/** A duration of the action's own schedule (nominal ms) in clock ms. */
export const scaled = (ctx: EngineContext, ms: number): number => ctx.clock.scaled(ms)

/** Sleeps ms clock milliseconds; throws CancelledError when the step is cancelled before or during it. */
export async function pause(ctx: EngineContext, ms: number): Promise<void> {
  if (ctx.signal.aborted) throw new CancelledError()
  await ctx.clock.sleep(ms, ctx.signal)
  if (ctx.signal.aborted) throw new CancelledError()
}

/** Log groups do not nest: steps that run side by side log without them. */
export function ungrouped(ctx: EngineContext): EngineContext {
  const log = ctx.log
  return within(ctx, {
    log: {
      info: (m) => log.info(m),
      warning: (m) => log.warning(m),
      debug: (m) => log.debug(m)
    }
  })
}

export { timeLeft }
