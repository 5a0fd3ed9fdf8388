/** Shared test support: run the action in-process, or as the runner runs dist/index.js, against the simulator. */
import { runAction } from '../scripts/run-action.js'
import { parseInputs } from '../src/inputs.js'
import { runOperation, type RunOptions } from '../src/run.js'
import type { OperationResult } from '../src/result.js'

export const TOKEN = 'sim-token'

export interface InProcessRun {
  readonly result?: OperationResult
  /** The error the step failed with, thrown or returned with its result. */
  readonly error?: Error
  readonly logs: string[]
}

/** Fast client settings for tests: short backoff, short per-request limit. */
export const FAST_CLIENT: RunOptions['client'] = {
  requestTimeoutMs: 1500,
  baseDelayMs: 20,
  maxDelayMs: 200,
  retryBudgetMs: 20_000
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

export { parseOutputFile } from '../scripts/run-action.js'

/** Runs the bundled action the way a runner does (see scripts/run-action.js). */
export const runDist = runAction

/** The ::error:: lines a run printed. */
export function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error'))
}
