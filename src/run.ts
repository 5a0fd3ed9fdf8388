/** Runs the chosen operation: the one place that maps an operation name to its module. */
import { ApiClient, type ClientOptions } from './transport/http.js'
import { RateBudget } from './transport/rate-budget.js'
import { digitalOcean } from './do/digitalocean.js'
import type { Inputs, InputsOf } from './inputs/inputs.js'
import type { Operation } from './inputs/operation.js'
import type { Logger } from './logger.js'
import type { OperationResult } from './report/result.js'
import { assign } from './operations/assign.js'
import { create } from './operations/create.js'
import { remove } from './operations/delete.js'
import { get } from './operations/get.js'
import { list } from './operations/list.js'
import { prune } from './operations/prune.js'
import { rollback } from './operations/rollback.js'
import { unassign } from './operations/unassign.js'
import type { OperationContext } from './operations/operation.js'
import type { EngineContext } from './engine/step.js'
import { Journal } from './engine/journal.js'
import { NEVER_ABORTED, systemClock, type Clock } from './context.js'

/** Each operation's module, given its own inputs. */
const OPERATIONS: { readonly [O in Operation]: (ctx: OperationContext<InputsOf<O>>) => Promise<OperationResult> } = {
  assign,
  unassign,
  create,
  get,
  list,
  delete: remove,
  prune,
  rollback
}

/** Runs the operation the inputs name, with those inputs. */
function dispatch<O extends Operation>(
  inputs: InputsOf<O> & { readonly operation: O },
  step: Omit<OperationContext, 'inputs'>
): Promise<OperationResult> {
  const run = OPERATIONS[inputs.operation]
  return run({ ...step, inputs })
}

export interface RunOptions {
  readonly log: Logger
  readonly userAgent: string
  /**
   * Where the operation records what it has done as it goes: a cancelled step reports from it when
   * the operation does not return in time (default: a journal of its own).
   */
  readonly journal?: Journal
  /** When the step started (epoch ms on the clock); the timeout counts from here. */
  readonly startedAt?: number
  /** Aborted when the step is cancelled: no request starts after it, and every wait ends at once. */
  readonly signal?: AbortSignal
  /**
   * The clock of every wait, deadline and time limit (default: the real clock, its schedule sped up
   * by client.timeScale when given). A clock carries its own scale: client.timeScale is then unused.
   */
  readonly clock?: Clock
  /** Overrides for the client's time limits (tests). */
  readonly client?: Partial<
    Pick<ClientOptions, 'requestTimeoutMs' | 'maxAttempts' | 'retryBudgetMs' | 'baseDelayMs' | 'maxDelayMs' | 'env'>
  > & {
    /** Speeds up the action's own schedule by this factor (default 1); unused when a clock is given. */
    readonly timeScale?: number
  }
}

export async function runOperation(inputs: Inputs, options: RunOptions): Promise<OperationResult> {
  const { timeScale, ...limits } = options.client ?? {}
  const clock = options.clock ?? systemClock(timeScale ?? 1)
  // One client for the whole step; each request takes the context it runs in.
  const client = new ApiClient({
    baseUrl: inputs.apiUrl,
    token: inputs.token,
    userAgent: options.userAgent,
    ...limits,
    rateBudget: new RateBudget({ windowMs: clock.scaled(60_000) })
  })
  const engine: EngineContext = {
    clock,
    deadline: (options.startedAt ?? clock.now()) + inputs.timeoutMs,
    timeoutMs: inputs.timeoutMs,
    signal: options.signal ?? NEVER_ABORTED,
    log: options.log,
    api: digitalOcean(client)
  }
  const journal = options.journal ?? new Journal()
  journal.operation = inputs.operation
  return dispatch(inputs, { engine, userAgent: options.userAgent, journal })
}

/** The environment variable that speeds up the bundled action's schedule when it runs against a local simulator. */
export const TEST_TIME_SCALE_VAR = 'DO_RESERVED_IP_TEST_TIME_SCALE'

/**
 * Client options from DO_RESERVED_IP_TEST_TIME_SCALE, for tests of the bundled action: honoured
 * only when api_url is a loopback address (a local simulator), so it can never change how the
 * action paces itself against DigitalOcean.
 */
export function testClientOptions(apiUrl: URL, env: Record<string, string | undefined>): RunOptions['client'] {
  const raw = env[TEST_TIME_SCALE_VAR]
  const host = apiUrl.hostname.replace(/^\[|\]$/g, '')
  if (!raw || !(host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host))) return undefined
  const timeScale = Number(raw)
  if (!(timeScale >= 1)) throw new Error(`${TEST_TIME_SCALE_VAR} must be a number of at least 1, got '${raw}'`)
  return { timeScale }
}
