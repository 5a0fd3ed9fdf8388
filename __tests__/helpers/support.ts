/** Shared test support: run the action in-process, or as the runner runs dist/index.js, against the simulator. */
import { jest } from '@jest/globals'
import { runAction } from '../../scripts/run-action.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { runOperation, TEST_TIME_SCALE_VAR, type RunOptions } from '../../src/run.js'
import type { OperationResult } from '../../src/report/result.js'
import { NEVER_ABORTED, systemClock, type StepContext } from '../../src/context.js'
import { digitalOcean } from '../../src/do/digitalocean.js'
import type { EngineContext } from '../../src/engine/step.js'
import type { ApiClient } from '../../src/transport/http.js'
import type { RequestFilter, SimRequest, Simulator } from '../../sim/simulator.js'

export const TOKEN = 'sim-token'

/**
 * In-process runs go this many times faster than real time: the action's own schedule (polls,
 * re-reads, pending-event backoff, lost-answer watches) is divided by it, and so must be the
 * simulator's durations that stand for DigitalOcean's (see simMs).
 */
export const TIME_SCALE = 20

/** A duration of DigitalOcean's (an action, a lock, a read lag) in simulator ms at TIME_SCALE. */
export const simMs = (ms: number): number => ms / TIME_SCALE

export interface InProcessRun {
  readonly result?: OperationResult
  /** The error the step failed with, thrown or returned with its result. */
  readonly error?: Error
  readonly logs: string[]
}

/** Fast client settings for tests: the schedule at TIME_SCALE, short backoff, short per-request limit. */
export const FAST_CLIENT: RunOptions['client'] = {
  requestTimeoutMs: 1500,
  baseDelayMs: 10,
  maxDelayMs: 50,
  retryBudgetMs: 20_000,
  timeScale: TIME_SCALE
}

/** Runs one operation in-process, as main.ts would, and returns its result or the error it failed with. */
export async function runInProcess(
  url: string,
  values: Record<string, string>,
  client: RunOptions['client'] = FAST_CLIENT
): Promise<InProcessRun> {
  const logs: string[] = []
  const log = {
    info: (m: string) => logs.push(m),
    warning: (m: string) => logs.push(`warning: ${m}`),
    debug: (m: string) => logs.push(`debug: ${m}`)
  }
  try {
    const inputs = parseInputs((name) => ({ token: TOKEN, api_url: url, ...values })[name] ?? '', {})
    const result = await runOperation(inputs, { log, userAgent: 'test', client })
    // A step that fails returns its outputs with its error: tests read the error either way.
    return { result, error: result.error === undefined ? undefined : new Error(result.error), logs }
  } catch (error) {
    return { error: error as Error, logs }
  }
}

/**
 * A step context for tests that call the client, do/ or the engine directly: the real clock (its
 * schedule sped up by timeScale), a 20 s deadline, no cancellation and a silent log unless given.
 */
export function testStep(changes: Partial<StepContext> = {}, timeScale = 1): StepContext {
  const clock = changes.clock ?? systemClock(timeScale)
  return {
    clock,
    deadline: clock.now() + 20_000,
    signal: NEVER_ABORTED,
    log: { info: () => undefined, warning: () => undefined, debug: () => undefined },
    ...changes
  }
}

/** An engine context: DigitalOcean's services on this client, in the given step context. */
export function testEngine(client: ApiClient, step: StepContext = testStep()): EngineContext {
  return { ...step, api: digitalOcean(client) }
}

/**
 * Runs the bundled action the way a runner does (see scripts/run-action.js), its schedule at
 * TIME_SCALE (DO_RESERVED_IP_TEST_TIME_SCALE, honoured because the simulator is on loopback).
 */
export function runDist(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  ...rest: DropFirst<DropFirst<Parameters<typeof runAction>>>
): ReturnType<typeof runAction> {
  return runAction(inputs, { [TEST_TIME_SCALE_VAR]: String(TIME_SCALE), ...env }, ...rest)
}

type DropFirst<T extends readonly unknown[]> = T extends readonly [unknown?, ...infer R] ? R : never

/** The ::error:: lines a run printed. */
export function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error'))
}

function matches(request: SimRequest, filter: RequestFilter): boolean {
  if (filter.method !== undefined && request.method !== filter.method.toUpperCase()) return false
  if (filter.path === undefined) return true
  return typeof filter.path === 'string' ? request.path === filter.path : filter.path.test(request.path)
}

/**
 * Runs `then` when the nth request matching `filter` arrives, before the simulator answers it (so
 * a state change it makes, like sim.finishActions() or sim.unlock(), shows in that answer). This
 * is how a test picks the moment something happens, instead of racing a timer. Returns how many
 * matching requests have arrived so far.
 */
export function atRequest(sim: Simulator, filter: RequestFilter, n: number, then: () => void): () => number {
  let seen = 0
  sim.onRequest((request) => {
    if (!matches(request, filter)) return
    seen++
    if (seen === n) then()
  })
  return () => seen
}

/**
 * Stops the wall clock (Date) of the test's module world, where the action and the simulator run;
 * timers, performance.now() and sockets run on. The step's timeout then passes only when the test
 * moves Date on with passTime, e.g. from atRequest at the request of its choice. Undo with
 * restoreDate (in a finally block or afterEach).
 */
export function stopDate(): void {
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout'
    ]
  })
}

/** Moves the stopped Date on by ms (see stopDate). */
export function passTime(ms: number): void {
  jest.setSystemTime(Date.now() + ms)
}

export function restoreDate(): void {
  jest.useRealTimers()
}
